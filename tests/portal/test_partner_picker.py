"""The partner picker: console filters and forms no longer render every partner;
the partner search behind it answers with the tenant's partners only, at most
twenty, in a constant number of queries, and never fails on odd input."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from deals.services.leads import lead_create
from partners.models import Partner, PartnerStatus, PartnerType
from partners.selectors.organisations import PICK_LIMIT, partners_matching
from prm.tenancy import tenant_context
from tests.deals.test_registrations_support import make
from tests.portal.test_tenant_urls import CONSOLE

CROWD = 30

# The console pages whose partner drop-down listed every partner; the filter
# pages keep ``?partner=<id>``.
FILTER_PAGES = ["console:registration_queue", "console:registrations", "console:leads"]
PICKER_PAGES = [*FILTER_PAGES, "console:ideas", "console:team"]


def _url(name, world, tenant=None, **kwargs):
    return reverse(name, kwargs={"tenant_slug": (tenant or world.a).slug, **kwargs})


def _crowd(world, n=CROWD, start=0, **fields) -> list[Partner]:
    with tenant_context(world.a.pk):
        return [
            Partner.objects.create(
                name=f"Crowd Partner {i:02d}",
                legal_name=f"Crowd Legal {i:02d} GmbH",
                partner_type=PartnerType.RESELLER,
                **fields,
            )
            for i in range(start, start + n)
        ]


def _rows(world) -> None:
    """Something on each filter page that a partner filter can filter away."""
    make(
        world,
        world.p,
        world.p_rep.user,
        "Waiting Co",
        status="submitted",
        submitted_at=timezone.now(),
    )
    with tenant_context(world.a.pk):
        lead_create(by=world.channel_manager, company_name="Lead of nobody", country="DE")


def _pick(client, world, tenant=None, **params):
    return client.get(_url("console:partner_pick", world, tenant), params)


def _names(response) -> list[str]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return [row["name"] for row in response.json()["results"]]


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx.captured_queries)


def _picker_value(content: str) -> str:
    """The id the page's picker sends (its hidden input)."""
    found = re.search(
        r'<input type="hidden" name="partner" value="([^"]*)" data-picker-value>', content
    )
    assert found, "no partner picker on the page"
    return found.group(1)


def _picker_text(content: str) -> str:
    found = re.search(r'<input[^>]*role="combobox"[^>]*>', content)
    assert found, "no combobox on the page"
    value = re.search(r'\svalue="([^"]*)"', found.group(0))
    return value.group(1) if value else ""


# --- the partner search ----------------------------------------------------------------


def test_the_partner_search_joins_the_isolation_sweep():
    """tests/portal/test_tenant_urls.py checks it: 404 in another tenant, 403 for
    partner people."""
    assert ("console:partner_pick", []) in CONSOLE


def test_search_suggests_matching_partners_of_the_tenant_by_name(client, world):
    crowd = _crowd(world)
    with tenant_context(world.a.pk):
        Partner.objects.filter(pk=crowd[7].pk).update(legal_name="Zebra Holdings AG")
    client.force_login(world.channel_manager.user)
    assert _names(_pick(client, world, q="partner 1")) == [
        f"Crowd Partner {i}" for i in range(10, 20)
    ]
    assert _names(_pick(client, world, q="  PARTNER Q ")) == ["Partner Q"]
    assert _names(_pick(client, world, q="zebra")) == ["Crowd Partner 07"]  # the legal name
    assert _names(_pick(client, world, q="legal 2")) == [f"Crowd Partner 2{i}" for i in range(10)]
    assert _names(_pick(client, world, q="nobody")) == []
    first = _pick(client, world).json()["results"][0]
    assert first == {"id": crowd[0].pk, "name": "Crowd Partner 00"}


def test_without_text_the_first_twenty_by_name_and_never_more(client, world):
    _crowd(world)
    client.force_login(world.finance.user)
    everyone = _names(_pick(client, world))
    assert len(everyone) == PICK_LIMIT == 20
    assert everyone == sorted(everyone) and everyone[0] == "Crowd Partner 00"
    assert len(_names(_pick(client, world, q="crowd"))) == PICK_LIMIT
    with tenant_context(world.a.pk):
        assert len(partners_matching(membership=world.channel_manager, limit=500)) == PICK_LIMIT
        assert partners_matching(membership=world.channel_manager, limit=-3) == []


