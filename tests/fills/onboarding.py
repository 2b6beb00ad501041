import datetime

from partners.models import (
    OnboardingPlan,
    OnboardingStep,
    PartnerOnboarding,
    PartnerOnboardingStep,
)


def fill(ctx) -> None:
    plan = OnboardingPlan.objects.create(name="Default plan")
    step = OnboardingStep.objects.create(plan=plan, title="Complete profile", due_after_days=7)
    onboarding = PartnerOnboarding.objects.create(
        partner=ctx.partner, plan=plan, started_on=datetime.date.today()
    )
    PartnerOnboardingStep.objects.create(
        onboarding=onboarding, step=step, due_on=datetime.date.today()
    )
