"""Demo data: incentives.

Northwind pays its partners four ways: a quarterly volume rebate with
retroactive brackets (resellers, MSPs, integrators and distributors), a
marginal rebate for its service partners, a commission for referral partners
and a SPIF for the reps who close large security deals.  The volume rebate ran
last quarter: the run was calculated, approved by a second finance person
(its total is above the four-eyes amount) and paid; this quarter's run is a
draft.  The revenue behind it is the won registrations of the registrations
area plus the deals and imported orders below, some in EUR and GBP, with the
exchange rates that convert them; one credit note takes part of a deal back.

Dates follow the calendar: "last quarter" is the last one that has ended on
the day the demo is loaded, and this quarter's lines never lie in the future.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from deals.models import DealProduct, DealRegistration, DealTransition, Product, RevenueLine
from deals.models import RegistrationStatus as S
from deals.normalise import customer_key
from incentives.brackets import Bracket
from incentives.models import (
    Dispute,
    ExchangeRate,
    PayoutItem,
    PayoutRun,
    Program,
    RunStatus,
    Statement,
)
from incentives.periods import Period, period_of
from incentives.program_rules import ProgramTerms, RateTerm
from incentives.services.disputes import dispute_open, dispute_reply
from incentives.services.exchange_rates import exchange_rate_set
from incentives.services.programs import program_activate, program_create
from incentives.services.runs import (
    payout_run_approve,
    payout_run_calculate,
    payout_run_create,
    payout_run_mark_paid,
)
from incentives.services.statements import statement_render, statements_issue
from incentives.states import run_is_frozen
from partners.models import Partner
from prm.models import Membership
from prm.roles import Role
from prm.tenancy import tenant_context

D = Decimal
PAYOUT_CURRENCY = "USD"
ADMIN = "admin@northwind.example"
PREPARER = "finance@northwind.example"
# The second finance person approves what the first prepared above the four-eyes amount.
SECOND_APPROVER = "controller@northwind.example"

VOLUME_REBATE = "Quarterly volume rebate"
SERVICES_REBATE = "Service partner growth rebate"
REFERRAL_COMMISSION = "Referral commission"
SECURITY_SPIF = "Security deal SPIF"

# (currency, quarter: "last" or "this", days after the quarter's start, rate to USD)
RATES = [
    ("EUR", "last", 0, "1.0850"),
    ("EUR", "last", 45, "1.0920"),
    ("EUR", "this", 0, "1.0780"),
    ("GBP", "last", 0, "1.2700"),
    ("GBP", "last", 50, "1.2760"),
    ("GBP", "this", 0, "1.2640"),
]

# Won deals registered by the partner's person: partner, their person, customer,
# domain, country, currency, quarter, days after its start, [(product, amount)].
# fmt: off
DEALS = [
    ("Bluewave Solutions", "rep@bluewave.example", "Coho Winery", "cohowinery.example", "US",
     "USD", "last", 12, [("NW-SEC", "36500.00")]),
    ("Bluewave Solutions", "rep@bluewave.example", "Northwind Traders Retail",
     "northwindtraders.example", "US", "USD", "last", 29,
     [("NW-ANL", "48000.00"), ("NW-INT", "22000.00")]),
    ("Bluewave Solutions", "admin@bluewave.example", "Graphic Design Institute",
     "graphicdesigninstitute.example", "CA", "USD", "last", 51,
     [("NW-ANL", "27000.00"), ("NW-SEC", "18000.00")]),
    ("Bluewave Solutions", "rep@bluewave.example", "Margie's Travel", "margiestravel.example",
     "US", "USD", "last", 77, [("NW-INT", "64000.00")]),
    ("Cobalt Managed Services", "rep@cobalt.example", "Fourth Coffee", "fourthcoffee.example",
     "GB", "GBP", "last", 20, [("NW-SEC", "28000.00")]),
    ("Cobalt Managed Services", "rep@cobalt.example", "Blue Yonder Airlines",
     "blueyonderairlines.example", "GB", "GBP", "last", 58,
     [("NW-ANL", "19500.00"), ("NW-INT", "9000.00")]),
    ("Bluewave Solutions", "rep@bluewave.example", "Trey Research", "treyresearch.example", "US",
     "USD", "this", 9, [("NW-SEC", "42000.00")]),
    ("Bluewave Solutions", "admin@bluewave.example", "Wide World Importers",
     "wideworldimporters.example", "US", "USD", "this", 30, [("NW-ANL", "31000.00")]),
    ("Cobalt Managed Services", "rep@cobalt.example", "Relecloud", "relecloud.example", "GB",
     "GBP", "this", 15, [("NW-INT", "22000.00"), ("NW-SEC", "14500.00")]),
]

# Orders imported from the vendor's books, for partners without a registration:
# order reference, partner, product, amount, currency, quarter, days after its start.
ORDERS = [
    ("NW-ORD-5101", "Summit Integrators", "NW-INT", "24000.00", "EUR", "last", 40),
    ("NW-ORD-5102", "Referral Hub", "NW-ANL", "15000.00", "EUR", "last", 66),
    ("NW-ORD-5207", "Summit Integrators", "NW-ANL", "16500.00", "EUR", "this", 12),
    ("NW-ORD-5211", "Referral Hub", "NW-ANL", "18000.00", "EUR", "this", 20),
    ("NW-ORD-5214", "Referral Hub", "NW-SEC", "9500.00", "EUR", "this", 33),
]
# fmt: on

# A credit note: part of a won deal's line taken back, days after the deal closed.
CREDIT_NOTE = ("Coho Winery", "NW-SEC", "6500.00", 26, "Two licences returned unused.")


def _quarters(today: datetime.date) -> dict[str, Period]:
    this = period_of("quarterly", datetime.date.min, datetime.date.max, today)
    last = period_of(
        "quarterly", datetime.date.min, datetime.date.max, this.start - datetime.timedelta(days=1)
    )
    return {"last": last, "this": this}


def _day(quarters: dict[str, Period], quarter: str, days: int, today: datetime.date):
    """A day of the quarter that has passed: last quarter's within it, this
    quarter's no later than today."""
    period = quarters[quarter]
    return min(period.start + datetime.timedelta(days=days), period.end, today)


