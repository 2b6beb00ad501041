"""Words instead of stored codes: ``{% load labels %}``.

* ``{{ event.action|action_label }}``: an audit action (``partner.tier_proposed``)
  as "Tier change proposed"; an action nobody labelled yet still reads
  ("Partner: tier proposal withdrawn"), never as the code.
* ``{% partner_type_label key %}``: a built-in or the vendor's own partner type.
* ``{{ fields|partner_fields }}``: a partner's changed fields by their labels.
* ``{{ code|partner_status_label }}``: a partner status code kept in audit data.
* ``{% requirement_words metric minimum %}``: a tier requirement or a step's
  completion rule in words ("Profile complete: 100 %", "Won deals, last 12
  months: at least 5", money with the tenant's currency).
* ``{% metric_value value unit %}``: a metric's value as its unit reads.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from partners import metrics
from partners.models import Partner, PartnerStatus, PartnerType
from partners.types import partner_type_choices

from ..countries import country_name
from .money import money

register = template.Library()

ACTION_LABELS = {
    # partners and their people
    "partner.created": _("Partner created"),
    "partner.updated": _("Details changed"),
    "partner.domains_changed": _("Domains changed"),
    "partner.status_changed": _("Status changed"),
    "partner.kpis_changed": _("KPI values changed"),
    "partner.tier_changed": _("Tier changed"),
    "partner.tier_proposed": _("Tier change proposed"),
    "partner.tier_proposal_rejected": _("Tier change rejected"),
    "partner.tier_proposal_withdrawn": _("Tier change withdrawn"),
    "partner.tier_set": _("Tier set by hand"),
    "partners.imported": _("Partners imported"),
    "partner_type.created": _("Partner type added"),
    "partner_type.deleted": _("Partner type removed"),
    "kpi.created": _("KPI defined"),
    "kpi.deleted": _("KPI removed"),
    "membership.deactivated": _("Person deactivated"),
    "membership.reactivated": _("Person reactivated"),
    "membership.role_changed": _("Role changed"),
    "invitation.created": _("Invitation sent"),
    "invitation.resent": _("Invitation sent again"),
    "invitation.revoked": _("Invitation revoked"),
    "invitation.accepted": _("Invitation accepted"),
    "tenant.updated": _("Program settings changed"),
    # agreements, onboarding, tiers
    "agreement.published": _("Agreement published"),
    "agreement.accepted": _("Agreement accepted"),
    "onboarding.started": _("Onboarding started"),
    "onboarding.step_completed": _("Onboarding step completed"),
    "onboarding.completed": _("Onboarding completed"),
    "onboarding.plan_created": _("Onboarding plan created"),
    "onboarding.step_added": _("Onboarding step added"),
    "onboarding.step_removed": _("Onboarding step removed"),
    "tier_policy.saved": _("Tier settings saved"),
    "tier.created": _("Tier created"),
    "tier.updated": _("Tier changed"),
    "tier.deleted": _("Tier removed"),
    "tier.requirement_added": _("Tier requirement added"),
    "tier.requirement_removed": _("Tier requirement removed"),
    # recruitment and communication
    "application.submitted": _("Application received"),
    "application.approved": _("Application approved"),
    "application.rejected": _("Application rejected"),
    "recruitment.question_added": _("Application question added"),
    "recruitment.question_retired": _("Application question retired"),
    "recruitment.criterion_added": _("Scoring criterion added"),
    "recruitment.criterion_removed": _("Scoring criterion removed"),
    "announcement.created": _("Announcement created"),
    "announcement.updated": _("Announcement changed"),
    "announcement.published": _("Announcement published"),
    "announcement.unpublished": _("Announcement withdrawn"),
    "announcement.emailed": _("Announcement e-mailed"),
    "survey.created": _("Survey created"),
    "survey.updated": _("Survey changed"),
    "survey.opened": _("Survey opened"),
    "survey.closed": _("Survey closed"),
    "survey.question_added": _("Survey question added"),
    "survey.question_updated": _("Survey question changed"),
    "survey.question_removed": _("Survey question removed"),
    "survey.answered": _("Survey answered"),
    "idea.submitted": _("Idea submitted"),
    "idea.responded": _("Idea answered"),
    # deals
    "registration.created": _("Registration created"),
    "registration.updated": _("Registration changed"),
    "registration.extension_requested": _("Extension requested"),
    "registration.extension_granted": _("Extension granted"),
    "registration.extension_refused": _("Extension refused"),
    "registrations.expired": _("Registrations expired"),
    "registrations.reminded": _("Protection reminders sent"),
    "deal_settings.updated": _("Deal rules changed"),
    "product.created": _("Product added"),
    "product.updated": _("Product changed"),
    "product.deactivated": _("Product deactivated"),
    "product.reactivated": _("Product reactivated"),
    "direct_accounts.imported": _("Direct accounts imported"),
    "direct_account.deleted": _("Direct account removed"),
    "orders.imported": _("Won orders imported"),
    "revenue.reversed": _("Revenue corrected"),
    "activity.added": _("Activity logged"),
    "lead.created": _("Lead created"),
    "lead.offered": _("Lead offered"),
    "lead.accepted": _("Lead accepted"),
    "lead.declined": _("Lead declined"),
    "lead.withdrawn": _("Lead withdrawn"),
    "lead.closed": _("Lead closed"),
    "lead.unrouted": _("Lead found no partner"),
    "leads.reclaimed": _("Leads taken back"),
    "routing_rule.created": _("Routing rule added"),
    "routing_rule.updated": _("Routing rule changed"),
    "routing_rule.deactivated": _("Routing rule deactivated"),
    # incentives
    "program.created": _("Program created"),
    "program.updated": _("Program changed"),
    "program.activated": _("Program activated"),
    "program.closed": _("Program closed"),
    "program.versioned": _("Program given a new version"),
    "program.replaced": _("Program replaced"),
    "exchange_rate.set": _("Exchange rate set"),
    "payout_run.created": _("Payout run opened"),
    "payout_run.calculated": _("Payout run calculated"),
    "payout_run.recalculated": _("Payout run recalculated"),
    "payout_run.budget_decided": _("Budget decision taken"),
    "payout_run.approved": _("Payout run approved"),
    "payout_run.paid": _("Payout run paid"),
    "payout.paid": _("Payout paid"),
    "payout_profile.saved": _("Payout details saved"),
    "statements.issued": _("Statements issued"),
    "dispute.opened": _("Dispute opened"),
    "dispute.resolved": _("Dispute resolved"),
    "mdf.allocated": _("MDF allocated"),
    "mdf.fund_allocated": _("MDF fund allocated"),
    "mdf.fund_adjusted": _("MDF fund adjusted"),
    "mdf.expired": _("MDF expired"),
    "mdf.reminded": _("MDF reminders sent"),
    "mdf_request.submitted": _("MDF request submitted"),
    "mdf_request.revised": _("MDF request revised"),
    "mdf_request.withdrawn": _("MDF request withdrawn"),
    "mdf_request.approved": _("MDF request approved"),
    "mdf_request.rejected": _("MDF request rejected"),
    "mdf_request.changes_asked": _("MDF request sent back for changes"),
    "mdf_claim.submitted": _("MDF claim submitted"),
    "mdf_claim.approved": _("MDF claim approved"),
    "mdf_claim.rejected": _("MDF claim rejected"),
    "points.adjusted": _("Points adjusted"),
    "points.redeemed": _("Points redeemed"),
    "points.redemption_fulfilled": _("Redemption fulfilled"),
    "points.redemption_rejected": _("Redemption rejected"),
    "points.reward_created": _("Reward added"),
    "points.reward_changed": _("Reward changed"),
    "points.rule_created": _("Points rule added"),
    "points.rule_changed": _("Points rule changed"),
    "points.rule_deactivated": _("Points rule deactivated"),
    "points.settings_changed": _("Points settings changed"),
}


def _words(code: str) -> str:
    return code.replace("_", " ").strip()


@register.filter
def action_label(action) -> str:
    """The label of an audit action; for one without a label, its subject and
    verb in plain words ("partner.tier_reset" → "Partner: tier reset")."""
    action = "" if action is None else str(action)
    label = ACTION_LABELS.get(action)
    if label is not None:
        return str(label)
    subject, _dot, verb = action.rpartition(".")
    if not subject:
        return _words(action).capitalize()
    return gettext("%(subject)s: %(verb)s") % {
        "subject": _words(subject).capitalize(),
        "verb": _words(verb),
    }


@register.simple_tag(takes_context=True)
def partner_type_label(context, key) -> str:
    """A partner type's label (``{% partner_type_label partner.partner_type %}``):
    a built-in one by its label, the vendor's own by its name (read once per
    request); an unknown key as it is."""
    if not key:
        return "—"
    if key in PartnerType.values:
        return str(PartnerType(key).label)
    request = context.get("request")
    labels = getattr(request, "_prm_partner_types", None) if request is not None else None
    if labels is None:
        labels = {k: str(label) for k, label in partner_type_choices()}
        if request is not None:
            request._prm_partner_types = labels
    return labels.get(key, key)


_FIELD_LABELS = {
    f.name: f.verbose_name for f in Partner._meta.get_fields() if hasattr(f, "verbose_name")
}


@register.filter
def partner_fields(names) -> str:
    """Changed fields of a partner kept in audit data, by their labels."""
    return ", ".join(str(_FIELD_LABELS.get(name, _words(str(name)))) for name in names or ())


@register.filter
def partner_status_label(code) -> str:
    if not code:
        return "—"
    if code in PartnerStatus.values:
        return str(PartnerStatus(code).label)
    return _words(str(code))


def _metrics(context) -> dict[str, metrics.Metric]:
    """The tenant's metrics, read once per request (custom KPIs are a query)."""
    request = context.get("request")
    known = getattr(request, "_prm_metrics", None) if request is not None else None
    if known is None:
        known = metrics.available()
        if request is not None:
            request._prm_metrics = known
    return known


