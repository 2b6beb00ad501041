"""Lead distribution: creating leads, offering them to partners by hand or by
routing rules, the partner's answer within the acceptance time, and the
reclaim of unanswered offers.

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

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import Cast, Coalesce, NullIf
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import Partner, PartnerStatus, Tier
from partners.services.organisations import normalise_domain
from partners.types import is_partner_type
from prm.audit import audit_record
from prm.enqueue import email_after_commit, enqueue_after_commit
from prm.models import Membership, Tenant, User
from prm.roles import PARTNER_ROLES
from prm.tenancy import require_tenant_id

from ..models import DealRegistration, Lead, LeadOffer, RegistrationStatus, RoutingRule
from .core import deal_settings

Status = Lead.Status
Outcome = LeadOffer.Outcome

# A lead may be offered (by hand or by routing) only from these statuses.
OFFERABLE = (Status.NEW, Status.UNROUTED)
# Leads a vendor may still close.
CLOSABLE = (Status.NEW, Status.OFFERED, Status.ACCEPTED, Status.UNROUTED)
ACCEPTANCE_WINDOW = timedelta(days=90)
WIN_RATE_WINDOW = timedelta(days=365)
RATE = DecimalField(max_digits=7, decimal_places=4)
TEXT_LIMITS = {
    "company_name": 200,
    "industry": 60,
    "contact_name": 200,
    "contact_phone": 40,
    "source": 100,
}
LEAD_FIELDS = frozenset(
    {
        "company_name",
        "company_domain",
        "country",
        "industry",
        "contact_name",
        "contact_email",
        "contact_phone",
        "description",
        "estimated_value",
        "currency",
        "source",
    }
)
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


# --- leads ----------------------------------------------------------------------------


def _country(value: str, field: str = "country") -> str:
    country = (value or "").strip().upper()
    if len(country) != 2 or not country.isalpha() or not country.isascii():
        raise ValidationError({field: _("Use a two-letter country code, such as DE.")})
    return country


def _clean_lead_fields(fields: dict) -> dict:
    unknown = set(fields) - LEAD_FIELDS
    if unknown:
        raise ValueError(f"Not lead fields: {sorted(unknown)}")
    cleaned = {
        name: (value.strip() if isinstance(value, str) else value) for name, value in fields.items()
    }
    errors: dict[str, list[str]] = {}

    def check(field, func):
        try:
            cleaned[field] = func(cleaned.get(field))
        except ValidationError as error:
            errors.setdefault(field, []).extend(error.messages)

    def company(value):
        if not value:
            raise ValidationError(_("Name the company."))
        return value

    def domain(value):
        return normalise_domain(value) if value else ""

    def country(value):
        return _country(value or "")

    def contact_email(value):
        if value:
            validate_email(value)
        return (value or "").lower()

    def estimated_value(value):
        if value in (None, ""):
            return None
        try:
            amount = Decimal(str(value))
        except InvalidOperation as error:
            raise ValidationError(_("Enter an amount.")) from error
        if not amount.is_finite() or amount < 0:
            raise ValidationError(_("The value cannot be negative."))
        if amount >= Decimal("1e16"):
            raise ValidationError(_("This value is too large."))
        return amount.quantize(Decimal("0.01"), ROUND_HALF_UP)

    def currency(value):
        value = (value or "").upper()
        if value and (len(value) != 3 or not value.isalpha() or not value.isascii()):
            raise ValidationError(_("Use a three-letter currency code, such as EUR."))
        return value

    check("company_name", company)
    check("company_domain", domain)
    check("country", country)
    check("contact_email", contact_email)
    check("estimated_value", estimated_value)
    check("currency", currency)
    for field, limit in TEXT_LIMITS.items():
        if len(cleaned.get(field) or "") > limit:
            errors.setdefault(field, []).append(
                _("Keep this under %(n)d characters.") % {"n": limit + 1}
            )
    if (
        "estimated_value" not in errors
        and "currency" not in errors
        and cleaned.get("estimated_value") is not None
        and not cleaned.get("currency")
    ):
        errors["currency"] = [_("Give the currency of the estimated value.")]
    if errors:
        raise ValidationError(errors)
    for name, value in cleaned.items():
        if value is None and name != "estimated_value":
            cleaned[name] = ""
    return cleaned


def lead_create(*, by: User | None, **fields) -> Lead:
    """Record a lead from the vendor.  The country is a two-letter code, the
    domain is normalised, the estimated value is not negative and comes with
    its currency."""
    fields.setdefault("country", "")
    fields.setdefault("company_name", "")
    cleaned = _clean_lead_fields(fields)
    with transaction.atomic():
        lead = Lead.objects.create(created_by=by, **cleaned)
        audit_record(actor=by, action="lead.created", target=lead)
    return lead


def lead_close(*, lead: Lead, by: User | None, reason: str = "") -> Lead:
    """Close a lead that has not become a registration; a pending offer is withdrawn."""
    with transaction.atomic():
        now = timezone.now()
        LeadOffer.objects.filter(lead_id=lead.pk, outcome=Outcome.PENDING).update(
            outcome=Outcome.WITHDRAWN, responded_at=now, responded_by=by
        )
        closed = Lead.objects.filter(pk=lead.pk, status__in=CLOSABLE).update(status=Status.CLOSED)
        if closed != 1:
            raise ValidationError(_("This lead is already closed or converted."))
        audit_record(actor=by, action="lead.closed", target=lead, reason=reason.strip())
    lead.status = Status.CLOSED
    return lead


# --- offers ---------------------------------------------------------------------------


def _notify_partner(offer: LeadOffer, lead: Lead) -> None:
    recipients = sorted(
        set(
            Membership.objects.filter(
                partner_id=offer.partner_id,
                role__in=sorted(PARTNER_ROLES),
                is_active=True,
                user__is_active=True,
            ).values_list("user__email", flat=True)
        )
    )
    if not recipients:
        return
    tenant = Tenant.objects.get(pk=lead.tenant_id)
    url = settings.SITE_URL.rstrip("/") + reverse(
        "portal:lead_detail", kwargs={"tenant_slug": tenant.slug, "lead_id": lead.pk}
    )
    context = {"tenant": tenant, "lead": lead, "offer": offer, "url": url}
    email_after_commit(
        subject=render_to_string("emails/lead_offer_subject.txt", context).strip(),
        body=render_to_string("emails/lead_offer.txt", context),
        recipients=recipients,
    )


def lead_offer(
    *,
    lead: Lead,
    partner: Partner,
    by: User | None = None,
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
            moved = Lead.objects.filter(pk=lead.pk, status__in=OFFERABLE).update(
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
                offered_by=by,
                offered_at=now,
                due_at=now + timedelta(hours=hours),
            )
            audit_record(
                actor=by,
                action="lead.offered",
                target=lead,
                partner_id=partner.pk,
                rule_id=rule.pk if rule else None,
                offer_id=offer.pk,
            )
            lead.status, lead.partner = Status.OFFERED, partner
            _notify_partner(offer, lead)
    except IntegrityError as error:
        raise ValidationError(_("This lead was offered to someone else meanwhile.")) from error
    return offer


def _rule_matches_lead(rule: RoutingRule, lead: Lead) -> bool:
    if rule.countries and lead.country.upper() not in {c.upper() for c in rule.countries}:
        return False
    if rule.industries and lead.industry.strip().lower() not in {
        i.strip().lower() for i in rule.industries
    }:
        return False
    return True


def routing_candidates(*, rule: RoutingRule, lead: Lead, now: datetime | None = None):
    """The partners ``rule`` may give ``lead`` to, best first, ranked in one query:
    lightest open-lead load (pending offers plus accepted, unconverted leads),
    then the higher acceptance rate over the last 90 days of answered offers,
    then the higher win rate over the last 365 days of decided registrations
    (partners without history come after those with one), then whoever's last
    offer is oldest (never offered first)."""
    now = now or timezone.now()
    partners = Partner.objects.filter(status=PartnerStatus.ACTIVE)
    if rule.partner_types:
        partners = partners.filter(partner_type__in=rule.partner_types)
    if rule.tier_ids:
        partners = partners.filter(tier_id__in=rule.tier_ids)
    already = LeadOffer.objects.filter(lead_id=lead.pk).values("partner_id")
    partners = partners.exclude(pk__in=already)

    offers = LeadOffer.objects.filter(partner=OuterRef("pk")).order_by().values("partner")
    load = (
        offers.filter(
            Q(outcome=Outcome.PENDING) | Q(outcome=Outcome.ACCEPTED, lead__status=Status.ACCEPTED)
        )
        .annotate(n=Count("pk"))
        .values("n")
    )
    answered = offers.filter(
        offered_at__gte=now - ACCEPTANCE_WINDOW,
        outcome__in=[Outcome.ACCEPTED, Outcome.DECLINED, Outcome.RECLAIMED],
    )
    acceptance = answered.annotate(
        rate=ExpressionWrapper(
            Cast(Count("pk", filter=Q(outcome=Outcome.ACCEPTED)), RATE)
            / NullIf(Cast(Count("pk"), RATE), 0),
            output_field=RATE,
        )
    ).values("rate")
    since = (now - WIN_RATE_WINDOW).date()
    decided = (
        DealRegistration.objects.filter(
            partner=OuterRef("pk"),
            status__in=[RegistrationStatus.WON, RegistrationStatus.LOST],
        )
        .filter(
            Q(closed_on__gte=since)
            | Q(closed_on__isnull=True, updated_at__gte=now - WIN_RATE_WINDOW)
        )
        .order_by()
        .values("partner")
    )
    win_rate = decided.annotate(
        rate=ExpressionWrapper(
            Cast(Count("pk", filter=Q(status=RegistrationStatus.WON)), RATE)
            / NullIf(Cast(Count("pk"), RATE), 0),
            output_field=RATE,
        )
    ).values("rate")
    last_offered = offers.annotate(last=Max("offered_at")).values("last")

    partners = partners.annotate(
        open_leads=Coalesce(Subquery(load), 0),
        acceptance_rate=Subquery(acceptance),
        win_rate=Subquery(win_rate),
        last_offered_at=Subquery(last_offered),
    )
    if rule.max_open_leads is not None:
        partners = partners.filter(open_leads__lt=rule.max_open_leads)
    return partners.order_by(
        "open_leads",
        F("acceptance_rate").desc(nulls_last=True),
        F("win_rate").desc(nulls_last=True),
        F("last_offered_at").asc(nulls_first=True),
        "pk",
    )


def lead_route(*, lead: Lead, by: User | None = None) -> LeadOffer | None:
    """Offer the lead by the first active rule (by priority) that matches the
    lead's country and industry and has an eligible partner; partners it was
    already offered to are skipped.  With no eligible partner the lead is
    marked unrouted and None is returned."""
    if lead.status not in OFFERABLE:
        raise ValidationError(_("Only new or unrouted leads can be routed."))
    for rule in RoutingRule.objects.filter(is_active=True).order_by("priority", "pk"):
        if not _rule_matches_lead(rule, lead):
            continue
        partner = routing_candidates(rule=rule, lead=lead).first()
        if partner is not None:
            return lead_offer(lead=lead, partner=partner, by=by, rule=rule)
    with transaction.atomic():
        Lead.objects.filter(pk=lead.pk, status__in=OFFERABLE).update(
            status=Status.UNROUTED, partner=None, updated_at=timezone.now()
        )
        audit_record(actor=by, action="lead.unrouted", target=lead)
    lead.status, lead.partner = Status.UNROUTED, None
    return None


def lead_reroute(*, lead_id: int) -> LeadOffer | None:
    """Route a lead again if it is still waiting for a partner (used after a
    decline; a lead closed or offered meanwhile is left alone)."""
    lead = Lead.objects.filter(pk=lead_id, status__in=OFFERABLE).first()
    if lead is None:
        return None
    return lead_route(lead=lead)


def _release_lead(offer: LeadOffer) -> None:
    """The offer is over: the lead waits for a partner again."""
    Lead.objects.filter(
        pk=offer.lead_id, status=Status.OFFERED, partner_id=offer.partner_id
    ).update(status=Status.NEW, partner=None, updated_at=timezone.now())


def _check_partner_person(offer: LeadOffer, membership: Membership) -> None:
    if not membership.is_partner or membership.partner_id != offer.partner_id:
        raise PermissionDenied


def offer_accept(*, offer: LeadOffer, membership: Membership) -> LeadOffer:
    """A person of the partner accepts a pending offer before its deadline."""
    _check_partner_person(offer, membership)
    now = timezone.now()
    with transaction.atomic():
        claimed = LeadOffer.objects.filter(
            pk=offer.pk, outcome=Outcome.PENDING, due_at__gt=now
        ).update(outcome=Outcome.ACCEPTED, responded_at=now, responded_by=membership.user)
        if claimed != 1:
            current = LeadOffer.objects.filter(pk=offer.pk).values_list("outcome", flat=True)
            if list(current) == [Outcome.PENDING]:
                raise ValidationError(_("The time to accept this lead has passed."))
            raise ValidationError(_("This offer was already answered or withdrawn."))
        Lead.objects.filter(
            pk=offer.lead_id, status=Status.OFFERED, partner_id=offer.partner_id
        ).update(status=Status.ACCEPTED, accepted_at=now, updated_at=now)
        audit_record(
            actor=membership.user, action="lead.accepted", target=offer.lead, offer_id=offer.pk
        )
    offer.outcome, offer.responded_at, offer.responded_by = Outcome.ACCEPTED, now, membership.user
    return offer


def _enqueue_reroute(lead: Lead) -> None:
    enqueue_after_commit("deals.lead_reroute", lead.tenant_id, lead.pk)


def offer_decline(*, offer: LeadOffer, membership: Membership, reason: str) -> LeadOffer:
    """A person of the partner declines a pending offer, saying why; the lead
    is routed again (to someone else) once this commits."""
    _check_partner_person(offer, membership)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Tell the vendor why you decline this lead.")})
    now = timezone.now()
    with transaction.atomic():
        claimed = LeadOffer.objects.filter(pk=offer.pk, outcome=Outcome.PENDING).update(
            outcome=Outcome.DECLINED,
            responded_at=now,
            responded_by=membership.user,
            decline_reason=reason,
        )
        if claimed != 1:
            raise ValidationError(_("This offer was already answered or withdrawn."))
        _release_lead(offer)
        audit_record(
            actor=membership.user,
            action="lead.declined",
            target=offer.lead,
            offer_id=offer.pk,
            reason=reason,
        )
        _enqueue_reroute(offer.lead)
    offer.outcome, offer.decline_reason = Outcome.DECLINED, reason
    return offer


def offer_withdraw(*, offer: LeadOffer, by: User | None) -> LeadOffer:
    """The vendor takes back a pending offer; the lead waits to be offered again."""
    now = timezone.now()
    with transaction.atomic():
        claimed = LeadOffer.objects.filter(pk=offer.pk, outcome=Outcome.PENDING).update(
            outcome=Outcome.WITHDRAWN, responded_at=now, responded_by=by
        )
        if claimed != 1:
            raise ValidationError(_("Only a pending offer can be withdrawn."))
        _release_lead(offer)
        audit_record(actor=by, action="lead.withdrawn", target=offer.lead, offer_id=offer.pk)
    offer.outcome = Outcome.WITHDRAWN
    return offer


def leads_reclaim(*, now: datetime) -> int:
    """Reclaim every pending offer of the current tenant past its deadline in
    one UPDATE … RETURNING, free those leads in one more UPDATE, then route
    each reclaimed lead again.  Concurrent runs cannot reclaim an offer twice:
    the second UPDATE waits for the first and then no longer finds it pending."""
    table = connection.ops.quote_name(LeadOffer._meta.db_table)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET outcome = %s "
                "WHERE tenant_id = %s AND outcome = %s AND due_at < %s "
                "RETURNING lead_id",
                [Outcome.RECLAIMED, require_tenant_id(), Outcome.PENDING, now],
            )
            lead_ids = sorted(row[0] for row in cursor.fetchall())
        if not lead_ids:
            return 0
        # A lead has one pending offer at most, so an offered lead among these
        # was offered by the offer just reclaimed.
        Lead.objects.filter(pk__in=lead_ids, status=Status.OFFERED).update(
            status=Status.NEW, partner=None, updated_at=now
        )
        audit_record(actor=None, action="leads.reclaimed", lead_ids=lead_ids)
    for lead_id in lead_ids:
        try:
            with transaction.atomic():
                lead_reroute(lead_id=lead_id)
        except ValidationError:
            # Offered or closed by someone else meanwhile: nothing left to do.
            continue
    return len(lead_ids)


# --- routing rules ----------------------------------------------------------------------


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
                country = _country(value, "countries")
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


def routing_rule_create(*, by: User | None, **fields) -> RoutingRule:
    """A rule names which partners may receive which leads; empty lists match anything."""
    fields.setdefault("name", "")
    cleaned = _clean_rule_fields(fields)
    with transaction.atomic():
        rule = RoutingRule.objects.create(**cleaned)
        audit_record(actor=by, action="routing_rule.created", target=rule)
    return rule


def routing_rule_update(*, rule: RoutingRule, by: User | None, **fields) -> RoutingRule:
    cleaned = _clean_rule_fields(fields)
    if not cleaned:
        return rule
    with transaction.atomic():
        RoutingRule.objects.filter(pk=rule.pk).update(**cleaned)
        audit_record(actor=by, action="routing_rule.updated", target=rule, fields=sorted(cleaned))
    for name, value in cleaned.items():
        setattr(rule, name, value)
    return rule


def routing_rule_deactivate(*, rule: RoutingRule, by: User | None) -> RoutingRule:
    """Stop routing by this rule; offers already made stay as they are."""
    with transaction.atomic():
        changed = RoutingRule.objects.filter(pk=rule.pk, is_active=True).update(is_active=False)
        if changed != 1:
            raise ValidationError(_("This rule is already inactive."))
        audit_record(actor=by, action="routing_rule.deactivated", target=rule)
    rule.is_active = False
    return rule
