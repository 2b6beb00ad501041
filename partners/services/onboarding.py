"""Onboarding: starting a partner on its plan, and completing steps.

Steps with a metric complete themselves when the metric reaches the step's
threshold (checked set-based for many partners at once); the others are ticked
by the partner or by vendor staff.  When the last step is done the onboarding
is complete: an onboarding partner becomes active and ``onboarding_completed``
fires (the hook for an onboarding reward).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat
from django.db.models.signals import ModelSignal
from django.utils import timezone
from django.utils.translation import gettext as _

from prm.actions import action, system_action
from prm.actors import SYSTEM
from prm.audit import audit_record, audit_record_many
from prm.models import Membership, Notification
from prm.policies import can_manage_onboarding, can_tick_onboarding_steps

from .. import metrics
from ..events import onboardings_finished_record
from ..models import (
    OnboardingPlan,
    OnboardingStep,
    Partner,
    PartnerOnboarding,
    PartnerOnboardingStep,
    PartnerStatus,
)
from ..notifications import ONBOARDING_STEP_OVERDUE, notify_onboarding_steps_overdue
from ..selectors.onboarding import active_plans, plan_among, plan_for
from ..selectors.people import partner_id_of
from .organisations import partner_change_status

# Fired once per partner when its onboarding completes: (sender=Partner, partner).
onboarding_completed = ModelSignal(use_caching=True)


@system_action
def onboarding_start(
    *, partner: Partner, on: datetime.date | None = None
) -> PartnerOnboarding | None:
    """Put the partner on its plan (once); None when the vendor has no plan."""
    existing = PartnerOnboarding.objects.filter(partner=partner).first()
    if existing is not None:
        return existing
    plan = plan_for(partner.partner_type)
    if plan is None:
        return None
    on = on or timezone.localdate()
    with transaction.atomic():
        onboarding = PartnerOnboarding.objects.create(partner=partner, plan=plan, started_on=on)
        PartnerOnboardingStep.objects.bulk_create(
            PartnerOnboardingStep(
                onboarding=onboarding, step=step, due_on=on + timedelta(days=step.due_after_days)
            )
            for step in plan.steps.all()
        )
        audit_record(actor=None, action="onboarding.started", target=partner, plan=plan.name)
    return onboarding


@system_action
def onboarding_start_missing(*, on: datetime.date | None = None) -> int:
    """Start onboarding for partners in status onboarding that have none yet,
    in a fixed number of statements however many there are."""
    plans = active_plans()
    if not plans:
        return 0
    on = on or timezone.localdate()
    with transaction.atomic():
        missing = list(
            Partner.objects.select_for_update(of=("self",))
            .filter(status=PartnerStatus.ONBOARDING, onboarding__isnull=True)
            .order_by("pk")
        )
        planned = [(partner, plan_among(plans, partner.partner_type)) for partner in missing]
        planned = [(partner, plan) for partner, plan in planned if plan is not None]
        if not planned:
            return 0
        onboardings = PartnerOnboarding.objects.bulk_create(
            PartnerOnboarding(partner=partner, plan=plan, started_on=on)
            for partner, plan in planned
        )
        steps = defaultdict(list)
        for step in OnboardingStep.objects.filter(plan__in={plan.pk for _, plan in planned}):
            steps[step.plan_id].append(step)
        PartnerOnboardingStep.objects.bulk_create(
            PartnerOnboardingStep(
                onboarding=onboarding, step=step, due_on=on + timedelta(days=step.due_after_days)
            )
            for onboarding in onboardings
            for step in steps[onboarding.plan_id]
        )
        audit_record_many(
            actor=None,
            action="onboarding.started",
            entries=[(partner, {"plan": plan.name}) for partner, plan in planned],
        )
    return len(planned)


def _complete_observed_steps(partner_ids: list[int] | None) -> int:
    open_steps = PartnerOnboardingStep.objects.filter(
        completed_at__isnull=True, onboarding__completed_at__isnull=True
    ).exclude(step__metric="")
    if partner_ids is not None:
        open_steps = open_steps.filter(onboarding__partner_id__in=partner_ids)
    rows = list(
        open_steps.values_list("pk", "onboarding__partner_id", "step__metric", "step__threshold")
    )
    if not rows:
        return 0
    by_metric: dict[str, set[int]] = defaultdict(set)
    for _pk, partner_id, metric, _threshold in rows:
        by_metric[metric].add(partner_id)
    values: dict[tuple[str, int], object] = {}
    known = metrics.available()
    for metric, pids in by_metric.items():
        if metric not in known:
            continue  # a metric whose app is not installed yet never completes
        for pid, reported in metrics.compute([metric], pids).items():
            values[(metric, pid)] = reported[metric]
    done = [
        pk
        for pk, pid, metric, threshold in rows
        if (metric, pid) in values and values[(metric, pid)] >= threshold
    ]
    return PartnerOnboardingStep.objects.filter(pk__in=done, completed_at__isnull=True).update(
        completed_at=timezone.now()
    )


def _finish_completed(partner_ids: list[int] | None) -> list[int]:
    """Mark onboardings with no open step complete; returns their partner ids."""
    open_step = PartnerOnboardingStep.objects.filter(
        onboarding=OuterRef("pk"), completed_at__isnull=True
    )
    finished = PartnerOnboarding.objects.filter(completed_at__isnull=True).exclude(
        Exists(open_step)
    )
    if partner_ids is not None:
        finished = finished.filter(partner_id__in=partner_ids)
    ids = list(finished.values_list("partner_id", flat=True))
    if ids:
        PartnerOnboarding.objects.filter(partner_id__in=ids, completed_at__isnull=True).update(
            completed_at=timezone.now()
        )
    return ids


@system_action
def onboarding_refresh(*, partner_ids: list[int] | None = None) -> dict[str, int]:
    """Complete what the system can observe and finish completed onboardings.
    Safe to run repeatedly and concurrently: every write is conditional."""
    with transaction.atomic():
        completed_steps = _complete_observed_steps(partner_ids)
        finished = _finish_completed(partner_ids)
        if finished:
            onboardings_finished_record(
                list(
                    PartnerOnboarding.objects.filter(partner_id__in=finished).values_list(
                        "partner_id", "pk"
                    )
                )
            )
        for partner in Partner.objects.filter(pk__in=finished):
            audit_record(actor=None, action="onboarding.completed", target=partner)
            if partner.status == PartnerStatus.ONBOARDING:
                partner_change_status(
                    partner=partner,
                    to_status=PartnerStatus.ACTIVE,
                    by=SYSTEM,
                    reason=_("Onboarding completed"),
                )
            transaction.on_commit(
                lambda p=partner: onboarding_completed.send(sender=Partner, partner=p)
            )
    return {"steps": completed_steps, "finished": len(finished)}


# Steps that fell overdue longer ago than this are not announced any more (the
# hourly refresh has had its chances; the console lists every overdue step).
OVERDUE_NOTICE_DAYS = 7


@system_action
def onboarding_overdue_notify(*, today: datetime.date | None = None) -> int:
    """Tell each partner's admins of every open step of a running onboarding
    that fell past its due date in the last ``OVERDUE_NOTICE_DAYS`` days, once
    per step: a step its partner's admins were told of is skipped, and the
    notification is unique per step and admin anyway.  Returns how many
    notifications were written now."""
    today = today or timezone.localdate()
    told = Notification.objects.filter(
        recipient__partner_link__partner_id=OuterRef("onboarding__partner_id"),
        kind=ONBOARDING_STEP_OVERDUE,
        event=Concat(
            Value("onboarding_step:"), Cast(OuterRef("pk"), CharField()), Value(":overdue")
        ),
    )
    overdue = (
        PartnerOnboardingStep.objects.filter(
            completed_at__isnull=True,
            due_on__lt=today,
            due_on__gte=today - timedelta(days=OVERDUE_NOTICE_DAYS),
            onboarding__completed_at__isnull=True,
        )
        .exclude(Exists(told))
        .select_related("step", "onboarding")
        .order_by("due_on", "pk")
    )
    with transaction.atomic():
        return notify_onboarding_steps_overdue(overdue)


@action(can_tick_onboarding_steps)
def onboarding_step_complete(*, partner_step: PartnerOnboardingStep, by: Membership) -> None:
    """Tick a manual step. Partner users tick their own organisation's steps;
    vendor staff any.  Steps that complete themselves cannot be ticked."""
    if partner_step.step.metric:
        raise ValidationError(_("This step completes itself when the system sees it done."))
    if by.is_partner and partner_step.onboarding.partner_id != partner_id_of(by):
        raise ValidationError(_("This step belongs to another partner."))
    with transaction.atomic():
        ticked = PartnerOnboardingStep.objects.filter(
            pk=partner_step.pk, completed_at__isnull=True
        ).update(completed_at=timezone.now(), completed_by=by.user)
        if not ticked:
            raise ValidationError(_("This step is already done."))
        audit_record(
            actor=by.user,
            action="onboarding.step_completed",
            target=partner_step.onboarding.partner,
            step=partner_step.step.title,
        )
        onboarding_refresh(partner_ids=[partner_step.onboarding.partner_id])


@action(can_manage_onboarding)
def plan_create(*, by: Membership, name: str, partner_type: str = "") -> OnboardingPlan:
    if OnboardingPlan.objects.filter(partner_type=partner_type, is_active=True).exists():
        raise ValidationError(
            {"partner_type": _("There is already an active plan for this partner type.")}
        )
    with transaction.atomic():
        plan = OnboardingPlan.objects.create(name=name, partner_type=partner_type)
        audit_record(actor=by.user, action="onboarding.plan_created", target=plan)
    return plan


@action(can_manage_onboarding)
def step_add(
    *,
    plan: OnboardingPlan,
    by: Membership,
    title: str,
    description: str = "",
    due_after_days: int,
    metric: str = "",
    threshold=1,
) -> OnboardingStep:
    """Add a step; partners already on the plan get it too, due from their start."""
    if metric and metric not in metrics.available():
        raise ValidationError({"metric": _("Unknown metric.")})
    with transaction.atomic():
        position = plan.steps.count()
        step = OnboardingStep.objects.create(
            plan=plan,
            title=title,
            description=description,
            due_after_days=due_after_days,
            metric=metric,
            threshold=threshold,
            position=position,
        )
        running = PartnerOnboarding.objects.filter(plan=plan, completed_at__isnull=True)
        PartnerOnboardingStep.objects.bulk_create(
            PartnerOnboardingStep(
                onboarding=o, step=step, due_on=o.started_on + timedelta(days=due_after_days)
            )
            for o in running
        )
        audit_record(actor=by.user, action="onboarding.step_added", target=plan, step=title)
    return step


@action(can_manage_onboarding)
def step_remove(*, step: OnboardingStep, by: Membership) -> None:
    with transaction.atomic():
        plan = step.plan
        step.delete()
        audit_record(actor=by.user, action="onboarding.step_removed", target=plan, step=step.title)
