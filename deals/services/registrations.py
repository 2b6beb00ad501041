"""The deal-registration flow: register, edit, submit, decide, extend, and report
the outcome.

Every status change goes through ``core.registration_transition`` (compare-and-
swap on the status, history row, audit row).  Approval and the protection claim
share one transaction, so an approval that loses the database's race for the
customer rolls back entirely.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.domains import normalise_domain
from partners.models import Partner
from partners.selectors.people import partner_id_of
from prm.actions import action
from prm.audit import audit_record
from prm.dates import date_problem
from prm.models import Membership
from prm.once import check_not_submitted, record_once
from prm.policies import (
    can_decide_registrations,
    can_register_deals,
    can_report_deal_outcomes,
)
from prm.text import LONG_TEXT, REASON_TEXT, length_problems

from ..conflicts import conflicts_record
from ..events import DEAL_REGISTERED, DEAL_WON, REGISTRATION_APPROVED, registrations_record
from ..lifecycle import protection_claim, protection_release, registration_transition
from ..models import (
    DealConflict,
    DealProduct,
    DealRegistration,
    Lead,
    Product,
    RevenueLine,
    Stage,
)
from ..models import RegistrationStatus as S
from ..normalise import customer_key
from ..notifications import (
    notify_extension_decided,
    notify_registration_decided,
    notify_registration_submitted,
)
from ..selectors.registrations import registration_block_reason
from ..selectors.rules import deal_settings
from ..states import extension_is_open, is_editable, is_protected

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999999999.99")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


# --- checks ---------------------------------------------------------------------------


def _money(value, field: str, errors: dict) -> Decimal | None:
    """A non-negative amount rounded half-up to the cent, or a field error."""
    try:
        amount = Decimal(str(value)).quantize(CENT, ROUND_HALF_UP)
    except (InvalidOperation, TypeError, ValueError):
        errors[field] = _("Enter an amount.")
        return None
    if not amount.is_finite():
        errors[field] = _("Enter an amount.")
        return None
    if amount < 0:
        errors[field] = _("The amount cannot be negative.")
        return None
    if amount > MAX_AMOUNT:
        errors[field] = _("The amount is too large.")
        return None
    return amount


def _active_products(
    product_ids: Iterable, field: str, errors: dict, *, required: bool = True
) -> list[Product]:
    """The tenant's active products with these ids; any unknown id is a field error."""
    try:
        ids = {int(pid) for pid in product_ids or ()}
    except (TypeError, ValueError):
        errors[field] = _("Choose products from the catalogue.")
        return []
    if not ids:
        if required:
            errors[field] = _("Choose at least one product.")
        return []
    products = list(Product.objects.filter(pk__in=ids, is_active=True).order_by("pk"))
    if len(products) != len(ids):
        errors[field] = _("Choose products from the catalogue.")
        return []
    return products


@dataclass
class _Customer:
    fields: dict
    products: list[Product]


def _clean_registration(
    *,
    customer_name: str,
    customer_domain: str,
    customer_country: str,
    contact_name: str,
    contact_email: str,
    contact_phone: str,
    product_ids: Iterable,
    estimated_value,
    currency: str,
    expected_close_date: datetime.date | None,
    stage: str,
    notes: str,
    close_date_must_be_future: bool,
    draft: bool = False,
    default_currency: str = "",
) -> _Customer:
    """Validate every field at once and report all problems keyed by field.

    A ``draft`` needs only the customer's name: what is given is checked, what
    is missing gets a neutral value (no country, no products, an estimated value
    of 0, the tenant's currency, no close date, the first stage)."""
    errors: dict[str, str] = {}
    name = (customer_name or "").strip()
    if not name:
        errors["customer_name"] = _("Enter the customer's name.")
    domain = ""
    if (customer_domain or "").strip():
        try:
            domain = normalise_domain(customer_domain)
        except ValidationError:
            errors["customer_domain"] = _("Enter the customer's website or an e-mail address.")
    country = (customer_country or "").strip().upper()
    if not _COUNTRY.match(country) and not (draft and not country):
        errors["customer_country"] = (
            _("Use a two-letter country code.") if country else _("Choose the customer's country.")
        )
    email = (contact_email or "").strip().lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["contact_email"] = _("Enter a valid e-mail address.")
    products = _active_products(product_ids, "product_ids", errors, required=not draft)
    if draft and estimated_value in (None, ""):
        estimated_value = Decimal("0")
    value = _money(estimated_value, "estimated_value", errors)
    code = (currency or "").strip().upper()
    if draft and not code:
        code = default_currency
    if not _CURRENCY.match(code):
        errors["currency"] = _("Use a three-letter currency code.")
    if draft and expected_close_date is None:
        pass
    elif not isinstance(expected_close_date, datetime.date):
        errors["expected_close_date"] = _("Enter the expected close date.")
    elif close_date_must_be_future and expected_close_date < timezone.localdate():
        errors["expected_close_date"] = _("The expected close date cannot be in the past.")
    elif close_date_must_be_future and date_problem(expected_close_date, "expected_close"):
        errors["expected_close_date"] = date_problem(expected_close_date, "expected_close")
    if draft and not stage:
        stage = Stage.QUALIFICATION
    if stage not in Stage.values:
        errors["stage"] = _("Choose a stage.")
    errors.update(
        length_problems(
            {
                "customer_name": name,
                "contact_name": contact_name,
                "contact_phone": contact_phone,
                "notes": notes,
            },
            {"customer_name": 200, "contact_name": 200, "contact_phone": 40, "notes": LONG_TEXT},
        )
    )
    if errors:
        raise ValidationError(errors)
    return _Customer(
        fields={
            "customer_name": name,
            "customer_key": customer_key(name),
            "customer_domain": domain,
            "customer_country": country,
            "contact_name": (contact_name or "").strip(),
            "contact_email": email,
            "contact_phone": (contact_phone or "").strip(),
            "estimated_value": value,
            "currency": code,
            "expected_close_date": expected_close_date,
            "stage": stage,
            "notes": (notes or "").strip(),
        },
        products=products,
    )


