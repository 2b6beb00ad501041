"""The onboarding refresh task, run by a real worker, stays in its tenant."""

import pytest

from partners.models import OnboardingStep, PartnerOnboardingStep
from partners.tasks.onboarding import onboarding_refresh_tenant
from prm.tenancy import tenant_context
from tests.celery_worker import wait_for

pytestmark = pytest.mark.worker


def _observed_step(tenant):
    """Give the tenant's filled-in onboarding an agreement step (accepted in the world)."""
    with tenant_context(tenant.pk):
        partner_step = PartnerOnboardingStep.objects.select_related("onboarding").first()
        step = OnboardingStep.objects.create(
            plan=partner_step.onboarding.plan,
            title="Accept the agreement",
            metric="agreement_accepted",
            due_after_days=30,
        )
        return PartnerOnboardingStep.objects.create(
            onboarding=partner_step.onboarding, step=step, due_on=partner_step.due_on
        )


def _done(tenant, partner_step) -> bool:
    with tenant_context(tenant.pk):
        return PartnerOnboardingStep.objects.get(pk=partner_step.pk).completed_at is not None


def test_refresh_for_a_completes_only_a(celery_worker, tx_world):
    a_step, b_step = _observed_step(tx_world.a), _observed_step(tx_world.b)
    onboarding_refresh_tenant.delay(tx_world.a.pk)
    wait_for(lambda: _done(tx_world.a, a_step))
    assert not _done(tx_world.b, b_step)
