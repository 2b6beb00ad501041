"""A user of vendor A cannot reach anything of vendor B by editing the URL.

Every console and portal URL is enumerated from the URLconf.  Each URL
parameter must be listed in PARAM_MODELS (the model whose id it takes), so a
new page cannot be added without joining these checks."""

import re

import pytest
from django.urls import reverse

from deals import models as dm
from incentives import models as im
from partners import models as pm
from portal.urls import console_patterns, portal_patterns
from prm.models import ExportJob, Invitation, Membership, Notification
from prm.tenancy import tenant_context

PARAM_MODELS = {
    "partner_id": pm.Partner,
    "member_id": Membership,
    "invitation_id": Invitation,
    "application_id": pm.PartnerApplication,
    "question_id": pm.QualificationQuestion,
    "criterion_id": pm.IdealPartnerCriterion,
    "agreement_id": pm.Agreement,
    "plan_id": pm.OnboardingPlan,
    "step_id": pm.OnboardingStep,
    "partner_step_id": pm.PartnerOnboardingStep,
    "tier_id": pm.Tier,
    "requirement_id": pm.TierRequirement,
    "change_id": pm.TierChange,
    "announcement_id": pm.Announcement,
    "survey_id": pm.Survey,
    "survey_question_id": pm.SurveyQuestion,
    "idea_id": pm.Idea,
    "kpi_id": pm.KpiDefinition,
    "type_id": pm.CustomPartnerType,
    "registration_id": dm.DealRegistration,
    "product_id": dm.Product,
    "account_id": dm.DirectAccount,
    "lead_id": dm.Lead,
    "offer_id": dm.LeadOffer,
    "rule_id": dm.RoutingRule,
    "activity_id": dm.Activity,
    "conflict_id": dm.DealConflict,
    "export_id": ExportJob,
    "line_id": dm.RevenueLine,
    "program_id": im.Program,
    "run_id": im.PayoutRun,
    "payout_id": im.Payout,
    "item_id": im.PayoutItem,
    "dispute_id": im.Dispute,
    "statement_id": im.Statement,
    "request_id": im.MdfRequest,
    "claim_id": im.MdfClaim,
    "proof_id": im.MdfProof,
    "fund_id": im.MdfFund,
    "earning_rule_id": im.EarningRule,
    "reward_id": im.Reward,
    "redemption_id": im.Redemption,
    "notification_id": Notification,
}


def _url_names(patterns, namespace):
    for pattern in patterns:
        params = re.findall(r"<(?:\w+:)?(\w+)>", str(pattern.pattern))
        yield f"{namespace}:{pattern.name}", params


CONSOLE = list(_url_names(console_patterns, "console"))
PORTAL = list(_url_names(portal_patterns, "portal"))


def _ids(tenant) -> dict[str, int]:
    """Some object of each kind that belongs to ``tenant``."""
    with tenant_context(tenant.pk):
        return {
            param: model.objects.order_by("pk").values_list("pk", flat=True).first()
            for param, model in PARAM_MODELS.items()
        }


def _urls(world, tenant, names):
    ids = _ids(tenant)
    for name, params in names:
        yield reverse(name, kwargs={"tenant_slug": tenant.slug, **{p: ids[p] for p in params}})


def test_every_url_parameter_is_known():
    params = {p for _, ps in CONSOLE + PORTAL for p in ps}
    assert params <= set(PARAM_MODELS), params - set(PARAM_MODELS)


def test_the_world_has_an_object_of_every_kind_in_b(world):
    assert None not in _ids(world.b).values()


@pytest.mark.parametrize("who", ["vendor_admin", "channel_manager", "finance", "p_admin", "p_rep"])
def test_members_of_a_get_404_for_every_url_of_b(client, world, who):
    client.force_login(getattr(world, who).user)
    urls = [
        reverse("tenant_root", kwargs={"tenant_slug": world.b.slug}),
        *_urls(world, world.b, CONSOLE + PORTAL),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"tenant": world.b.pk}).status_code == 404, url


def test_b_object_ids_under_a_slug_are_404_for_a_vendor(client, world):
    """Editing only the id in an A URL: B's objects do not exist in A."""
    client.force_login(world.vendor_admin.user)
    b_ids = _ids(world.b)
    for name, params in CONSOLE:
        if not params:
            continue
        url = reverse(name, kwargs={"tenant_slug": world.a.slug, **{p: b_ids[p] for p in params}})
        assert client.get(url).status_code in (404, 405), url


def test_unknown_tenant_is_404(client, world):
    client.force_login(world.vendor_admin.user)
    assert client.get("/t/no-such-vendor/console/").status_code == 404


def test_anonymous_users_are_sent_to_sign_in(client, world):
    response = client.get(reverse("console:dashboard", kwargs={"tenant_slug": world.a.slug}))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_deactivated_member_loses_access_at_once(client, world):
    client.force_login(world.p_rep.user)
    url = reverse("portal:dashboard", kwargs={"tenant_slug": world.a.slug})
    assert client.get(url).status_code == 200
    with tenant_context(world.a.pk):
        Membership.objects.filter(pk=world.p_rep.pk).update(is_active=False)
    assert client.get(url).status_code == 404


def test_partner_users_cannot_open_console_pages(client, world):
    client.force_login(world.p_admin.user)
    for url in _urls(world, world.a, CONSOLE):
        assert client.get(url).status_code == 403, url


def test_vendor_users_cannot_open_portal_pages(client, world):
    client.force_login(world.vendor_admin.user)
    for url in _urls(world, world.a, PORTAL):
        assert client.get(url).status_code == 403, url


def test_tenant_root_sends_each_role_to_its_face(client, world):
    root = reverse("tenant_root", kwargs={"tenant_slug": world.a.slug})
    client.force_login(world.channel_manager.user)
    assert client.get(root)["Location"].endswith("/console/")
    client.force_login(world.p_rep.user)
    assert client.get(root)["Location"].endswith("/portal/")
