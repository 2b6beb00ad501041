"""Payout statements: the PDF holds every line and the totals in the reader's
language (right to left for Arabic), numbers are gapless per tenant and year
(a rolled-back issue leaves no gap), issuing and rendering are idempotent
and survive a worker that dies, payees without items get none, and the
payout profile is kept by the partner's admin and the vendor's staff."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import translation

from incentives import statement_text as words
from incentives.models import (
    ExchangeRate,
    Payout,
    PayoutItem,
    PayoutProfile,
    Statement,
    StatementCounter,
)
from incentives.selectors.statements import (
    default_statement_language,
    payee_of,
    statement_progress,
    statement_sources,
    statements_visible_to,
)
from incentives.services.payout_profiles import payout_profile_save, payout_profile_save_own
from incentives.services.statements import RENDER, statement_render
from incentives.statement_pdf import statement_html
from prm.models import OutboxMessage
from prm.policies import NotAllowed
from prm.roles import Role
from prm.tenancy import tenant_context
from tests.incentives.setup_incentives import (
    D,
    approve,
    partner,
    program,
    reverse,
    run_of,
    won,
)
from tests.incentives.setup_statements import (
    YEAR,
    commission_runs,
    counter,
    issue,
    pdf_text,
    read,
    rebate_run,
    render_all,
    spif_and_commission_runs,
)
from tests.world import make_member


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Statement files of these tests go to a scratch directory."""
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def second_finance(world):
    return make_member(world.a, "finance2@a.test", Role.FINANCE)


@pytest.fixture
def a(world):
    with tenant_context(world.a.pk):
        yield world


# --- the PDF ------------------------------------------------------------------------------


def test_a_statement_pdf_holds_every_line_its_source_and_rule_and_the_total(a, second_finance):
    PayoutProfile.objects.update_or_create(
        partner=a.p,
        defaults={
            "legal_name": "Partner P Holdings GmbH",
            "address": "Hauptstraße 1\n10115 Berlin",
            "tax_id": "DE123456789",
            "payment_details": "IBAN DE00 1234",
        },
    )
    run = rebate_run(a, second_finance)
    assert issue(run, a.finance).new == 2
    statements = render_all(run)
    mine = next(s for s in statements if s.partner_id == a.p.pk)
    assert mine.status == "ready" and mine.size_bytes > 0

    data = read(mine)
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    for expected in (
        "Vendor A",
        f"Payout statement {mine.number}",
        "Partner P Holdings GmbH",
        "Hauptstraße 1",
        "DE123456789",
        "order PO-4711",
        "Bracket from 100,000.00: 4 %",
        "Product rate: 10 %",
        "2,400.00 USD",
        "3,600.00 USD",
        "1,000.00 USD",
        "Total of the lines in USD 7,000.00 USD",
        "Payable 7,000.00 USD",
    ):
        assert expected in text, expected
    items = PayoutItem.objects.filter(payout_id=mine.payout_id).select_related("registration")
    assert items.count() == 3
    for item in items:
        assert item.registration.customer_name in text
    # Bank details go to accounts payable, not onto a document a rep may see.
    assert "IBAN" not in text


def test_without_a_payout_profile_the_statement_uses_the_legal_name_or_name(a, second_finance):
    a.q.legal_name = "Q Legal Ltd"
    a.q.save()
    assert payee_of(a.q, None).legal_name == "Q Legal Ltd"
    assert payee_of(a.p, None).legal_name == "Partner P"
    assert payee_of(a.p, PayoutProfile(legal_name="")).legal_name == "Partner P"
    run = rebate_run(a, second_finance)
    issue(run, a.finance)
    q_statement = next(s for s in render_all(run) if s.partner_id == a.q.pk)
    assert "Q Legal Ltd" in pdf_text(read(q_statement))