def _check_may_register(partner: Partner) -> None:
    blocked = registration_block_reason(partner=partner)
    if blocked:
        raise ValidationError(blocked)


def _check_owner(registration: DealRegistration, by: Membership) -> None:
    """Invariant: partner people act only on their own organisation's registrations."""
    if not by.is_partner or partner_id_of(by) != registration.partner_id:
        raise ValidationError(_("Only the registering partner may do this."))


def _required_reason(reason: str, message: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": message})
    return _short_reason(reason)


def _short_reason(reason: str) -> str:
    problems = length_problems({"reason": reason}, {"reason": REASON_TEXT})
    if problems:
        raise ValidationError(problems)
    return reason


def _set_products(registration: DealRegistration, products: Sequence[Product]) -> None:
    DealProduct.objects.filter(registration=registration).exclude(product__in=products).delete()
    DealProduct.objects.bulk_create(
        [DealProduct(registration=registration, product=p) for p in products],
        ignore_conflicts=True,
    )


# --- the partner's side ---------------------------------------------------------------


@action(can_register_deals)
def registration_create(
    *,
    by: Membership,
    customer_name: str,
    customer_domain: str = "",
    customer_country: str = "",
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    product_ids: Iterable = (),
    estimated_value=None,
    currency: str = "",
    expected_close_date: datetime.date | None = None,
    stage: str = "",
    notes: str = "",
    submit: bool = False,
    lead: Lead | None = None,
    form_key: str | None = None,
) -> DealRegistration:
    """Register an opportunity for the member's partner (a draft, or submitted at
    once).  A draft needs only the customer's name (see ``_clean_registration``);
    submitting needs every field.  A lead accepted by this partner is converted and
    linked, exactly once.  A form sent twice with the same ``form_key`` registers
    once (AlreadySubmitted)."""
    check_not_submitted(form_key)
    partner = Partner.objects.filter(pk=partner_id_of(by)).first()
    if partner is None:
        raise ValidationError(_("You are not one of a partner's people in this program."))
    _check_may_register(partner)
    cleaned = _clean_registration(
        customer_name=customer_name,
        customer_domain=customer_domain,
        customer_country=customer_country,
        contact_name=contact_name,
        contact_email=contact_email,
        contact_phone=contact_phone,
        product_ids=product_ids,
        estimated_value=estimated_value,
        currency=currency,
        expected_close_date=expected_close_date,
        stage=stage,
        notes=notes,
        close_date_must_be_future=True,
        draft=not submit,
        default_currency=by.tenant.default_currency,
    )
    with transaction.atomic():
        if lead is not None:
            converted = Lead.objects.filter(
                pk=lead.pk, status=Lead.Status.ACCEPTED, partner_id=partner.pk
            ).update(status=Lead.Status.CONVERTED)
            if converted != 1:
                raise ValidationError(_("This lead is not yours to convert, or was converted."))
        registration = DealRegistration.objects.create(
            partner=partner, registered_by=by.user, lead=lead, **cleaned.fields
        )
        _set_products(registration, cleaned.products)
        record_once(form_key, registration)
        audit_record(
            actor=by.user,
            action="registration.created",
            target=registration,
            lead_id=lead.pk if lead else None,
        )
        if submit:
            registration_submit(registration=registration, by=by)
    return registration


@action(can_register_deals)
def registration_update(
    *,
    registration: DealRegistration,
    by: Membership,
    customer_name: str,
    customer_domain: str = "",
    customer_country: str = "",
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    product_ids: Iterable = (),
    estimated_value=None,
    currency: str = "",
    expected_close_date: datetime.date | None = None,
    stage: str = "",
    notes: str = "",
    draft: bool = False,
) -> DealRegistration:
    """The registering partner edits a draft, or a registration the vendor asked
    more information about.  The same checks as registering apply; a close date
    already in the past may stay as it was.  Saving a registration that is still
    a draft as a ``draft`` needs only the customer's name; a registration the
    vendor has seen keeps every field."""
    _check_owner(registration, by)
    with transaction.atomic():
        current = DealRegistration.objects.select_for_update().get(pk=registration.pk)
        if not is_editable(current):
            raise ValidationError(_("This registration can no longer be edited."))
        cleaned = _clean_registration(
            customer_name=customer_name,
            customer_domain=customer_domain,
            customer_country=customer_country,
            contact_name=contact_name,
            contact_email=contact_email,
            contact_phone=contact_phone,
            product_ids=product_ids,
            estimated_value=estimated_value,
            currency=currency,
            expected_close_date=expected_close_date,
            stage=stage,
            notes=notes,
            close_date_must_be_future=expected_close_date != current.expected_close_date,
            draft=draft and current.status == S.DRAFT,
            default_currency=by.tenant.default_currency,
        )
        for name, value in cleaned.fields.items():
            setattr(current, name, value)
        current.save()
        _set_products(current, cleaned.products)
        audit_record(actor=by.user, action="registration.updated", target=current)
    return current


def _check_complete(registration: DealRegistration) -> None:
    """A draft may lack what submitting needs: every field is checked as when
    registering (a close date already in the past is told below)."""
    _clean_registration(
        customer_name=registration.customer_name,
        customer_domain=registration.customer_domain,
        customer_country=registration.customer_country,
        contact_name=registration.contact_name,
        contact_email=registration.contact_email,
        contact_phone=registration.contact_phone,
        product_ids=DealProduct.objects.filter(registration=registration).values_list(
            "product_id", flat=True
        ),
        estimated_value=registration.estimated_value,
        currency=registration.currency,
        expected_close_date=registration.expected_close_date,
        stage=registration.stage,
        notes=registration.notes,
        close_date_must_be_future=False,
    )


@action(can_register_deals)
def registration_submit(*, registration: DealRegistration, by: Membership) -> DealRegistration:
    """Draft or more-info → submitted; the SLA clock starts now and the competing
    records are recorded for the channel manager."""
    _check_owner(registration, by)
    _check_may_register(Partner.objects.get(pk=registration.partner_id))
    if registration.status == S.DRAFT:
        _check_complete(registration)
    if registration.expected_close_date < timezone.localdate():
        raise ValidationError(
            {"expected_close_date": _("The expected close date is in the past; update it first.")}
        )
    with transaction.atomic():
        registration_transition(
            registration=registration,
            to_status=S.SUBMITTED,
            actor=by.user,
            submitted_at=timezone.now(),
        )
        conflicts_record(registration=registration)
        registrations_record(DEAL_REGISTERED, [registration])
        notify_registration_submitted(registration)
    return registration


@action(can_register_deals)
def extension_request(
    *, registration: DealRegistration, by: Membership, reason: str
) -> DealRegistration:
    """An approved registration's partner asks for more protection time: one open
    request at a time, and only while extensions remain under the vendor's cap."""
    _check_owner(registration, by)
    reason = _required_reason(reason, _("Say why you need more time."))
    settings = deal_settings()
    with transaction.atomic():
        current = DealRegistration.objects.select_for_update().get(pk=registration.pk)
        if not is_protected(current):
            raise ValidationError(_("Only approved registrations can be extended."))
        if extension_is_open(current):
            raise ValidationError(_("An extension request is already waiting for a decision."))
        if current.extensions_used >= settings.max_extensions:
            raise ValidationError(
                _("This registration has used all %(n)s extensions allowed.")
                % {"n": settings.max_extensions}
            )
        now = timezone.now()
        DealRegistration.objects.filter(pk=current.pk).update(
            extension_requested_at=now, extension_reason=reason
        )
        audit_record(
            actor=by.user,
            action="registration.extension_requested",
            target=current,
            reason=reason,
        )
    registration.extension_requested_at, registration.extension_reason = now, reason
    return registration


def _check_reporter(registration: DealRegistration, by: Membership) -> None:
    if by.is_partner:
        _check_owner(registration, by)


@action(can_report_deal_outcomes)
def registration_mark_won(
    *,
    registration: DealRegistration,
    by: Membership,
    won_amount,
    closed_on: datetime.date,
    lines: Sequence[tuple[Product | int, object]],
) -> DealRegistration:
    """Approved → won.  The product lines must add up to the final amount to the
    cent; they become the revenue lines the incentives engine reads, each pointing
    at this registration.  The customer's protection ends."""
    _check_reporter(registration, by)
    errors: dict[str, str] = {}
    amount = _money(won_amount, "won_amount", errors)
    if not isinstance(closed_on, datetime.date):
        errors["closed_on"] = _("Enter the date the deal closed.")
    elif closed_on > timezone.localdate():
        errors["closed_on"] = _("The close date cannot be in the future.")
    elif date_problem(closed_on, "closed"):
        errors["closed_on"] = date_problem(closed_on, "closed")
    product_ids = [p.pk if isinstance(p, Product) else p for p, _amount in lines]
    products = {p.pk: p for p in _active_products(product_ids, "lines", errors)}
    if len(set(product_ids)) != len(product_ids):
        errors["lines"] = _("List each product once.")
    line_amounts = []
    for _product, value in lines:
        line_amount = _money(value, "lines", errors)
        line_amounts.append(line_amount)
    if amount is not None and "lines" not in errors and sum(line_amounts, Decimal(0)) != amount:
        errors["lines"] = _("The product lines add up to %(sum)s, not %(amount)s.") % {
            "sum": sum(line_amounts, Decimal(0)),
            "amount": amount,
        }
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        registration_transition(
            registration=registration,
            to_status=S.WON,
            actor=by.user,
            won_amount=amount,
            closed_on=closed_on,
        )
        RevenueLine.objects.bulk_create(
            [
                RevenueLine(
                    partner_id=registration.partner_id,
                    registration=registration,
                    product=products[int(pid)],
                    amount=line_amount,
                    currency=registration.currency,
                    closed_on=closed_on,
                    source=RevenueLine.Source.REGISTRATION,
                )
                for pid, line_amount in zip(product_ids, line_amounts, strict=True)
            ]
        )
        protection_release(registration_ids=[registration.pk])
        registrations_record(DEAL_WON, [registration])
    return registration


@action(can_report_deal_outcomes)
def registration_mark_lost(
    *, registration: DealRegistration, by: Membership, reason: str, competitor: str = ""
) -> DealRegistration:
    """Approved → lost, with the reason (and the competitor who won, if known);
    the customer's protection ends."""
    _check_reporter(registration, by)
    reason = _required_reason(reason, _("Say why the deal was lost."))
    competitor = (competitor or "").strip()
    problems = length_problems({"competitor": competitor}, {"competitor": 200})
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        registration_transition(
            registration=registration,
            to_status=S.LOST,
            actor=by.user,
            reason=reason,
            lost_reason=reason,
            competitor=competitor,
        )
        protection_release(registration_ids=[registration.pk])
    return registration


# --- the vendor's side ----------------------------------------------------------------


def _protection_days(registration: DealRegistration) -> int:
    partner = Partner.objects.select_related("tier").get(pk=registration.partner_id)
    if partner.tier is not None and partner.tier.protection_days:
        return partner.tier.protection_days
    return deal_settings().protection_days


@action(can_decide_registrations)
def registration_approve(
    *, registration: DealRegistration, by: Membership, reason: str = ""
) -> DealRegistration:
    """Submitted → approved, protected for the partner tier's days (or the vendor
    default) from today.

    Invariant: at most one approved registration protects a (customer, product)
    pair.  The transition and the protection claim run in one transaction; when
    the database refuses the claim (another registration holds the customer) the
    approval is rolled back and the reviewer sees why.  A customer the vendor
    sells to directly is refused first when direct accounts are off limits."""
    settings = deal_settings()
    days = _protection_days(registration)
    try:
        with transaction.atomic():
            conflicts_record(registration=registration)
            if (
                settings.direct_accounts_off_limits
                and DealConflict.objects.filter(
                    registration=registration, direct_account__isnull=False
                ).exists()
            ):
                raise ValidationError(
                    _(
                        "This customer is one of the vendor's direct accounts, which are "
                        "off limits to partners."
                    )
                )
            registration_transition(
                registration=registration,
                to_status=S.APPROVED,
                actor=by.user,
                reason=_short_reason((reason or "").strip()),
                protected_until=timezone.localdate() + datetime.timedelta(days=days),
                decided_by=by.user,
                decided_at=timezone.now(),
            )
            protection_claim(registration=registration)
            registrations_record(REGISTRATION_APPROVED, [registration])
            notify_registration_decided(registration)
    except ValidationError:
        registration.refresh_from_db()
        raise
    return registration


def _decide(registration, by, to_status, reason) -> DealRegistration:
    with transaction.atomic():
        registration_transition(
            registration=registration,
            to_status=to_status,
            actor=by.user,
            reason=reason,
            decided_by=by.user,
            decided_at=timezone.now(),
        )
        notify_registration_decided(registration, reason)
    return registration


@action(can_decide_registrations)
def registration_reject(
    *, registration: DealRegistration, by: Membership, reason: str
) -> DealRegistration:
    """Submitted or more-info → rejected; the partner is told why."""
    reason = _required_reason(reason, _("Give the partner a reason for the rejection."))
    return _decide(registration, by, S.REJECTED, reason)


@action(can_decide_registrations)
def registration_request_info(
    *, registration: DealRegistration, by: Membership, reason: str
) -> DealRegistration:
    """Submitted → more information requested; the partner edits and resubmits."""
    reason = _required_reason(reason, _("Say what information you need."))
    return _decide(registration, by, S.MORE_INFO, reason)


@action(can_decide_registrations)
def extension_decide(
    *, registration: DealRegistration, by: Membership, grant: bool, reason: str = ""
) -> DealRegistration:
    """Grant (protection + the vendor's extension days, one more extension used,
    a new expiry reminder may go out) or refuse (with a reason) an open request."""
    reason = _short_reason((reason or "").strip())
    if not grant:
        reason = _required_reason(reason, _("Give the partner a reason for the refusal."))
    settings = deal_settings()
    with transaction.atomic():
        current = DealRegistration.objects.select_for_update().get(pk=registration.pk)
        if not extension_is_open(current):
            raise ValidationError(_("There is no extension request to decide."))
        changes = {"extension_requested_at": None, "extension_reason": ""}
        if grant:
            if current.extensions_used >= settings.max_extensions:
                raise ValidationError(
                    _("This registration has used all %(n)s extensions allowed.")
                    % {"n": settings.max_extensions}
                )
            changes.update(
                protected_until=current.protected_until
                + datetime.timedelta(days=settings.extension_days),
                extensions_used=current.extensions_used + 1,
                reminder_sent_for=None,
            )
        DealRegistration.objects.filter(pk=current.pk).update(**changes)
        audit_record(
            actor=by.user,
            action="registration.extension_granted" if grant else "registration.extension_refused",
            target=current,
            reason=reason,
            requested=current.extension_reason,
            protected_until=str(changes.get("protected_until", current.protected_until)),
        )
        notify_extension_decided(
            current, granted=grant, reason=reason, protected_until=changes.get("protected_until")
        )
    for name, value in changes.items():
        setattr(registration, name, value)
    return registration


@dataclass(frozen=True)
class BulkResult:
    """One registration's outcome, with the customer and partner to name it by
    (empty when the registration was not found)."""

    registration_id: int
    ok: bool
    message: str = ""
    customer: str = ""
    partner: str = ""


@action(can_decide_registrations)
def registrations_bulk_decide(
    *, ids: Iterable[int], by: Membership, approve: bool, reason: str
) -> list[BulkResult]:
    """Approve or reject many registrations with one reason.  Each runs in its own
    (nested) transaction: one refusal does not undo the others.  The rows and
    their partners' names are read in one query."""
    if not approve:
        _required_reason(reason, _("Give the partners a reason for the rejection."))
    wanted = sorted({int(i) for i in ids})
    found = DealRegistration.objects.select_related("partner").in_bulk(wanted)
    results = []
    for registration_id in wanted:
        registration = found.get(registration_id)
        if registration is None:
            results.append(BulkResult(registration_id, False, _("Not found.")))
            continue
        names = {"customer": registration.customer_name, "partner": registration.partner.name}
        try:
            with transaction.atomic():
                if approve:
                    registration_approve(registration=registration, by=by, reason=reason)
                else:
                    registration_reject(registration=registration, by=by, reason=reason)
        except ValidationError as error:
            results.append(BulkResult(registration_id, False, " ".join(error.messages), **names))
        else:
            results.append(BulkResult(registration_id, True, **names))
    return results