def seed(tenants: dict) -> None:
    """Add this area's demo data to the tenants (keyed by slug); idempotent."""
    tenant = tenants.get("northwind")
    if tenant is None:
        return
    today = timezone.localdate()
    quarters = _quarters(today)
    with tenant_context(tenant.pk):
        people = {
            m.user.email: m
            for m in Membership.objects.filter(
                user__email__in=[ADMIN, PREPARER, SECOND_APPROVER]
            ).select_related("user")
        }
        if len(people) < 3:
            return
        products = {
            p.code: p for p in Product.objects.filter(code__in=["NW-ANL", "NW-SEC", "NW-INT"])
        }
        partners = {p.name: p for p in Partner.objects.all()}
        _rates(quarters, people[PREPARER])
        _revenue(quarters, today, products, partners)
        programs = _programs(quarters, products, people[ADMIN])
        runs = _runs(programs[VOLUME_REBATE], quarters, today, people)
        statements_and_disputes(runs)


def _rates(quarters: dict[str, Period], finance: Membership) -> None:
    for currency, quarter, days, rate in RATES:
        day = quarters[quarter].start + datetime.timedelta(days=days)
        if not ExchangeRate.objects.filter(
            currency=currency, to_currency=PAYOUT_CURRENCY, effective_on=day
        ).exists():
            exchange_rate_set(
                currency=currency,
                to_currency=PAYOUT_CURRENCY,
                rate=D(rate),
                effective_on=day,
                by=finance,
            )


def _revenue(quarters, today, products, partners) -> None:
    for partner_name, email, customer, domain, country, currency, quarter, days, lines in DEALS:
        partner = partners.get(partner_name)
        if (
            partner is None
            or DealRegistration.objects.filter(partner=partner, customer_name=customer).exists()
        ):
            continue
        member = (
            Membership.objects.filter(user__email=email, partner_link__partner=partner)
            .select_related("user")
            .first()
        )
        if member is None:
            continue
        _won_deal(
            partner,
            member,
            customer,
            domain,
            country,
            currency,
            _day(quarters, quarter, days, today),
            [(products[code], D(amount)) for code, amount in lines],
        )
    for order_ref, partner_name, code, amount, currency, quarter, days in ORDERS:
        partner = partners.get(partner_name)
        if partner is None or RevenueLine.objects.filter(order_ref=order_ref).exists():
            continue
        RevenueLine.objects.create(
            partner=partner,
            product=products[code],
            amount=D(amount),
            currency=currency,
            closed_on=_day(quarters, quarter, days, today),
            source=RevenueLine.Source.ORDER_IMPORT,
            order_ref=order_ref,
        )
    _credit_note()


