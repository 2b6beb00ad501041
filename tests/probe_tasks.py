"""Jobs that exist only for the tests, loaded by the test worker: a tenant job
that fails on purpose for one tenant, and the beat job that fans it out."""

from django.core.cache import cache

from prm.audit import audit_record
from prm.jobs import fan_out, system_task, tenant_task
from prm.models import Tenant
from prm.tenancy import require_tenant_id

PROBE = "tests.fan_out_probe"


def ran_key(slug: str) -> str:
    return f"tests:fan-out-probe:{slug}"


@tenant_task(name=PROBE, autoretry_for=())
def fan_out_probe(failing_slug: str) -> str:
    tenant = Tenant.objects.get(pk=require_tenant_id())
    cache.set(ran_key(tenant.slug), "ran", 300)
    if tenant.slug == failing_slug:
        raise RuntimeError(f"the probe fails for {tenant.slug} on purpose")
    audit_record(actor=None, action="tests.fan_out_probe")
    return tenant.slug


@system_task(name="tests.fan_out_probe_all_tenants")
def fan_out_probe_all_tenants(failing_slug: str) -> int:
    return fan_out(PROBE, failing_slug)
