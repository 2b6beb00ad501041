"""The notifications of deals: registrations decided or waiting for a decision,
protection running out, extensions decided, leads offered or taken back.

Kinds are registered at start-up; the ``notify_*`` helpers are called by the
services inside their transaction, so a notification exists exactly when the
action does."""

from __future__ import annotations

import hashlib

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from partners.models import Partner
from partners.selectors.people import member_ids_of_partners
from prm.models import EmailChoice
from prm.notifications import (
    Notice,
    NotificationKind,
    day,
    notification_kind_register,
    notify,
    notify_many,
    when,
)
from prm.policies import can_decide_registrations
from prm.roles import PARTNER_ROLES
from prm.selectors import member_ids_holding, member_ids_of_users

from .models import DealRegistration

REGISTRATION_SUBMITTED = "registration_submitted"
REGISTRATION_APPROVED = "registration_approved"
REGISTRATION_REJECTED = "registration_rejected"
REGISTRATION_MORE_INFO = "registration_more_info"
PROTECTION_EXPIRING = "protection_expiring"
EXTENSION_DECIDED = "extension_decided"
LEAD_OFFERED = "lead_offered"
LEAD_RECLAIMED = "lead_reclaimed"


def _expiring_body(params: dict) -> str:
    lines = [
        _("%(customer)s: protected until %(date)s")
        % {"customer": item["customer"], "date": day(item["protected_until"])}
        for item in params["registrations"]
    ]
    lines.append(
        _(
            "Close the deal, report it as won or lost, or ask for an extension before the "
            "protection ends; afterwards the customer is open to other partners."
        )
    )
    return "\n".join(lines)


def _reason(params: dict) -> str:
    return params.get("reason") or ""


def register_notifications() -> None:
    group = gettext_lazy("Deal registrations")
    for kind in (
        NotificationKind(
            key=REGISTRATION_SUBMITTED,
            label=gettext_lazy("A registration waits for your decision"),
            roles=can_decide_registrations.roles,
            group=group,
            default_email=EmailChoice.DIGEST,
            title=lambda p: (
                _("%(partner)s registered a deal with %(customer)s")
                % {"partner": p["partner"], "customer": p["customer"]}
            ),
        ),
        NotificationKind(
            key=REGISTRATION_APPROVED,
            label=gettext_lazy("Your registration is approved"),
            roles=PARTNER_ROLES,
            group=group,
            title=lambda p: (
                _("Your registration for %(customer)s is approved") % {"customer": p["customer"]}
            ),
            body=lambda p: (
                _("It is protected until %(date)s.") % {"date": day(p["protected_until"])}
            ),
        ),
        NotificationKind(
            key=REGISTRATION_REJECTED,
            label=gettext_lazy("Your registration is rejected"),
            roles=PARTNER_ROLES,
            group=group,
            title=lambda p: (
                _("Your registration for %(customer)s is rejected") % {"customer": p["customer"]}
            ),
            body=lambda p: _("Reason: %(reason)s") % {"reason": _reason(p)},
        ),
        NotificationKind(
            key=REGISTRATION_MORE_INFO,
            label=gettext_lazy("Your registration needs more information"),
            roles=PARTNER_ROLES,
            group=group,
            title=lambda p: (
                _("The vendor asks about your registration for %(customer)s")
                % {"customer": p["customer"]}
            ),
            body=lambda p: (
                _("Question: %(reason)s\nAnswer it by editing and resubmitting.")
                % {"reason": _reason(p)}
            ),
        ),
        NotificationKind(
            key=PROTECTION_EXPIRING,
            label=gettext_lazy("Your deal protection runs out soon"),
            roles=PARTNER_ROLES,
            group=group,
            title=lambda p: (
                ngettext(
                    "Deal protection ends soon for %(count)d registration",
                    "Deal protection ends soon for %(count)d registrations",
                    len(p["registrations"]),
                )
                % {"count": len(p["registrations"])}
            ),
            body=_expiring_body,
        ),
        NotificationKind(
            key=EXTENSION_DECIDED,
            label=gettext_lazy("Your extension request is decided"),
            roles=PARTNER_ROLES,
            group=group,
            title=lambda p: (
                (
                    _("Protection for %(customer)s is extended to %(date)s")
                    if p.get("granted")
                    else _("More time for %(customer)s was refused")
                )
                % {"customer": p["customer"], "date": day(p.get("protected_until"))}
            ),
            body=lambda p: "" if p.get("granted") else _("Reason: %(reason)s") % p,
        ),
        NotificationKind(
            key=LEAD_OFFERED,
            label=gettext_lazy("A lead is offered to you"),
            roles=PARTNER_ROLES,
            group=gettext_lazy("Leads"),
            title=lambda p: _("New lead: %(company)s") % {"company": p["company"]},
            body=lambda p: (
                _("Accept or decline it by %(deadline)s, or it goes to another partner.")
                % {"deadline": when(p["deadline"])}
            ),
        ),
        NotificationKind(
            key=LEAD_RECLAIMED,
            label=gettext_lazy("A lead was taken back"),
            roles=PARTNER_ROLES,
            group=gettext_lazy("Leads"),
            title=lambda p: _("The lead %(company)s was taken back") % {"company": p["company"]},
            body=lambda p: _("It was not accepted in time."),
        ),
    ):
        notification_kind_register(kind)