def test_an_arabic_statement_renders_right_to_left(a, second_finance):
    PayoutProfile.objects.update_or_create(
        partner=a.p, defaults={"legal_name": "شركة الشريك المحدودة"}
    )
    run = rebate_run(a, second_finance)
    issue(run, a.finance, language="ar")
    statement = Statement.objects.get(run=run, partner=a.p)
    assert statement.language == "ar"

    sources = statement_sources(statement_id=statement.pk)
    html = statement_html(sources, language="ar")
    assert 'dir="rtl"' in html and 'lang="ar"' in html
    assert 'dir="rtl"' not in statement_html(sources, language="en")
    # Inside an Arabic request the language passed in still rules, and the reverse.
    with translation.override("ar"):
        assert 'dir="ltr"' in statement_html(sources, language="en")
        assert 'dir="rtl"' in statement_html(sources, language=translation.get_language())

    statement_render(statement_id=statement.pk)
    statement.refresh_from_db()
    text = pdf_text(read(statement))
    assert "شركة الشريك المحدودة" in text
    # Dates and money as Arabic writes them: month names, decimal comma.
    assert "يوليو" in text  # July: the period starts on 1 July
    assert "7000,00" in text and "USD" in text


def test_money_dates_and_rates_follow_the_language():
    with translation.override("en"):
        assert words.money(D("1234567.5"), "EUR") == "1,234,567.50\u00a0EUR"
        assert words.number_text(D("4.0000")) == "4"
        assert words.number_text(D("100")) == "100"
    with translation.override("de"):
        assert words.money(D("1234567.5"), "EUR") == "1.234.567,50\u00a0EUR"
        assert words.number_text(D("2.5000")) == "2,5"
    with translation.override("ar"):
        assert words.amount_text(D("-400")) == "-400,00"


# --- the rules in plain words ----------------------------------------------------------------


def _rules(run) -> list[str]:
    return sorted(
        words.rule_text(item, currency=run.currency)
        for item in PayoutItem.objects.filter(run=run).select_related(
            "revenue_line", "registration", "previous_payout__run"
        )
    )


def test_clawbacks_brought_forward_balances_and_conversions_in_words(a, second_finance):
    ExchangeRate.objects.create(
        currency="EUR", to_currency="USD", rate=D("1.1"), effective_on=datetime.date(2026, 1, 1)
    )
    commission = program("commission", percent=D("10"))
    firm = partner("Returns")
    line = won(firm, "10000.00", on=datetime.date(2026, 4, 10))
    won(firm, "1000.00", currency="EUR", on=datetime.date(2026, 4, 11))
    q2 = run_of(commission, day=datetime.date(2026, 4, 1))
    assert _rules(q2) == ["Program rate: 10 %", "Program rate: 10 %; converted at 1.1 USD per EUR"]
    approve(q2, second_finance)
    reversal = reverse(line, "4000.00", on=datetime.date(2026, 7, 5))
    q3 = run_of(commission)
    assert _rules(q3) == [f"Clawback of a reversal of revenue line #{line.pk}"]
    approve(q3, second_finance)
    won(firm, "10000.00", on=datetime.date(2026, 10, 3))
    q4 = run_of(commission, day=datetime.date(2026, 10, 1))
    forward = PayoutItem.objects.select_related("previous_payout__run").get(
        run=q4, kind="brought_forward"
    )
    assert words.rule_text(forward, currency="USD") == (
        "Balance brought forward (negative balance)"
    )
    assert words.source_text(forward).startswith("Balance of the run July 1, 2026 to")
    clawback = PayoutItem.objects.select_related("revenue_line", "registration").get(run=q3)
    assert f"revenue line #{reversal.pk}" in words.source_text(clawback)


