"""The lead reclaim, run by a real Celery worker over real Redis: an offer past
its deadline goes to the next eligible partner, and only in its own tenant."""

from datetime import timedelta

import pytest
from django.utils import timezone

from deals.models import Lead, LeadOffer
from deals.services.leads import lead_create
from deals.services.offers import lead_offer
from deals.tasks.leads import leads_reclaim_all_tenants, leads_reclaim_tenant
from prm.actors import SYSTEM
from prm.tenancy import tenant_context
from tests.celery_worker import wait_for
from tests.world import staff

pytestmark = pytest.mark.worker

Outcome = LeadOffer.Outcome


def _overdue_offer(tenant, partner) -> LeadOffer:
    """A lead offered to ``partner`` whose deadline has passed (the filled-in
    rule "Germany" matches every partner for a German lead)."""
    with tenant_context(tenant.pk):
        lead = lead_create(by=staff(), company_name="Late Answer GmbH", country="DE")
        offer = lead_offer(lead=lead, partner=partner, by=SYSTEM)
        LeadOffer.objects.filter(pk=offer.pk).update(due_at=timezone.now() - timedelta(hours=1))
        return offer


def _outcome(tenant, pk) -> str:
    with tenant_context(tenant.pk):
        return LeadOffer.objects.get(pk=pk).outcome


def _lead(tenant, pk) -> Lead:
    with tenant_context(tenant.pk):
        return Lead.objects.get(pk=pk)


def _current_offer(tenant, lead_id):
    with tenant_context(tenant.pk):
        return LeadOffer.objects.filter(lead_id=lead_id, outcome=Outcome.PENDING).first()


def test_reclaim_reoffers_to_the_next_partner_and_stays_in_its_tenant(celery_worker, tx_world):
    w = tx_world
    a_offer = _overdue_offer(w.a, w.p)
    b_offer = _overdue_offer(w.b, w.b_partner)
    leads_reclaim_tenant.delay(w.a.pk)
    wait_for(lambda: _outcome(w.a, a_offer.pk) == Outcome.RECLAIMED)
    new = wait_for(lambda: _current_offer(w.a, a_offer.lead_id))
    assert new.partner_id == w.q.pk
    lead = _lead(w.a, a_offer.lead_id)
    assert (lead.status, lead.partner_id) == (Lead.Status.OFFERED, w.q.pk)
    assert _outcome(w.b, b_offer.pk) == Outcome.PENDING


def test_the_beat_job_reclaims_in_every_tenant(celery_worker, tx_world):
    w = tx_world
    a_offer = _overdue_offer(w.a, w.q)
    b_offer = _overdue_offer(w.b, w.b_partner)
    leads_reclaim_all_tenants.delay()
    wait_for(
        lambda: (
            _outcome(w.a, a_offer.pk) == Outcome.RECLAIMED
            and _outcome(w.b, b_offer.pk) == Outcome.RECLAIMED
        )
    )
    # In B nobody else is eligible: the lead waits unrouted.
    wait_for(lambda: _lead(w.b, b_offer.lead_id).status == Lead.Status.UNROUTED)
    assert _current_offer(w.a, a_offer.lead_id).partner_id == w.p.pk
