"""Abstract bases shared by every app's models."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .managers import AllTenantsManager, TenantManager
from .tenancy import TenantMismatchError, current_tenant_id, require_tenant_id


class TenantOwned(models.Model):
    """A row that belongs to one tenant.

    ``objects`` is scoped to the current tenant and raises without one;
    ``all_tenants`` is the explicit escape hatch.  (Related-object access goes
    through Django's plain base manager, so it is unscoped in Python.)  Row-level security on the
    table (prm/rls.py) backs both up in the database.
    """

    tenant = models.ForeignKey(
        "prm.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant")
    )

    objects = TenantManager()
    all_tenants = AllTenantsManager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.assign_tenant()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self.assign_tenant()
        return super().delete(*args, **kwargs)

    def assign_tenant(self) -> None:
        current = current_tenant_id()
        if self.tenant_id is None:
            self.tenant_id = require_tenant_id()
        elif current is None:
            require_tenant_id()
        elif self.tenant_id != current:
            raise TenantMismatchError(
                f"{type(self).__name__} of tenant {self.tenant_id} saved while tenant "
                f"{current} is current."
            )


class TimeStamped(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True