def test_the_tenant_ring_a_partner_of_b_never_appears_in_a(client, world):
    with tenant_context(world.b.pk):
        Partner.objects.create(name="Crowd Partner of B", partner_type=PartnerType.ISV)
    _crowd(world, n=3)
    client.force_login(world.channel_manager.user)
    seen = _names(_pick(client, world, q="crowd"))
    assert seen == ["Crowd Partner 00", "Crowd Partner 01", "Crowd Partner 02"]
    assert "Partner of B" not in _names(_pick(client, world, q="of b"))
    assert "Partner of B" not in _names(_pick(client, world))
    client.force_login(world.b_admin.user)
    assert _names(_pick(client, world, world.b, q="crowd")) == ["Crowd Partner of B"]
    assert _names(_pick(client, world, world.b)) == ["Crowd Partner of B", "Partner of B"]


@pytest.mark.parametrize("who", ["p_admin", "p_rep"])
def test_partner_people_get_the_console_refusal(client, world, who):
    client.force_login(getattr(world, who).user)
    assert _pick(client, world, q="partner").status_code == 403
    assert _pick(client, world, world.b, q="partner").status_code == 404


def test_strangers_are_sent_to_sign_in_and_only_get_is_answered(client, world):
    assert _pick(client, world).status_code == 302
    client.force_login(world.vendor_admin.user)
    assert client.post(_url("console:partner_pick", world), {"q": "p"}).status_code == 405


def test_active_only_suggests_the_partners_a_lead_may_go_to(client, world):
    _crowd(world, n=2, status=PartnerStatus.SUSPENDED)
    client.force_login(world.channel_manager.user)
    assert _names(_pick(client, world, q="partner", active="1")) == ["Partner P", "Partner Q"]
    assert len(_names(_pick(client, world, q="partner", active="yes"))) == 4


@pytest.mark.parametrize(
    "q",
    [
        "x" * 100_000,
        "\x00",
        "Crowd\x00Partner",
        "%",
        "_",
        "100%_\\",
        "'; DROP TABLE partners_partner; --",
        "🙂 Ünïcödé ٣",
        "   ",
    ],
)
def test_odd_text_finds_less_and_never_fails(client, world, q):
    _crowd(world, n=2)
    client.force_login(world.channel_manager.user)
    names = _names(_pick(client, world, q=q))
    assert len(names) <= PICK_LIMIT
    if q.strip() in {"%", "_", "100%_\\"}:  # wildcards are taken literally
        assert names == []


def test_odd_parameters_never_fail(client, world):
    client.force_login(world.channel_manager.user)
    url = _url("console:partner_pick", world)
    assert client.get(url + "?q=a&q=b&active=1&active=0&limit=9999").status_code == 200
    assert client.get(url + "?q=%FF%FE%00&active=%00").status_code == 200
    assert client.get(url + "?q").status_code == 200
    assert _names(client.get(url + "?q=partner+p&active[]=x")) == ["Partner P"]


def test_the_search_costs_the_same_for_3_or_30_partners(client, world):
    client.force_login(world.channel_manager.user)
    url = _url("console:partner_pick", world)
    _crowd(world, n=3)
    few = _queries(client, url, {"q": "crowd"})
    _crowd(world, n=27, start=3)
    assert _queries(client, url, {"q": "crowd"}) == few
    assert _queries(client, url) == few


# --- the pages -------------------------------------------------------------------------


@pytest.mark.parametrize("name", PICKER_PAGES)
def test_pages_no_longer_list_every_partner(client, world, name):
    client.force_login(world.vendor_admin.user)
    url = _url(name, world)
    _crowd(world, n=3)
    few = client.get(url)
    few_queries = _queries(client, url)
    _crowd(world, n=CROWD - 3, start=3)
    many = client.get(url)
    assert many.status_code == 200
    content = many.content.decode()
    assert not re.search(r"Crowd Partner \d\d", content)
    assert 'role="combobox"' in content and "js/partner_picker" in content
    assert _picker_value(content) == "" and _picker_text(content) == ""
    assert _url("console:partner_pick", world) in content
    assert len(many.content) == len(few.content)  # the page does not grow with partners
    assert _queries(client, url) == few_queries


