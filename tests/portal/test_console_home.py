"""The vendor console's home (``portal.console_home``): per role, each queue
with its count, its link, the age of its oldest item and its place (past the
target first, then the longest waiting); the set-up checklist; the empty
state; a number of queries that does not grow with the data; no link that
answers 403; and tenant B's work never counted on tenant A's home."""

import datetime
import itertools
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from deals.models import DealConflict, DealRegistration, Lead
from deals.services.leads import lead_create
from deals.services.registrations import extension_request
from deals.services.routing import lead_route
from incentives.models import Dispute, MdfClaim, MdfRequest, PayoutItem, Redemption, Statement
from incentives.services.disputes import dispute_open
from incentives.services.mdf_requests import mdf_request_submit
from incentives.services.rewards import redemption_request
from incentives.services.runs import payout_run_approve
from incentives.services.statements import statements_issue
from partners.models import (
    Agreement,
    Partner,
    PartnerApplication,
    PartnerOnboardingStep,
    QualificationQuestion,
    Tier,
    TierChange,
)
from partners.services.agreements import agreement_publish
from partners.services.onboarding import onboarding_start
from partners.services.recruitment import application_submit
from prm.models import Tenant
from prm.roles import Role
from prm.tenancy import tenant_context
from tests.deals.setup_deal_data import product, register
from tests.incentives.setup_incentives import D, program, run_of, won
from tests.incentives.setup_mdf import approved_request, claim, fund, mdf_program, plan
from tests.incentives.setup_points import give, reward
from tests.world import make_member, staff

SERIAL = itertools.count(1)
NOTHING = "Nothing needs you right now."


def home_url(tenant) -> str:
    return reverse("console:dashboard", kwargs={"tenant_slug": tenant.slug})


def link(tenant, name, query="", **kwargs) -> str:
    url = reverse(f"console:{name}", kwargs={"tenant_slug": tenant.slug, **kwargs})
    return f"{url}?{query}" if query else url


def open_home(client, member, tenant):
    client.force_login(member.user)
    response = client.get(home_url(tenant))
    assert response.status_code == 200
    return response


def queues(response) -> dict:
    return {queue.key: queue for queue in response.context["home"].queues}


def count(response, key) -> int:
    queue = queues(response).get(key)
    return queue.count if queue else 0


def count_after(shown: dict, key) -> int:
    return shown[key].count if key in shown else 0