def notify_registration_submitted(registration: DealRegistration) -> None:
    partner_name = Partner.objects.values_list("name", flat=True).get(pk=registration.partner_id)
    notify(
        REGISTRATION_SUBMITTED,
        recipients=member_ids_holding(can_decide_registrations),
        event=f"registration:{registration.pk}:submitted:{registration.submitted_at.isoformat()}",
        params={"partner": partner_name, "customer": registration.customer_name},
        link="console_registration",
        link_params={"registration_id": registration.pk},
    )


_DECISION_KINDS = {
    "approved": REGISTRATION_APPROVED,
    "rejected": REGISTRATION_REJECTED,
    "more_info": REGISTRATION_MORE_INFO,
}


def notify_registration_decided(registration: DealRegistration, reason: str = "") -> None:
    """Tell the registrant; ``registration`` carries its new status and decision time."""
    key = _DECISION_KINDS[registration.status]
    notify(
        key,
        recipients=member_ids_of_users([registration.registered_by_id]),
        event=f"registration:{registration.pk}:{registration.status}:"
        f"{registration.decided_at.isoformat()}",
        params={
            "customer": registration.customer_name,
            "reason": reason,
            "protected_until": registration.protected_until,
        },
        link="partner_registration",
        link_params={"registration_id": registration.pk},
    )


def notify_extension_decided(
    registration: DealRegistration, *, granted: bool, reason: str, protected_until
) -> None:
    notify(
        EXTENSION_DECIDED,
        recipients=member_ids_of_users([registration.registered_by_id]),
        event=f"registration:{registration.pk}:extension:"
        f"{registration.extension_requested_at.isoformat()}",
        params={
            "customer": registration.customer_name,
            "granted": granted,
            "reason": reason,
            "protected_until": protected_until,
        },
        link="partner_registration",
        link_params={"registration_id": registration.pk},
    )


def notify_protection_expiring(
    membership_id: int, registrations: list[tuple[int, str, str]], today
) -> None:
    """One reminder to one person listing ``(id, customer, protected until)``
    of registrations whose protection ends soon (each reminded once, by the
    expiry job's own marker)."""
    ids = ",".join(str(pk) for pk, _c, _d in registrations)
    digest = hashlib.sha1(ids.encode()).hexdigest()[:16]
    single = registrations[0][0] if len(registrations) == 1 else None
    notify(
        PROTECTION_EXPIRING,
        recipients=[membership_id],
        event=f"protection_expiring:{today.isoformat()}:{digest}",
        params={
            "registrations": [
                {"id": pk, "customer": customer, "protected_until": until}
                for pk, customer, until in registrations
            ]
        },
        link="partner_registration" if single else "partner_registrations",
        link_params={"registration_id": single} if single else {},
    )


def notify_leads_offered(offers) -> None:
    """Tell each offered partner's people (``offers``: LeadOffers with their lead)."""
    people = member_ids_of_partners(partner_ids={offer.partner_id for offer in offers})
    notify_many(
        LEAD_OFFERED,
        [
            Notice(
                recipients=tuple(people.get(offer.partner_id, ())),
                event=f"lead_offer:{offer.pk}",
                params={"company": offer.lead.company_name, "deadline": offer.due_at},
                link="partner_lead",
                link_params={"lead_id": offer.lead_id},
            )
            for offer in offers
        ],
    )


def notify_leads_reclaimed(reclaimed: list[tuple[int, int, str]]) -> None:
    """Tell the partners whose offers ``(offer id, partner id, company)`` lapsed."""
    people = member_ids_of_partners(partner_ids={partner_id for _o, partner_id, _c in reclaimed})
    notify_many(
        LEAD_RECLAIMED,
        [
            Notice(
                recipients=tuple(people.get(partner_id, ())),
                event=f"lead_offer:{offer_id}:reclaimed",
                params={"company": company},
                link="partner_leads",
            )
            for offer_id, partner_id, company in reclaimed
        ],
    )
