"""Managers that scope tenant-owned tables to the current tenant, failing closed."""

from django.db import models

from .tenancy import require_tenant_id


class TenantQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        for obj in objs:
            obj.assign_tenant()
        return super().bulk_create(objs, *args, **kwargs)


class TenantManager(models.Manager.from_queryset(TenantQuerySet)):
    """The default manager: only the current tenant's rows; raises NoTenantError without one."""

    def get_queryset(self) -> TenantQuerySet:
        return super().get_queryset().filter(tenant_id=require_tenant_id())


class AllTenantsManager(models.Manager.from_queryset(TenantQuerySet)):
    """Deliberately loud escape hatch for code that truly spans tenants.

    Row-level security still applies, so outside a tenant context it sees no
    rows; it exists for the base manager (related-object access) and for the
    few global readers that say so by name (e.g. a user's own memberships).
    """