def _won_deal(partner, member, customer, domain, country, currency, closed_on, lines) -> None:
    """A registration submitted, approved and won, with its revenue lines."""
    closed_at = datetime.datetime.combine(
        closed_on, datetime.time(15), tzinfo=timezone.get_current_timezone()
    )
    manager = Membership.objects.filter(role="channel_manager").select_related("user").first()
    total = sum((amount for _product, amount in lines), D("0"))
    registration = DealRegistration.objects.create(
        partner=partner,
        registered_by=member.user,
        customer_name=customer,
        customer_key=customer_key(customer),
        customer_domain=domain,
        customer_country=country,
        contact_name=f"Buyer at {customer}",
        contact_email=f"buyer@{domain}",
        estimated_value=total,
        currency=currency,
        expected_close_date=closed_on,
        stage="negotiation",
        status=S.WON,
        submitted_at=closed_at - datetime.timedelta(days=45),
        decided_at=closed_at - datetime.timedelta(days=44),
        decided_by=manager.user if manager else None,
        won_amount=total,
        closed_on=closed_on,
    )
    DealProduct.objects.bulk_create(
        [DealProduct(registration=registration, product=product) for product, _amount in lines]
    )
    steps = [
        (S.DRAFT, S.SUBMITTED, member.user),
        (S.SUBMITTED, S.APPROVED, manager.user if manager else None),
        (S.APPROVED, S.WON, member.user),
    ]
    for before, after, by in steps:
        DealTransition.objects.create(
            registration=registration, from_status=before, to_status=after, by=by
        )
    RevenueLine.objects.bulk_create(
        [
            RevenueLine(
                partner=partner,
                registration=registration,
                product=product,
                amount=amount,
                currency=currency,
                closed_on=closed_on,
                source=RevenueLine.Source.REGISTRATION,
            )
            for product, amount in lines
        ]
    )


def _credit_note() -> None:
    customer, code, amount, days, reason = CREDIT_NOTE
    line = RevenueLine.objects.filter(
        registration__customer_name=customer, product__code=code, reverses__isnull=True
    ).first()
    if line is None or RevenueLine.objects.filter(reverses=line).exists():
        return
    # Within the line's quarter, so the quarter's run claws it back.
    quarter = period_of("quarterly", datetime.date.min, datetime.date.max, line.closed_on)
    RevenueLine.objects.create(
        partner_id=line.partner_id,
        registration_id=line.registration_id,
        product_id=line.product_id,
        amount=-D(amount),
        currency=line.currency,
        closed_on=min(line.closed_on + datetime.timedelta(days=days), quarter.end),
        source=RevenueLine.Source.REVERSAL,
        reverses=line,
        reason=reason,
    )


