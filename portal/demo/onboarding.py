"""Demo data: onboarding. A general plan and an MSP plan; Summit Integrators
is part-way through with one step overdue."""

import datetime

from django.utils import timezone

from partners.models import OnboardingPlan, OnboardingStep, Partner
from partners.services.onboarding import onboarding_refresh, onboarding_start
from prm.tenancy import tenant_context

GENERAL = [
    ("Complete your company profile", 7, "profile_complete"),
    ("Accept the program agreement", 30, "agreement_accepted"),
    ("Hold the kick-off call with your account manager", 14, ""),
    ("Invite a second colleague", 30, "active_people"),
    ("Register your first deal", 90, ""),
]
MSP = [
    ("Accept the program agreement", 14, "agreement_accepted"),
    ("Set up the managed-service console", 21, ""),
]


def _plan(name: str, partner_type: str, steps) -> OnboardingPlan:
    plan = OnboardingPlan.objects.create(name=name, partner_type=partner_type)
    for position, (title, days, metric) in enumerate(steps):
        OnboardingStep.objects.create(
            plan=plan,
            title=title,
            due_after_days=days,
            metric=metric,
            threshold=2 if metric == "active_people" else 1,
            position=position,
        )
    return plan


def seed(tenants: dict) -> None:
    with tenant_context(tenants["northwind"].pk):
        if OnboardingPlan.objects.exists():
            return
        _plan("Standard onboarding", "", GENERAL)
        _plan("Managed service provider onboarding", "msp", MSP)
        summit = Partner.objects.get(name="Summit Integrators")
        # Started three weeks ago: the seven- and fourteen-day steps are overdue.
        onboarding_start(partner=summit, on=timezone.localdate() - datetime.timedelta(days=21))
        onboarding_refresh(partner_ids=[summit.pk])
