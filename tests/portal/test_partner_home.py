"""The partner portal's home page: what this person should do today, each item
linking to the page where it is done, most urgent first, within the partner
ring, in a fixed number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from deals.models import DealSettings, LeadOffer
from deals.services import registrations as registration_services
from deals.services.leads import lead_create
from deals.services.offers import lead_offer, offer_decline
from incentives.services.mdf_requests import mdf_request_ask_changes, mdf_request_submit
from partners.audience import Audience
from partners.models import (
    Partner,
    PartnerOnboarding,
    PartnerOnboardingStep,
    PartnerStatusChange,
)
from partners.selectors.agreements import current_agreement
from partners.services.agreements import agreement_accept, agreement_publish
from partners.services.announcements import announcement_create, announcement_publish
from partners.services.onboarding import onboarding_step_complete, step_add
from portal.partner_home import countdown, day_countdown
from prm.tenancy import tenant_context
from tests.deals.test_registrations_support import build_catalogue, future
from tests.fills.tiers import build_ladder, set_revenue
from tests.incentives.setup_incentives import program, won
from tests.incentives.setup_mdf import approved_request, fund, mdf_program, plan
from tests.world import staff

# Words for customer names; with a counter, each name is its own customer (no conflicts).
NAMES = (
    "Aurora Mills",
    "Basalt Freight",
    "Cobalt Dental",
    "Dynamo Bakery",
    "Ember Textiles",
    "Fjord Shipping",
    "Glacier Optics",
    "Harbor Vineyards",
    "Indigo Pharma",
    "Jasper Quarry",
    "Kelvin Heating",
    "Lumen Studios",
    "Mosaic Tiles",
    "Nimbus Airways",
    "Orchid Florists",
    "Pylon Energy",
    "Quartz Watches",
    "Rowan Schools",
    "Saffron Foods",
    "Tundra Outdoor",
    "Umber Paints",
    "Velvet Theatres",
    "Walnut Furniture",
    "Xenon Lighting",
    "Yarrow Herbals",
    "Zephyr Fans",
)


def url(world, name, **kwargs):
    return reverse(name, kwargs={"tenant_slug": world.a.slug, **kwargs})


def today():
    return timezone.localdate()


def home(client, person):
    client.force_login(person.user)
    response = client.get(url_of_home(person))
    assert response.status_code == 200
    return response


def url_of_home(person):
    return reverse("portal:dashboard", kwargs={"tenant_slug": person.tenant.slug})


def kinds(response) -> list[str]:
    return [item.kind for item in response.context["items"]]


def item_with_url(response, link):
    found = [item for item in response.context["items"] if item.url == link]
    assert len(found) == 1, (link, [i.url for i in response.context["items"]])
    return found[0]


# --- set-up through the services ------------------------------------------------------


class Names:
    """Customer names, each its own customer (its own customer key)."""

    def __init__(self):
        self.count = 0

    def __call__(self) -> str:
        self.count += 1
        return f"{NAMES[self.count % len(NAMES)]} {self.count}"


def offered(world, partner, company, *, tenant=None, by=None):
    tenant = tenant or world.a
    with tenant_context(tenant.pk):
        by = by or staff()
        lead = lead_create(by=by, company_name=company, country="DE")
        return lead_offer(lead=lead, partner=partner, by=by)


def registration(world, cat, person, name, *, protection_days=None, question=None):
    """A registration of ``person`` submitted, then approved with
    ``protection_days`` or sent back with ``question``."""
    with tenant_context(world.a.pk):
        created = registration_services.registration_create(
            by=person,
            customer_name=name,
            customer_country="DE",
            product_ids=[cat.analytics.pk],
            estimated_value="1000",
            currency="EUR",
            expected_close_date=future(),
            stage="proposal",
            submit=True,
        )
        if question:
            return registration_services.registration_request_info(
                registration=created, by=world.channel_manager, reason=question
            )
        DealSettings.objects.update(protection_days=protection_days)
        return registration_services.registration_approve(
            registration=created, by=world.channel_manager
        )


def onboarding_step(world, title, *, due_in_days):
    """A step of P's running onboarding (started ten days ago), due in ``due_in_days``."""
    with tenant_context(world.a.pk):
        onboarding = PartnerOnboarding.objects.select_related("plan").get(partner=world.p)
        started = today() - datetime.timedelta(days=10)
        if onboarding.started_on != started:
            PartnerOnboarding.objects.filter(pk=onboarding.pk).update(started_on=started)
        step = step_add(
            plan=onboarding.plan, by=staff(), title=title, due_after_days=10 + due_in_days
        )
        return PartnerOnboardingStep.objects.get(onboarding=onboarding, step=step)


