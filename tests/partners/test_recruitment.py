"""Recruitment: the public application page, scoring, and the review queue."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse

from partners.models import (
    IdealPartnerCriterion,
    Partner,
    PartnerApplication,
    PartnerDomain,
    QualificationQuestion,
)
from prm.models import Invitation
from prm.tenancy import tenant_context
from tests.partners.helpers import application_post

APPLY_A = "/apply/vendor-a/"


@pytest.fixture
def questions(world):
    with tenant_context(world.a.pk):
        QualificationQuestion.objects.update(is_active=False)
        IdealPartnerCriterion.objects.all().delete()
        certified = QualificationQuestion.objects.create(text="Certified engineers?", kind="yes_no")
        staff = QualificationQuestion.objects.create(text="Sales staff", kind="number")
        IdealPartnerCriterion.objects.create(
            name="Certified", field="answer", question=certified, values=["yes"], weight=3
        )
        IdealPartnerCriterion.objects.create(
            name="Big team", field="answer", question=staff, minimum=Decimal("10"), weight=1
        )
        IdealPartnerCriterion.objects.create(name="DACH", field="region", values=["dach"], weight=2)
        IdealPartnerCriterion.objects.create(
            name="In Germany", field="country", values=["DE"], weight=2
        )
    return certified, staff


def _applications(tenant):
    with tenant_context(tenant.pk):
        return list(PartnerApplication.objects.order_by("pk"))


def test_the_public_page_needs_no_login_and_shows_the_questions(client, questions):
    response = client.get(APPLY_A)
    assert response.status_code == 200
    assert b"Certified engineers?" in response.content
    assert b"Vendor A" in response.content


def test_unknown_vendor_is_404(client, db):
    assert client.get("/apply/nobody/").status_code == 404


def test_an_application_is_stored_and_scored(client, world, questions):
    certified, staff = questions
    before = len(_applications(world.a))
    response = client.post(
        APPLY_A, application_post(**{f"q{certified.pk}": "yes", f"q{staff.pk}": "4"})
    )
    assert response.status_code == 200 and b"Thank you" in response.content
    application = _applications(world.a)[-1]
    assert len(_applications(world.a)) == before + 1
    assert application.country == "DE" and application.regions == ["DACH", "Nordics"]
    # met: Certified 3 + DACH 2 + Germany 2 = 7 of 8
    assert application.score == Decimal("87.5")
    assert {d["criterion"]: d["met"] for d in application.score_details}["Big team"] is False
    assert application.submitted_ip == "127.0.0.1"


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"company_name": ""}, "company_name"),
        ({"website": "not a url"}, "website"),
        ({"email_domain": "nodot"}, "email_domain"),
        ({"country": "Narnia"}, "country"),  # a name that names no country
        ({"partner_type": "pirate"}, "partner_type"),
        ({"contact_email": "nope"}, "contact_email"),
    ],
)
def test_bad_applications_get_a_clear_message_and_store_nothing(
    client, world, questions, overrides, field
):
    certified, staff = questions
    before = len(_applications(world.a))
    data = application_post(**{f"q{certified.pk}": "yes", f"q{staff.pk}": "4", **overrides})
    response = client.post(APPLY_A, data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert len(_applications(world.a)) == before


def test_a_missing_required_answer_is_refused(client, world, questions):
    certified, staff = questions
    before = len(_applications(world.a))
    response = client.post(APPLY_A, application_post(**{f"q{staff.pk}": "4"}))
    assert response.status_code == 400
    assert f"q{certified.pk}" in response.context["form"].errors
    assert len(_applications(world.a)) == before


def test_a_firm_that_is_already_a_partner_is_refused(client, world, questions):
    certified, staff = questions
    with tenant_context(world.a.pk):
        PartnerDomain.objects.create(partner=world.q, domain="acme-int.example")
    response = client.post(
        APPLY_A, application_post(**{f"q{certified.pk}": "yes", f"q{staff.pk}": "4"})
    )
    assert response.status_code == 400
    assert "email_domain" in response.context["form"].errors


def test_a_second_pending_application_from_the_same_domain_is_refused(client, world, questions):
    certified, staff = questions
    data = application_post(**{f"q{certified.pk}": "yes", f"q{staff.pk}": "4"})
    assert client.post(APPLY_A, data).status_code == 200
    data["started"] = application_post()["started"]
    assert client.post(APPLY_A, data).status_code == 400


def test_bots_filling_the_hidden_field_store_nothing(client, world, questions):
    certified, staff = questions
    before = len(_applications(world.a))
    response = client.post(
        APPLY_A,
        application_post(fax_number="+1 555", **{f"q{certified.pk}": "yes", f"q{staff.pk}": "4"}),
    )
    assert response.status_code == 200
    assert len(_applications(world.a)) == before


def test_forms_sent_back_instantly_or_without_a_start_token_store_nothing(client, world, questions):
    certified, staff = questions
    fresh = client.get(APPLY_A).context["form"].initial["started"]
    before = len(_applications(world.a))
    for started in (fresh, "forged"):
        client.post(
            APPLY_A,
            application_post(started=started, **{f"q{certified.pk}": "yes", f"q{staff.pk}": "4"}),
        )
    assert len(_applications(world.a)) == before


def _firm(n: int, questions) -> dict:
    certified, staff = questions
    return application_post(
        **{f"q{certified.pk}": "yes", f"q{staff.pk}": "4"},
        company_name=f"Firm {n}",
        email_domain=f"firm{n}.example",
        website=f"https://firm{n}.example",
        contact_email=f"anna@firm{n}.example",
    )


def _forget_limits(world, *addresses):
    for address in addresses:
        cache.delete(f"application-rate:{world.a.pk}:{address}")


def test_well_formed_submissions_are_rate_limited_per_address(client, world, questions):
    _forget_limits(world, "127.0.0.1")
    before = len(_applications(world.a))
    codes = [client.post(APPLY_A, _firm(n, questions)).status_code for n in range(11)]
    assert codes[-1] == 429 and 429 not in codes[:10]
    assert len(_applications(world.a)) == before + 10


def test_empty_and_spam_posts_do_not_use_up_the_limit(client, world, questions):
    _forget_limits(world, "127.0.0.1")
    for _ in range(15):
        client.post(APPLY_A, {})  # empty: a form with errors
        client.post(APPLY_A, {**_firm(99, questions), "fax_number": "555"})  # the honeypot
        client.post(APPLY_A, {**_firm(98, questions), "started": "forged"})
    response = client.post(APPLY_A, _firm(1, questions))
    assert response.status_code == 200 and b"Thank you" in response.content


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(client, world, questions, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    _forget_limits(world, "203.0.113.5", "198.51.100.7")
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    attacker = [
        client.post(
            APPLY_A, _firm(n, questions), HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5", **proxy
        ).status_code
        for n in range(11)
    ]
    assert attacker[-1] == 429
    other = client.post(APPLY_A, _firm(50, questions), HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy)
    assert other.status_code == 200 and b"Thank you" in other.content
    assert _applications(world.a)[-1].submitted_ip == "198.51.100.7"


def test_an_application_to_b_is_stored_in_b_only(client, world):
    before_a = len(_applications(world.a))
    with tenant_context(world.b.pk):
        QualificationQuestion.objects.update(is_active=False)
    assert client.post("/apply/vendor-b/", application_post()).status_code == 200
    assert len(_applications(world.a)) == before_a
    assert any(a.company_name == "Acme Integrations" for a in _applications(world.b))


def _submit(client, world, questions, **overrides):
    certified, staff = questions
    client.post(
        APPLY_A, application_post(**{f"q{certified.pk}": "yes", f"q{staff.pk}": "4"}, **overrides)
    )
    return _applications(world.a)[-1]


def _detail(world, application):
    return reverse(
        "console:application_detail",
        kwargs={"tenant_slug": world.a.slug, "application_id": application.pk},
    )


def test_the_queue_lists_pending_applications_best_fit_first(client, world, questions):
    _submit(client, world, questions)
    client.force_login(world.channel_manager.user)
    response = client.get(reverse("console:applications", kwargs={"tenant_slug": "vendor-a"}))
    scores = [a.score for a in response.context["applications"]]
    assert scores == sorted(scores, reverse=True) and len(scores) >= 2


def test_approval_creates_the_partner_and_invites_the_contact(client, world, questions):
    application = _submit(client, world, questions)
    client.force_login(world.channel_manager.user)
    response = client.post(
        _detail(world, application),
        {"approve": "1", "account_manager": world.channel_manager.user.pk},
    )
    assert response.status_code == 302
    with tenant_context(world.a.pk):
        application.refresh_from_db()
        partner = Partner.objects.get(name="Acme Integrations")
        invitation = Invitation.objects.get(email="anna@acme-int.example")
        assert application.status == "approved" and application.partner_id == partner.pk
        assert partner.status == "onboarding" and partner.partner_type == "si"
        assert list(partner.domains.values_list("domain", flat=True)) == ["acme-int.example"]
        assert partner.account_manager_id == world.channel_manager.user.pk
        assert (invitation.role, invitation.partner_link.partner_id) == (
            "partner_admin",
            partner.pk,
        )
        assert partner.status_changes.count() == 1


def test_an_application_is_decided_once(client, world, questions):
    application = _submit(client, world, questions)
    client.force_login(world.channel_manager.user)
    assert client.post(_detail(world, application), {"approve": "1"}).status_code == 302
    again = client.post(_detail(world, application), {"reject": "1", "reason": "Changed mind"})
    assert again.status_code == 400
    with tenant_context(world.a.pk):
        assert PartnerApplication.objects.get(pk=application.pk).status == "approved"


def test_rejection_needs_a_reason_and_mails_the_applicant(
    client, world, questions, django_capture_on_commit_callbacks
):
    application = _submit(client, world, questions)
    client.force_login(world.vendor_admin.user)
    assert (
        client.post(_detail(world, application), {"reject": "1", "reason": ""}).status_code == 400
    )
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            _detail(world, application), {"reject": "1", "reason": "Not a fit for our market."}
        )
    assert response.status_code == 302 and len(callbacks) == 1
    with tenant_context(world.a.pk):
        assert PartnerApplication.objects.get(pk=application.pk).status == "rejected"


def test_finance_may_look_but_not_decide(client, world, questions):
    application = _submit(client, world, questions)
    client.force_login(world.finance.user)
    assert client.get(_detail(world, application)).status_code == 200
    assert client.post(_detail(world, application), {"approve": "1"}).status_code == 403


def test_settings_add_questions_and_criteria_and_refuse_bad_ones(client, world):
    client.force_login(world.channel_manager.user)
    url = reverse("console:recruitment_settings", kwargs={"tenant_slug": "vendor-a"})
    ok = client.post(
        url,
        {
            "add_question": "1",
            "q-text": "Years in business",
            "q-kind": "number",
            "q-required": "on",
            "q-position": "1",
            "q-is_active": "on",
        },
    )
    assert ok.status_code == 302
    bad = client.post(
        url,
        {
            "add_question": "1",
            "q-text": "Pick",
            "q-kind": "choice",
            "q-choices": "only one",
            "q-position": "1",
        },
    )
    assert bad.status_code == 400 and "choices" in bad.context["question_form"].errors
    no_question = client.post(
        url,
        {
            "add_criterion": "1",
            "c-name": "x",
            "c-field": "answer",
            "c-values": "yes",
            "c-weight": "2",
        },
    )
    assert no_question.status_code == 400
    with tenant_context(world.a.pk):
        assert QualificationQuestion.objects.filter(text="Years in business").exists()
        assert not QualificationQuestion.objects.filter(text="Pick").exists()
        assert not IdealPartnerCriterion.objects.filter(name="x").exists()
