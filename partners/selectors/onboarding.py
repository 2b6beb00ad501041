"""Reads of onboarding plans and progress."""

from dataclasses import dataclass

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from prm.models import Membership
from prm.roles import Role

from ..models import (
    OnboardingPlan,
    OnboardingStep,
    Partner,
    PartnerOnboarding,
    PartnerOnboardingStep,
)
from .people import partner_id_of


@dataclass
class Progress:
    plan: str
    steps: list[PartnerOnboardingStep]
    done: int
    total: int
    completed_at: object

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100


def onboarding_progress(*, partner: Partner) -> Progress | None:
    onboarding = (
        PartnerOnboarding.objects.select_related("plan").filter(partner_id=partner.pk).first()
    )
    if onboarding is None:
        return None
    steps = list(
        PartnerOnboardingStep.objects.filter(onboarding=onboarding)
        .select_related("step", "completed_by")
        .order_by("due_on", "step__position")
    )
    today = timezone.localdate()
    for item in steps:
        item.is_overdue = item.completed_at is None and item.due_on < today
    done = sum(1 for s in steps if s.completed_at)
    return Progress(
        plan=onboarding.plan.name,
        steps=steps,
        done=done,
        total=len(steps),
        completed_at=onboarding.completed_at,
    )


def overdue_steps(*, membership: Membership) -> QuerySet[PartnerOnboardingStep]:
    """Open steps past their due date; a channel manager sees the partners they
    manage, vendor admins (and managers with no partners assigned) all."""
    steps = PartnerOnboardingStep.objects.filter(
        completed_at__isnull=True,
        due_on__lt=timezone.localdate(),
        onboarding__completed_at__isnull=True,
    ).select_related("step", "onboarding__partner", "onboarding__partner__account_manager")
    if (
        membership.role == Role.CHANNEL_MANAGER
        and Partner.objects.filter(account_manager=membership.user).exists()
    ):
        steps = steps.filter(onboarding__partner__account_manager=membership.user)
    return steps.order_by("due_on")


def partner_step_get(*, membership: Membership, partner_step_id: int) -> PartnerOnboardingStep:
    steps = PartnerOnboardingStep.objects.select_related("step", "onboarding")
    if membership.is_partner:
        steps = steps.filter(onboarding__partner_id=partner_id_of(membership))
    step = steps.filter(pk=partner_step_id).first()
    if step is None:
        raise Http404
    return step


def plans() -> QuerySet[OnboardingPlan]:
    running = (
        PartnerOnboarding.objects.filter(plan=OuterRef("pk"), completed_at__isnull=True)
        .values("plan")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return OnboardingPlan.objects.annotate(
        step_count=Count("steps"), running=Coalesce(Subquery(running), 0)
    ).order_by("partner_type", "name")


def plan_get(*, plan_id: int) -> OnboardingPlan:
    plan = OnboardingPlan.objects.filter(pk=plan_id).first()
    if plan is None:
        raise Http404
    return plan


def step_get(*, step_id: int) -> OnboardingStep:
    step = OnboardingStep.objects.select_related("plan").filter(pk=step_id).first()
    if step is None:
        raise Http404
    return step


def active_plans() -> dict[str, OnboardingPlan]:
    """The active plans by partner type ("" is the general plan)."""
    return {p.partner_type: p for p in OnboardingPlan.objects.filter(is_active=True)}


def plan_among(plans: dict[str, OnboardingPlan], partner_type: str) -> OnboardingPlan | None:
    """The plan of the partner's type among ``active_plans()``, else the general plan."""
    return plans.get(partner_type) or plans.get("")


def plan_for(partner_type: str) -> OnboardingPlan | None:
    """The active plan of the partner's type, else the active general plan."""
    return plan_among(active_plans(), partner_type)