def ago(days: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


# --- seeding: real services where practical -------------------------------------------


def seed_channel_work(world, n: int, *, days: int) -> None:
    """``n`` items of every channel-manager queue in tenant A, each ``days``
    old (registrations: submitted ``days`` ago, so past the 48-hour target)."""
    with tenant_context(world.a.pk):
        for _ in range(n):
            k = next(SERIAL)
            application = application_submit(
                data={
                    "company_name": f"Applicant {k}",
                    "website": f"https://applicant{k}.example",
                    "email_domain": f"applicant{k}.example",
                    "country": "de",
                    "partner_type": "si",
                    "contact_name": "Ann",
                    "contact_email": f"ann@applicant{k}.example",
                },
                raw_answers=answers(),
                ip=None,
            )
            PartnerApplication.objects.filter(pk=application.pk).update(created_at=ago(days))
            waiting = register(world.p, world.p_rep.user, f"Waiting {k}", status="submitted")
            DealRegistration.objects.filter(pk=waiting.pk).update(submitted_at=ago(days))
            protected = register(
                world.p,
                world.p_rep.user,
                f"Protected {k}",
                status="approved",
                protected_until=timezone.localdate() + datetime.timedelta(days=10),
                products=[product(f"EXT-{k}", f"Extended {k}")],
            )
            extension_request(registration=protected, by=world.p_admin, reason="Longer cycle")
            DealRegistration.objects.filter(pk=protected.pk).update(
                extension_requested_at=ago(days)
            )
            conflict = DealConflict.objects.create(
                registration=waiting, other_registration=protected, match="name"
            )
            DealConflict.objects.filter(pk=conflict.pk).update(found_at=ago(days))
            lead = lead_create(by=staff(), company_name=f"Lead {k}", country="JP")
            lead_route(lead=lead, by=staff())
            Lead.objects.filter(pk=lead.pk).update(created_at=ago(days))
            # A partner without people (no admin), past the agreement's deadline
            # once one is set, and late with its onboarding.
            firm = Partner.objects.create(name=f"Firm {k}", partner_type="reseller")
            Partner.objects.filter(pk=firm.pk).update(created_at=ago(days))
            onboarding_start(partner=firm, on=timezone.localdate() - datetime.timedelta(days=30))
            change = TierChange.objects.create(partner=firm, status=TierChange.Status.PROPOSED)
            TierChange.objects.filter(pk=change.pk).update(created_at=ago(days))
        mdf = mdf_program(name=f"Co-marketing {next(SERIAL)}")
        fund(mdf, world.p, "1000000.00")
        for _ in range(n):
            mdf_request_submit(program=mdf, plan=plan("100.00"), by=world.p_admin)
            claim(approved_request(mdf, world.p_admin, "100.00"), world.p_admin, "100.00")
        MdfRequest.objects.filter(status="submitted").update(created_at=ago(days))
        MdfClaim.objects.filter(status="submitted").update(created_at=ago(days))
        give(world.p_rep, 10 * n)
        prize = reward(cost=10, name=f"Mug {next(SERIAL)}")
        for _ in range(n):
            redemption_request(reward=prize, by=world.p_rep)
        Redemption.objects.filter(status="pending").update(created_at=ago(days))


def answers() -> dict[str, str]:
    """An answer to every active qualification question of the current tenant."""
    given = {"yes_no": "yes", "number": "1"}
    return {
        str(question.pk): question.choices[0]
        if question.choices
        else given.get(question.kind, "An answer")
        for question in QualificationQuestion.objects.filter(is_active=True)
    }


def publish_agreement_past_deadline(world, *, days_late: int) -> None:
    with tenant_context(world.a.pk):
        agreement = agreement_publish(
            by=world.vendor_admin,
            title="Partner terms",
            body="The terms.",
            accept_by=timezone.localdate() + datetime.timedelta(days=30),
        )
        Agreement.objects.filter(pk=agreement.pk).update(
            accept_by=timezone.localdate() - datetime.timedelta(days=days_late)
        )


@pytest.fixture
def second_finance(world):
    return make_member(world.a, "finance2@a.test", Role.FINANCE)


def seed_finance_work(world, second_finance, n: int) -> dict:
    """``n`` programs with a draft run of Q3 (prepared by finance, above the
    four-eyes amount), ``n`` with an approved run, its statements issued (not
    rendered: no worker) and one disputed line each."""
    made = {"drafts": [], "approved": []}
    with tenant_context(world.a.pk):
        for _ in range(n):
            k = next(SERIAL)
            big = program("commission", percent=D("10"), name=f"Commission {k}")
            won(world.p, "200000.00")
            made["drafts"].append(run_of(big, by=world.finance))
        for _ in range(n):
            k = next(SERIAL)
            paid = program("commission", percent=D("10"), name=f"Commission {k}")
            won(world.p, "1000.00")
            run = payout_run_approve(run=run_of(paid, by=world.finance), by=second_finance)
            statements_issue(run=run, by=world.finance)
            item = PayoutItem.objects.filter(run=run, partner=world.p).first()
            dispute_open(item=item, body="Looks low", by=world.p_admin)
            made["approved"].append(run)
    return made


# --- channel manager and vendor admin ---------------------------------------------------


CHANNEL_QUEUES = {
    "applications": ("applications", ""),
    "registrations": ("registration_queue", ""),
    "registrations_late": ("registration_queue", "status=submitted&min_age_hours=48"),
    "conflicts": ("registration_conflicts", ""),
    "tier_proposals": ("tier_proposals", ""),
    "unrouted_leads": ("leads", "status=unrouted"),
    "no_admin": ("team", ""),
    "agreement_overdue": ("agreements", ""),
    "onboarding_overdue": ("onboarding_plans", ""),
    "mdf_requests": ("mdf_queue", ""),
    "mdf_claims": ("mdf_queue", ""),
    "redemptions": ("redemptions", ""),
}


@pytest.mark.parametrize("role", ["channel_manager", "vendor_admin"])
def test_channel_queues_count_link_and_age_their_items(client, world, role):
    member = getattr(world, role)
    before = open_home(client, member, world.a)
    seed_channel_work(world, 3, days=5)
    publish_agreement_past_deadline(world, days_late=4)
    after = open_home(client, member, world.a)
    shown = queues(after)
    html = after.content.decode()
    for key, (name, query) in CHANNEL_QUEUES.items():
        queue = shown[key]
        assert queue.url == link(world.a, name, query), key
        assert f'href="{queue.url}"' in html.replace("&amp;", "&"), key
        assert queue.label in html
    for key in (
        "applications",
        "registrations",
        "registrations_late",
        "extensions",
        "conflicts",
        "tier_proposals",
        "unrouted_leads",
        "no_admin",
        "mdf_requests",
        "mdf_claims",
        "redemptions",
    ):
        assert shown[key].count == count(before, key) + 3, key
        # Our items are the oldest: five days.
        assert (timezone.now() - shown[key].since).days == 5, key
    assert "oldest: 5\xa0days" in html
    assert shown["registrations_late"].overdue and not shown["registrations"].overdue
    # Every active partner of A has not accepted version 2: P, Q and the three firms.
    assert shown["agreement_overdue"].count == 5
    assert shown["agreement_overdue"].since.date() == timezone.localdate() - datetime.timedelta(4)
    assert shown["onboarding_overdue"].count == count(before, "onboarding_overdue") + 3
    # The extension queue opens the oldest request.
    with tenant_context(world.a.pk):
        oldest = (
            DealRegistration.objects.filter(extension_requested_at__isnull=False)
            .order_by("extension_requested_at", "pk")
            .first()
        )
    assert shown["extensions"].url == link(world.a, "registration", registration_id=oldest.pk)
    # Partners needing attention name the firms, with links, at most ten.
    home = after.context["home"]
    assert 1 <= len(home.attention) <= 10
    firm = next(p for p in home.attention if p.name.startswith("Firm "))
    with tenant_context(world.a.pk):
        firm_id = Partner.objects.get(name=firm.name).pk
    assert firm.url == link(world.a, "partner_detail", partner_id=firm_id)
    assert f'href="{firm.url}"' in html
    assert "no active partner admin" in firm.reasons
    assert NOTHING not in html


def test_overdue_queues_come_first_then_the_longest_waiting(client, world):
    seed_channel_work(world, 1, days=2)  # registrations past the 48-hour target, two days
    with tenant_context(world.a.pk):
        PartnerApplication.objects.update(created_at=ago(20))
        TierChange.objects.update(created_at=ago(10))
    response = open_home(client, world.channel_manager, world.a)
    keys = [queue.key for queue in response.context["home"].queues]
    overdue = [queue.overdue for queue in response.context["home"].queues]
    assert overdue == sorted(overdue, reverse=True)
    # Past its target (two days) before applications waiting twenty days.
    assert keys.index("registrations_late") < keys.index("applications")
    assert keys.index("applications") < keys.index("tier_proposals")
    # Among the queues on time, the oldest first.
    on_time = [q.since for q in response.context["home"].queues if not q.overdue and q.since]
    assert on_time == sorted(on_time)
    html = response.content.decode()
    assert html.index('data-queue="registrations_late"') < html.index('data-queue="applications"')


def test_finance_sees_no_channel_queues_and_the_channel_manager_no_payout_queues(client, world):
    seed_channel_work(world, 1, days=1)
    finance = queues(open_home(client, world.finance, world.a))
    assert not set(finance) & set(CHANNEL_QUEUES)
    manager = queues(open_home(client, world.channel_manager, world.a))
    payout_queues = {"runs_to_prepare", "runs_to_approve", "runs_to_pay", "statements", "disputes"}
    assert not payout_queues & set(manager)
    assert "invitations" not in manager


# --- finance ----------------------------------------------------------------------------


def test_finance_queues_count_link_and_respect_four_eyes(client, world, second_finance):
    before = open_home(client, world.finance, world.a)
    other_before = open_home(client, second_finance, world.a)
    made = seed_finance_work(world, second_finance, 2)
    with tenant_context(world.a.pk):
        Statement.objects.update(created_at=ago(3))
        Dispute.objects.update(created_at=ago(2))
    mine = queues(open_home(client, world.finance, world.a))
    other = queues(open_home(client, second_finance, world.a))
    # Four programs whose Q1 and Q2 have no run (Q3 has one).
    assert mine["runs_to_prepare"].count == count(before, "runs_to_prepare") + 4 * 2
    assert mine["runs_to_prepare"].url == link(world.a, "programs")
    assert mine["runs_to_prepare"].since.date() == datetime.date(2026, 4, 1)
    # Finance prepared the large drafts: someone else approves them (four eyes).
    assert count_after(mine, "runs_to_approve") == count(before, "runs_to_approve")
    assert count_after(other, "runs_to_approve") == count(other_before, "runs_to_approve") + 2
    assert other["runs_to_approve"].url == link(world.a, "payout_runs")
    assert mine["runs_to_pay"].count == count(before, "runs_to_pay") + 2
    assert mine["runs_to_pay"].url == link(world.a, "payout_runs")
    statements = mine["statements"]
    assert statements.count == count(before, "statements") + 2
    assert (timezone.now() - statements.since).days == 3
    with tenant_context(world.a.pk):
        oldest_run = Statement.objects.order_by("created_at", "pk").first().run_id
    assert statements.url == link(world.a, "run_statements", run_id=oldest_run)
    assert mine["disputes"].count == count(before, "disputes") + 2
    assert mine["disputes"].url == link(world.a, "disputes")
    assert (timezone.now() - mine["disputes"].since).days == 2
    assert made["drafts"] and made["approved"]


def test_runs_to_prepare_link_to_the_program_when_only_one_is_behind(client, world):
    fresh = fresh_tenant()
    with tenant_context(fresh.c.pk):
        single = program("commission", percent=D("10"), name="Only one")
    shown = queues(open_home(client, fresh.finance, fresh.c))
    assert shown["runs_to_prepare"].count == 3  # Q1, Q2 and Q3 of 2026 have ended
    assert shown["runs_to_prepare"].url == link(fresh.c, "program", program_id=single.pk)


# --- the vendor admin's set-up and people ---------------------------------------------


def fresh_tenant():
    """A tenant with its vendor staff and nothing else."""
    from types import SimpleNamespace

    c = Tenant.objects.create(name="Vendor C", slug="vendor-c")
    return SimpleNamespace(
        c=c,
        admin=make_member(c, "admin@c.test", Role.VENDOR_ADMIN),
        manager=make_member(c, "manager@c.test", Role.CHANNEL_MANAGER),
        finance=make_member(c, "finance@c.test", Role.FINANCE),
    )


def test_a_new_vendor_admin_is_shown_what_to_set_up_then_nothing(client, world):
    fresh = fresh_tenant()
    response = open_home(client, fresh.admin, fresh.c)
    setup = {item.key: item.url for item in response.context["home"].setup}
    assert setup == {
        "products": link(fresh.c, "products"),
        "agreement": link(fresh.c, "agreements"),
        "tiers": link(fresh.c, "tiers"),
    }
    html = response.content.decode()
    for url in setup.values():
        assert f'href="{url}"' in html
    assert NOTHING not in html
    with tenant_context(fresh.c.pk):
        product("CORE", "Core")
        agreement_publish(by=fresh.admin, title="Terms", body="The terms.")
        Tier.objects.create(name="Silver", rank=1)
    response = open_home(client, fresh.admin, fresh.c)
    assert response.context["home"].setup == []
    assert response.context["home"].is_empty
    assert NOTHING in response.content.decode()
    assert response.context["home"].people == 3


def test_the_vendor_admin_sees_pending_invitations(client, world):
    before = count(open_home(client, world.vendor_admin, world.a), "invitations")
    client.post(
        link(world.a, "team"),
        {"email": "new@a.test", "role": Role.FINANCE},
    )
    shown = queues(open_home(client, world.vendor_admin, world.a))
    assert shown["invitations"].count == before + 1
    assert shown["invitations"].url == link(world.a, "team")


@pytest.mark.parametrize("role", ["manager", "finance"])
def test_nothing_due_is_the_empty_state(client, world, role):
    fresh = fresh_tenant()
    response = open_home(client, getattr(fresh, role), fresh.c)
    assert response.context["home"].queues == []
    assert NOTHING in response.content.decode()


# --- a fixed number of queries --------------------------------------------------------


def _queries(client, member, tenant) -> int:
    client.force_login(member.user)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(home_url(tenant)).status_code == 200
    return len(captured)


def test_the_home_costs_the_same_queries_for_1_and_15_items(client, world, second_finance):
    publish_agreement_past_deadline(world, days_late=3)
    seed_channel_work(world, 1, days=3)
    seed_finance_work(world, second_finance, 1)
    members = [world.vendor_admin, world.channel_manager, world.finance, second_finance]
    small = {m.role + str(m.pk): _queries(client, m, world.a) for m in members}
    seed_channel_work(world, 14, days=3)
    seed_finance_work(world, second_finance, 14)
    large = {m.role + str(m.pk): _queries(client, m, world.a) for m in members}
    manager = queues(open_home(client, world.channel_manager, world.a))
    assert manager["redemptions"].count >= 15 and manager["applications"].count >= 15
    assert queues(open_home(client, world.finance, world.a))["disputes"].count >= 15
    assert small == large, (small, large)


# --- links that open, and the tenant ring ---------------------------------------------


@pytest.mark.parametrize("role", ["finance", "channel_manager", "vendor_admin"])
def test_no_link_on_the_home_or_in_the_menu_answers_403(client, world, second_finance, role):
    seed_channel_work(world, 1, days=3)
    seed_finance_work(world, second_finance, 1)
    publish_agreement_past_deadline(world, days_late=1)
    member = getattr(world, role)
    html = open_home(client, member, world.a).content.decode().replace("&amp;", "&")
    prefix = f"/t/{world.a.slug}/console/"
    hrefs = sorted(set(re.findall(rf'href="({re.escape(prefix)}[^"]*)"', html)))
    assert len(hrefs) > 10
    refused = [href for href in hrefs if client.get(href).status_code == 403]
    assert refused == []


def test_finance_has_no_menu_link_to_pages_it_may_not_use(client, world):
    html = open_home(client, world.finance, world.a).content.decode()
    for name in ("recruitment_settings", "applications", "registration_queue", "mdf_queue"):
        assert f'href="{link(world.a, name)}"' not in html, name
    for name in ("programs", "payout_runs", "disputes", "exchange_rates", "mdf_funds"):
        assert f'href="{link(world.a, name)}"' in html, name


def test_tenant_b_work_never_counts_on_tenant_a_home(client, world):
    before = {
        role: queues(open_home(client, getattr(world, role), world.a))
        for role in ("vendor_admin", "finance")
    }
    with tenant_context(world.b.pk):
        for k in range(3):
            register(world.b_partner, world.b_rep.user, f"B waiting {k}", status="submitted")
            Partner.objects.create(name=f"B firm {k}", partner_type="isv")
            application_submit(
                data={
                    "company_name": f"B applicant {k}",
                    "website": f"https://b{k}.example",
                    "email_domain": f"b{k}.example",
                    "country": "fr",
                    "partner_type": "si",
                    "contact_name": "Bea",
                    "contact_email": f"bea@b{k}.example",
                },
                raw_answers=answers(),
                ip=None,
            )
            TierChange.objects.create(
                partner=Partner.objects.get(name=f"B firm {k}"), status=TierChange.Status.PROPOSED
            )
            program("commission", percent=D("10"), name=f"B commission {k}")
        onboarding_start(
            partner=Partner.objects.get(name="B firm 0"),
            on=timezone.localdate() - datetime.timedelta(days=30),
        )
        PartnerOnboardingStep.objects.update(due_on=timezone.localdate() - datetime.timedelta(5))
    for role, shown_before in before.items():
        after = queues(open_home(client, getattr(world, role), world.a))
        assert {k: q.count for k, q in after.items()} == {
            k: q.count for k, q in shown_before.items()
        }, role
    b_home = queues(open_home(client, world.b_admin, world.b))
    assert b_home["registrations"].count >= 3 and b_home["applications"].count >= 3
