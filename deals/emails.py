"""The e-mails deals send, composed from templates (queued by the services)."""

from __future__ import annotations

from django.template.loader import render_to_string

from prm.links import link
from prm.models import Tenant

from .models import Lead, LeadOffer


def offer_email(offer: LeadOffer, lead: Lead, tenant: Tenant) -> tuple[str, str]:
    """The subject and body telling a partner's people about ``offer``."""
    url = link("partner_lead", tenant=tenant, lead_id=lead.pk)
    context = {"tenant": tenant, "lead": lead, "offer": offer, "url": url}
    return (
        render_to_string("emails/lead_offer_subject.txt", context).strip(),
        render_to_string("emails/lead_offer.txt", context),
    )
