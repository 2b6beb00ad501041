"""Indexes in the order of the big lists (keyset pages), and every registration
awaiting a decision has a submission time (the approval queue pages by it)."""

from django.db import migrations, models
from django.db.models import Q

# Tables enforce row-level security even for their owner; lifted for this
# fix-up, the post-migrate step puts it back.
FILL_SUBMISSION_TIMES = """
ALTER TABLE deals_dealregistration NO FORCE ROW LEVEL SECURITY;
UPDATE deals_dealregistration SET submitted_at = created_at
 WHERE status IN ('submitted', 'more_info') AND submitted_at IS NULL;
"""


class Migration(migrations.Migration):
    dependencies = [("deals", "0003_activity_document_type")]

    operations = [
        migrations.AddIndex(
            model_name="dealconflict",
            index=models.Index(fields=["tenant", "-found_at", "-id"], name="conflict_newest"),
        ),
        migrations.AddIndex(
            model_name="dealregistration",
            index=models.Index(fields=["tenant", "-created_at", "-id"], name="registration_newest"),
        ),
        migrations.AddIndex(
            model_name="dealregistration",
            index=models.Index(
                fields=["tenant", "partner", "-created_at", "-id"],
                name="registration_partner_newest",
            ),
        ),
        migrations.AddIndex(
            model_name="dealregistration",
            index=models.Index(
                fields=["tenant", "submitted_at", "id"],
                condition=Q(status__in=["submitted", "more_info"]),
                name="registration_awaiting",
            ),
        ),
        migrations.RunSQL(FILL_SUBMISSION_TIMES, reverse_sql=migrations.RunSQL.noop),
        migrations.AddConstraint(
            model_name="dealregistration",
            constraint=models.CheckConstraint(
                condition=~Q(status__in=["submitted", "more_info"])
                | Q(submitted_at__isnull=False),
                name="registration_awaiting_was_submitted",
            ),
        ),
    ]
