"""Offering a lead to one partner, and the partner's answer within the
acceptance time.

Invariants:
- a lead has at most one pending offer (a partial unique constraint decides
  races); while it has one, ``lead.status`` is *offered* and ``lead.partner``
  is the partner it is offered to;
- every change of an offer's outcome is a compare-and-swap on ``pending``, so
  an offer is answered, withdrawn or reclaimed exactly once;
- an offer is accepted only before its deadline, and only by a person of the
  partner it was made to.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import Partner, PartnerStatus
from partners.selectors.people import partner_id_of
from prm.actions import action
from prm.actors import SystemActor, actor_user
from prm.audit import audit_record
from prm.enqueue import enqueue_after_commit
from prm.models import Membership
from prm.policies import can_answer_lead_offers, can_distribute_leads
from prm.text import REASON_TEXT, length_problems

from ..events import lead_accepted_record
from ..models import Lead, LeadOffer, RoutingRule
from ..notifications import notify_leads_offered
from ..selectors.rules import deal_settings
from ..states import LEAD_OFFERABLE

Status = Lead.Status
Outcome = LeadOffer.Outcome


@action(can_distribute_leads, system=True)
def lead_offer(
    *,
    lead: Lead,
    partner: Partner,
    by: Membership | SystemActor,
    rule: RoutingRule | None = None,
) -> LeadOffer:
    """Offer a new or unrouted lead to an active partner, who must answer within
    the vendor's acceptance time.  The partner's people are e-mailed after
    commit."""
    if partner.status != PartnerStatus.ACTIVE:
        raise ValidationError({"partner": _("Leads can only be offered to active partners.")})
    now = timezone.now()
    hours = deal_settings().lead_sla_hours
    try:
        with transaction.atomic():
            moved = Lead.objects.filter(pk=lead.pk, status__in=LEAD_OFFERABLE).update(
                status=Status.OFFERED, partner=partner, updated_at=now
            )
            if moved != 1:
                raise ValidationError(
                    _("This lead cannot be offered now: it is already offered, accepted or closed.")
                )
            offer = LeadOffer.objects.create(
                lead=lead,
                partner=partner,
                rule=rule,
                offered_by=actor_user(by),
                offered_at=now,
                due_at=now + timedelta(hours=hours),
            )
            audit_record(
                actor=actor_user(by),
                action="lead.offered",
                target=lead,
                partner_id=partner.pk,
                rule_id=rule.pk if rule else None,
                offer_id=offer.pk,
            )
            lead.status, lead.partner = Status.OFFERED, partner
            notify_leads_offered([offer])
    except IntegrityError as error:
        raise ValidationError(_("This lead was offered to someone else meanwhile.")) from error
    return offer


def _release_lead(offer: LeadOffer) -> None:
    """The offer is over: the lead waits for a partner again."""
    Lead.objects.filter(
        pk=offer.lead_id, status=Status.OFFERED, partner_id=offer.partner_id
    ).update(status=Status.NEW, partner=None, updated_at=timezone.now())


def _check_partner_person(offer: LeadOffer, by: Membership) -> None:
    if not by.is_partner or partner_id_of(by) != offer.partner_id:
        raise PermissionDenied


@action(can_answer_lead_offers)
def offer_accept(*, offer: LeadOffer, by: Membership) -> LeadOffer:
    """A person of the partner accepts a pending offer before its deadline."""
    _check_partner_person(offer, by)
    now = timezone.now()
    with transaction.atomic():
        claimed = LeadOffer.objects.filter(
            pk=offer.pk, outcome=Outcome.PENDING, due_at__gt=now
        ).update(outcome=Outcome.ACCEPTED, responded_at=now, responded_by=by.user)
        if claimed != 1:
            current = LeadOffer.objects.filter(pk=offer.pk).values_list("outcome", flat=True)
            if list(current) == [Outcome.PENDING]:
                raise ValidationError(_("The time to accept this lead has passed."))
            raise ValidationError(_("This offer was already answered or withdrawn."))
        Lead.objects.filter(
            pk=offer.lead_id, status=Status.OFFERED, partner_id=offer.partner_id
        ).update(status=Status.ACCEPTED, accepted_at=now, updated_at=now)
        audit_record(actor=by.user, action="lead.accepted", target=offer.lead, offer_id=offer.pk)
        # Accepted before the offer's deadline, the vendor's lead SLA.
        lead_accepted_record(lead_id=offer.lead_id, partner_id=offer.partner_id, by=by)
    offer.outcome, offer.responded_at, offer.responded_by = Outcome.ACCEPTED, now, by.user
    return offer


def _enqueue_reroute(lead: Lead) -> None:
    enqueue_after_commit("deals.lead_reroute", lead.pk)


@action(can_answer_lead_offers)
def offer_decline(*, offer: LeadOffer, by: Membership, reason: str) -> LeadOffer:
    """A person of the partner declines a pending offer, saying why; the lead
    is routed again (to someone else) once this commits."""
    _check_partner_person(offer, by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Tell the vendor why you decline this lead.")})
    if length_problems({"reason": reason}, {"reason": REASON_TEXT}):
        raise ValidationError(length_problems({"reason": reason}, {"reason": REASON_TEXT}))
    now = timezone.now()
    with transaction.atomic():
        claimed = LeadOffer.objects.filter(pk=offer.pk, outcome=Outcome.PENDING).update(
            outcome=Outcome.DECLINED,
            responded_at=now,
            responded_by=by.user,
            decline_reason=reason,
        )
        if claimed != 1:
            raise ValidationError(_("This offer was already answered or withdrawn."))
        _release_lead(offer)
        audit_record(
            actor=by.user,
            action="lead.declined",
            target=offer.lead,
            offer_id=offer.pk,
            reason=reason,
        )
        _enqueue_reroute(offer.lead)
    offer.outcome, offer.decline_reason = Outcome.DECLINED, reason
    return offer


@action(can_distribute_leads)
def offer_withdraw(*, offer: LeadOffer, by: Membership) -> LeadOffer:
    """The vendor takes back a pending offer; the lead waits to be offered again."""
    now = timezone.now()
    with transaction.atomic():
        claimed = LeadOffer.objects.filter(pk=offer.pk, outcome=Outcome.PENDING).update(
            outcome=Outcome.WITHDRAWN, responded_at=now, responded_by=by.user
        )
        if claimed != 1:
            raise ValidationError(_("Only a pending offer can be withdrawn."))
        _release_lead(offer)
        audit_record(
            actor=actor_user(by), action="lead.withdrawn", target=offer.lead, offer_id=offer.pk
        )
    offer.outcome = Outcome.WITHDRAWN
    return offer
