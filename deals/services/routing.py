"""Routing leads to partners by the vendor's rules: the rules themselves and
routing one lead (the ranking is ``selectors.routing``; taking back unanswered
offers and routing many leads at once is ``services.reclaim``)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import Tier
from partners.types import is_partner_type
from prm.actions import action, system_action
from prm.actors import SYSTEM, SystemActor, actor_user
from prm.audit import audit_record
from prm.models import Membership
from prm.policies import can_distribute_leads, can_manage_routing_rules

from ..codes import country_code
from ..models import Lead, LeadOffer, RoutingRule
from ..routing_plan import rule_matches_lead
from ..selectors.routing import routing_candidates
from ..states import LEAD_OFFERABLE
from .offers import lead_offer

Status = Lead.Status
Outcome = LeadOffer.Outcome
RULE_FIELDS = frozenset(
    {
        "name",
        "priority",
        "countries",
        "industries",
        "partner_types",
        "tier_ids",
        "max_open_leads",
        "is_active",
    }
)


@action(can_distribute_leads, system=True)
def lead_route(*, lead: Lead, by: Membership | SystemActor) -> LeadOffer | None:
    """Offer the lead by the first active rule (by priority) that matches the
    lead's country and industry and has an eligible partner; partners it was
    already offered to are skipped.  With no eligible partner the lead is
    marked unrouted and None is returned."""
    if lead.status not in LEAD_OFFERABLE:
        raise ValidationError(_("Only new or unrouted leads can be routed."))
    for rule in RoutingRule.objects.filter(is_active=True).order_by("priority", "pk"):
        if not rule_matches_lead(rule, lead):
            continue
        partner = routing_candidates(rule=rule, lead=lead).first()
        if partner is not None:
            return lead_offer(lead=lead, partner=partner, by=by, rule=rule)
    with transaction.atomic():
        Lead.objects.filter(pk=lead.pk, status__in=LEAD_OFFERABLE).update(
            status=Status.UNROUTED, partner=None, updated_at=timezone.now()
        )
        audit_record(actor=actor_user(by), action="lead.unrouted", target=lead)
    lead.status, lead.partner = Status.UNROUTED, None
    return None


@system_action
def lead_reroute(*, lead_id: int) -> LeadOffer | None:
    """Route a lead again if it is still waiting for a partner (used after a
    decline; a lead closed or offered meanwhile is left alone)."""
    lead = Lead.objects.filter(pk=lead_id, status__in=LEAD_OFFERABLE).first()
    if lead is None:
        return None
    return lead_route(lead=lead, by=SYSTEM)


def _clean_rule_fields(fields: dict) -> dict:
    unknown = set(fields) - RULE_FIELDS
    if unknown:
        raise ValueError(f"Not routing rule fields: {sorted(unknown)}")
    cleaned = dict(fields)
    errors: dict[str, list[str]] = {}
    if "name" in cleaned:
        cleaned["name"] = (cleaned["name"] or "").strip()
        if not cleaned["name"]:
            errors["name"] = [_("Name the rule.")]
        elif len(cleaned["name"]) > 150:
            errors["name"] = [_("Keep the name under 151 characters.")]
    if "priority" in cleaned and (cleaned["priority"] is None or cleaned["priority"] < 0):
        errors["priority"] = [_("The priority is a number of 0 or more.")]
    if "countries" in cleaned:
        countries = []
        for value in cleaned["countries"] or []:
            try:
                country = country_code(value, "countries")
            except ValidationError:
                errors.setdefault("countries", []).append(
                    _("“%(value)s” is not a two-letter country code.") % {"value": value}
                )
            else:
                if country not in countries:
                    countries.append(country)
        cleaned["countries"] = countries
    if "industries" in cleaned:
        industries = []
        for value in cleaned["industries"] or []:
            value = value.strip().lower()
            if len(value) > 60:
                errors.setdefault("industries", []).append(
                    _("Keep each industry under 61 characters.")
                )
            elif value and value not in industries:
                industries.append(value)
        cleaned["industries"] = industries
    if "partner_types" in cleaned:
        types = list(dict.fromkeys(cleaned["partner_types"] or []))
        unknown_types = [t for t in types if not is_partner_type(t)]
        if unknown_types:
            errors["partner_types"] = [
                _("Unknown partner types: %(types)s") % {"types": ", ".join(unknown_types)}
            ]
        cleaned["partner_types"] = types
    if "tier_ids" in cleaned:
        tier_ids = sorted({int(t) for t in cleaned["tier_ids"] or []})
        known = set(Tier.objects.filter(pk__in=tier_ids).values_list("pk", flat=True))
        if set(tier_ids) - known:
            errors["tier_ids"] = [_("Choose tiers of this program.")]
        cleaned["tier_ids"] = tier_ids
    if "max_open_leads" in cleaned and cleaned["max_open_leads"] is not None:
        if cleaned["max_open_leads"] < 1:
            errors["max_open_leads"] = [_("Allow at least one open lead, or leave it empty.")]
    if errors:
        raise ValidationError(errors)
    return cleaned


@action(can_manage_routing_rules)
def routing_rule_create(*, by: Membership, **fields) -> RoutingRule:
    """A rule names which partners may receive which leads; empty lists match anything."""
    fields.setdefault("name", "")
    cleaned = _clean_rule_fields(fields)
    with transaction.atomic():
        rule = RoutingRule.objects.create(**cleaned)
        audit_record(actor=actor_user(by), action="routing_rule.created", target=rule)
    return rule


@action(can_manage_routing_rules)
def routing_rule_update(*, rule: RoutingRule, by: Membership, **fields) -> RoutingRule:
    cleaned = _clean_rule_fields(fields)
    if not cleaned:
        return rule
    with transaction.atomic():
        RoutingRule.objects.filter(pk=rule.pk).update(**cleaned)
        audit_record(
            actor=actor_user(by), action="routing_rule.updated", target=rule, fields=sorted(cleaned)
        )
    for name, value in cleaned.items():
        setattr(rule, name, value)
    return rule


@action(can_manage_routing_rules)
def routing_rule_deactivate(*, rule: RoutingRule, by: Membership) -> RoutingRule:
    """Stop routing by this rule; offers already made stay as they are."""
    with transaction.atomic():
        changed = RoutingRule.objects.filter(pk=rule.pk, is_active=True).update(is_active=False)
        if changed != 1:
            raise ValidationError(_("This rule is already inactive."))
        audit_record(actor=actor_user(by), action="routing_rule.deactivated", target=rule)
    rule.is_active = False
    return rule