def _programs(quarters, products, admin: Membership) -> dict[str, Program]:
    last, this = quarters["last"], quarters["this"]
    # The volume rebate started last quarter; the others this quarter, so the
    # run schedule opens no run of theirs before this quarter ends.
    ends_on = datetime.date(this.end.year + 1, 12, 31)
    quarterly = {"calendar": "quarterly", "ends_on": ends_on, "currency": PAYOUT_CURRENCY}
    terms = [
        ProgramTerms(
            name=VOLUME_REBATE,
            kind="rebate",
            starts_on=last.start,
            description=(
                "Every won deal counts towards the quarter's volume; the bracket reached pays "
                "the whole volume. Your tier's multiplier applies on top."
            ),
            rebate_method="retroactive",
            brackets=(
                Bracket(D("0"), D("2")),
                Bracket(D("100000"), D("4")),
                Bracket(D("500000"), D("6")),
            ),
            rates=(RateTerm(product_id=products["NW-SEC"].pk, percent=D("5")),),
            eligible_types=("reseller", "msp", "si", "distributor"),
            minimum_payout=D("100.00"),
            four_eyes_above=D("10000.00"),
            **quarterly,
        ),
        ProgramTerms(
            name=SERVICES_REBATE,
            kind="rebate",
            starts_on=this.start,
            description="Each bracket's rate pays the part of the quarter's volume inside it.",
            rebate_method="marginal",
            brackets=(
                Bracket(D("0"), D("1")),
                Bracket(D("50000"), D("3")),
                Bracket(D("250000"), D("5")),
            ),
            eligible_types=("msp", "si"),
            minimum_payout=D("100.00"),
            **quarterly,
        ),
        ProgramTerms(
            name=REFERRAL_COMMISSION,
            kind="commission",
            starts_on=this.start,
            description="10 % of every won order a referral partner brought in.",
            percent=D("10"),
            eligible_types=("referral",),
            minimum_payout=D("50.00"),
            **quarterly,
        ),
        ProgramTerms(
            name=SECURITY_SPIF,
            kind="spif",
            starts_on=this.start,
            description="250 USD to the rep who registered a won Security deal of 20,000 or more.",
            fixed_amount=D("250.00"),
            min_deal_amount=D("20000.00"),
            eligible_product_ids=(products["NW-SEC"].pk,),
            **quarterly,
        ),
    ]
    programs = {}
    for term in terms:
        program = Program.objects.filter(name=term.name).order_by("version").first()
        if program is None:
            program = program_create(terms=term, by=admin)
            program = program_activate(program=program, by=admin)
        programs[term.name] = program
    return programs


def _runs(rebate: Program, quarters, today, people) -> list[PayoutRun]:
    """Last quarter's run calculated, approved and paid; this quarter's a draft.
    A program that has runs already is left as it is."""
    if PayoutRun.objects.filter(program=rebate).exists():
        return list(PayoutRun.objects.filter(program=rebate).order_by("period_start"))
    preparer = people[PREPARER]
    paid = _calculated(rebate, quarters["last"].start, preparer)
    # Above the four-eyes amount the preparer may not approve their own run.
    approver = people[SECOND_APPROVER] if paid.total > rebate.four_eyes_above else preparer
    paid = payout_run_approve(run=paid, by=approver)
    if paid.status == RunStatus.APPROVED:
        payout_run_mark_paid(
            run=paid,
            paid_on=min(quarters["last"].end + datetime.timedelta(days=20), today),
            reference=_payment_reference(quarters["last"]),
            by=approver,
        )
    draft = _calculated(rebate, today, preparer)
    return [paid, draft]


def _payment_reference(quarter: Period) -> str:
    return f"NW-REBATE-{quarter.start:%Y}-Q{(quarter.start.month - 1) // 3 + 1}"


def _calculated(program: Program, day: datetime.date, preparer: Membership) -> PayoutRun:
    """The run of the period holding ``day``, calculated here rather than by a
    worker, so the demo shows its figures from the start (the worker's task,
    published after the commit, then finds it calculated and does nothing)."""
    run = payout_run_create(program=program, day=day, by=preparer)
    payout_run_calculate(run_id=run.pk)
    run.refresh_from_db()
    return run


def statements_and_disputes(runs: list[PayoutRun]) -> None:
    """The paid run's statements, issued and rendered here (so they can be
    downloaded at once), and a partner admin's dispute of one of its lines
    with finance's first answer."""
    paid = next((run for run in runs if run_is_frozen(run)), None)
    if paid is None:
        return
    if not Statement.objects.filter(run=paid).exists():
        statements_issue(run=paid, by=paid.prepared_by)
        for statement_id in Statement.objects.filter(run=paid).values_list("pk", flat=True):
            statement_render(statement_id=statement_id)
    if Dispute.objects.exists():
        return
    for item in PayoutItem.objects.filter(run=paid, kind="earning").order_by("-amount"):
        admin = (
            Membership.objects.filter(
                role=Role.PARTNER_ADMIN, is_active=True, partner_link__partner_id=item.partner_id
            )
            .order_by("pk")
            .first()
        )
        if admin is None:
            continue
        dispute = dispute_open(
            item=item,
            body="This deal closed in the last week of the quarter; we expected the 4 % "
            "bracket on it.",
            by=admin,
        )
        dispute_reply(
            dispute=dispute,
            body="The bracket is decided by the quarter's whole volume; checking yours now.",
            by=paid.prepared_by,
        )
        return