def _currency(context) -> str:
    tenant = context.get("tenant")
    return getattr(tenant, "default_currency", "") or ""


def _decimal(value) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return Decimal(0)


def _count(value: Decimal) -> str:
    return number_format(value.normalize(), use_l10n=True, force_grouping=True)


def _share(value: Decimal) -> str:
    """A flag's minimum (1 = done) as a share: 1 → "100 %"."""
    return f"{number_format((value * 100).normalize(), use_l10n=True)} %"


def _value_words(value, unit: str, currency: str) -> str:
    number = _decimal(value)
    if unit == "money":
        return money(number, currency)
    if unit == "flag":
        return _share(number)
    return _count(number)


@register.simple_tag(takes_context=True)
def metric_value(context, value, unit: str = "count") -> str:
    """A metric's value as its unit reads: money with the tenant's currency, a
    flag as a share (100 %), a count grouped."""
    return _value_words(value, unit, _currency(context))


@register.simple_tag(takes_context=True)
def requirement_words(context, metric: str, minimum) -> str:
    """``profile_complete`` at least ``1.00`` → "Profile complete: 100 %"."""
    found = _metrics(context).get(metric)
    label = str(found.label) if found else metric
    unit = found.unit if found else "count"
    amount = _value_words(minimum, unit, _currency(context))
    if unit == "flag":
        return gettext("%(metric)s: %(share)s") % {"metric": label, "share": amount}
    return gettext("%(metric)s: at least %(minimum)s") % {"metric": label, "minimum": amount}


@register.filter
def country_label(code) -> str:
    """A stored ISO country code as its name in the reader's language ("DE" →
    "Germany" / "Niemcy"); an unknown code as it is, none as a dash."""
    if not code:
        return "—"
    return country_name(code) or str(code)


@register.simple_tag(takes_context=True)
def criterion_words(context, criterion) -> str:
    """An ideal-partner criterion's test in words: "at least 50" for a number,
    else the matching values by their labels (partner types, countries)."""
    if criterion.minimum is not None:
        return gettext("at least %(n)s") % {
            "n": number_format(criterion.minimum.normalize(), use_l10n=True)
        }
    field = criterion.field
    if field == "partner_type":
        shown = [partner_type_label(context, value) for value in criterion.values]
    elif field == "country":
        shown = [country_label(value) for value in criterion.values]
    else:
        shown = list(criterion.values)
    return ", ".join(shown)
