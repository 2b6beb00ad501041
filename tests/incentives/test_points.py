"""Partner points: events award a rule's points once, redemptions hold and
return points, bad input is refused with nothing written, and expiry is
first in first out and happens once."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction

from deals.models import DealRegistration
from deals.services.leads import lead_create
from deals.services.offers import lead_offer, offer_accept
from deals.services.registrations import (
    registration_approve,
    registration_mark_won,
    registration_submit,
)
from incentives.models import (
    EarningRule,
    PointsBalance,
    PointsEntry,
    PointsReminder,
    PointsSettings,
    Redemption,
    Reward,
)
from incentives.notifications import POINTS_EXPIRING
from incentives.points_ledger import add_months
from incentives.services.points import (
    earning_rule_create,
    earning_rule_deactivate,
    earning_rule_update,
    points_adjust,
    points_settings_save,
)
from incentives.services.points_expiry import points_expire, points_expiry_remind
from incentives.services.rewards import (
    redemption_fulfil,
    redemption_reject,
    redemption_request,
    reward_create,
)
from partners.models import PartnerOnboarding
from partners.services.onboarding import onboarding_refresh
from partners.services.organisations import partner_profile_update
from prm.events import event_kinds, event_record_many
from prm.models import Notification, OutboxMessage
from prm.policies import NotAllowed
from prm.tenancy import tenant_context
from tests.deals.setup_deal_data import product, register
from tests.incentives.setup_points import (
    balance_of,
    days_ago,
    earn,
    give,
    ledger_sum,
    png,
    png_bytes,
    reward,
    rule,
)

D = Decimal


def earned(person, event=None):
    entries = PointsEntry.objects.filter(membership=person, kind="earned")
    if event:
        entries = entries.filter(event=event)
    return list(entries.values_list("event", "source_id", "points"))


# --- the event registry and earning ------------------------------------------------------


def test_the_apps_register_their_events_with_the_core():
    kinds = event_kinds()
    assert {
        "deal_registered",
        "registration_approved",
        "deal_won",
        "lead_accepted_in_sla",
        "onboarding_finished",
        "profile_completed",
    } <= set(kinds)
    assert kinds["deal_won"].per_amount and not kinds["deal_registered"].per_amount
    assert kinds["onboarding_finished"].organisation


def test_a_registration_earns_its_registrant_points_when_submitted_approved_and_won(world):
    with tenant_context(world.a.pk):
        rule("deal_registered", 100)
        rule("registration_approved", 50)
        rule("deal_won", 10, per_amount="1000")
        registration = register(world.p, world.p_rep.user, "Initech", status="draft")
        registration_submit(registration=registration, by=world.p_rep)
        registration_approve(registration=registration, by=world.channel_manager)
        registration_mark_won(
            registration=registration,
            by=world.channel_manager,
            won_amount="2999.99",
            closed_on=datetime.date(2026, 8, 1),
            lines=[(product(), "2999.99")],
        )
        # 2,999.99 at 10 points per 1,000 is rounded down to 20.
        assert sorted(earned(world.p_rep)) == [
            ("deal_registered", registration.pk, 100),
            ("deal_won", registration.pk, 20),
            ("registration_approved", registration.pk, 50),
        ]
        assert balance_of(world.p_rep, world.p) == (170, 0)
        assert ledger_sum(world.p_rep, world.p) == 170


def test_recording_an_event_twice_earns_once(world):
    with tenant_context(world.a.pk):
        rule("deal_registered", 100)
        for _ in range(2):
            earn(world.p_rep, world.p, 100, source_id=7)
        event_record_many(
            "deal_registered",
            [{"membership_id": world.p_rep.pk, "partner_id": world.p.pk, "source_id": 7}] * 3,
        )
        assert earned(world.p_rep) == [("deal_registered", 7, 100)]
        assert balance_of(world.p_rep, world.p) == (100, 0)
        # The database refuses a second earned entry for the same source and person.
        with pytest.raises(IntegrityError), transaction.atomic():
            PointsEntry.objects.create(
                membership=world.p_rep,
                partner=world.p,
                kind="earned",
                points=1,
                event="deal_registered",
                source_id=7,
                happened_on=days_ago(0),
            )


def test_an_inactive_rule_or_no_rule_awards_nothing(world):
    with tenant_context(world.a.pk):
        earn(world.p_rep, world.p, 0, source_id=1)
        active = rule("deal_registered", 100)
        earning_rule_deactivate(rule=active, by=world.channel_manager)
        earn(world.p_rep, world.p, 0, source_id=2)
        assert earned(world.p_rep) == []
        assert balance_of(world.p_rep, world.p) == (0, 0)


def test_a_changed_rule_applies_to_later_events_only(world):
    with tenant_context(world.a.pk):
        current = rule("deal_registered", 100)
        earn(world.p_rep, world.p, 100, source_id=1)
        earning_rule_update(rule=current, points=40, by=world.channel_manager)
        earn(world.p_rep, world.p, 40, source_id=2)
        assert sorted(p for _e, _s, p in earned(world.p_rep)) == [40, 100]


def test_deal_won_per_deal_and_a_batch_of_imported_wins(world):
    with tenant_context(world.a.pk):
        rule("deal_won", 25)
        event_record_many(
            "deal_won",
            [
                {
                    "membership_id": world.p_rep.pk,
                    "partner_id": world.p.pk,
                    "source_id": n,
                    "amount": "500",
                }
                for n in range(1, 4)
            ],
        )
        assert balance_of(world.p_rep, world.p) == (75, 0)


def test_a_lead_accepted_in_time_earns_the_accepting_person_points(world):
    with tenant_context(world.a.pk):
        rule("lead_accepted_in_sla", 30)
        lead = lead_create(by=world.channel_manager, company_name="Globe AG", country="DE")
        offer = lead_offer(lead=lead, partner=world.p, by=world.channel_manager)
        offer_accept(offer=offer, by=world.p_rep)
        assert earned(world.p_rep) == [("lead_accepted_in_sla", lead.pk, 30)]


def test_onboarding_finished_and_profile_completed_earn_the_partner_admin_once(world):
    with tenant_context(world.a.pk):
        rule("onboarding_finished", 200)
        rule("profile_completed", 40)
        PartnerOnboarding.objects.filter(partner=world.p).delete()
        onboarding = PartnerOnboarding.objects.create(
            partner=world.p, plan=_a_plan(), started_on=days_ago(3)
        )
        onboarding_refresh(partner_ids=[world.p.pk])
        onboarding_refresh(partner_ids=[world.p.pk])
        assert earned(world.p_admin, "onboarding_finished") == [
            ("onboarding_finished", onboarding.pk, 200)
        ]
        world.p.refresh_from_db()
        for field in ("website", "strengths", "markets"):
            setattr(world.p, field, "")
        world.p.save()
        fields = {
            "website": "https://p.example",
            "strengths": "Cloud",
            "markets": "SMB",
            "industries": ["retail"],
        }
        world.p.country = "DE"
        world.p.save()
        partner_profile_update(partner=world.p, by=world.p_admin, **fields)
        partner_profile_update(partner=world.p, by=world.p_admin, markets="")
        partner_profile_update(partner=world.p, by=world.p_admin, markets="Mid-market")
        assert earned(world.p_admin, "profile_completed") == [("profile_completed", world.p.pk, 40)]
        assert not earned(world.p_rep)


def _a_plan():
    from partners.models import OnboardingPlan

    return OnboardingPlan.objects.create(name="Points plan", partner_type="reseller-x")


# --- redemptions ---------------------------------------------------------------------------


def test_redeeming_holds_points_rejecting_returns_them_fulfilling_spends_them(world):
    with tenant_context(world.a.pk):
        mails = OutboxMessage.objects.filter(task_name="prm.notification_email")
        mails_before = mails.count()
        give(world.p_rep, 100)
        mug = reward(cost=60, stock=2)
        first = redemption_request(reward=mug, by=world.p_rep)
        assert balance_of(world.p_rep, world.p) == (40, 60)
        assert Reward.objects.get(pk=mug.pk).stock == 1
        redemption_reject(redemption=first, reason="Out of mugs", by=world.channel_manager)
        assert balance_of(world.p_rep, world.p) == (100, 0)
        assert Reward.objects.get(pk=mug.pk).stock == 2
        second = redemption_request(reward=mug, by=world.p_rep)
        redemption_fulfil(redemption=second, by=world.channel_manager)
        assert balance_of(world.p_rep, world.p) == (40, 0)
        assert ledger_sum(world.p_rep, world.p) == 40
        kinds = list(
            PointsEntry.objects.filter(membership=world.p_rep)
            .order_by("pk")
            .values_list("kind", "points")
        )
        assert kinds == [("adjusted", 100), ("redeemed", -60), ("returned", 60), ("redeemed", -60)]
        with pytest.raises(ValidationError, match="decided already"):
            redemption_reject(redemption=second, reason="x", by=world.channel_manager)
        # Each decision told the person, once, and by e-mail.
        told = Notification.objects.filter(kind="redemption_decided")
        assert sorted(told.values_list("recipient_id", "event")) == [
            (world.p_rep.pk, f"redemption:{first.pk}:rejected"),
            (world.p_rep.pk, f"redemption:{second.pk}:fulfilled"),
        ]
        assert mails.count() == mails_before + 2


def test_redeeming_more_than_the_balance_is_refused_and_writes_nothing(world):
    with tenant_context(world.a.pk):
        give(world.p_rep, 50)
        tv = reward(cost=80, stock=1)
        entries = PointsEntry.objects.count()
        with pytest.raises(ValidationError, match="You have 50 points; “Reward 80” needs 80"):
            redemption_request(reward=tv, by=world.p_rep)
        assert PointsEntry.objects.count() == entries
        assert not Redemption.objects.filter(reward=tv).exists()
        assert Reward.objects.get(pk=tv.pk).stock == 1
        assert balance_of(world.p_rep, world.p) == (50, 0)


def test_an_out_of_stock_or_withdrawn_reward_cannot_be_redeemed(world):
    with tenant_context(world.a.pk):
        give(world.p_rep, 500)
        last = reward(cost=10, stock=1)
        redemption_request(reward=last, by=world.p_rep)
        with pytest.raises(ValidationError, match="no longer available"):
            redemption_request(reward=last, by=world.p_rep)
        assert balance_of(world.p_rep, world.p) == (490, 10)


def test_the_balance_can_never_go_below_zero_in_the_database(world):
    with tenant_context(world.a.pk):
        give(world.p_rep, 5)
        with pytest.raises(IntegrityError), transaction.atomic():
            PointsBalance.objects.filter(membership=world.p_rep).update(balance=-1)


def test_the_ledger_is_append_only(world):
    with tenant_context(world.a.pk):
        give(world.p_rep, 5)
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
            PointsEntry.objects.filter(membership=world.p_rep).update(points=500)
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM incentives_pointsentry")


def test_only_partner_people_redeem_and_only_vendor_staff_decide(world):
    with tenant_context(world.a.pk):
        mug = reward(cost=1)
        with pytest.raises(NotAllowed):
            redemption_request(reward=mug, by=world.channel_manager)
        give(world.p_rep, 5)
        redemption = redemption_request(reward=mug, by=world.p_rep)
        for member in (world.p_admin, world.finance):
            with pytest.raises(NotAllowed):
                redemption_fulfil(redemption=redemption, by=member)


# --- adjustments and bad input -------------------------------------------------------------


def test_an_adjustment_takes_back_at_most_the_balance(world):
    with tenant_context(world.a.pk):
        give(world.p_rep, 30)
        points_adjust(person=world.p_rep, points="-10", reason="Duplicate", by=world.vendor_admin)
        with pytest.raises(ValidationError, match="has 20 points"):
            points_adjust(person=world.p_rep, points=-21, reason="Too much", by=world.vendor_admin)
        assert balance_of(world.p_rep, world.p) == (20, 0)
        with pytest.raises(NotAllowed):
            points_adjust(person=world.p_rep, points=5, reason="x", by=world.finance)


@pytest.mark.parametrize(
    "points, reason, message",
    [
        ("0", "x", "above or below zero"),
        ("1.5", "x", "whole number"),
        ("ten", "x", "whole number"),
        ("NaN", "x", "whole number"),
        ("2000001", "x", "at most"),
        ("5", "   ", "Say why"),
    ],
)
def test_bad_adjustments_are_refused(world, points, reason, message):
    with tenant_context(world.a.pk):
        with pytest.raises(ValidationError, match=message):
            points_adjust(person=world.p_rep, points=points, reason=reason, by=world.vendor_admin)
        assert not PointsEntry.objects.filter(membership=world.p_rep).exists()
        with pytest.raises(ValidationError, match="partner's people"):
            points_adjust(person=world.finance, points=5, reason="x", by=world.vendor_admin)


@pytest.mark.parametrize(
    "event, points, per_amount, field",
    [
        ("deal_registered", "0", None, "points"),
        ("deal_registered", "-5", None, "points"),
        ("deal_registered", "2.5", None, "points"),
        ("deal_registered", "", None, "points"),
        ("no_such_event", "5", None, "event"),
        ("deal_registered", "5", "1000", "per_amount"),
        ("deal_won", "5", "0", "per_amount"),
        ("deal_won", "5", "-100", "per_amount"),
        ("deal_won", "5", "abc", "per_amount"),
        ("deal_won", "5", "0.001", "per_amount"),
    ],
)
def test_rules_with_bad_values_are_refused(world, event, points, per_amount, field):
    with tenant_context(world.a.pk):
        before = EarningRule.objects.count()
        with pytest.raises(ValidationError) as refused:
            earning_rule_create(
                event=event, points=points, per_amount=per_amount, by=world.channel_manager
            )
        assert field in refused.value.message_dict
        assert EarningRule.objects.count() == before


def test_one_active_rule_per_event(world):
    with tenant_context(world.a.pk):
        rule("deal_registered", 10)
        with pytest.raises(ValidationError, match="active rule already"):
            rule("deal_registered", 20)


@pytest.mark.parametrize("cost", ["0", "-10", "1.5", ""])
def test_rewards_with_zero_negative_or_fractional_costs_are_refused(world, cost):
    with tenant_context(world.a.pk):
        with pytest.raises(ValidationError) as refused:
            reward_create(name="Mug", cost=cost, by=world.channel_manager)
        assert "cost" in refused.value.message_dict
        assert not Reward.objects.filter(name="Mug").exists()


@pytest.mark.parametrize(
    "content",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b"<!doctype html><html><body>hello</body></html>",
        b"%PDF-1.4 not an image",
    ],
)
def test_an_image_whose_content_is_not_a_png_or_jpeg_is_refused(world, settings, tmp_path, content):
    settings.MEDIA_ROOT = str(tmp_path)
    with tenant_context(world.a.pk):
        with pytest.raises(ValidationError) as refused:
            reward_create(
                name="Mug",
                cost=5,
                image=SimpleUploadedFile("mug.png", content, content_type="image/png"),
                by=world.channel_manager,
            )
        assert "image" in refused.value.message_dict
        assert not Reward.objects.filter(name="Mug").exists()
    assert not list(tmp_path.rglob("*.png"))


def test_an_oversized_image_or_one_of_another_kind_is_refused(world, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    big = png_bytes() + b"\0" * (2 * 1024 * 1024)
    with tenant_context(world.a.pk):
        with pytest.raises(ValidationError, match="at most 2 MB"):
            reward_create(
                name="Mug",
                cost=5,
                image=SimpleUploadedFile("mug.png", big),
                by=world.channel_manager,
            )
        with pytest.raises(ValidationError, match="png"):
            reward_create(
                name="Mug",
                cost=5,
                image=SimpleUploadedFile("mug.gif", b"GIF89a...."),
                by=world.channel_manager,
            )
        assert not Reward.objects.filter(name="Mug").exists()
        made = reward_create(name="Mug", cost=5, image=png(), by=world.channel_manager)
        assert made.image_type == "image/png"


@pytest.mark.parametrize(
    "values, field",
    [
        ({"expire_after": "0", "expire_unit": "months", "reminder_days": "7"}, "expire_after"),
        ({"expire_after": "121", "expire_unit": "months", "reminder_days": "7"}, "expire_after"),
        ({"expire_after": "x", "expire_unit": "days", "reminder_days": "7"}, "expire_after"),
        ({"expire_after": "3", "expire_unit": "weeks", "reminder_days": "7"}, "expire_unit"),
        ({"expire_after": "3", "expire_unit": "days", "reminder_days": "-1"}, "reminder_days"),
    ],
)
def test_bad_points_settings_are_refused(world, values, field):
    with tenant_context(world.a.pk):
        with pytest.raises(ValidationError) as refused:
            points_settings_save(by=world.channel_manager, **values)
        assert field in refused.value.message_dict
        assert PointsSettings.objects.get().expire_after == 12


# --- expiry ----------------------------------------------------------------------------------


def _expiry_settings(world, days=30, reminder=7):
    points_settings_save(
        expire_after=str(days),
        expire_unit="days",
        reminder_days=str(reminder),
        by=world.vendor_admin,
    )


def _person_entries(person, kind):
    return list(
        PointsEntry.objects.filter(membership=person, kind=kind)
        .order_by("pk")
        .values_list("points", "lot_id")
    )


def test_expiry_is_first_in_first_out_and_happens_once(world):
    with tenant_context(world.a.pk):
        _expiry_settings(world, days=30)
        today = days_ago(0)
        first = give(world.p_rep, 100, reason="Lot 1")  # expires today + 30
        _expiry_settings(world, days=60)
        second = give(world.p_rep, 50, reason="Lot 2")  # expires today + 60
        redemption_request(reward=reward(cost=120), by=world.p_rep)
        # The redemption took all of the first lot and 20 of the second.
        day1 = today + datetime.timedelta(days=30)
        assert points_expire(today=day1) == 0
        day2 = today + datetime.timedelta(days=60)
        points_expire(today=day2)
        points_expire(today=day2)
        assert _person_entries(world.p_rep, "expired") == [(-30, second.pk)]
        assert balance_of(world.p_rep, world.p) == (0, 120)
        assert first.expires_on == day1


def test_expired_points_of_a_partly_spent_lot_and_returned_points(world):
    with tenant_context(world.a.pk):
        _expiry_settings(world, days=10)
        lot = give(world.p_rep, 100)
        held = redemption_request(reward=reward(cost=70), by=world.p_rep)
        day = days_ago(0) + datetime.timedelta(days=10)
        assert points_expire(today=day) == 1
        assert _person_entries(world.p_rep, "expired") == [(-30, lot.pk)]
        # Rejected later, the points return to the lot they came from, which
        # has expired: the next run expires them too, once.
        redemption_reject(redemption=held, reason="No", by=world.channel_manager)
        points_expire(today=day)
        points_expire(today=day)
        assert _person_entries(world.p_rep, "expired") == [(-30, lot.pk), (-70, lot.pk)]
        assert balance_of(world.p_rep, world.p) == (0, 0)


def test_people_are_reminded_once_before_their_points_expire(
    world, eager_tasks, django_capture_on_commit_callbacks
):
    with tenant_context(world.a.pk):
        _expiry_settings(world, days=10, reminder=7)
        give(world.p_rep, 40)
        give(world.q_rep, 25)
        before = days_ago(0) + datetime.timedelta(days=2)
        assert points_expiry_remind(today=before) == 0  # 8 days to go: not yet
    soon = days_ago(0) + datetime.timedelta(days=4)
    with django_capture_on_commit_callbacks(execute=True):
        with tenant_context(world.a.pk):
            assert points_expiry_remind(today=soon) == 2
    with tenant_context(world.a.pk):
        assert points_expiry_remind(today=soon) == 0
        assert points_expiry_remind(today=soon + datetime.timedelta(days=1)) == 0
        reminders = PointsReminder.objects.filter(membership__in=[world.p_rep, world.q_rep])
        assert sorted(reminders.values_list("points", flat=True)) == [25, 40]
        # One notification per reminder, to its person, e-mailed once.
        notes = Notification.objects.filter(kind=POINTS_EXPIRING)
        assert sorted(notes.values_list("recipient_id", "event")) == sorted(
            (r.membership_id, f"points_reminder:{r.pk}") for r in reminders
        )
        to_p = notes.get(recipient=world.p_rep)
        first = days_ago(0) + datetime.timedelta(days=10)
        assert to_p.params == {"points": 40, "first_expiry": first.isoformat()}
        assert to_p.link_name == "partner_points"
        assert not notes.filter(emailed_at__isnull=True).exists()
        queued = OutboxMessage.objects.filter(task_name="prm.notification_email")
        ids = sorted(notes.values_list("pk", flat=True))
        assert sorted(m.args[0] for m in queued if m.args[0] in ids) == ids
    # One message per person, each with one address.
    assert sorted(m.to for m in mail.outbox) == sorted(
        [[world.p_rep.user.email], [world.q_rep.user.email]]
    )
    to_p = next(m for m in mail.outbox if m.to == [world.p_rep.user.email])
    assert "40 of your points expire soon" in to_p.subject
    assert "/portal/points/" in to_p.body


def test_months_are_added_to_the_end_of_a_shorter_month():
    assert add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
    assert add_months(datetime.date(2026, 11, 15), 14) == datetime.date(2028, 1, 15)


def test_registration_points_stay_in_their_tenant(world):
    with tenant_context(world.b.pk):
        rule("deal_registered", 100)
    with tenant_context(world.a.pk):
        registration = register(world.p, world.p_rep.user, "Initech", status="draft")
        registration_submit(registration=registration, by=world.p_rep)
        assert earned(world.p_rep) == []
        assert DealRegistration.objects.get(pk=registration.pk).status == "submitted"


def test_only_the_partners_own_active_people_earn(world):
    with tenant_context(world.a.pk):
        rule("deal_registered", 100)
        # A vendor's membership, a person of another partner, an inactive person.
        earn(world.channel_manager, world.p, 100, source_id=1)
        earn(world.q_rep, world.p, 100, source_id=2)
        world.p_rep.is_active = False
        world.p_rep.save()
        earn(world.p_rep, world.p, 100, source_id=3)
        earners = [world.channel_manager, world.q_rep, world.p_rep]
        assert not PointsEntry.objects.filter(membership__in=earners).exists()


def test_a_won_order_import_awards_every_won_deal_in_one_batch(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from deals.services.revenue import orders_import_csv

    with tenant_context(world.a.pk):
        rule("deal_won", 10, per_amount="1000")
        core = product("AN-1", "Analytics")
        of_p = register(world.p, world.p_rep.user, "Initech LLC", products=[core])
        of_q = register(world.q, world.q_rep.user, "Umbrella Corp", products=[core])
        csv = (
            "order_ref,registration_id,partner_domain,customer_domain,customer_name,"
            "product_code,amount,currency,closed_on\n"
            f"SO-1,{of_p.pk},,,,AN-1,2500.00,USD,2026-09-01\n"
            f"SO-2,{of_p.pk},,,,AN-1,600.00,USD,2026-09-02\n"
            f"SO-3,{of_q.pk},,,,AN-1,999.99,USD,2026-09-01\n"
        )
        orders_import_csv(
            file=SimpleUploadedFile("orders.csv", csv.encode(), content_type="text/csv"),
            by=world.channel_manager,
        )
        # P's deal won 3,100 (30 points); Q's 999.99 is below one 1,000 (nothing).
        assert earned(world.p_rep) == [("deal_won", of_p.pk, 30)]
        assert earned(world.q_rep) == []