def test_fixed_amounts_tiers_multipliers_true_ups_and_the_budget_in_words():
    item = PayoutItem(kind="earning", rule="fixed_program", amount=D("250"))
    assert words.rule_text(item, currency="USD") == "Fixed amount per deal"
    item = PayoutItem(kind="earning", rule="tier", rate=D("6.0000"), amount=D("60"))
    assert words.rule_text(item, currency="USD") == "Tier rate: 6 %"
    item = PayoutItem(
        kind="earning",
        rule="bracket",
        rule_detail="100000.00",
        rate=D("4"),
        multiplier=D("1.500"),
        amount=D("6"),
    )
    assert words.rule_text(item, currency="USD") == (
        "Bracket from 100,000.00: 4 %; × 1.5 tier multiplier"
    )
    item = PayoutItem(
        kind="true_up",
        rule="bracket",
        rule_detail="100000.00",
        rate=D("4"),
        earned_to_date=D("2400"),
        paid_before=D("1200"),
        amount=D("1200"),
    )
    assert words.rule_text(item, currency="USD").endswith(
        "true-up: 2,400.00\u00a0USD earned to date, 1,200.00\u00a0USD paid before"
    )
    item = PayoutItem(kind="budget", rule="pro_rata", rule_detail="900.00/1000.00", amount=D("-1"))
    assert words.rule_text(item, currency="USD") == (
        "Scaled pro rata to the program's budget: 900.00 of 1,000.00"
    )
    assert words.source_text(item) == "The program's budget"
    item = PayoutItem(kind="adjustment", rule="", rule_detail="goodwill", amount=D("5"))
    assert words.rule_text(item, currency="USD") == "Adjustment: goodwill"
    item = PayoutItem(kind="brought_forward", rule="below_minimum", amount=D("30"))
    assert words.rule_text(item, currency="USD") == (
        "Balance brought forward (below the minimum payout)"
    )


# --- numbering --------------------------------------------------------------------------------


def _numbers(run) -> list[str]:
    return list(
        Statement.objects.filter(run=run).order_by("sequence").values_list("number", flat=True)
    )


def test_numbers_are_gapless_and_a_rolled_back_issue_gives_its_numbers_back(a, second_finance):
    first_run, second_run = commission_runs(a, second_finance, 2, 3)
    first_count = Payout.objects.filter(run=first_run).count()
    second_count = Payout.objects.filter(run=second_run).count()
    assert first_count >= 3 and second_count >= 3
    before = counter()
    issue(first_run, a.finance)
    after_first = before + first_count
    assert _numbers(first_run) == [f"{YEAR}-{n:06d}" for n in range(before + 1, after_first + 1)]
    queued = OutboxMessage.objects.filter(task_name=RENDER).count()

    with pytest.raises(RuntimeError), transaction.atomic():
        issue(second_run, a.finance)
        assert counter() == after_first + second_count
        raise RuntimeError("the request failed after the statements were numbered")
    assert counter() == after_first
    assert not Statement.objects.filter(run=second_run).exists()
    assert OutboxMessage.objects.filter(task_name=RENDER).count() == queued

    issue(second_run, a.finance)
    assert _numbers(second_run) == [
        f"{YEAR}-{n:06d}" for n in range(after_first + 1, after_first + second_count + 1)
    ]
    sequences = sorted(Statement.objects.filter(year=YEAR).values_list("sequence", flat=True))
    assert sequences == list(range(1, len(sequences) + 1))


def test_a_number_given_twice_is_refused_by_the_database(a, second_finance):
    (run,) = commission_runs(a, second_finance, 1, 2)
    issue(run, a.finance)
    one, two = Statement.objects.filter(run=run).order_by("sequence")
    with pytest.raises(IntegrityError), transaction.atomic():
        Statement.objects.filter(pk=two.pk).update(sequence=one.sequence)


def test_each_year_counts_from_one(a, second_finance):
    StatementCounter.objects.create(year=YEAR + 1, last_number=41)
    (run,) = commission_runs(a, second_finance, 1, 1)
    issue(run, a.finance)
    assert StatementCounter.objects.get(year=YEAR + 1).last_number == 41
    assert Statement.objects.get(run=run).year == YEAR


# --- issuing and rendering ---------------------------------------------------------------------