def mdf_claim_due(world, mdf, person, title, *, closes_in_days):
    """An approved request whose claim window (60 days) closes in ``closes_in_days``."""
    with tenant_context(world.a.pk):
        starts = today() - datetime.timedelta(days=60 - closes_in_days)
        return approved_request(mdf, person, "100.00", title=title, starts=starts)


def mdf_sent_back(world, mdf, person, title):
    with tenant_context(world.a.pk):
        request = mdf_request_submit(program=mdf, plan=plan("100.00", title=title), by=person)
        return mdf_request_ask_changes(request=request, question="Add the agenda.", by=staff())


def announced(world, title):
    with tenant_context(world.a.pk):
        announcement = announcement_create(
            by=world.channel_manager, title=title, body="News", audience=Audience()
        )
        return announcement_publish(announcement=announcement, by=world.channel_manager)


def agreement_v2(world, *, accept_in_days=5):
    """A new version for partners in the program for long (a partner joining
    later gets its own, later date)."""
    with tenant_context(world.a.pk):
        long_ago = timezone.now() - datetime.timedelta(days=400)
        Partner.objects.update(created_at=long_ago)
        PartnerStatusChange.objects.update(created_at=long_ago)
        return agreement_publish(
            by=world.vendor_admin,
            title="Program agreement",
            body="New terms",
            accept_by=today() + datetime.timedelta(days=accept_in_days),
        )


@pytest.fixture
def cat(world):
    return build_catalogue(world)


@pytest.fixture
def mdf(world):
    with tenant_context(world.a.pk):
        created = mdf_program()
        fund(created, world.p)
        fund(created, world.q)
    return created


@pytest.fixture
def sla(world):
    """Leads must be answered within 3 hours."""
    with tenant_context(world.a.pk):
        DealSettings.objects.update(lead_sla_hours=3)


# --- every kind of item, for the rep and the admin -------------------------------------


@pytest.fixture
def seeded(world, cat, mdf, sla):
    """One item of every kind for P, some of them the rep's and some the admin's."""
    names = Names()
    s = {}
    s["offer"] = offered(world, world.p, "Globe AG")
    s["rep_expiring"] = registration(world, cat, world.p_rep, names(), protection_days=3)
    s["admin_expiring"] = registration(world, cat, world.p_admin, names(), protection_days=6)
    s["rep_question"] = registration(
        world, cat, world.p_rep, names(), question="Which products exactly?"
    )
    s["admin_question"] = registration(
        world, cat, world.p_admin, names(), question="Who is the buyer?"
    )
    s["far_expiry"] = registration(world, cat, world.p_rep, names(), protection_days=30)
    s["overdue_step"] = onboarding_step(world, "Attend the sales training", due_in_days=-2)
    s["late_step"] = onboarding_step(world, "Publish a case study", due_in_days=30)
    s["claim"] = mdf_claim_due(world, mdf, world.p_rep, "Spring webinar", closes_in_days=10)
    s["far_claim"] = mdf_claim_due(world, mdf, world.p_rep, "Autumn fair", closes_in_days=40)
    s["changes"] = mdf_sent_back(world, mdf, world.p_admin, "Roadshow")
    s["news"] = announced(world, "New price list")
    # The agreement last: registering needs the current one accepted.
    s["agreement"] = agreement_v2(world, accept_in_days=5)
    return s


