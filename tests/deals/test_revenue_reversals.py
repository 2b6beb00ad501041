"""Taking won revenue back: a negative line naming the line it reverses, never
more than is left of it (also when two people do it at once), and clear errors
for bad input."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from deals.models import RevenueLine
from deals.services.reversals import revenue_line_reverse
from prm.policies import NotAllowed
from prm.tenancy import tenant_context
from tests.concurrency import run_together
from tests.incentives.setup_incentives import D, partner, won

WON_ON = datetime.date(2026, 8, 15)
LATER = datetime.date(2026, 9, 1)


@pytest.fixture
def a(world):
    with tenant_context(world.a.pk):
        yield world


def test_part_of_a_line_is_taken_back_and_no_more_than_is_left(a):
    line = won(partner("Returner"), "1000.00", on=WON_ON)
    first = revenue_line_reverse(
        line=line, amount="400.00", closed_on=LATER, reason="credit note 17", by=a.channel_manager
    )
    assert (first.amount, first.reverses_id, first.source) == (D("-400.00"), line.pk, "reversal")
    with pytest.raises(ValidationError, match="600.00"):
        revenue_line_reverse(
            line=line, amount="600.01", closed_on=LATER, reason="too much", by=a.channel_manager
        )
    revenue_line_reverse(
        line=line, amount="600.00", closed_on=LATER, reason="the rest", by=a.channel_manager
    )
    assert RevenueLine.objects.filter(reverses=line).count() == 2


@pytest.mark.parametrize(
    "amount, closed_on, reason, field",
    [
        ("0", LATER, "r", "amount"),
        ("-5", LATER, "r", "amount"),
        ("abc", LATER, "r", "amount"),
        ("1.001", LATER, "r", "amount"),
        ("10", datetime.date(2026, 8, 14), "r", "closed_on"),
        ("10", datetime.date(2099, 1, 1), "r", "closed_on"),
        ("10", LATER, "  ", "reason"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(a, amount, closed_on, reason, field):
    line = won(partner("Careful"), "100.00", on=WON_ON)
    with pytest.raises(ValidationError) as error:
        revenue_line_reverse(
            line=line, amount=amount, closed_on=closed_on, reason=reason, by=a.channel_manager
        )
    assert field in error.value.message_dict
    assert not RevenueLine.objects.filter(reverses=line).exists()


def test_partner_people_and_finance_cannot_take_revenue_back(a):
    line = won(partner("Guarded"), "100.00", on=WON_ON)
    for member in (a.p_admin, a.p_rep, a.finance):
        with pytest.raises(NotAllowed):
            revenue_line_reverse(line=line, amount="1", closed_on=LATER, reason="r", by=member)


def test_two_reversals_at_once_never_take_back_more_than_the_line(tx_world):
    w = tx_world
    with tenant_context(w.a.pk):
        line = won(partner("Raced"), "100.00", on=WON_ON)

    def take(amount):
        def job():
            with tenant_context(w.a.pk):
                try:
                    revenue_line_reverse(
                        line=line, amount=amount, closed_on=LATER, reason="r", by=w.channel_manager
                    )
                    return "taken"
                except ValidationError:
                    return "refused"

        return job

    assert sorted(run_together(take("70.00"), take("60.00"))) == ["refused", "taken"]
    with tenant_context(w.a.pk):
        assert RevenueLine.objects.filter(reverses=line).count() == 1


def test_the_page_takes_revenue_back_and_the_list_shows_it(client, world):
    with tenant_context(world.a.pk):
        line = won(partner("Paged"), "100.00", on=WON_ON)
    client.force_login(world.channel_manager.user)
    url = reverse("console:revenue_reverse", kwargs={"tenant_slug": "vendor-a", "line_id": line.pk})
    bad = client.post(url, {"amount": "500", "closed_on": "2026-09-01", "reason": "x"})
    assert bad.status_code == 400 and b"left to take back" in bad.content
    client.post(url, {"amount": "25", "closed_on": "2026-09-01", "reason": "credit note 9"})
    listing = client.get(reverse("console:revenue", kwargs={"tenant_slug": "vendor-a"}))
    assert b"-25.00 USD" in listing.content and b"credit note 9" in listing.content
    client.force_login(world.finance.user)
    assert client.get(url).status_code == 403


CSV_HEADER = (
    "order_ref,registration_id,partner_domain,customer_domain,customer_name,"
    "product_code,amount,currency,closed_on,reverses_order_ref\n"
)


def _import(world, body: str):
    import io

    from deals.services.revenue import orders_import_csv

    with tenant_context(world.a.pk):
        return orders_import_csv(
            file=io.BytesIO((CSV_HEADER + body).encode()), by=world.channel_manager
        )


def test_a_credit_note_row_takes_back_an_imported_order_once(world):
    with tenant_context(world.a.pk):
        line = won(partner("Ordered"), "1000.00", on=WON_ON)
        RevenueLine.objects.filter(pk=line.pk).update(source="order_import", order_ref="SO-1")
    outcome = _import(world, "CN-1,,,,,CORE,-300.00,USD,2026-09-01,SO-1\n")
    assert (outcome.created, outcome.details["credited"]) == (0, 1)
    with tenant_context(world.a.pk):
        credit = RevenueLine.objects.get(reverses=line)
        assert (credit.amount, credit.order_ref, credit.source) == (
            D("-300.00"),
            "CN-1",
            "reversal",
        )
    again = _import(world, "CN-1,,,,,CORE,-300.00,USD,2026-09-01,SO-1\n")
    assert [p.column for p in again.problems] == ["order_ref"]
    too_much = _import(world, "CN-2,,,,,CORE,-700.01,USD,2026-09-01,SO-1\n")
    assert "700.00" in too_much.problems[0].message
    with tenant_context(world.a.pk):
        assert RevenueLine.objects.filter(reverses=line).count() == 1


@pytest.mark.parametrize(
    "row, column",
    [
        ("CN-3,,,,,CORE,-10.00,USD,2026-09-01,SO-404\n", "reverses_order_ref"),
        ("CN-3,,,,,CORE,10.00,USD,2026-09-01,SO-1\n", "amount"),
        ("CN-3,,,,,CORE,-10.00,EUR,2026-09-01,SO-1\n", "currency"),
        ("CN-3,,,,,CORE,-10.00,USD,2026-08-01,SO-1\n", "closed_on"),
    ],
)
def test_credit_note_rows_that_do_not_hold_write_nothing(world, row, column):
    with tenant_context(world.a.pk):
        line = won(partner("Strict"), "1000.00", on=WON_ON)
        RevenueLine.objects.filter(pk=line.pk).update(source="order_import", order_ref="SO-1")
    outcome = _import(world, row)
    assert [p.column for p in outcome.problems] == [column]
    with tenant_context(world.a.pk):
        assert not RevenueLine.objects.filter(reverses=line).exists()