def test_issuing_twice_issues_once_and_rendering_twice_renders_once(a, second_finance):
    (run,) = commission_runs(a, second_finance, 1, 3)
    assert issue(run, a.finance) == (3, 0)
    assert issue(run, a.finance) == (0, 0)
    assert Statement.objects.filter(run=run).count() == 3
    messages = OutboxMessage.objects.filter(task_name=RENDER)
    ids = set(Statement.objects.filter(run=run).values_list("pk", flat=True))
    assert sorted(m.args[0] for m in messages if m.args[0] in ids) == sorted(ids)

    assert statement_progress(run=run) == statement_progress(run=run)
    progress = statement_progress(run=run)
    assert (progress.ready, progress.total, progress.unissued, progress.working) == (0, 3, 0, True)

    statement = Statement.objects.filter(run=run).first()
    rendered = statement_render(statement_id=statement.pk)
    assert rendered.status == "ready"
    name, content = rendered.file.name, read(rendered)
    assert statement_render(statement_id=statement.pk) is None  # delivered twice
    statement.refresh_from_db()
    assert statement.file.name == name and read(statement) == content
    progress = statement_progress(run=run)
    assert (progress.ready, progress.total, progress.percent) == (1, 3, 33)

    render_all(run)
    progress = statement_progress(run=run)
    assert (progress.ready, progress.percent, progress.working) == (3, 100, False)


class WorkerKilled(BaseException):
    """Stands for the worker process dying: no ``except Exception`` catches it."""


def test_a_worker_that_dies_midway_leaves_nothing_and_the_redelivery_finishes(
    world, second_finance, monkeypatch
):
    """The task runs as the worker runs it (outside any tenant, claiming its
    outbox message); the set-up enters the tenant for itself."""
    from incentives.services import statements as service
    from incentives.tasks.statements import statement_render as task

    with tenant_context(world.a.pk):
        (run,) = commission_runs(world, second_finance, 1, 1)
        issue(run, world.finance)
        statement = Statement.objects.get(run=run)
        message = OutboxMessage.objects.get(task_name=RENDER, args=[statement.pk])
    store = service._store

    def store_then_die(statement, pdf):
        store(statement, pdf)  # the file is written and the row updated …
        raise WorkerKilled  # … and the process dies before the commit

    monkeypatch.setattr(service, "_store", store_then_die)
    with pytest.raises(WorkerKilled):
        task(world.a.pk, statement.pk, outbox_id=message.pk)
    with tenant_context(world.a.pk):
        statement.refresh_from_db()
        message.refresh_from_db()
        assert statement.status == "pending" and message.delivered_at is None

    monkeypatch.setattr(service, "_store", store)
    assert task(world.a.pk, statement.pk, outbox_id=message.pk) == statement.pk
    assert task(world.a.pk, statement.pk, outbox_id=message.pk) is None  # a second copy
    with tenant_context(world.a.pk):
        statement.refresh_from_db()
        assert statement.status == "ready"
        assert pdf_text(read(statement))
    folder = f"tenants/statements/{world.a.pk}/{run.pk}"
    assert default_storage.listdir(folder)[1] == [f"{statement.pk}.pdf"]


def test_a_statement_that_cannot_be_rendered_fails_and_is_retried_by_issuing_again(
    a, second_finance, monkeypatch
):
    from incentives.services import statements as service

    (run,) = commission_runs(a, second_finance, 1, 2)
    issue(run, a.finance)
    statement = Statement.objects.filter(run=run).first()

    def broken(sources, *, language):
        raise ValueError("a font went missing")

    monkeypatch.setattr(service, "statement_pdf", broken)
    failed = statement_render(statement_id=statement.pk)
    assert failed.status == "failed" and failed.error
    assert statement_progress(run=run).failed == 1

    monkeypatch.undo()
    assert issue(run, a.finance) == (0, 1)
    assert statement_render(statement_id=statement.pk).status == "ready"


def test_payees_without_items_get_no_statement(a, second_finance):
    commission = program("commission", percent=D("10"))
    won(a.p, "1000.00")
    run = run_of(commission)
    Payout.objects.create(
        run=run, partner=a.q, currency="USD", total=0, payable=0, carried=0, status="nothing"
    )
    approve(run, second_finance)
    assert issue(run, a.finance).new == 1
    assert list(Statement.objects.filter(run=run).values_list("partner_id", flat=True)) == [a.p.pk]
    assert statement_progress(run=run).unissued == 0


def test_only_approved_or_paid_runs_get_statements_and_only_finance_issues_them(a):
    commission = program("commission", percent=D("10"))
    won(a.p, "1000.00")
    draft = run_of(commission)
    with pytest.raises(ValidationError, match="approved"):
        issue(draft, a.finance)
    with pytest.raises(NotAllowed):
        issue(draft, a.channel_manager)
    with pytest.raises(ValidationError):
        issue(draft, a.finance, language="xx")