def test_the_rep_sees_every_kind_with_its_link_countdown_and_order(client, world, seeded):
    response = home(client, world.p_rep)
    content = response.content.decode()

    offer = item_with_url(
        response, url(world, "portal:lead_detail", lead_id=seeded["offer"].lead_id)
    )
    assert offer.kind == "lead_offer" and "Globe AG" in offer.title
    assert offer.countdown == "in 3 hours" and offer.urgency == "today"

    own = seeded["rep_expiring"]
    expiring = item_with_url(response, url(world, "portal:registration", registration_id=own.pk))
    assert expiring.kind == "registration_expiring" and expiring.countdown == "in 3 days"
    assert expiring.due_day == today() + datetime.timedelta(days=3)

    question = item_with_url(
        response, url(world, "portal:registration", registration_id=seeded["rep_question"].pk)
    )
    assert question.kind == "registration_question"
    assert question.detail == "Which products exactly?" and question.due is None

    step = [i for i in response.context["items"] if "Attend the sales training" in i.title][0]
    assert step.url == url(world, "portal:onboarding")
    assert step.countdown == "2 days overdue" and step.urgency == "overdue"

    claim = item_with_url(response, url(world, "portal:mdf_request", request_id=seeded["claim"].pk))
    assert claim.kind == "mdf_claim" and claim.countdown == "in 10 days"
    assert "100.00 USD" in claim.detail
    changes = item_with_url(
        response, url(world, "portal:mdf_request", request_id=seeded["changes"].pk)
    )
    assert changes.kind == "mdf_changes" and changes.detail == "Add the agenda."

    news = item_with_url(
        response, url(world, "portal:announcement", announcement_id=seeded["news"].pk)
    )
    assert news.kind == "announcement" and news.title == "New price list"

    # The rep follows the own registrations, not the admin's.
    links = {item.url for item in response.context["items"]}
    for other in ("admin_expiring", "admin_question", "far_expiry"):
        assert url(world, "portal:registration", registration_id=seeded[other].pk) not in links
    # Outside the windows: a step due in a month, a claim window closing in 40 days.
    assert not any("Publish a case study" in item.title for item in response.context["items"])
    assert url(world, "portal:mdf_request", request_id=seeded["far_claim"].pk) not in links

    # Most urgent first: overdue, then the soonest deadline, then the undated.
    order = kinds(response)
    assert order.index("onboarding_step") < order.index("lead_offer")
    assert order.index("lead_offer") < order.index("registration_expiring")
    assert order.index("registration_expiring") < order.index("agreement")
    assert order.index("agreement") < order.index("mdf_claim")
    assert order.index("mdf_claim") < order.index("registration_question")
    assert order.index("registration_question") < order.index("mdf_changes")
    assert order[-1] == "announcement"
    dated = [item.due for item in response.context["items"] if item.due]
    assert dated == sorted(dated)
    assert [item.due for item in response.context["items"]][: len(dated)] == dated

    # Rendered: links, countdowns, and what was decided since the last visit
    # (the rep's unread notifications, newest first, at most five).
    for item in response.context["items"]:
        assert f'href="{item.url}"' in content
    assert "Reclaimed: in 3 hours" in content and "2 days overdue" in content
    recent = response.context["recent_decisions"]
    assert 0 < len(recent) <= 5
    assert all(n.recipient_id == world.p_rep.pk and n.read_at is None for n in recent)
    assert [n.created_at for n in recent] == sorted((n.created_at for n in recent), reverse=True)
    assert "Since your last visit" in content and recent[0].title in content
    assert "Nothing needs you right now." not in content


def test_the_rep_is_told_who_can_accept_the_agreement(client, world, seeded):
    response = home(client, world.p_rep)
    (item,) = [i for i in response.context["items"] if i.kind == "agreement"]
    assert not item.is_action
    assert item.people == (world.p_admin.user.full_name,)
    assert world.p_admin.user.full_name in item.detail
    assert item.url == url(world, "portal:agreement") and item.countdown == "in 5 days"
    content = response.content.decode()
    assert world.p_admin.user.full_name in content
    assert "Accept version 2" not in content
    assert url(world, "portal:agreement_accept", agreement_id=seeded["agreement"].pk) not in content


def test_the_admin_accepts_the_agreement_and_follows_the_organisation(client, world, seeded):
    response = home(client, world.p_admin)
    (item,) = [i for i in response.context["items"] if i.kind == "agreement"]
    assert item.is_action and item.people == ()
    assert item.title == "Accept version 2 of the program agreement"
    assert item.url == url(world, "portal:agreement") and item.countdown == "in 5 days"
    assert item.due_day == today() + datetime.timedelta(days=5)

    links = [i.url for i in response.context["items"]]
    for key in ("rep_expiring", "admin_expiring", "rep_question", "admin_question"):
        assert url(world, "portal:registration", registration_id=seeded[key].pk) in links
    assert url(world, "portal:registration", registration_id=seeded["far_expiry"].pk) not in links
    expiring = [i for i in response.context["items"] if i.kind == "registration_expiring"]
    assert [i.countdown for i in expiring] == ["in 3 days", "in 6 days"]
    # Offers, steps, MDF and news are the organisation's: the admin sees them too.
    assert {"lead_offer", "onboarding_step", "mdf_claim", "mdf_changes", "announcement"} <= set(
        kinds(response)
    )


