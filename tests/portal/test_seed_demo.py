from django.core.management import call_command

from partners.models import Partner
from prm.models import Membership, Tenant, User
from prm.tenancy import tenant_context


def _counts():
    counts = {"tenants": Tenant.objects.count(), "users": User.objects.count()}
    for tenant in Tenant.objects.all():
        with tenant_context(tenant.pk):
            counts[tenant.slug] = (Partner.objects.count(), Membership.objects.count())
    return counts


def test_seed_demo_is_idempotent_and_makes_two_vendors(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    first = _counts()
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert _counts() == first
    assert {"northwind", "globex"} <= set(first)
    assert first["northwind"][0] >= 5 and first["globex"][0] >= 2
