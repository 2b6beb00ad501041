"""Announcements: console writes, publishing, e-mail fan-out once, portal reading."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from partners.audience import audience_clean
from partners.models import Announcement, AnnouncementRead, Partner, Tier
from partners.services import announcements as services
from partners.tasks import announcements as tasks_communication
from prm.models import Membership
from prm.tenancy import tenant_context
from tests.celery_worker import wait_for
from tests.world import make_member


def _url(name, world, **kwargs):
    return reverse(name, kwargs={"tenant_slug": world.a.slug, **kwargs})


def _announcement(world, tenant=None, **fields) -> Announcement:
    fields.setdefault("title", "News")
    fields.setdefault("body", "Body")
    with tenant_context((tenant or world.a).pk):
        return Announcement.objects.create(**fields)


def _published(world, **fields) -> Announcement:
    return _announcement(world, published_at=timezone.now(), **fields)


def _count(world, model=Announcement, **filters) -> int:
    with tenant_context(world.a.pk):
        return model.objects.filter(**filters).count()


FORM = {
    "title": "Summer promotion",
    "body": "Double points in July.",
    "pinned": "on",
    "send_email": "on",
    "target_types": ["reseller"],
    "target_regions": "EMEA,  DACH ,",
}


def test_channel_manager_creates_publishes_and_it_is_emailed_once(
    client, world, django_capture_on_commit_callbacks
):
    with tenant_context(world.a.pk):
        Partner.objects.filter(pk=world.p.pk).update(regions=["DACH", "US"])
        Partner.objects.filter(pk=world.q.pk).update(regions=["EMEA"])
    client.force_login(world.channel_manager.user)
    response = client.post(_url("console:announcement_create", world), FORM)
    assert response.status_code == 302
    with tenant_context(world.a.pk):
        created = Announcement.objects.get(title="Summer promotion")
    assert created.target_types == ["reseller"]
    assert created.target_regions == ["EMEA", "DACH"]
    assert (created.pinned, created.send_email, created.published_at) == (True, True, None)
    assert created.author_id == world.channel_manager.user_id

    with django_capture_on_commit_callbacks() as callbacks:
        publish = client.post(
            _url("console:announcement_publish", world, announcement_id=created.pk)
        )
    assert publish.status_code == 302
    assert len(callbacks) == 1  # the fan-out is enqueued only after commit
    assert _count(world, pk=created.pk, published_at__isnull=False) == 1

    assert tasks_communication.announcement_email(world.a.pk, created.pk) == 2
    assert tasks_communication.announcement_email(world.a.pk, created.pk) == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["admin@p.test", "rep@p.test"]
    assert all(len(m.to) == 1 for m in mail.outbox)
    assert "Double points in July." in mail.outbox[0].body
    assert f"/portal/announcements/{created.pk}/" in mail.outbox[0].body
    assert "Summer promotion" in mail.outbox[0].subject


def test_the_fan_out_claims_once(world):
    announcement = _published(world, send_email=True)
    with tenant_context(world.a.pk):
        first = services.announcement_send_emails(announcement_id=announcement.pk)
        second = services.announcement_send_emails(announcement_id=announcement.pk)
        announcement.refresh_from_db()
    assert (first, second) == (3, 0)
    assert len(mail.outbox) == 3
    assert announcement.emailed_at is not None


@pytest.mark.parametrize(
    "fields",
    [{"send_email": False, "published_at": timezone.now()}, {"send_email": True}],
    ids=["not-asked-for", "draft"],
)
def test_nothing_is_sent_unless_published_with_email(world, fields):
    announcement = _announcement(world, **fields)
    with tenant_context(world.a.pk):
        assert services.announcement_send_emails(announcement_id=announcement.pk) == 0
        announcement.refresh_from_db()
    assert mail.outbox == [] and announcement.emailed_at is None


def test_a_task_given_a_does_not_mail_bs_announcement(world):
    b_announcement = _announcement(
        world, tenant=world.b, send_email=True, published_at=timezone.now()
    )
    assert tasks_communication.announcement_email(world.a.pk, b_announcement.pk) == 0
    assert mail.outbox == []
    with tenant_context(world.b.pk):
        assert Announcement.objects.get(pk=b_announcement.pk).emailed_at is None


@pytest.mark.worker
def test_publishing_sends_through_a_real_worker(celery_worker, tx_world):
    w = tx_world
    announcement = _announcement(w, send_email=True)
    with tenant_context(w.a.pk):
        services.announcement_publish(announcement=announcement, by=w.channel_manager)

    def emailed():
        with tenant_context(w.a.pk):
            return Announcement.objects.get(pk=announcement.pk).emailed_at

    wait_for(emailed)


@pytest.mark.parametrize(
    "data, field",
    [
        ({**FORM, "title": "  "}, "title"),
        ({**FORM, "body": ""}, "body"),
        ({**FORM, "target_types": ["emperor"]}, "target_types"),
        ({**FORM, "target_segments": ["galactic"]}, "target_segments"),
        ({**FORM, "target_regions": "x" * 61}, "target_regions"),
    ],
)
def test_bad_announcements_are_refused_and_change_nothing(client, world, data, field):
    client.force_login(world.vendor_admin.user)
    before = _count(world)
    response = client.post(_url("console:announcement_create", world), data)
    assert response.status_code == 400
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert _count(world) == before


def test_a_tier_of_another_tenant_cannot_be_targeted(client, world):
    with tenant_context(world.b.pk):
        b_tier = Tier.objects.get(name="Silver")
    client.force_login(world.vendor_admin.user)
    before = _count(world)
    response = client.post(
        _url("console:announcement_create", world), {**FORM, "target_tier_ids": [b_tier.pk]}
    )
    assert response.status_code == 400
    assert "target_tier_ids" in response.context["form"].errors
    assert _count(world) == before


def test_the_service_refuses_a_foreign_tier_even_without_the_form(world):
    from django.core.exceptions import ValidationError

    with tenant_context(world.b.pk):
        b_tier = Tier.objects.get(name="Silver")
    with tenant_context(world.a.pk), pytest.raises(ValidationError) as error:
        audience_clean(tier_ids=[b_tier.pk])
    assert "target_tier_ids" in error.value.message_dict


def test_editing_saves_and_publishing_twice_is_refused(client, world):
    announcement = _published(world)
    client.force_login(world.channel_manager.user)
    url = _url("console:announcement", world, announcement_id=announcement.pk)
    response = client.post(url, {"title": "Corrected", "body": "Fixed text"})
    assert response.status_code == 302
    response = client.post(
        _url("console:announcement_publish", world, announcement_id=announcement.pk), follow=True
    )
    assert b"already published" in response.content
    with tenant_context(world.a.pk):
        announcement.refresh_from_db()
    assert (announcement.title, announcement.target_types) == ("Corrected", [])


def test_unpublishing_hides_it_from_partners(client, world):
    announcement = _published(world)
    client.force_login(world.vendor_admin.user)
    client.post(_url("console:announcement_unpublish", world, announcement_id=announcement.pk))
    client.force_login(world.p_rep.user)
    url = _url("portal:announcement", world, announcement_id=announcement.pk)
    assert client.get(url).status_code == 404


def test_finance_reads_but_does_not_write(client, world):
    announcement = _published(world)
    client.force_login(world.finance.user)
    assert client.get(_url("console:announcements", world)).status_code == 200
    detail = _url("console:announcement", world, announcement_id=announcement.pk)
    assert client.get(detail).status_code == 200
    assert client.post(detail, {"title": "Hacked", "body": "x"}).status_code == 403
    assert client.get(_url("console:announcement_create", world)).status_code == 403
    unpublish = _url("console:announcement_unpublish", world, announcement_id=announcement.pk)
    assert client.post(unpublish).status_code == 403
    assert _count(world, pk=announcement.pk, title="News", published_at__isnull=False) == 1


def test_console_list_shows_reads_over_targeted_people(client, world):
    announcement = _published(world, target_types=["reseller"])
    client.force_login(world.p_rep.user)
    url = _url("portal:announcement", world, announcement_id=announcement.pk)
    assert client.get(url).status_code == 200
    client.force_login(world.channel_manager.user)
    response = client.get(_url("console:announcements", world))
    row = next(a for a in response.context["announcements"] if a.pk == announcement.pk)
    assert (row.read_count, row.targeted_count) == (1, 2)
    assert row.audience == "Types: Reseller / VAR"
    assert b"1 / 2" in response.content


def test_console_lists_only_this_tenants_announcements(client, world):
    b_announcement = _announcement(world, tenant=world.b, title="B only")
    client.force_login(world.vendor_admin.user)
    response = client.get(_url("console:announcements", world))
    titles = {a.title for a in response.context["announcements"]}
    assert "Hello" in titles and b_announcement.title not in titles
    detail = _url("console:announcement", world, announcement_id=b_announcement.pk)
    assert client.get(detail).status_code == 404


def test_portal_lists_my_announcements_pinned_first_and_unread_marked(client, world):
    _announcement(
        world, title="Pinned", pinned=True, published_at=timezone.now() - timedelta(days=9)
    )
    newest = _published(world, title="Newest")
    _published(world, title="For MSPs", target_types=["msp"])
    _announcement(world, title="Draft")
    client.force_login(world.p_rep.user)
    url = _url("portal:announcements", world)
    listed = list(client.get(url).context["announcements"])
    assert [a.title for a in listed] == ["Pinned", "Newest"]
    assert not any(a.is_read for a in listed)

    detail = _url("portal:announcement", world, announcement_id=newest.pk)
    assert client.get(detail).status_code == 200
    assert client.get(detail).status_code == 200  # a second visit changes nothing
    assert _count(world, AnnouncementRead, announcement=newest) == 1
    listed = {a.title: a.is_read for a in client.get(url).context["announcements"]}
    assert listed == {"Pinned": False, "Newest": True}


def test_reading_is_per_person(client, world):
    announcement = _published(world)
    client.force_login(world.p_rep.user)
    client.get(_url("portal:announcement", world, announcement_id=announcement.pk))
    client.force_login(world.p_admin.user)
    listed = client.get(_url("portal:announcements", world)).context["announcements"]
    assert [a.is_read for a in listed] == [False]


def test_p_cannot_see_an_announcement_meant_only_for_q(client, world):
    with tenant_context(world.a.pk):
        gold = Tier.objects.create(name="Gold", rank=5)
        Partner.objects.filter(pk=world.q.pk).update(tier=gold)
    by_type = _published(world, title="MSP only", target_types=["msp"])
    by_tier = _published(world, title="Gold only", target_tier_ids=[gold.pk])
    client.force_login(world.p_rep.user)
    listed = {
        a.title for a in client.get(_url("portal:announcements", world)).context["announcements"]
    }
    assert listed.isdisjoint({"MSP only", "Gold only"})
    for announcement in (by_type, by_tier):
        url = _url("portal:announcement", world, announcement_id=announcement.pk)
        assert client.get(url).status_code == 404
    assert _count(world, AnnouncementRead, announcement__in=[by_type, by_tier]) == 0
    client.force_login(world.q_rep.user)
    listed = {
        a.title for a in client.get(_url("portal:announcements", world)).context["announcements"]
    }
    assert {"MSP only", "Gold only"} <= listed


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "who, page",
    [("p_rep", "portal:announcements"), ("vendor_admin", "console:announcements")],
)
def test_list_pages_use_a_constant_number_of_queries(client, world, who, page):
    _published(world, title="First")
    client.force_login(getattr(world, who).user)
    url = _url(page, world)
    before = _queries(client, url)
    for i in range(12):
        announcement = _published(world, title=f"More {i}", pinned=i % 2 == 0)
        with tenant_context(world.a.pk):
            AnnouncementRead.objects.create(
                announcement=announcement, user=world.p_rep.user, partner=world.p
            )
    make_member(world.a, "extra@p.test", "partner_rep", world.p)
    assert _queries(client, url) == before
    assert _count(world) >= 13


def test_deactivated_people_are_not_counted_as_targeted(client, world):
    _published(world, title="Everyone")
    with tenant_context(world.a.pk):
        Membership.objects.filter(pk=world.q_rep.pk).update(is_active=False)
    client.force_login(world.vendor_admin.user)
    rows = client.get(_url("console:announcements", world)).context["announcements"]
    assert next(a for a in rows if a.title == "Everyone").targeted_count == 2
