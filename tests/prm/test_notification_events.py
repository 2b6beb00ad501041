"""The notifications of partners and incentives: each event reaches the right
people once (and nobody else), twice is once, and e-mails follow each
person's choice, one address per message."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from incentives.models import MdfRequest, Statement
from incentives.notifications import (
    MDF_CLAIM_DECIDED,
    MDF_REQUEST_DECIDED,
    PAYOUT_RUN_APPROVED,
    REDEMPTION_DECIDED,
    STATEMENT_READY,
    notify_mdf_request_decided,
    notify_payout_run_approved,
    notify_redemption_decided,
    notify_statement_ready,
)
from incentives.services.mdf_claims import mdf_claim_approve, mdf_claim_reject
from incentives.services.mdf_requests import (
    mdf_request_ask_changes,
    mdf_request_reject,
    mdf_request_submit,
)
from incentives.services.rewards import redemption_fulfil, redemption_reject, redemption_request
from incentives.services.statements import statement_render
from partners.models import (
    OnboardingStep,
    PartnerOnboarding,
    PartnerOnboardingStep,
    QualificationQuestion,
)
from partners.notifications import (
    AGREEMENT_NO_ADMIN,
    AGREEMENT_PUBLISHED,
    APPLICATION_RECEIVED,
    ONBOARDING_STEP_OVERDUE,
    notify_agreement_published,
    notify_application_received,
)
from partners.services.agreements import agreement_publish
from partners.services.onboarding import onboarding_overdue_notify
from partners.services.recruitment import application_submit
from partners.tasks.onboarding import onboarding_refresh_tenant
from prm.models import EmailChoice, Notification, NotificationPreference
from prm.roles import Role
from prm.services.notifications import notifications_digest_send
from prm.tenancy import tenant_context
from tests.incentives.setup_incentives import D, approve, program, run_of, won
from tests.incentives.setup_mdf import approved_request, claim, fund, mdf_program, plan
from tests.incentives.setup_points import give, reward
from tests.incentives.setup_statements import spif_and_commission_runs
from tests.world import make_member


def _of(kind, membership) -> list[Notification]:
    with tenant_context(membership.tenant_id):
        return list(Notification.objects.filter(kind=kind, recipient=membership).order_by("pk"))


def _recipients(world, kind) -> list[int]:
    with tenant_context(world.a.pk):
        return sorted(Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True))


def _nothing_in_b(world, kind) -> bool:
    with tenant_context(world.b.pk):
        return not Notification.objects.filter(kind=kind).exists()


def _addresses() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def _one_address_each() -> bool:
    return all(len(m.to) == 1 and not m.cc and not m.bcc for m in mail.outbox)


@pytest.fixture
def admins(world):
    """A second admin of P and an admin of Q, so every partner can accept."""
    return (
        make_member(world.a, "admin2@p.test", Role.PARTNER_ADMIN, world.p),
        make_member(world.a, "admin@q.test", Role.PARTNER_ADMIN, world.q),
    )


@pytest.fixture
def second_finance(world):
    return make_member(world.a, "finance2@a.test", Role.FINANCE)


# --- agreement published ------------------------------------------------------------------


def test_a_publication_emails_each_partner_admin_on_their_own(
    world, admins, eager_tasks, django_capture_on_commit_callbacks
):
    p_admin2, q_admin = admins
    with django_capture_on_commit_callbacks(execute=True), tenant_context(world.a.pk):
        agreement = agreement_publish(
            by=world.vendor_admin,
            title="Program terms",
            body="Be nice.",
            accept_by=datetime.date(2030, 1, 31),
        )
    assert _recipients(world, AGREEMENT_PUBLISHED) == sorted(
        [world.p_admin.pk, p_admin2.pk, q_admin.pk]
    )
    assert len(mail.outbox) == 3 and _one_address_each()
    assert _addresses() == ["admin2@p.test", "admin@p.test", "admin@q.test"]
    for message in mail.outbox:
        assert "Version 2 of “Program terms” needs your acceptance" in message.subject
        assert "01/31/2030" in message.body and "/portal/agreement/" in message.body
    # Every partner has an admin: nobody is told of partners without one.
    assert _recipients(world, AGREEMENT_NO_ADMIN) == []
    assert _nothing_in_b(world, AGREEMENT_PUBLISHED)
    # Asking again for the same version notifies nobody again.
    with django_capture_on_commit_callbacks(execute=True), tenant_context(world.a.pk):
        notify_agreement_published(agreement, [world.p.pk, world.q.pk])
    assert len(_recipients(world, AGREEMENT_PUBLISHED)) == 3 and len(mail.outbox) == 3


def test_partners_without_an_active_admin_are_reported_to_partner_managers_once(
    world, eager_tasks, django_capture_on_commit_callbacks
):
    # Q has a rep only; P's only admin leaves.
    with tenant_context(world.a.pk):
        world.p_admin.is_active = False
        world.p_admin.save(update_fields=["is_active"])
    with django_capture_on_commit_callbacks(execute=True), tenant_context(world.a.pk):
        agreement = agreement_publish(by=world.vendor_admin, title="Program terms", body="x")
        notify_agreement_published(agreement, [world.p.pk, world.q.pk])
    assert _recipients(world, AGREEMENT_PUBLISHED) == []
    assert _recipients(world, AGREEMENT_NO_ADMIN) == sorted(
        [world.vendor_admin.pk, world.channel_manager.pk]
    )
    (told,) = _of(AGREEMENT_NO_ADMIN, world.channel_manager)
    assert told.params["count"] == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["admin@a.test", "manager@a.test"]
    assert _one_address_each()
    assert "2 partners cannot accept version 2" in mail.outbox[0].subject
    assert f"/console/agreements/{agreement.pk}/" in mail.outbox[0].body


# --- application received ----------------------------------------------------------------


def _apply(domain="acme-int.example"):
    QualificationQuestion.objects.update(is_active=False)
    return application_submit(
        data={
            "company_name": "Acme International",
            "legal_name": "Acme International GmbH",
            "website": f"https://{domain}",
            "email_domain": domain,
            "country": "de",
            "regions": ["dach"],
            "industries": [],
            "partner_type": "reseller",
            "contact_name": "Anna Berg",
            "contact_email": f"anna@{domain}",
            "contact_phone": "",
        },
        raw_answers={},
        ip="203.0.113.9",
    )


def test_an_application_tells_its_reviewers_in_the_digest_or_at_once_as_they_chose(
    world, eager_tasks, django_capture_on_commit_callbacks
):
    with tenant_context(world.a.pk):
        NotificationPreference.objects.create(
            membership=world.channel_manager, kind=APPLICATION_RECEIVED, email=EmailChoice.IMMEDIATE
        )
    with django_capture_on_commit_callbacks(execute=True), tenant_context(world.a.pk):
        application = _apply()
        notify_application_received(application)  # twice is once
    assert _recipients(world, APPLICATION_RECEIVED) == sorted(
        [world.vendor_admin.pk, world.channel_manager.pk]
    )
    assert _of(APPLICATION_RECEIVED, world.finance) == []
    # The channel manager asked for it at once; the vendor admin gets the digest.
    (message,) = mail.outbox
    assert message.to == ["manager@a.test"] and _one_address_each()
    assert "Acme International applied" in message.subject
    assert f"/console/applications/{application.pk}/" in message.body
    with django_capture_on_commit_callbacks(execute=True), tenant_context(world.a.pk):
        notifications_digest_send()
    digests = [m for m in mail.outbox if m.to == ["admin@a.test"]]
    assert len(digests) == 1 and "Acme International applied" in digests[0].body
    assert _nothing_in_b(world, APPLICATION_RECEIVED)


# --- onboarding step overdue ---------------------------------------------------------------


def _step(onboarding, title, due_on, *, done=False):
    step = OnboardingStep.objects.create(plan=onboarding.plan, title=title, due_after_days=1)
    return PartnerOnboardingStep.objects.create(
        onboarding=onboarding,
        step=step,
        due_on=due_on,
        completed_at=datetime.datetime.now(datetime.UTC) if done else None,
    )


def test_an_overdue_step_tells_its_partners_admins_once(
    world, admins, eager_tasks, django_capture_on_commit_callbacks
):
    _p_admin2, q_admin = admins
    today = datetime.date.today()
    with tenant_context(world.a.pk):
        p_onboarding = PartnerOnboarding.objects.get(partner=world.p)
        q_onboarding = PartnerOnboarding.objects.create(
            partner=world.q, plan=p_onboarding.plan, started_on=today
        )
        late = _step(p_onboarding, "Kick-off call", today - datetime.timedelta(days=2))
        _step(p_onboarding, "Done already", today - datetime.timedelta(days=2), done=True)
        _step(p_onboarding, "Long forgotten", today - datetime.timedelta(days=30))
        q_late = _step(q_onboarding, "Sign the NDA", today - datetime.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        onboarding_refresh_tenant.delay(world.a.pk)
        onboarding_refresh_tenant.delay(world.a.pk)  # the next hour: nothing new
        with tenant_context(world.a.pk):
            assert onboarding_overdue_notify() == 0
    (p_told,) = _of(ONBOARDING_STEP_OVERDUE, world.p_admin)
    assert p_told.event == f"onboarding_step:{late.pk}:overdue"
    assert len(_of(ONBOARDING_STEP_OVERDUE, _p_admin2)) == 1
    (q_told,) = _of(ONBOARDING_STEP_OVERDUE, q_admin)
    assert q_told.event == f"onboarding_step:{q_late.pk}:overdue"
    assert _of(ONBOARDING_STEP_OVERDUE, world.p_rep) == []
    assert _of(ONBOARDING_STEP_OVERDUE, world.q_rep) == []
    assert _of(ONBOARDING_STEP_OVERDUE, world.channel_manager) == []
    assert _addresses() == ["admin2@p.test", "admin@p.test", "admin@q.test"]
    assert _one_address_each()
    to_q = next(m for m in mail.outbox if m.to == ["admin@q.test"])
    assert "Sign the NDA" in to_q.subject and "/portal/onboarding/" in to_q.body


# --- payout run approved --------------------------------------------------------------------


def test_an_approved_run_tells_its_preparer_and_finance_but_not_the_approver(
    world, second_finance, eager_tasks, django_capture_on_commit_callbacks
):
    third_finance = make_member(world.a, "finance3@a.test", Role.FINANCE)
    with django_capture_on_commit_callbacks(execute=True), tenant_context(world.a.pk):
        commission = program("commission", percent=D("10"))
        won(world.p, "1000.00")
        run = run_of(commission, by=world.finance)
        approved = approve(run, second_finance)
        with pytest.raises(ValidationError, match="approved already"):
            approve(run, third_finance)
        notify_payout_run_approved(approved, second_finance)  # twice is once
    assert _recipients(world, PAYOUT_RUN_APPROVED) == sorted([world.finance.pk, third_finance.pk])
    assert _of(PAYOUT_RUN_APPROVED, second_finance) == []
    assert _of(PAYOUT_RUN_APPROVED, world.channel_manager) == []
    assert _addresses() == ["finance3@a.test", "finance@a.test"] and _one_address_each()
    assert f"/console/payouts/runs/{run.pk}/" in mail.outbox[0].body
    assert "100.00 USD" in mail.outbox[0].body


# --- statement ready ------------------------------------------------------------------------


def test_a_ready_statement_tells_the_partner_admins_and_the_spif_payee(
    world, admins, second_finance, eager_tasks, django_capture_on_commit_callbacks
):
    p_admin2, q_admin = admins
    with django_capture_on_commit_callbacks(execute=True), tenant_context(world.a.pk):
        spif_and_commission_runs(world, second_finance)
        statements = {
            (s.partner_id, s.person_id): s
            for s in Statement.objects.filter(run__program__name__in=["Commission", "SPIF"])
        }
        # Delivered again: nothing is rendered, and nobody is told again.
        for statement in statements.values():
            assert statement_render(statement_id=statement.pk) is None
            notify_statement_ready(statement)

    def told(member) -> set:
        return {n.event for n in _of(STATEMENT_READY, member)}

    def events(*keys) -> set:
        return {f"statement:{statements[key].pk}:ready" for key in keys}

    p, q = world.p.pk, world.q.pk
    p_all = events((p, None), (p, world.p_rep.pk), (p, world.p_admin.pk))
    assert told(world.p_admin) == p_all and told(p_admin2) == p_all
    assert told(world.p_rep) == events((p, world.p_rep.pk))
    assert told(world.q_rep) == events((q, world.q_rep.pk))
    assert told(q_admin) == events((q, None), (q, world.q_rep.pk))
    assert len(_of(STATEMENT_READY, world.p_rep)) == 1
    assert _of(STATEMENT_READY, world.finance) == []
    assert _nothing_in_b(world, STATEMENT_READY)
    # (the runs' approvals told finance: only the statements' e-mails count here)
    mails = [m for m in mail.outbox if "payout statement" in m.subject]
    assert all(len(m.to) == 1 and not m.cc and not m.bcc for m in mails)
    assert sorted(m.to[0] for m in mails) == sorted(
        ["admin@p.test"] * 3
        + ["admin2@p.test"] * 3
        + ["rep@p.test", "rep@q.test"]
        + ["admin@q.test"] * 2
    )
    to_rep = next(m for m in mails if m.to == ["rep@p.test"])
    assert statements[(p, world.p_rep.pk)].number in to_rep.subject
    assert "/portal/statements/" in to_rep.body


# --- MDF decisions --------------------------------------------------------------------------


def test_an_mdf_decision_tells_the_requester_and_the_partner_admins(
    world, eager_tasks, django_capture_on_commit_callbacks
):
    with tenant_context(world.a.pk):
        NotificationPreference.objects.create(
            membership=world.p_admin, kind=MDF_REQUEST_DECIDED, email=EmailChoice.DIGEST
        )
    with django_capture_on_commit_callbacks(execute=True), tenant_context(world.a.pk):
        mdf = mdf_program()
        fund(mdf, world.p)
        fund(mdf, world.q)
        request = approved_request(mdf, world.p_rep, "1000.00", approve="600.00")
        notify_mdf_request_decided(MdfRequest.objects.get(pk=request.pk))  # twice is once
        approved_request(mdf, world.q_rep, "500.00")
    (rep_told,) = _of(MDF_REQUEST_DECIDED, world.p_rep)
    (admin_told,) = _of(MDF_REQUEST_DECIDED, world.p_admin)
    assert rep_told.event == admin_told.event
    assert rep_told.params["partial"] is True
    assert _of(MDF_REQUEST_DECIDED, world.channel_manager) == []
    # Q's rep hears of Q's request only.
    (q_told,) = _of(MDF_REQUEST_DECIDED, world.q_rep)
    assert q_told.params["title"] == "Partner webinar" and q_told.params["partial"] is False
    # P's admin chose the digest: only the reps were e-mailed at once.
    assert _addresses() == ["rep@p.test", "rep@q.test"] and _one_address_each()
    to_p = next(m for m in mail.outbox if m.to == ["rep@p.test"])
    assert "approved in part" in to_p.subject
    assert "600.00 USD of the 1,000.00 USD" in to_p.body
    assert f"/portal/mdf/requests/{request.pk}/" in to_p.body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), tenant_context(world.a.pk):
        assert notifications_digest_send() >= 1
    digest = [m for m in mail.outbox if m.to == ["admin@p.test"]]
    assert len(digest) == 1 and "approved in part" in digest[0].body


def test_mdf_questions_rejections_and_claim_decisions_carry_their_words(
    world, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), tenant_context(world.a.pk):
        mdf = mdf_program()
        fund(mdf, world.p)
        asked = mdf_request_submit(program=mdf, plan=plan("800.00"), by=world.p_admin)
        mdf_request_ask_changes(
            request=asked, question="Which audience is it for?", by=world.channel_manager
        )
        refused = mdf_request_submit(
            program=mdf, plan=plan("300.00", title="Trade fair"), by=world.p_rep
        )
        mdf_request_reject(request=refused, reason="Not in the plan.", by=world.channel_manager)
    # The admin asked: told once (as requester and admin), with the question.
    question = _of(MDF_REQUEST_DECIDED, world.p_admin)[0]
    assert question.params["decision"] == "changes"
    assert len(_of(MDF_REQUEST_DECIDED, world.p_admin)) == 2  # and of the rep's rejection
    assert len(_of(MDF_REQUEST_DECIDED, world.p_rep)) == 1
    bodies = "\n".join(m.body for m in mail.outbox)
    assert "Which audience is it for?" in bodies and "Not in the plan." in bodies
    assert _of(MDF_REQUEST_DECIDED, world.q_rep) == []

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), tenant_context(world.a.pk):
        request = approved_request(
            mdf, world.p_rep, "1000.00", starts=datetime.date.today() - datetime.timedelta(days=3)
        )
        first = claim(request, world.p_rep, "900.00")
        mdf_claim_reject(claim=first, reason="The invoice is missing.", by=world.channel_manager)
        second = claim(request, world.p_rep, "900.00")
        mdf_claim_approve(claim=second, by=world.channel_manager, amount=D("800.00"))
    for member in (world.p_rep, world.p_admin):
        decided = _of(MDF_CLAIM_DECIDED, member)
        assert [n.params["decision"] for n in decided] == ["rejected", "approved"]
    assert _of(MDF_CLAIM_DECIDED, world.q_rep) == []
    claim_mails = [m for m in mail.outbox if "MDF claim" in m.subject]
    assert len(claim_mails) == 4 and _one_address_each()
    bodies = "\n".join(m.body for m in claim_mails)
    assert "The invoice is missing." in bodies and "800.00 USD of the 900.00 USD" in bodies


# --- redemption decided ---------------------------------------------------------------------


def test_a_redemption_decision_tells_the_person_who_redeemed_in_one_message(
    world, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), tenant_context(world.a.pk):
        give(world.p_rep, 100)
        mug = reward(cost=60, stock=2, name="Mug")
        first = redemption_request(reward=mug, by=world.p_rep)
        rejected = redemption_reject(
            redemption=first, reason="Out of mugs this month", by=world.channel_manager
        )
        notify_redemption_decided(rejected)  # twice is once
    (told,) = _of(REDEMPTION_DECIDED, world.p_rep)
    assert told.event == f"redemption:{first.pk}:rejected"
    assert _of(REDEMPTION_DECIDED, world.p_admin) == []
    (message,) = mail.outbox
    assert message.to == ["rep@p.test"] and _one_address_each()
    assert "Your redemption of “Mug” was rejected" in message.subject
    assert "Out of mugs this month" in message.body and "60 points" in message.body
    assert f"/portal/points/redemptions/{first.pk}/" in message.body

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), tenant_context(world.a.pk):
        second = redemption_request(reward=mug, by=world.p_rep)
        redemption_fulfil(redemption=second, by=world.channel_manager)
    assert len(_of(REDEMPTION_DECIDED, world.p_rep)) == 2
    (message,) = mail.outbox
    assert message.to == ["rep@p.test"] and "“Mug” is on its way" in message.subject
