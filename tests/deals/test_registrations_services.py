"""The registration services: every transition, validation, protection, outcomes,
extensions and bulk decisions."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from deals.lifecycle import registration_transition
from deals.models import (
    DealConflict,
    DealProtection,
    DealRegistration,
    DealSettings,
    DirectAccount,
    Lead,
    RevenueLine,
)
from deals.models import RegistrationStatus as S
from deals.normalise import customer_key
from deals.services import registrations as services
from deals.states import TRANSITIONS
from partners.models import Agreement, Partner, PartnerStatusChange, Tier
from prm.models import AuditEvent
from prm.policies import NotAllowed
from tests.deals.test_registrations_support import (
    build_catalogue,
    fetch,
    future,
    in_a,
    make,
    transitions,
)


@pytest.fixture
def cat(world):
    return build_catalogue(world)


def _create(world, cat, membership=None, **overrides):
    args = {
        "by": membership or world.p_rep,
        "customer_name": "Umbrella Corp",
        "customer_domain": "jane@Umbrella.example",
        "customer_country": "de",
        "product_ids": [cat.analytics.pk],
        "estimated_value": "1000",
        "currency": "eur",
        "expected_close_date": future(),
        "stage": "proposal",
    }
    args.update(overrides)
    with in_a(world):
        return services.registration_create(**args)


def _count(world, model=DealRegistration):
    with in_a(world):
        return model.objects.count()


# --- creating -----------------------------------------------------------------------------


def test_create_normalises_and_records(world, cat):
    registration = _create(world, cat, customer_name="  Umbrella Corp. ")
    stored = fetch(world, registration)
    assert (stored.customer_name, stored.customer_key, stored.customer_domain) == (
        "Umbrella Corp.",
        "umbrella",
        "umbrella.example",
    )
    assert (stored.customer_country, stored.currency, stored.status) == ("DE", "EUR", "draft")
    assert stored.partner_id == world.p.pk and stored.registered_by_id == world.p_rep.user_id
    with in_a(world):
        assert list(stored.lines.values_list("product_id", flat=True)) == [cat.analytics.pk]
        assert AuditEvent.objects.filter(
            action="registration.created", target_id=stored.pk
        ).exists()


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"product_ids": [999999]}, "product_ids"),
        # a draft may leave the products out; registering at once may not
        ({"product_ids": [], "submit": True}, "product_ids"),
        ({"product_ids": ["retired"]}, "product_ids"),
        ({"estimated_value": "-1"}, "estimated_value"),
        ({"estimated_value": "lots"}, "estimated_value"),
        ({"expected_close_date": timezone.localdate() - datetime.timedelta(days=1)}, None),
        ({"currency": "EURO"}, "currency"),
        ({"customer_name": "  "}, "customer_name"),
        ({"customer_country": "Germany"}, "customer_country"),
        ({"customer_domain": "not a domain"}, "customer_domain"),
        ({"contact_email": "nobody"}, "contact_email"),
        ({"stage": "won"}, "stage"),
    ],
)
def test_create_rejects_bad_input_and_writes_nothing(world, cat, overrides, field):
    if overrides.get("product_ids") == ["retired"]:
        overrides = {"product_ids": [cat.retired.pk]}
    field = field or "expected_close_date"
    before = _count(world)
    with pytest.raises(ValidationError) as caught:
        _create(world, cat, **overrides)
    assert field in caught.value.message_dict
    assert _count(world) == before


def test_another_tenants_product_is_unknown(world, cat):
    with pytest.raises(ValidationError) as caught:
        _create(world, cat, product_ids=[cat.b_product.pk])
    assert "product_ids" in caught.value.message_dict


def test_only_active_partners_within_their_agreement_deadline_register(world, cat):
    with in_a(world):
        Partner.objects.filter(pk=world.q.pk).update(status="suspended")
    with pytest.raises(ValidationError, match="current status"):
        _create(world, cat, membership=world.q_rep)
    with in_a(world):
        Partner.objects.filter(pk=world.q.pk).update(status="active")
        world.q.agreement_acceptances.all().delete()
    # Not accepted yet, but Q joined today: its own accept-by date is ahead.
    assert _create(world, cat, membership=world.q_rep).partner_id == world.q.pk
    with in_a(world):
        long_ago = timezone.now() - datetime.timedelta(days=400)
        Partner.objects.filter(pk=world.q.pk).update(created_at=long_ago)
        PartnerStatusChange.objects.filter(partner=world.q).update(created_at=long_ago)
        Agreement.objects.update(published_at=long_ago)  # its 30 days are long over
    with pytest.raises(ValidationError, match="agreement"):
        _create(world, cat, membership=world.q_rep, customer_name="Later Ltd")
    with pytest.raises(NotAllowed):  # vendor staff do not register deals
        _create(world, cat, membership=world.channel_manager)


def test_create_and_submit_records_conflicts(world, cat):
    first = _create(world, cat, submit=True)
    second = _create(world, cat, membership=world.q_rep, customer_name="Umbrella", submit=True)
    assert fetch(world, second).status == "submitted" and fetch(world, second).submitted_at
    with in_a(world):
        rivals = list(
            DealConflict.objects.filter(registration=second).values_list(
                "other_registration_id", flat=True
            )
        )
    assert rivals == [first.pk]


def test_a_lead_converts_once_and_only_for_its_partner(world, cat):
    with in_a(world):
        lead = Lead.objects.create(
            company_name="Lead Co", country="DE", status="accepted", partner=world.p
        )
    with pytest.raises(ValidationError):
        _create(world, cat, membership=world.q_rep, lead=lead)
    registration = _create(world, cat, lead=lead)
    with in_a(world):
        assert Lead.objects.get(pk=lead.pk).status == "converted"
    assert fetch(world, registration).lead_id == lead.pk
    before = _count(world)
    with pytest.raises(ValidationError):
        _create(world, cat, lead=lead)
    assert _count(world) == before


def test_update_only_while_editable_and_by_the_owner(world, cat):
    registration = _create(world, cat)
    data = {
        "customer_name": "Umbrella Holdings",
        "customer_domain": "",
        "customer_country": "FR",
        "contact_name": "",
        "contact_email": "",
        "contact_phone": "",
        "product_ids": [cat.security.pk],
        "estimated_value": "5",
        "currency": "USD",
        "expected_close_date": future(10),
        "stage": "commit",
        "notes": "",
    }
    with in_a(world), pytest.raises(ValidationError):
        services.registration_update(registration=registration, by=world.q_rep, **data)
    with in_a(world):
        services.registration_update(registration=registration, by=world.p_admin, **data)
        stored = DealRegistration.objects.get(pk=registration.pk)
        assert (stored.customer_key, stored.customer_country, stored.stage) == (
            "umbrella",
            "FR",
            "commit",
        )
        assert list(stored.lines.values_list("product_id", flat=True)) == [cat.security.pk]
        services.registration_submit(registration=stored, by=world.p_rep)
        with pytest.raises(ValidationError, match="no longer be edited"):
            services.registration_update(registration=stored, by=world.p_rep, **data)


# --- every transition -----------------------------------------------------------------------

ALL = list(S.values)


def _act(world, cat, registration, to_status):
    by = world.channel_manager
    if to_status == S.SUBMITTED:
        return services.registration_submit(registration=registration, by=world.p_rep)
    if to_status == S.APPROVED:
        return services.registration_approve(registration=registration, by=by)
    if to_status == S.REJECTED:
        return services.registration_reject(registration=registration, by=by, reason="No fit")
    if to_status == S.MORE_INFO:
        return services.registration_request_info(
            registration=registration, by=by, reason="Which site?"
        )
    if to_status == S.WON:
        return services.registration_mark_won(
            registration=registration,
            by=world.p_rep,
            won_amount="1000",
            closed_on=timezone.localdate(),
            lines=[(cat.analytics.pk, "1000")],
        )
    if to_status == S.LOST:
        return services.registration_mark_lost(
            registration=registration, by=world.p_rep, reason="Budget cut"
        )
    return registration_transition(registration=registration, to_status=to_status, actor=None)


@pytest.mark.parametrize("to_status", [s for s in ALL if s != S.DRAFT])
@pytest.mark.parametrize("from_status", ALL)
def test_every_transition_is_legal_or_refused(world, cat, from_status, to_status):
    registration = make(
        world,
        world.p,
        world.p_rep.user,
        name=f"Transit {from_status} {to_status}",
        domain="",
        products=[cat.analytics],
        status=from_status,
        protected_until=future(30) if from_status == S.APPROVED else None,
    )
    legal = to_status in TRANSITIONS[from_status]
    with in_a(world):
        if legal:
            _act(world, cat, registration, to_status)
        else:
            with pytest.raises(ValidationError):
                _act(world, cat, registration, to_status)
    stored = fetch(world, registration)
    if legal:
        assert stored.status == to_status
        assert transitions(world, registration) == [(from_status, to_status)]
    else:
        assert stored.status == from_status
        assert transitions(world, registration) == []


def test_the_table_has_no_way_back_to_draft_and_closes_final_states():
    assert all(S.DRAFT not in targets for targets in TRANSITIONS.values())
    assert all(not TRANSITIONS[s] for s in (S.REJECTED, S.WON, S.LOST, S.EXPIRED))


# --- approval and protection ----------------------------------------------------------------


def _submitted(world, cat, partner, user, name="Hooli", domain="hooli.example", products=None):
    return make(
        world,
        partner,
        user,
        name=name,
        domain=domain,
        products=products or [cat.analytics],
        status="submitted",
        submitted_at=timezone.now(),
    )


def test_approval_protects_for_the_default_or_the_tier_days(world, cat):
    with in_a(world):
        DealSettings.objects.update(protection_days=45)
    first = _submitted(world, cat, world.p, world.p_rep.user)
    with in_a(world):
        services.registration_approve(registration=first, by=world.channel_manager, reason="ok")
        stored = DealRegistration.objects.get(pk=first.pk)
        assert stored.protected_until == timezone.localdate() + datetime.timedelta(days=45)
        assert stored.decided_by_id == world.channel_manager.user_id and stored.decided_at
        assert set(
            DealProtection.objects.filter(registration=first).values_list(
                "customer_key", "product_id"
            )
        ) == {("hooli", cat.analytics.pk), ("hooli.example", cat.analytics.pk)}
        gold = Tier.objects.create(name="Gold", rank=5, protection_days=120)
        Partner.objects.filter(pk=world.q.pk).update(tier=gold)
    second = _submitted(world, cat, world.q, world.q_rep.user, name="Pied Piper", domain="")
    with in_a(world):
        services.registration_approve(registration=second, by=world.channel_manager)
        assert DealRegistration.objects.get(
            pk=second.pk
        ).protected_until == timezone.localdate() + datetime.timedelta(days=120)


@pytest.mark.parametrize("rule", ["first_approved", "manager_decides"])
def test_a_protected_competitor_blocks_approval_entirely(world, cat, rule):
    with in_a(world):
        DealSettings.objects.update(engagement_rule=rule)
    winner = _submitted(world, cat, world.p, world.p_rep.user)
    loser = _submitted(world, cat, world.q, world.q_rep.user, name="Hooli Inc.", domain="")
    with in_a(world):
        services.registration_approve(registration=winner, by=world.channel_manager)
        with pytest.raises(ValidationError, match="already protects"):
            services.registration_approve(registration=loser, by=world.channel_manager)
        assert loser.status == "submitted"
        stored = DealRegistration.objects.get(pk=loser.pk)
        assert (stored.status, stored.protected_until, stored.decided_by_id) == (
            "submitted",
            None,
            None,
        )
        assert not DealProtection.objects.filter(registration=loser).exists()
    assert transitions(world, loser) == []


def test_direct_accounts_off_limits_refuse_approval_unless_allowed(world, cat):
    with in_a(world):
        DirectAccount.objects.create(
            name="Stark Industries", name_key=customer_key("Stark Industries"), domain="stark.ex"
        )
    registration = _submitted(world, cat, world.p, world.p_rep.user, "Stark Industries", "")
    with in_a(world), pytest.raises(ValidationError, match="direct accounts"):
        services.registration_approve(registration=registration, by=world.channel_manager)
    assert fetch(world, registration).status == "submitted"
    with in_a(world):
        DealSettings.objects.update(direct_accounts_off_limits=False)
        services.registration_approve(registration=registration, by=world.channel_manager)
    assert fetch(world, registration).status == "approved"


def test_finance_and_partners_cannot_decide(world, cat):
    registration = _submitted(world, cat, world.p, world.p_rep.user)
    for who in (world.finance, world.p_admin):
        with in_a(world), pytest.raises(NotAllowed):
            services.registration_approve(registration=registration, by=who)
    assert fetch(world, registration).status == "submitted"


def test_reject_and_request_info_need_a_reason(world, cat):
    registration = _submitted(world, cat, world.p, world.p_rep.user)
    with in_a(world):
        for action in (services.registration_reject, services.registration_request_info):
            with pytest.raises(ValidationError) as caught:
                action(registration=registration, by=world.channel_manager, reason="  ")
            assert "reason" in caught.value.message_dict
    assert fetch(world, registration).status == "submitted"


# --- outcomes --------------------------------------------------------------------------------


def _approved(world, cat, products=None):
    registration = _submitted(world, cat, world.p, world.p_rep.user, products=products)
    with in_a(world):
        services.registration_approve(registration=registration, by=world.channel_manager)
    return fetch(world, registration)


def test_won_creates_revenue_lines_and_releases_protection(world, cat):
    registration = _approved(world, cat, products=[cat.analytics, cat.security])
    with in_a(world):
        services.registration_mark_won(
            registration=registration,
            by=world.p_rep,
            won_amount=Decimal("1500.00"),
            closed_on=timezone.localdate(),
            lines=[(cat.analytics, "1000"), (cat.security.pk, "500.00")],
        )
        lines = set(
            RevenueLine.objects.filter(registration=registration).values_list(
                "product_id", "amount", "currency", "source", "partner_id", "closed_on"
            )
        )
        assert not DealProtection.objects.filter(registration=registration).exists()
    today = timezone.localdate()
    assert lines == {
        (cat.analytics.pk, Decimal("1000.00"), "EUR", "registration", world.p.pk, today),
        (cat.security.pk, Decimal("500.00"), "EUR", "registration", world.p.pk, today),
    }
    stored = fetch(world, registration)
    assert (stored.status, stored.won_amount) == ("won", Decimal("1500.00"))


@pytest.mark.parametrize(
    "amount, lines, field",
    [
        ("1000", [("analytics", "900")], "lines"),
        ("1000", [("analytics", "1000"), ("analytics", "0")], "lines"),
        ("1000", [(999999, "1000")], "lines"),
        ("1000", [("b_product", "1000")], "lines"),
        ("-5", [("analytics", "-5")], "won_amount"),
        ("1000", [], "lines"),
    ],
)
def test_won_rejects_bad_lines_and_writes_nothing(world, cat, amount, lines, field):
    registration = _approved(world, cat)
    lines = [(getattr(cat, p).pk if isinstance(p, str) else p, a) for p, a in lines]
    with in_a(world), pytest.raises(ValidationError) as caught:
        services.registration_mark_won(
            registration=registration,
            by=world.p_rep,
            won_amount=amount,
            closed_on=timezone.localdate(),
            lines=lines,
        )
    assert field in caught.value.message_dict
    assert fetch(world, registration).status == "approved"
    with in_a(world):
        assert not RevenueLine.objects.filter(registration=registration).exists()
        assert DealProtection.objects.filter(registration=registration).exists()


def test_lost_needs_a_reason_and_releases_protection(world, cat):
    registration = _approved(world, cat)
    with in_a(world):
        with pytest.raises(ValidationError):
            services.registration_mark_lost(registration=registration, by=world.p_rep, reason="")
        with pytest.raises(ValidationError):
            services.registration_mark_lost(
                registration=registration, by=world.q_rep, reason="Price"
            )
        services.registration_mark_lost(
            registration=registration, by=world.p_rep, reason="Price", competitor="Initrode"
        )
        assert not DealProtection.objects.filter(registration=registration).exists()
    stored = fetch(world, registration)
    assert (stored.status, stored.lost_reason, stored.competitor) == ("lost", "Price", "Initrode")


# --- extensions -------------------------------------------------------------------------------


def test_extensions_up_to_the_cap(world, cat):
    with in_a(world):
        DealSettings.objects.update(max_extensions=1, extension_days=30)
    registration = _approved(world, cat)
    until = registration.protected_until
    with in_a(world):
        DealRegistration.objects.filter(pk=registration.pk).update(reminder_sent_for=until)
        with pytest.raises(ValidationError):
            services.extension_request(registration=registration, by=world.p_rep, reason="")
        with pytest.raises(ValidationError):
            services.extension_request(
                registration=registration, by=world.q_rep, reason="Need time"
            )
        services.extension_request(registration=registration, by=world.p_rep, reason="Need time")
        with pytest.raises(ValidationError, match="already waiting"):
            services.extension_request(registration=registration, by=world.p_rep, reason="Again")
        services.extension_decide(registration=registration, by=world.channel_manager, grant=True)
        stored = DealRegistration.objects.get(pk=registration.pk)
        assert stored.protected_until == until + datetime.timedelta(days=30)
        assert (stored.extensions_used, stored.extension_requested_at) == (1, None)
        assert stored.reminder_sent_for is None
        with pytest.raises(ValidationError, match="all 1 extensions"):
            services.extension_request(registration=stored, by=world.p_rep, reason="One more")


def test_refusing_an_extension_needs_a_reason_and_keeps_the_window(world, cat):
    registration = _approved(world, cat)
    with in_a(world):
        services.extension_request(registration=registration, by=world.p_rep, reason="x")
        with pytest.raises(ValidationError):
            services.extension_decide(
                registration=registration, by=world.channel_manager, grant=False
            )
        services.extension_decide(
            registration=registration, by=world.channel_manager, grant=False, reason="Stalled"
        )
        stored = DealRegistration.objects.get(pk=registration.pk)
        assert (stored.protected_until, stored.extensions_used) == (
            registration.protected_until,
            0,
        )
        assert stored.extension_requested_at is None
        with pytest.raises(ValidationError, match="no extension request"):
            services.extension_decide(registration=stored, by=world.channel_manager, grant=True)


# --- bulk -------------------------------------------------------------------------------------


def test_bulk_decisions_are_independent(world, cat):
    good = _submitted(world, cat, world.p, world.p_rep.user, name="Alpha", domain="alpha.ex")
    rival = _submitted(world, cat, world.q, world.q_rep.user, name="Alpha", domain="alpha.ex")
    draft = make(world, world.p, world.p_rep.user, name="Beta", products=[cat.analytics])
    with in_a(world):
        results = services.registrations_bulk_decide(
            ids=[good.pk, rival.pk, draft.pk, 999999],
            by=world.channel_manager,
            approve=True,
            reason="",
        )
    outcome = {r.registration_id: r.ok for r in results}
    assert outcome == {good.pk: True, rival.pk: False, draft.pk: False, 999999: False}
    assert [fetch(world, r).status for r in (good, rival, draft)] == [
        "approved",
        "submitted",
        "draft",
    ]
    with in_a(world), pytest.raises(ValidationError):
        services.registrations_bulk_decide(
            ids=[rival.pk], by=world.channel_manager, approve=False, reason=" "
        )
    assert fetch(world, rival).status == "submitted"


@pytest.mark.parametrize("closed_on", [datetime.date(1, 1, 1), datetime.date(2001, 1, 1)])
def test_a_deal_cannot_be_won_in_an_implausible_year(world, cat, closed_on):
    registration = _approved(world, cat)
    with in_a(world), pytest.raises(ValidationError) as refused:
        services.registration_mark_won(
            registration=registration,
            by=world.p_rep,
            won_amount="10",
            closed_on=closed_on,
            lines=[(cat.analytics, "10")],
        )
    assert "closed_on" in refused.value.message_dict
    assert fetch(world, registration).status == "approved"


def test_an_expected_close_in_9999_is_refused(world, cat):
    with in_a(world), pytest.raises(ValidationError) as refused:
        _create(world, cat, expected_close_date=datetime.date(9999, 12, 31))
    assert "expected_close_date" in refused.value.message_dict


def test_a_two_megabyte_note_is_refused_and_nothing_is_written(world, cat):
    before = _count_all(world)
    with in_a(world), pytest.raises(ValidationError) as refused:
        _create(world, cat, notes="x" * (2 * 1024 * 1024))
    assert "notes" in refused.value.message_dict
    assert _count_all(world) == before


def _count_all(world) -> int:
    with in_a(world):
        return DealRegistration.objects.count()
