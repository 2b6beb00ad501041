"""Stored customer keys are made again with the normaliser that keeps every
script and knows more legal forms; collisions are listed, nothing is deleted
(``manage.py customer_keys_refresh`` does the same and lists them again)."""

from django.db import migrations


def refresh(apps, schema_editor):
    from deals.services.customer_keys import customer_keys_refresh_every_tenant

    customer_keys_refresh_every_tenant(say=lambda line: print(f"  {line}"))


class Migration(migrations.Migration):
    dependencies = [("deals", "0005_registration_totals")]

    operations = [migrations.RunPython(refresh, migrations.RunPython.noop)]
