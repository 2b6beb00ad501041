"""Answering offers: accept before the deadline, decline with a reason (the lead
is routed again), withdraw, and the set-based reclaim of unanswered offers."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from deals.models import Lead, LeadOffer, RoutingRule
from deals.services.leads import lead_create
from deals.services.offers import lead_offer, offer_accept, offer_decline, offer_withdraw
from deals.services.reclaim import leads_reclaim
from partners.models import Partner, PartnerStatus
from prm.actors import SYSTEM
from prm.models import AuditEvent
from prm.tenancy import tenant_context

Outcome = LeadOffer.Outcome


def _url(name, world, **kwargs):
    return reverse(name, kwargs={"tenant_slug": world.a.slug, **kwargs})


@pytest.fixture
def offered(world):
    """A fresh lead in A offered to P; the rule "Germany" (filled in) matches P and Q."""
    with tenant_context(world.a.pk):
        lead = lead_create(by=world.channel_manager, company_name="Globe AG", country="DE")
        offer = lead_offer(lead=lead, partner=world.p, by=world.channel_manager)
    return offer


def _offer(world, pk) -> LeadOffer:
    with tenant_context(world.a.pk):
        return LeadOffer.objects.select_related("lead").get(pk=pk)


def _overdue(world, offer):
    with tenant_context(world.a.pk):
        LeadOffer.objects.filter(pk=offer.pk).update(due_at=timezone.now() - timedelta(minutes=1))


# --- offering ---------------------------------------------------------------------------


def test_an_offer_emails_the_partners_people(
    world, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with tenant_context(world.a.pk):
            lead = lead_create(by=world.channel_manager, company_name="Mailable Ltd", country="GB")
            lead_offer(lead=lead, partner=world.q, by=SYSTEM)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [world.q_rep.user.email]
    assert "Mailable Ltd" in message.subject
    assert f"/t/vendor-a/portal/leads/{lead.pk}/" in message.body


def test_only_active_partners_receive_offers(world):
    with tenant_context(world.a.pk):
        Partner.objects.filter(pk=world.q.pk).update(status=PartnerStatus.ONBOARDING)
        world.q.refresh_from_db()
        lead = lead_create(by=world.channel_manager, company_name="Careful Inc", country="US")
        with pytest.raises(ValidationError) as caught:
            lead_offer(lead=lead, partner=world.q, by=SYSTEM)
        assert "partner" in caught.value.message_dict
        assert not LeadOffer.objects.filter(lead=lead).exists()


def test_a_lead_has_one_pending_offer_at_most(world, offered):
    with tenant_context(world.a.pk):
        lead = Lead.objects.get(pk=offered.lead_id)
        with pytest.raises(ValidationError):
            lead_offer(lead=lead, partner=world.q, by=SYSTEM)
        # Even a stale copy of the lead that still reads "new" cannot make a second one.
        lead.status = Lead.Status.NEW
        with pytest.raises(ValidationError):
            lead_offer(lead=lead, partner=world.q, by=SYSTEM)
        assert LeadOffer.objects.filter(lead=lead).count() == 1


# --- accepting ---------------------------------------------------------------------------


def test_partner_accepts_through_the_inbox(client, world, offered):
    client.force_login(world.p_rep.user)
    inbox = client.get(_url("portal:leads_inbox", world))
    assert inbox.status_code == 200
    pending = [o.pk for o in inbox.context["pending"]]
    assert set(pending) == {offered.pk, *_fill_offer_ids(world)} and len(pending) == 2
    assert b"left" in inbox.content
    response = client.post(_url("portal:offer_accept", world, offer_id=offered.pk))
    assert response.status_code == 302
    offer = _offer(world, offered.pk)
    assert (offer.outcome, offer.responded_by_id) == (Outcome.ACCEPTED, world.p_rep.user_id)
    assert offer.lead.status == Lead.Status.ACCEPTED
    assert offer.lead.accepted_at == offer.responded_at
    inbox = client.get(_url("portal:leads_inbox", world))
    assert [lead.pk for lead in inbox.context["accepted"]] == [offered.lead_id]
    assert offered.pk not in [o.pk for o in inbox.context["pending"]]
    register = inbox.context["register_url"]
    if register is not None:
        assert f"{register}?lead={offered.lead_id}".encode() in inbox.content
    detail = client.get(_url("portal:lead_detail", world, lead_id=offered.lead_id))
    assert detail.status_code == 200 and b"Globe AG" in detail.content


def _fill_offer_ids(world):
    with tenant_context(world.a.pk):
        return list(
            LeadOffer.objects.filter(partner=world.p, outcome=Outcome.PENDING)
            .exclude(lead__company_name="Globe AG")
            .values_list("pk", flat=True)
        )


def test_accepting_after_the_deadline_is_refused(client, world, offered):
    _overdue(world, offered)
    client.force_login(world.p_admin.user)
    response = client.post(_url("portal:offer_accept", world, offer_id=offered.pk))
    assert response.status_code == 400
    assert "time to accept this lead has passed" in response.content.decode()
    offer = _offer(world, offered.pk)
    assert (offer.outcome, offer.lead.status) == (Outcome.PENDING, Lead.Status.OFFERED)


def test_accepting_twice_is_refused(client, world, offered):
    client.force_login(world.p_rep.user)
    url = _url("portal:offer_accept", world, offer_id=offered.pk)
    assert client.post(url).status_code == 302
    first = _offer(world, offered.pk)
    client.force_login(world.p_admin.user)
    again = client.post(url)
    assert again.status_code == 400
    assert b"already answered" in again.content
    second = _offer(world, offered.pk)
    assert (second.responded_by_id, second.responded_at) == (
        world.p_rep.user_id,
        first.responded_at,
    )


def test_another_partner_cannot_answer_or_see_the_offer(client, world, offered):
    client.force_login(world.q_rep.user)
    assert client.post(_url("portal:offer_accept", world, offer_id=offered.pk)).status_code == 404
    decline = _url("portal:offer_decline", world, offer_id=offered.pk)
    assert client.post(decline, {"reason": "mine now"}).status_code == 404
    assert client.get(_url("portal:lead_detail", world, lead_id=offered.lead_id)).status_code == 404
    inbox = client.get(_url("portal:leads_inbox", world))
    assert inbox.context["pending"] == [] and inbox.context["accepted"] == []
    assert _offer(world, offered.pk).outcome == Outcome.PENDING


def test_the_service_refuses_people_of_another_partner(world, offered):
    from django.core.exceptions import PermissionDenied

    with tenant_context(world.a.pk):
        with pytest.raises(PermissionDenied):
            offer_accept(offer=offered, by=world.q_rep)
        with pytest.raises(PermissionDenied):
            offer_decline(offer=offered, by=world.channel_manager, reason="no")
        assert LeadOffer.objects.get(pk=offered.pk).outcome == Outcome.PENDING


# --- declining ---------------------------------------------------------------------------


def test_declining_needs_a_reason(client, world, offered):
    client.force_login(world.p_rep.user)
    response = client.post(
        _url("portal:offer_decline", world, offer_id=offered.pk), {"reason": "   "}
    )
    assert response.status_code == 400
    assert response.context["decline_form"].errors["reason"]
    offer = _offer(world, offered.pk)
    assert (offer.outcome, offer.lead.status) == (Outcome.PENDING, Lead.Status.OFFERED)


def test_a_declined_lead_is_routed_to_someone_else(
    client, world, offered, eager_tasks, django_capture_on_commit_callbacks
):
    client.force_login(world.p_rep.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url("portal:offer_decline", world, offer_id=offered.pk),
            {"reason": "Outside our region"},
        )
    assert response.status_code == 302
    offer = _offer(world, offered.pk)
    assert (offer.outcome, offer.decline_reason) == (Outcome.DECLINED, "Outside our region")
    with tenant_context(world.a.pk):
        lead = Lead.objects.get(pk=offered.lead_id)
        new = LeadOffer.objects.select_related("rule").get(lead=lead, outcome=Outcome.PENDING)
        assert AuditEvent.objects.filter(action="lead.declined", target_id=lead.pk).exists()
    assert (new.partner_id, new.rule.name) == (world.q.pk, "Germany")
    assert (lead.status, lead.partner_id) == (Lead.Status.OFFERED, world.q.pk)
    assert [m.to for m in mail.outbox] == [[world.q_rep.user.email]]
    # P no longer sees the lead.
    assert client.get(_url("portal:lead_detail", world, lead_id=lead.pk)).status_code == 404


# --- withdrawing --------------------------------------------------------------------------


def test_vendor_withdraws_the_pending_offer(client, world, offered):
    client.force_login(world.channel_manager.user)
    url = _url("console:lead_withdraw", world, lead_id=offered.lead_id)
    assert client.post(url).status_code == 302
    offer = _offer(world, offered.pk)
    assert offer.outcome == Outcome.WITHDRAWN
    assert (offer.lead.status, offer.lead.partner_id) == (Lead.Status.NEW, None)
    again = client.post(url)
    assert again.status_code == 400 and b"no pending offer" in again.content
    with tenant_context(world.a.pk):
        with pytest.raises(ValidationError):
            offer_withdraw(offer=offer, by=world.channel_manager)


def test_finance_cannot_withdraw(client, world, offered):
    client.force_login(world.finance.user)
    url = _url("console:lead_withdraw", world, lead_id=offered.lead_id)
    assert client.post(url).status_code == 403
    assert _offer(world, offered.pk).outcome == Outcome.PENDING


# --- reclaiming ---------------------------------------------------------------------------


def test_reclaim_is_set_based_and_happens_once(world, offered):
    _overdue(world, offered)
    with tenant_context(world.b.pk):
        LeadOffer.objects.update(due_at=timezone.now() - timedelta(hours=1))
    with tenant_context(world.a.pk):
        assert leads_reclaim(now=timezone.now()) == 1
        assert leads_reclaim(now=timezone.now()) == 0
        old = LeadOffer.objects.get(pk=offered.pk)
        assert old.outcome == Outcome.RECLAIMED
        new = LeadOffer.objects.get(lead_id=offered.lead_id, outcome=Outcome.PENDING)
        assert new.partner_id == world.q.pk
        # The filled-in offer to P is not due yet and stays pending.
        assert LeadOffer.objects.filter(partner=world.p, outcome=Outcome.PENDING).count() == 1
    with tenant_context(world.b.pk):
        assert set(LeadOffer.objects.values_list("outcome", flat=True)) == {Outcome.PENDING}


def test_a_reclaimed_lead_without_another_partner_is_unrouted(world, offered):
    with tenant_context(world.a.pk):
        RoutingRule.objects.update(partner_types=["reseller"])
    _overdue(world, offered)
    with tenant_context(world.a.pk):
        assert leads_reclaim(now=timezone.now()) == 1
        lead = Lead.objects.get(pk=offered.lead_id)
        assert (lead.status, lead.partner_id) == (Lead.Status.UNROUTED, None)
