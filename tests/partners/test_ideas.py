"""The ideas box: partners submit, the vendor answers; P never sees Q's ideas."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partners.models import Idea
from prm.tenancy import tenant_context
from tests.world import make_member


def _url(name, world, **kwargs):
    return reverse(name, kwargs={"tenant_slug": world.a.slug, **kwargs})


def _idea(world, partner, title="Idea of someone", **fields) -> Idea:
    with tenant_context(world.a.pk):
        return Idea.objects.create(partner=partner, title=title, body="Details", **fields)


def _get(world, pk) -> Idea:
    with tenant_context(world.a.pk):
        return Idea.objects.get(pk=pk)


def test_partner_submits_and_reads_the_vendors_answer(client, world):
    client.force_login(world.p_rep.user)
    response = client.post(
        _url("portal:ideas", world), {"title": "Dark mode", "body": "For late deal desks."}
    )
    assert response.status_code == 302
    with tenant_context(world.a.pk):
        idea = Idea.objects.get(title="Dark mode")
    assert (idea.partner_id, idea.author_id, idea.status) == (
        world.p.pk,
        world.p_rep.user_id,
        "new",
    )

    client.force_login(world.channel_manager.user)
    detail = _url("console:idea", world, idea_id=idea.pk)
    assert client.get(detail).status_code == 200
    response = client.post(
        detail, {"status": "planned", "vendor_response": "  Coming in the autumn release. "}
    )
    assert response.status_code == 302
    idea = _get(world, idea.pk)
    assert (idea.status, idea.vendor_response) == ("planned", "Coming in the autumn release.")
    assert idea.responded_by_id == world.channel_manager.user_id and idea.responded_at

    client.force_login(world.p_admin.user)
    page = client.get(_url("portal:idea", world, idea_id=idea.pk))
    assert page.status_code == 200
    assert b"Coming in the autumn release." in page.content and b"Planned" in page.content
    listed = client.get(_url("portal:ideas", world)).context["ideas"]
    assert {i.title for i in listed} == {"Idea", "Dark mode"}


@pytest.mark.parametrize(
    "data, field", [({"title": "", "body": "x"}, "title"), ({"title": "x", "body": "  "}, "body")]
)
def test_bad_ideas_are_refused_and_change_nothing(client, world, data, field):
    client.force_login(world.p_rep.user)
    with tenant_context(world.a.pk):
        before = Idea.objects.count()
    response = client.post(_url("portal:ideas", world), data)
    assert response.status_code == 400
    assert response.context["form"].errors.get(field)
    with tenant_context(world.a.pk):
        assert Idea.objects.count() == before


def test_a_bad_status_is_refused_and_changes_nothing(client, world):
    idea = _idea(world, world.p)
    client.force_login(world.vendor_admin.user)
    response = client.post(
        _url("console:idea", world, idea_id=idea.pk), {"status": "shipped", "vendor_response": "x"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors.get("status")
    idea = _get(world, idea.pk)
    assert (idea.status, idea.vendor_response, idea.responded_at) == ("new", "", None)


def test_p_never_sees_qs_ideas(client, world):
    q_idea = _idea(world, world.q, title="Q's secret plan")
    client.force_login(world.p_rep.user)
    listed = {i.title for i in client.get(_url("portal:ideas", world)).context["ideas"]}
    assert "Q's secret plan" not in listed
    assert client.get(_url("portal:idea", world, idea_id=q_idea.pk)).status_code == 404
    client.force_login(world.q_rep.user)
    listed = {i.title for i in client.get(_url("portal:ideas", world)).context["ideas"]}
    assert listed == {"Q's secret plan"}
    assert client.get(_url("portal:idea", world, idea_id=q_idea.pk)).status_code == 200


def test_a_partner_cannot_file_an_idea_for_another_partner(client, world):
    client.force_login(world.p_rep.user)
    client.post(
        _url("portal:ideas", world),
        {"title": "Sneaky", "body": "x", "partner": world.q.pk, "tenant": world.b.pk},
    )
    with tenant_context(world.a.pk):
        assert Idea.objects.get(title="Sneaky").partner_id == world.p.pk


def test_console_lists_and_filters_the_tenants_ideas(client, world):
    _idea(world, world.q, title="Q planned", status="planned")
    _idea(world, world.p, title="P done", status="done")
    client.force_login(world.finance.user)
    url = _url("console:ideas", world)
    titles = {i.title for i in client.get(url).context["ideas"]}
    assert titles == {"Idea", "Q planned", "P done"}  # none of B's
    by_partner = client.get(url, {"partner": world.q.pk}).context["ideas"]
    assert [i.title for i in by_partner] == ["Q planned"]
    by_status = client.get(url, {"status": "done"}).context["ideas"]
    assert [i.title for i in by_status] == ["P done"]
    assert client.get(url, {"partner": world.b_partner.pk}).status_code == 400


def test_finance_cannot_answer(client, world):
    idea = _idea(world, world.p)
    client.force_login(world.finance.user)
    url = _url("console:idea", world, idea_id=idea.pk)
    assert client.get(url).status_code == 200
    assert client.post(url, {"status": "declined", "vendor_response": "No"}).status_code == 403
    assert _get(world, idea.pk).status == "new"


def test_an_idea_of_b_is_404_in_a(client, world):
    with tenant_context(world.b.pk):
        b_idea = Idea.objects.get()
    client.force_login(world.vendor_admin.user)
    assert client.get(_url("console:idea", world, idea_id=b_idea.pk)).status_code == 404
    client.force_login(world.p_rep.user)
    assert client.get(_url("portal:idea", world, idea_id=b_idea.pk)).status_code == 404


@pytest.mark.parametrize(
    "who, page", [("vendor_admin", "console:ideas"), ("p_rep", "portal:ideas")]
)
def test_idea_lists_use_a_constant_number_of_queries(client, world, who, page):
    client.force_login(getattr(world, who).user)
    url = _url(page, world)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = queries()
    for i in range(10):
        author = make_member(world.a, f"author{i}@p.test", "partner_rep", world.p)
        _idea(
            world,
            world.p,
            title=f"More {i}",
            author=author.user,
            vendor_response="ok",
            responded_by=world.channel_manager.user,
        )
    assert queries() == before


def test_an_idea_sent_twice_is_one_idea(client, world):
    from prm.once import new_key

    client.force_login(world.p_rep.user)
    data = {"title": "Twice", "body": "Clicked two times", "form_key": new_key()}
    url = reverse("portal:ideas", kwargs={"tenant_slug": world.a.slug})
    assert client.post(url, data).status_code == 302
    again = client.post(url, data, follow=True)
    assert "already sent" in again.content.decode()
    with tenant_context(world.a.pk):
        assert Idea.objects.filter(title="Twice").count() == 1


def test_an_idea_sent_twice_at_the_same_moment_is_one_idea(tx_world):
    from django.test import Client

    from prm.once import new_key
    from tests.concurrency import run_together

    world = tx_world
    data = {"title": "At once", "body": "Two tabs, one click each", "form_key": new_key()}
    url = reverse("portal:ideas", kwargs={"tenant_slug": world.a.slug})

    def send():
        client = Client()
        client.force_login(world.p_rep.user)
        return client.post(url, data).status_code

    assert run_together(send, send) == [302, 302]
    with tenant_context(world.a.pk):
        assert Idea.objects.filter(title="At once").count() == 1


def test_an_overlong_idea_is_refused(client, world):
    client.force_login(world.p_rep.user)
    url = reverse("portal:ideas", kwargs={"tenant_slug": world.a.slug})
    response = client.post(url, {"title": "Long", "body": "x" * 20_000})
    assert response.status_code == 400 and "body" in response.context["form"].errors
    from partners.services.ideas import idea_submit

    with tenant_context(world.a.pk), pytest.raises(ValidationError):
        idea_submit(by=world.p_rep, title="Long", body="x" * 20_000)
    with tenant_context(world.a.pk):
        assert not Idea.objects.filter(title="Long").exists()
