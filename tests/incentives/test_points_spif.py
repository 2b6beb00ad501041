"""A SPIF that pays in points: the registrant of a qualifying won deal earns
the program's points once, and the program has no payout runs."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from deals.services.registrations import (
    registration_approve,
    registration_mark_won,
    registration_submit,
)
from incentives.models import ExchangeRate, PayoutRun, PointsEntry
from incentives.points_spif import event_of
from incentives.program_rules import ProgramTerms, terms_check
from incentives.rules_text import program_rules_in_words
from incentives.services.runs import payout_run_create, payout_runs_schedule
from prm.events import event_record_many
from prm.tenancy import tenant_context
from tests.deals.setup_deal_data import product, register
from tests.incentives.setup_incentives import D, finance, program
from tests.incentives.setup_points import balance_of

CLOSED = datetime.date(2026, 8, 1)


def points_spif(**terms):
    defaults = dict(
        name="Security points SPIF", pays_in="points", fixed_amount=D("500"), min_deal_amount=None
    )
    return program("spif", **{**defaults, **terms})


def win(partner, person, customer, amount, *, currency="USD", submit=True):
    registration = register(
        partner, person.user, customer, status="draft" if submit else "approved"
    )
    registration.currency = currency
    registration.save(update_fields=["currency"])
    if submit:
        registration_submit(registration=registration, by=person)
        registration_approve(registration=registration, by=finance_or_manager())
    registration_mark_won(
        registration=registration,
        by=finance_or_manager(),
        won_amount=amount,
        closed_on=CLOSED,
        lines=[(product(), amount)],
    )
    return registration


def finance_or_manager():
    from tests.world import staff

    return staff()


def spif_points(person, spif):
    return list(
        PointsEntry.objects.filter(membership=person, event=event_of(spif)).values_list(
            "source_id", "points"
        )
    )


def test_a_qualifying_win_earns_the_registrant_the_points_once(world):
    with tenant_context(world.a.pk):
        spif = points_spif(min_deal_amount=D("10000.00"))
        big = win(world.p, world.p_rep, "Initech", "12000.00")
        win(world.p, world.p_rep, "Hooli", "9999.99")  # below the minimum
        assert spif_points(world.p_rep, spif) == [(big.pk, 500)]
        assert balance_of(world.p_rep, world.p) == (500, 0)
        # Recorded again (a re-import), it earns nothing more.
        event_record_many(
            "deal_won",
            [
                {
                    "membership_id": world.p_rep.pk,
                    "partner_id": world.p.pk,
                    "source_id": big.pk,
                    "amount": "12000.00",
                    "happened_on": CLOSED,
                }
            ]
            * 2,
        )
        assert spif_points(world.p_rep, spif) == [(big.pk, 500)]
        assert "earns 500 points" in " ".join(program_rules_in_words(spif))


def test_the_minimum_is_compared_in_the_programs_currency_and_eligibility_holds(world):
    with tenant_context(world.a.pk):
        spif = points_spif(min_deal_amount=D("10000.00"), eligible_types=("reseller",))
        ExchangeRate.objects.create(
            currency="EUR", to_currency="USD", rate=D("1.10"), effective_on=CLOSED
        )
        euro = win(world.p, world.p_rep, "Initech", "9500.00", currency="EUR")  # 10,450 USD
        win(world.p, world.p_rep, "Hooli", "9000.00", currency="GBP")  # no rate: not comparable
        # Q (an MSP) is not eligible.
        win(world.q, world.q_rep, "Umbrella", "50000.00", submit=False)
        assert spif_points(world.p_rep, spif) == [(euro.pk, 500)]
        assert spif_points(world.q_rep, spif) == []


def test_a_points_spif_has_no_payout_runs_and_checks_its_terms(world):
    with tenant_context(world.a.pk):
        spif = points_spif()
        with pytest.raises(ValidationError, match="points"):
            payout_run_create(program=spif, day=CLOSED, by=finance())
        payout_runs_schedule(today=datetime.date(2026, 12, 5))
        assert not PayoutRun.objects.filter(program=spif).exists()
    base = dict(
        name="X",
        kind="spif",
        calendar="quarterly",
        starts_on=CLOSED,
        ends_on=CLOSED,
        currency="USD",
        pays_in="points",
    )
    for terms, field in (
        ({"fixed_amount": D("12.5")}, "fixed_amount"),
        ({"fixed_amount": D("0")}, "fixed_amount"),
        ({"percent": D("5")}, "fixed_amount"),
        ({"kind": "commission", "fixed_amount": D("5")}, "pays_in"),
    ):
        with pytest.raises(ValidationError) as refused:
            terms_check(ProgramTerms(**{**base, **terms}))
        assert field in refused.value.message_dict, terms
