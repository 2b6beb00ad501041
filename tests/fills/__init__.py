"""One row of every tenant-owned model in each tenant, so that a leak between
tenants shows in the isolation tests.  Each module here fills its own area's
models through ``fill(ctx)``; ``fill_all`` runs every module for a tenant."""

import importlib
import pkgutil
from dataclasses import dataclass

from prm.tenancy import tenant_context


@dataclass
class FillContext:
    tenant: object
    partner: object
    vendor_user: object
    partner_user: object


# Areas whose rows point at other areas' rows fill after them.
LATER = ("incentives",)


def fill_all(ctx: FillContext) -> None:
    names = sorted(
        (module.name for module in pkgutil.iter_modules(__path__)),
        key=lambda name: (name in LATER, name),
    )
    for name in names:
        fill = importlib.import_module(f"{__name__}.{name}").fill
        with tenant_context(ctx.tenant.pk):
            fill(ctx)
