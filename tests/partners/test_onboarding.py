"""Onboarding plans: steps due by offset, observed steps completing themselves,
manual ticks, overdue lists, completion."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partners.models import (
    OnboardingPlan,
    OnboardingStep,
    Partner,
    PartnerOnboarding,
    PartnerOnboardingStep,
    PartnerStatus,
    PartnerType,
)
from partners.services.onboarding import (
    onboarding_completed,
    onboarding_refresh,
    onboarding_start,
    onboarding_start_missing,
)
from partners.services.organisations import partner_create
from prm.models import AuditEvent
from prm.tenancy import tenant_context
from tests.world import staff


def _plan_with_steps():
    OnboardingPlan.objects.update(is_active=False)
    plan = OnboardingPlan.objects.create(name="Reseller plan", partner_type="reseller")
    OnboardingStep.objects.create(
        plan=plan,
        title="Complete your profile",
        due_after_days=7,
        metric="profile_complete",
        position=1,
    )
    OnboardingStep.objects.create(
        plan=plan,
        title="Accept the agreement",
        due_after_days=30,
        metric="agreement_accepted",
        position=2,
    )
    OnboardingStep.objects.create(plan=plan, title="Kick-off call", due_after_days=10, position=3)
    return plan


def _new_partner(name="Newco", partner_type=PartnerType.RESELLER):
    return partner_create(by=staff(), name=name, partner_type=partner_type, status="onboarding")


def test_starting_creates_steps_due_by_their_offsets(world):
    with tenant_context(world.a.pk):
        _plan_with_steps()
        partner = _new_partner()
        onboarding = onboarding_start(partner=partner, on=datetime.date(2026, 1, 1))
        due = {s.step.title: s.due_on for s in onboarding.steps.select_related("step")}
        assert due == {
            "Complete your profile": datetime.date(2026, 1, 8),
            "Accept the agreement": datetime.date(2026, 1, 31),
            "Kick-off call": datetime.date(2026, 1, 11),
        }
        assert onboarding_start(partner=partner) == onboarding  # once only


def test_the_general_plan_serves_types_without_their_own(world):
    with tenant_context(world.a.pk):
        _plan_with_steps()
        general = OnboardingPlan.objects.create(name="General")
        partner = _new_partner(partner_type=PartnerType.MSP)
        assert onboarding_start(partner=partner).plan == general


def _waiting_partners(count: int, start: int) -> list[Partner]:
    return [
        Partner.objects.create(
            name=f"Waiting {i}",
            status=PartnerStatus.ONBOARDING,
            partner_type=PartnerType.MSP if i % 3 == 0 else PartnerType.RESELLER,
        )
        for i in range(start, start + count)
    ]


def test_missing_onboardings_start_in_a_fixed_number_of_queries(world):
    on = datetime.date(2026, 3, 1)
    with tenant_context(world.a.pk):
        reseller_plan = _plan_with_steps()
        general = OnboardingPlan.objects.create(name="General")
        OnboardingStep.objects.create(plan=general, title="Say hello", due_after_days=2)
        few = _waiting_partners(3, 0)
        with CaptureQueriesContext(connection) as first:
            assert onboarding_start_missing(on=on) == 3
        many = _waiting_partners(30, 3)
        with CaptureQueriesContext(connection) as second:
            assert onboarding_start_missing(on=on) == 30
        assert len(second.captured_queries) == len(first.captured_queries)
        assert onboarding_start_missing(on=on) == 0  # nothing twice

        for partner in few + many:
            onboarding = PartnerOnboarding.objects.get(partner=partner)
            expected = general if partner.partner_type == PartnerType.MSP else reseller_plan
            assert (onboarding.plan, onboarding.started_on) == (expected, on)
            steps = {s.step.title: s.due_on for s in onboarding.steps.select_related("step")}
            assert len(steps) == (1 if expected == general else 3)
        msp = PartnerOnboarding.objects.get(partner=few[0])
        assert [s.due_on for s in msp.steps.all()] == [datetime.date(2026, 3, 3)]
        started = AuditEvent.objects.filter(action="onboarding.started", target_id=few[1].pk)
        assert started.get().data == {"plan": "Reseller plan"}


def test_observed_steps_complete_themselves_and_only_once(world):
    with tenant_context(world.a.pk):
        _plan_with_steps()
        partner = _new_partner()
        onboarding_start(partner=partner)
        assert onboarding_refresh(partner_ids=[partner.pk])["steps"] == 0
        Partner.objects.filter(pk=partner.pk).update(
            website="https://newco.example",
            country="DE",
            strengths="Cloud",
            markets="DACH",
            industries=["Retail"],
        )
        assert onboarding_refresh()["steps"] == 1
        assert onboarding_refresh()["steps"] == 0
        done = PartnerOnboardingStep.objects.get(
            onboarding__partner=partner, step__metric="profile_complete"
        )
        assert done.completed_at is not None and done.completed_by is None


def test_finishing_every_step_activates_the_partner_and_fires_the_hook(
    world, django_capture_on_commit_callbacks
):
    fired = []

    def receiver(sender, partner, **kwargs):
        fired.append(partner.pk)

    onboarding_completed.connect(receiver)
    try:
        with tenant_context(world.a.pk):
            plan = OnboardingPlan.objects.create(name="Tiny", partner_type="agency")
            OnboardingStep.objects.create(plan=plan, title="Say hello", due_after_days=1)
            partner = _new_partner(partner_type=PartnerType.AGENCY)
            onboarding_start(partner=partner)
            step = PartnerOnboardingStep.objects.get(onboarding__partner=partner)
            from partners.services.onboarding import onboarding_step_complete

            with django_capture_on_commit_callbacks(execute=True):
                onboarding_step_complete(partner_step=step, by=world.vendor_admin)
            partner.refresh_from_db()
            assert partner.status == "active" and partner.onboarding.completed_at
            assert partner.status_changes.first().reason == "Onboarding completed"
        assert fired == [partner.pk]
    finally:
        onboarding_completed.disconnect(receiver)


def _p_onboarding(world):
    with tenant_context(world.a.pk):
        _plan_with_steps()
        Partner.objects.filter(pk=world.p.pk).update(partner_type="reseller")
        PartnerOnboarding.objects.filter(partner=world.p).delete()  # the world's own
        onboarding = onboarding_start(
            partner=Partner.objects.get(pk=world.p.pk),
            on=datetime.date.today() - datetime.timedelta(days=20),
        )
        return {s.step.title: s for s in onboarding.steps.select_related("step")}


def test_partner_users_tick_manual_steps_of_their_own_organisation(client, world):
    steps = _p_onboarding(world)
    client.force_login(world.p_rep.user)
    kickoff = steps["Kick-off call"]
    url = reverse(
        "portal:onboarding_step_complete",
        kwargs={"tenant_slug": "vendor-a", "partner_step_id": kickoff.pk},
    )
    assert client.post(url).status_code == 302
    with tenant_context(world.a.pk):
        kickoff.refresh_from_db()
    assert kickoff.completed_by == world.p_rep.user
    client.force_login(world.q_rep.user)
    assert client.post(url).status_code == 404


def test_observed_steps_cannot_be_ticked_by_hand(client, world):
    steps = _p_onboarding(world)
    client.force_login(world.p_admin.user)
    url = reverse(
        "portal:onboarding_step_complete",
        kwargs={"tenant_slug": "vendor-a", "partner_step_id": steps["Complete your profile"].pk},
    )
    client.post(url)
    with tenant_context(world.a.pk):
        assert (
            PartnerOnboardingStep.objects.get(pk=steps["Complete your profile"].pk).completed_at
            is None
        )


def test_the_portal_page_refreshes_observed_steps(client, world):
    _p_onboarding(world)  # P accepted the current agreement in the world
    client.force_login(world.p_rep.user)
    response = client.get(reverse("portal:onboarding", kwargs={"tenant_slug": "vendor-a"}))
    progress = response.context["progress"]
    done = {s.step.title for s in progress.steps if s.completed_at}
    assert done == {"Accept the agreement"}
    assert (progress.done, progress.total) == (1, 3)


def test_overdue_steps_are_listed_for_the_account_manager(client, world):
    _p_onboarding(world)
    with tenant_context(world.a.pk):
        Partner.objects.filter(pk=world.p.pk).update(account_manager=world.channel_manager.user)
    client.force_login(world.channel_manager.user)
    response = client.get(reverse("console:onboarding_plans", kwargs={"tenant_slug": "vendor-a"}))
    overdue = {(s.onboarding.partner.name, s.step.title) for s in response.context["overdue"]}
    assert overdue == {("Partner P", "Complete your profile"), ("Partner P", "Kick-off call")}


def test_plan_editing_and_bad_input(client, world):
    client.force_login(world.channel_manager.user)
    with tenant_context(world.a.pk):
        plan = _plan_with_steps()
    url = reverse("console:onboarding_plan", kwargs={"tenant_slug": "vendor-a", "plan_id": plan.pk})
    ok = client.post(
        url, {"title": "First deal", "due_after_days": "90", "metric": "", "threshold": "1"}
    )
    assert ok.status_code == 302
    for bad in (
        {"title": "", "due_after_days": "5", "threshold": "1"},
        {"title": "x", "due_after_days": "-1", "threshold": "1"},
        {"title": "x", "due_after_days": "5", "metric": "nonsense", "threshold": "1"},
    ):
        assert client.post(url, bad).status_code == 400
    duplicate = client.post(
        reverse("console:onboarding_plans", kwargs={"tenant_slug": "vendor-a"}),
        {"name": "Another", "partner_type": "reseller"},
    )
    assert duplicate.status_code == 400
    with tenant_context(world.a.pk):
        assert list(plan.steps.values_list("title", flat=True)) == [
            "Complete your profile",
            "Accept the agreement",
            "Kick-off call",
            "First deal",
        ]