def test_a_read_announcement_and_answered_items_leave_the_list(client, world, seeded):
    client.force_login(world.p_rep.user)
    client.get(url(world, "portal:announcement", announcement_id=seeded["news"].pk))
    with tenant_context(world.a.pk):
        offer = LeadOffer.objects.get(pk=seeded["offer"].pk)
        offer_decline(offer=offer, by=world.p_rep, reason="Not our region")
    response = client.get(url(world, "portal:dashboard"))
    assert "announcement" not in kinds(response)
    links = {item.url for item in response.context["items"]}
    assert url(world, "portal:lead_detail", lead_id=seeded["offer"].lead_id) not in links


def test_the_summary_shows_earnings_the_next_bracket_and_the_next_tier(client, world, cat):
    with tenant_context(world.a.pk):
        year = today().year
        program(
            "rebate",
            name="Growth rebate",
            starts_on=datetime.date(year, 1, 1),
            ends_on=datetime.date(year, 12, 31),
        )
        won(world.p, "1000.00", on=today())
    ladder = build_ladder(world.a)
    with tenant_context(world.a.pk):
        Partner.objects.filter(pk=world.p.pk).update(tier=ladder.silver)
    set_revenue(world.a, world.p, 100)

    response = home(client, world.p_rep)
    content = response.content.decode()
    (estimate,) = [
        e for e in response.context["home"].earnings if e.program.name == "Growth rebate"
    ]
    assert str(estimate.earned) == "20.00"  # 2 % of 1,000
    assert "20.00 USD" in content and "99,000.00 USD" in content
    tier = response.context["home"].tier
    assert tier.current == ladder.silver and tier.next == ladder.gold
    assert (tier.met, tier.total) == (1, 2)
    assert response.context["home"].tier_lines == ["Revenue (k): 150 to go"]
    assert "1 of 2 for Gold" in content and "Revenue (k): 150 to go" in content
    assert (
        url(world, "portal:earnings") in content and url(world, "portal:tier_progress") in content
    )


# --- the partner ring and the tenants --------------------------------------------------


def test_p_never_sees_q_or_tenant_b(client, world, cat, mdf):
    names = Names()
    p_offer = offered(world, world.p, "Pelican GmbH")
    q_offer = offered(world, world.q, "Quokka GmbH")
    b_offer = offered(world, world.b_partner, "Badger GmbH", tenant=world.b, by=world.b_admin)
    q_expiring = registration(world, cat, world.q_rep, names(), protection_days=2)
    q_question = registration(world, cat, world.q_rep, names(), question="Anything?")
    p_expiring = registration(world, cat, world.p_rep, names(), protection_days=2)
    q_claim = mdf_claim_due(world, mdf, world.q_rep, "Q webinar", closes_in_days=5)
    q_changes = mdf_sent_back(world, mdf, world.q_rep, "Q roadshow")

    for person in (world.p_rep, world.p_admin):
        links = {item.url for item in home(client, person).context["items"]}
        assert url(world, "portal:lead_detail", lead_id=p_offer.lead_id) in links
        assert url(world, "portal:registration", registration_id=p_expiring.pk) in links
        assert url(world, "portal:lead_detail", lead_id=q_offer.lead_id) not in links
        assert url(world, "portal:lead_detail", lead_id=b_offer.lead_id) not in links
        for registration_id in (q_expiring.pk, q_question.pk):
            assert url(world, "portal:registration", registration_id=registration_id) not in links
        for request_id in (q_claim.pk, q_changes.pk):
            assert url(world, "portal:mdf_request", request_id=request_id) not in links

    q_links = {item.url for item in home(client, world.q_rep).context["items"]}
    assert url(world, "portal:lead_detail", lead_id=q_offer.lead_id) in q_links
    assert url(world, "portal:registration", registration_id=q_expiring.pk) in q_links
    assert url(world, "portal:registration", registration_id=q_question.pk) in q_links
    assert url(world, "portal:mdf_request", request_id=q_claim.pk) in q_links
    assert url(world, "portal:lead_detail", lead_id=p_offer.lead_id) not in q_links
    assert url(world, "portal:registration", registration_id=p_expiring.pk) not in q_links
    assert not any(
        "Complete profile" in item.title for item in home(client, world.q_rep).context["items"]
    )


def test_nothing_due_shows_the_empty_state(client, world):
    # What the world's fill left P: an offer and an onboarding step due today.
    with tenant_context(world.a.pk):
        offer = LeadOffer.objects.get(partner=world.p, outcome="pending")
        offer_decline(offer=offer, by=world.p_rep, reason="Not for us")
        step = PartnerOnboardingStep.objects.select_related("step", "onboarding").get(
            onboarding__partner=world.p
        )
        onboarding_step_complete(partner_step=step, by=world.p_rep)
    response = home(client, world.p_rep)
    assert response.context["items"] == []
    assert response.context["home"].more == []
    assert "Nothing needs you right now." in response.content.decode()


