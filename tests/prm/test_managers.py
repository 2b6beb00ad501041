"""The ORM layer fails closed: no tenant, no query; another tenant's row, no save."""

import pytest
from django.apps import apps

from partners.models import Partner, PartnerType
from prm.models import Membership
from prm.models_base import TenantOwned
from prm.tenancy import NoTenantError, TenantMismatchError, tenant_context

TENANT_MODELS = [m for m in apps.get_models() if issubclass(m, TenantOwned)]


def test_the_registry_knows_the_tenant_models():
    names = {m.__name__ for m in TENANT_MODELS}
    assert {"Membership", "Invitation", "AuditEvent", "Partner"} <= names


@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda m: m._meta.label)
def test_every_tenant_manager_refuses_without_a_tenant(db, model):
    with pytest.raises(NoTenantError):
        list(model.objects.all())
    with pytest.raises(NoTenantError):
        model.objects.count()


@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda m: m._meta.label)
def test_every_tenant_manager_returns_only_the_current_tenant(world, model):
    for tenant in (world.a, world.b):
        with tenant_context(tenant.pk):
            tenants = set(model.objects.values_list("tenant_id", flat=True))
        assert tenants == {tenant.pk}


def test_saving_takes_the_tenant_from_the_context(world):
    with tenant_context(world.b.pk):
        partner = Partner.objects.create(name="New", partner_type=PartnerType.OEM)
    assert partner.tenant_id == world.b.pk


def test_saving_refuses_another_tenants_row(world):
    with tenant_context(world.b.pk), pytest.raises(TenantMismatchError):
        world.p.name = "Hijacked"
        world.p.save()


def test_saving_refuses_without_a_tenant(world):
    with pytest.raises(NoTenantError):
        Partner(name="Orphan", partner_type=PartnerType.OEM).save()
    with pytest.raises(NoTenantError):
        world.p.save()


def test_bulk_create_fills_the_tenant(world):
    with tenant_context(world.a.pk):
        created = Partner.objects.bulk_create(
            [Partner(name=f"Bulk {i}", partner_type=PartnerType.AGENCY) for i in range(3)]
        )
    assert {p.tenant_id for p in created} == {world.a.pk}


def test_membership_of_b_is_invisible_in_a_even_by_primary_key(world):
    with tenant_context(world.a.pk):
        assert not Membership.objects.filter(pk=world.b_admin.pk).exists()
        assert Membership.objects.filter(pk=world.vendor_admin.pk).exists()


def test_a_queryset_built_without_a_tenant_is_scoped_when_it_runs(world):
    partners = Partner.objects.exclude(name="")  # built, not run
    with pytest.raises(NoTenantError):
        list(partners)
    with tenant_context(world.a.pk):
        assert {p.tenant_id for p in partners.all()} == {world.a.pk}
    with tenant_context(world.b.pk):
        assert {p.tenant_id for p in partners.all()} == {world.b.pk}
