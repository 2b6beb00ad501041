"""The partner life cycle end to end through the web UI: apply → approve →
invited admin signs up, accepts the agreement, invites a rep → onboarding
progresses as steps are done → the partner becomes active."""

import re
from decimal import Decimal

from django.core import mail
from django.test import Client
from django.urls import reverse

from partners.models import (
    OnboardingPlan,
    OnboardingStep,
    Partner,
    QualificationQuestion,
)
from prm import tasks
from prm.models import Invitation
from prm.tenancy import tenant_context
from tests.partners.helpers import application_post

A = "vendor-a"


def _invitation_link(email: str, tenant) -> str:
    """Run the e-mail task the way the worker does and read the link it sent."""
    with tenant_context(tenant.pk):
        invitation = Invitation.objects.get(email=email, status="pending")
    mail.outbox.clear()
    tasks.invitation_send(tenant.pk, invitation.pk)
    assert [m.to for m in mail.outbox] == [[email]]
    return re.search(r"https?://[^/\s]+(/invitations/\S+/)", mail.outbox[0].body).group(1)


def _progress(client):
    progress = client.get(reverse("portal:onboarding", kwargs={"tenant_slug": A})).context[
        "progress"
    ]
    return {s.step.title: bool(s.completed_at) for s in progress.steps}


def test_from_application_to_active_partner(world):
    with tenant_context(world.a.pk):
        plan = OnboardingPlan.objects.create(name="Integrator onboarding", partner_type="si")
        OnboardingStep.objects.create(
            plan=plan,
            title="Accept the agreement",
            due_after_days=30,
            metric="agreement_accepted",
            position=1,
        )
        OnboardingStep.objects.create(
            plan=plan,
            title="Bring a colleague",
            due_after_days=30,
            metric="active_people",
            threshold=2,
            position=2,
        )
        OnboardingStep.objects.create(
            plan=plan, title="Kick-off call", due_after_days=14, position=3
        )
        question = QualificationQuestion.objects.get(text="Certified staff?")

    # 1. The firm applies on the public page.
    applicant = Client()
    response = applicant.post(f"/apply/{A}/", application_post(**{f"q{question.pk}": "yes"}))
    assert response.status_code == 200 and b"Thank you" in response.content

    # 2. A channel manager finds it in the queue and approves it.
    manager = Client()
    manager.force_login(world.channel_manager.user)
    queue = manager.get(reverse("console:applications", kwargs={"tenant_slug": A}))
    application = next(
        a for a in queue.context["applications"] if a.company_name == "Acme Integrations"
    )
    assert application.score == Decimal("100.0")  # meets the world's one criterion
    detail = reverse(
        "console:application_detail", kwargs={"tenant_slug": A, "application_id": application.pk}
    )
    assert manager.post(detail, {"approve": "1"}).status_code == 302

    # 3. The invited contact signs up through the e-mailed link.
    admin = Client()
    link = _invitation_link("anna@acme-int.example", world.a)
    assert admin.get(link).status_code == 200
    response = admin.post(
        link,
        {
            "full_name": "Anna Acme",
            "password1": "Acme-partner-2026",
            "password2": "Acme-partner-2026",
        },
    )
    assert response.status_code == 302
    assert admin.get(response["Location"], follow=True).status_code == 200
    assert _progress(admin) == {
        "Accept the agreement": False,
        "Bring a colleague": False,
        "Kick-off call": False,
    }

    # 4. She accepts the current agreement; the step completes itself.
    page = admin.get(reverse("portal:agreement", kwargs={"tenant_slug": A}))
    agreement = page.context["agreement"]
    accept = reverse(
        "portal:agreement_accept", kwargs={"tenant_slug": A, "agreement_id": agreement.pk}
    )
    assert admin.post(accept).status_code == 302
    assert _progress(admin)["Accept the agreement"] is True

    # 5. She invites a rep, who joins; the team step completes itself.
    team = reverse("portal:team", kwargs={"tenant_slug": A})
    assert (
        admin.post(team, {"email": "raj@acme-int.example", "role": "partner_rep"}).status_code
        == 302
    )
    rep = Client()
    rep_link = _invitation_link("raj@acme-int.example", world.a)
    assert (
        rep.post(
            rep_link,
            {
                "full_name": "Raj Rep",
                "password1": "Acme-rep-2026-x",
                "password2": "Acme-rep-2026-x",
            },
        ).status_code
        == 302
    )
    assert _progress(admin) == {
        "Accept the agreement": True,
        "Bring a colleague": True,
        "Kick-off call": False,
    }

    # 6. The rep ticks the last step; onboarding is complete and the partner active.
    progress = rep.get(reverse("portal:onboarding", kwargs={"tenant_slug": A})).context["progress"]
    kickoff = next(s for s in progress.steps if s.step.title == "Kick-off call")
    tick = reverse(
        "portal:onboarding_step_complete", kwargs={"tenant_slug": A, "partner_step_id": kickoff.pk}
    )
    assert rep.post(tick).status_code == 302
    with tenant_context(world.a.pk):
        partner = Partner.objects.get(name="Acme Integrations")
        assert partner.status == "active"
        assert partner.onboarding.completed_at is not None
        assert [c.to_status for c in partner.status_changes.order_by("created_at", "id")] == [
            "onboarding",
            "active",
        ]