def test_a_tenant_locale_of_a_region_defaults_to_its_language(world):
    for locale, language in (("de-CH", "de"), ("AR", "ar"), ("xx", "en"), ("", "en")):
        world.a.locale = locale
        assert default_statement_language(world.a) == language, locale


def test_the_tenants_language_is_the_default(a, second_finance):
    type(a.a).objects.filter(pk=a.a.pk).update(locale="de")
    (run,) = commission_runs(a, second_finance, 1, 1)
    issue(run, a.finance)
    assert Statement.objects.get(run=run).language == "de"


# --- the partner ring ----------------------------------------------------------------------------


def _seen(membership) -> set:
    return {
        (s.partner_id, s.person_id, s.run.program.name)
        for s in statements_visible_to(membership=membership).filter(
            run__program__name__in=["Commission", "SPIF"]
        )
    }


def test_partner_people_see_their_own_statements_only(a, second_finance):
    spif_and_commission_runs(a, second_finance)
    assert _seen(a.p_admin) == {
        (a.p.pk, None, "Commission"),
        (a.p.pk, a.p_rep.pk, "SPIF"),
        (a.p.pk, a.p_admin.pk, "SPIF"),
    }
    assert _seen(a.p_rep) == {(a.p.pk, a.p_rep.pk, "SPIF")}
    assert _seen(a.q_rep) == {(a.q.pk, a.q_rep.pk, "SPIF")}
    assert len(_seen(a.channel_manager)) == 5 and len(_seen(a.finance)) == 5


# --- payout profiles ----------------------------------------------------------------------------


def test_a_partner_admin_keeps_the_own_payout_profile_and_no_other(a):
    profile = payout_profile_save_own(
        partner=a.p,
        by=a.p_admin,
        legal_name=" P GmbH ",
        tax_id="DE1",
        address="",
        payment_details="IBAN",
    )
    assert (profile.legal_name, profile.tax_id, profile.updated_by_id) == (
        "P GmbH",
        "DE1",
        a.p_admin.pk,
    )
    again = payout_profile_save_own(partner=a.p, by=a.p_admin, tax_id="DE2")
    assert again.pk == profile.pk and (again.legal_name, again.tax_id) == ("P GmbH", "DE2")
    with pytest.raises(ValidationError):
        payout_profile_save_own(partner=a.q, by=a.p_admin, legal_name="Not mine")
    with pytest.raises(NotAllowed):
        payout_profile_save_own(partner=a.p, by=a.p_rep, legal_name="Rep")
    with pytest.raises(ValidationError):
        payout_profile_save_own(partner=a.p, by=a.p_admin, tax_id="x" * 61)
    assert not PayoutProfile.objects.filter(partner=a.q).exists()


def test_vendor_staff_who_manage_partners_keep_any_payout_profile(a):
    profile = payout_profile_save(partner=a.q, by=a.channel_manager, legal_name="Q SARL")
    assert profile.partner_id == a.q.pk
    with pytest.raises(NotAllowed):
        payout_profile_save(partner=a.q, by=a.finance, legal_name="Q")
    with pytest.raises(NotAllowed):
        payout_profile_save(partner=a.q, by=a.p_admin, legal_name="Q")


def test_each_tenant_counts_on_its_own(world, second_finance):
    with tenant_context(world.b.pk):
        before = counter()
    with tenant_context(world.a.pk):
        (run,) = commission_runs(world, second_finance, 1, 2)
        issue(run, world.finance)
    with tenant_context(world.b.pk):
        assert counter() == before


def test_the_renderer_fetches_no_url(tmp_path, caplog):
    """Even markup that got past the template's escaping reads no file."""
    from incentives.statement_pdf import pdf_of

    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not for statements")
    pdf = pdf_of(f'<html><body><img src="file://{secret}"><p>Text</p></body></html>')
    assert pdf.startswith(b"%PDF") and "Text" in pdf_text(pdf)
    assert "disallowed protocol" in caplog.text