# --- query counts -----------------------------------------------------------------------


def seed_every_kind(world, cat, mdf, names, n):
    for i in range(n):
        offered(world, world.p, f"Lead {names()}")
        registration(world, cat, world.p_rep, names(), protection_days=2)
        registration(world, cat, world.p_admin, names(), protection_days=4)
        registration(world, cat, world.p_rep, names(), question="Which products?")
        onboarding_step(world, f"Step {i} of {n}", due_in_days=1)
        mdf_claim_due(world, mdf, world.p_rep, f"Webinar {i} of {n}", closes_in_days=7)
        mdf_sent_back(world, mdf, world.p_rep, f"Fair {i} of {n}")
        announced(world, f"News {i} of {n}")


def queries_of_home(client, person):
    client.force_login(person.user)
    client.get(url_of_home(person))  # the session settles on the first visit
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url_of_home(person))
    assert response.status_code == 200
    return len(queries), response


def test_the_home_page_costs_the_same_queries_for_1_and_12_of_each_kind(client, world, cat, mdf):
    with tenant_context(world.a.pk):
        year = today().year
        program(
            "rebate",
            name="Growth rebate",
            starts_on=datetime.date(year, 1, 1),
            ends_on=datetime.date(year, 12, 31),
        )
    build_ladder(world.a)
    names = Names()
    people = ("p_rep", "p_admin")

    seed_every_kind(world, cat, mdf, names, 1)
    agreement_v2(world)
    small = {who: queries_of_home(client, getattr(world, who)) for who in people}

    with tenant_context(world.a.pk):
        # Registering needs the current agreement accepted.
        agreement_accept(agreement=current_agreement(), by=world.p_admin, ip=None)
    seed_every_kind(world, cat, mdf, names, 11)
    agreement_v2(world)  # version 3 waits for acceptance again
    large = {who: queries_of_home(client, getattr(world, who)) for who in people}

    for who in people:
        (small_count, small_page), (large_count, large_page) = small[who], large[who]
        assert small_count == large_count, who
        assert len(large_page.context["items"]) > len(small_page.context["items"])
    rep_more = {more.kind: more.text for more in large["p_rep"][1].context["home"].more}
    assert rep_more["lead_offer"] == "and 3 more lead offers"  # 12 and the world's; 10 shown
    assert rep_more["registration_expiring"] == "and 2 more registrations ending soon"
    assert rep_more["registration_question"] == "and 2 more registrations with a question"
    assert rep_more["onboarding_step"] == "and 3 more onboarding steps"  # and the world's
    assert rep_more["mdf_claim"] == "and 2 more MDF claims due"
    assert rep_more["mdf_changes"] == "and 2 more MDF requests to change"
    assert rep_more["announcement"] == "and 2 more announcements"
    admin_more = {more.kind: more.text for more in large["p_admin"][1].context["home"].more}
    assert admin_more["registration_expiring"] == "and 14 more registrations ending soon"
    print("home page queries:", {who: small[who][0] for who in people})


# --- the countdowns in words -----------------------------------------------------------


def test_countdowns_are_humanised():
    now = timezone.now()
    hours = datetime.timedelta(hours=1)
    assert countdown(now + 3 * hours + datetime.timedelta(minutes=5), now) == "in 3 hours"
    assert countdown(now + hours, now) == "in 1 hour"
    assert countdown(now + datetime.timedelta(minutes=20), now) == "in 20 minutes"
    # to the nearest unit: 2 h 59 min left is "in 3 hours", 1 h 10 min "in 1 hour"
    assert countdown(now + 3 * hours - datetime.timedelta(minutes=1), now) == "in 3 hours"
    assert countdown(now + hours + datetime.timedelta(minutes=10), now) == "in 1 hour"
    assert countdown(now + datetime.timedelta(days=3, hours=2), now) == "in 3 days"
    assert countdown(now - datetime.timedelta(days=2, hours=1), now) == "2 days overdue"
    assert countdown(now - 5 * hours, now) == "5 hours overdue"
    day = datetime.date(2026, 5, 10)
    assert day_countdown(day, day) == "today"
    assert day_countdown(day, day - datetime.timedelta(days=1)) == "in 1 day"
    assert day_countdown(day, day + datetime.timedelta(days=2)) == "2 days overdue"
