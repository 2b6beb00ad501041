"""Two partners, one customer, at the same moment: the database lets exactly one
registration be protected.  Each thread has its own connection and transaction."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from deals.models import DealProtection, DealRegistration
from deals.services import registrations as services
from prm.tenancy import tenant_context
from tests.concurrency import run_together
from tests.deals.test_registrations_support import build_catalogue, future, make


def _approve(world, registration):
    def job():
        with tenant_context(world.a.pk):
            services.registration_approve(registration=registration, by=world.channel_manager)
        return "approved"

    return job


def _state(world, *registrations):
    with tenant_context(world.a.pk):
        statuses = {r.pk: DealRegistration.objects.get(pk=r.pk).status for r in registrations}
        owners = set(
            DealProtection.objects.filter(
                registration_id__in=[r.pk for r in registrations]
            ).values_list("registration_id", flat=True)
        )
    return statuses, owners


@pytest.mark.parametrize(
    "q_name, q_domain",
    [("Acme, Incorporated", "acme.example"), ("ACME Inc", "")],
    ids=["same-domain", "same-key"],
)
def test_two_simultaneous_approvals_protect_exactly_one(tx_world, q_name, q_domain):
    world = tx_world
    cat = build_catalogue(world)
    submitted = {"status": "submitted", "submitted_at": timezone.now()}
    p_reg = make(
        world,
        world.p,
        world.p_rep.user,
        "Acme Inc.",
        "acme.example",
        [cat.analytics, cat.security],
        **submitted,
    )
    q_reg = make(world, world.q, world.q_rep.user, q_name, q_domain, [cat.security], **submitted)
    outcomes = run_together(_approve(world, p_reg), _approve(world, q_reg))

    assert sorted(map(str, outcomes)).count("approved") == 1, outcomes
    refused = [o for o in outcomes if o != "approved"]
    assert isinstance(refused[0], ValidationError) and "protects" in str(refused[0])
    statuses, owners = _state(world, p_reg, q_reg)
    assert sorted(statuses.values()) == ["approved", "submitted"]
    winner = next(pk for pk, status in statuses.items() if status == "approved")
    assert owners == {winner}


def test_simultaneous_submissions_and_approvals_end_with_one_protected(tx_world):
    world = tx_world
    cat = build_catalogue(world)

    def register_then_approve(membership, name):
        def job():
            with tenant_context(world.a.pk):
                registration = services.registration_create(
                    by=membership,
                    customer_name=name,
                    customer_domain="https://globex.example",
                    customer_country="US",
                    product_ids=[cat.analytics.pk],
                    estimated_value="5000",
                    currency="USD",
                    expected_close_date=future(),
                    stage="proposal",
                    submit=True,
                )
            with tenant_context(world.a.pk):
                services.registration_approve(registration=registration, by=world.channel_manager)
            return "approved"

        return job

    outcomes = run_together(
        register_then_approve(world.p_rep, "Globex Corporation"),
        register_then_approve(world.q_rep, "Globex Corp"),
    )
    assert list(map(str, outcomes)).count("approved") == 1, outcomes
    with tenant_context(world.a.pk):
        mine = DealRegistration.objects.filter(customer_domain="globex.example")
        assert sorted(mine.values_list("status", flat=True)) == ["approved", "submitted"]
        winner = mine.get(status="approved")
        assert set(
            DealProtection.objects.filter(registration__in=mine).values_list(
                "registration_id", flat=True
            )
        ) == {winner.pk}
