"""Managers that scope tenant-owned tables to the current tenant, failing closed."""

from django.db import models

from .tenancy import require_tenant_id


class CurrentTenant(models.Expression):
    """The current tenant's id, read when the query is compiled (not when the
    queryset is built), so querysets made at import time — form fields, class
    attributes — stay scoped, and running one without a tenant raises."""

    output_field = models.BigIntegerField()

    def as_sql(self, compiler, connection):
        return "%s", [require_tenant_id()]


class TenantQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            obj.assign_tenant()
        return super().bulk_create(objs, *args, **kwargs)


class TenantManager(models.Manager.from_queryset(TenantQuerySet)):
    """The default manager: only the current tenant's rows; raises NoTenantError without one."""

    def get_queryset(self) -> TenantQuerySet:
        return super().get_queryset().filter(tenant_id=CurrentTenant())


class AllTenantsManager(models.Manager.from_queryset(TenantQuerySet)):
    """Deliberately loud escape hatch for code that truly spans tenants.

    Row-level security still applies, so outside a tenant context it sees no
    rows; it exists for the few global readers that say so by name (e.g. a
    user's own memberships across tenants).
    """