def test_the_picker_is_labelled_and_announces_itself(client, world):
    client.force_login(world.channel_manager.user)
    content = client.get(_url("console:registration_queue", world)).content.decode()
    combobox = re.search(r"<input[^>]*role=\"combobox\"[^>]*>", content).group(0)
    field_id = re.search(r'\sid="([^"]+)"', combobox).group(1)
    assert f'<label for="{field_id}">' in content
    for attribute in (
        'aria-autocomplete="list"',
        'aria-expanded="false"',
        f'aria-controls="{field_id}_listbox"',
        'autocomplete="off"',
        "readonly",  # until the script makes it searchable
    ):
        assert attribute in combobox
    assert "name=" not in combobox  # only the id is sent, never the typed text
    assert f'id="{field_id}_listbox" role="listbox"' in content
    assert 'role="status" aria-live="polite"' in content


@pytest.mark.parametrize("name", FILTER_PAGES)
def test_a_chosen_partner_still_filters_and_shows_only_its_own_name(client, world, name):
    crowd = _crowd(world)
    chosen = crowd[12]
    _rows(world)
    client.force_login(world.channel_manager.user)
    url = _url(name, world)
    everything = client.get(url)
    rows = "leads" if name == "console:leads" else "registrations"
    assert everything.context[rows]  # something to filter away
    response = client.get(url, {"partner": chosen.pk})
    assert response.status_code == 200
    assert list(response.context[rows]) == []  # the chosen partner has none
    content = response.content.decode()
    assert re.findall(r"Crowd Partner \d\d", content) == ["Crowd Partner 12"]
    # Without JavaScript the form sends the same partner again.
    assert _picker_value(content) == str(chosen.pk)
    assert _picker_text(content) == "Crowd Partner 12"
    assert not response.context["filter_form" if rows == "registrations" else "filters"].errors


@pytest.mark.parametrize("name", FILTER_PAGES)
@pytest.mark.parametrize(
    "value", ["b", "abc", "-1", "0", "1e3", "1.0", "٣", "9" * 30, " ", "12,13"]
)
def test_a_partner_of_another_tenant_or_garbage_is_ignored(client, world, name, value):
    _rows(world)
    client.force_login(world.channel_manager.user)
    url = _url(name, world)
    rows = "leads" if name == "console:leads" else "registrations"
    unfiltered = [r.pk for r in client.get(url).context[rows]]
    partner = str(world.b_partner.pk) if value == "b" else value
    response = client.get(url, {"partner": partner})
    assert response.status_code == 200
    assert [r.pk for r in response.context[rows]] == unfiltered
    content = response.content.decode()
    assert _picker_value(content) == "" and _picker_text(content) == ""
    assert "Partner of B" not in content


def test_the_ideas_filter_takes_a_chosen_partner_and_refuses_others(client, world):
    crowd = _crowd(world)
    client.force_login(world.finance.user)
    url = _url("console:ideas", world)
    response = client.get(url, {"partner": crowd[3].pk})
    assert response.status_code == 200 and list(response.context["ideas"]) == []
    assert re.findall(r"Crowd Partner \d\d", response.content.decode()) == ["Crowd Partner 03"]
    assert client.get(url, {"partner": world.b_partner.pk}).status_code == 400


def test_the_lead_offer_picker_suggests_active_partners_and_lists_none(client, world):
    _crowd(world)
    with tenant_context(world.a.pk):
        lead = lead_create(by=world.channel_manager, company_name="To offer", country="DE")
    client.force_login(world.channel_manager.user)
    response = client.get(_url("console:lead_detail", world, lead_id=lead.pk))
    content = response.content.decode()
    assert response.status_code == 200
    assert not re.search(r"Crowd Partner \d\d", content)
    assert f'data-url="{_url("console:partner_pick", world)}?active=1"' in content
    refused = client.post(
        _url("console:lead_offer", world, lead_id=lead.pk), {"partner": world.b_partner.pk}
    )
    assert refused.status_code == 400 and refused.context["offer_form"].errors["partner"]
    assert _picker_value(refused.content.decode()) == ""


def test_the_team_page_invites_for_a_picked_partner(client, world):
    _crowd(world)
    client.force_login(world.vendor_admin.user)
    response = client.post(
        _url("console:team", world),
        {"email": "x@example.test", "role": "partner_rep", "partner": "abc"},
    )
    assert response.status_code == 400 and response.context["form"].errors["partner"]
    assert not re.search(r"Crowd Partner \d\d", response.content.decode())
