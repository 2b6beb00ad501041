"""Announcements: console writes, publishing (a notification to the audience,
e-mailed once when asked for), portal reading."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from partners.audience import audience_clean
from partners.models import Announcement, AnnouncementRead, Partner, Tier
from partners.notifications import ANNOUNCEMENT_EXCERPT_CHARS, ANNOUNCEMENT_PUBLISHED
from partners.services import announcements as services
from partners.tasks import announcements as tasks_communication
from prm.models import EmailChoice, Membership, Notification, NotificationPreference
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
    client, world, eager_tasks, django_capture_on_commit_callbacks
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
    assert mail.outbox == []  # the e-mails are enqueued only after commit
    assert len(callbacks) == 1
    assert _count(world, pk=created.pk, published_at__isnull=False, emailed_at__isnull=False) == 1
    # P's people are in the audience (reseller, a shared region), Q's are not
    assert _told(world, created) == {world.p_admin.pk: "immediate", world.p_rep.pk: "immediate"}
    assert _told(world, created, tenant=world.b) == {}

    for callback in callbacks:
        callback()
    publish_again = client.post(
        _url("console:announcement_publish", world, announcement_id=created.pk), follow=True
    )
    assert b"already published" in publish_again.content
    assert sorted(m.to[0] for m in mail.outbox) == ["admin@p.test", "rep@p.test"]
    assert all(m.to and len(m.to) == 1 and not m.cc and not m.bcc for m in mail.outbox)
    assert "Double points in July." in mail.outbox[0].body
    assert f"/portal/announcements/{created.pk}/" in mail.outbox[0].body
    assert "Summer promotion" in mail.outbox[0].subject


def _told(world, announcement, tenant=None) -> dict[int, str]:
    """Who was notified of ``announcement``'s publication, with the e-mail choice."""
    with tenant_context((tenant or world.a).pk):
        rows = Notification.objects.filter(
            kind=ANNOUNCEMENT_PUBLISHED, event=f"announcement:{announcement.pk}:published"
        )
        return dict(rows.values_list("recipient_id", "email"))


def _publish(world, announcement):
    with tenant_context(world.a.pk):
        announcement.refresh_from_db()
        return services.announcement_publish(announcement=announcement, by=world.channel_manager)


def test_publishing_tells_everyone_once_even_republished_after_an_edit(
    world, eager_tasks, django_capture_on_commit_callbacks
):
    announcement = _announcement(world, send_email=True, body="x" * 1000)
    with django_capture_on_commit_callbacks(execute=True):
        _publish(world, announcement)
        with tenant_context(world.a.pk):
            services.announcement_unpublish(announcement=announcement, by=world.channel_manager)
            services.announcement_update(
                announcement=announcement,
                by=world.channel_manager,
                title="Corrected",
                body="Fixed",
                audience=audience_clean(),
                pinned=False,
                send_email=True,
            )
        _publish(world, announcement)
        with tenant_context(world.a.pk):
            assert services.announcement_notify(announcement_id=announcement.pk) == 0
    everyone = {world.p_admin.pk, world.p_rep.pk, world.q_rep.pk}
    assert set(_told(world, announcement)) == everyone
    assert sorted(m.to[0] for m in mail.outbox) == ["admin@p.test", "rep@p.test", "rep@q.test"]
    with tenant_context(world.a.pk):
        (params,) = set(
            Notification.objects.filter(kind=ANNOUNCEMENT_PUBLISHED)
            .values_list("params__title", "params__excerpt")
            .distinct()
        )
    assert params[0] == "News" and len(params[1]) <= ANNOUNCEMENT_EXCERPT_CHARS


def test_without_email_it_is_in_everyones_inbox_and_mailed_to_nobody(
    world, eager_tasks, django_capture_on_commit_callbacks
):
    announcement = _announcement(world, send_email=False)
    with django_capture_on_commit_callbacks(execute=True):
        _publish(world, announcement)
    assert _told(world, announcement) == {
        world.p_admin.pk: "none",
        world.p_rep.pk: "none",
        world.q_rep.pk: "none",
    }
    assert mail.outbox == []
    with tenant_context(world.a.pk):
        announcement.refresh_from_db()
        assert announcement.emailed_at is None
        # asking for the e-mail once everyone has it in the portal is refused
        with pytest.raises(ValidationError) as error:
            services.announcement_update(
                announcement=announcement,
                by=world.channel_manager,
                title="News",
                body="Body",
                audience=audience_clean(),
                pinned=False,
                send_email=True,
            )
    assert "send_email" in error.value.message_dict


@pytest.mark.parametrize("choice", [EmailChoice.NONE, EmailChoice.DIGEST])
def test_a_person_who_opted_out_has_it_in_the_inbox_only(
    world, eager_tasks, django_capture_on_commit_callbacks, choice
):
    with tenant_context(world.a.pk):
        NotificationPreference.objects.create(
            membership=world.p_rep, kind=ANNOUNCEMENT_PUBLISHED, email=choice
        )
    announcement = _announcement(world, send_email=True)
    with django_capture_on_commit_callbacks(execute=True):
        _publish(world, announcement)
    told = _told(world, announcement)
    assert told.pop(world.p_rep.pk) == choice
    assert set(told.values()) == {"immediate"}
    assert sorted(m.to[0] for m in mail.outbox) == ["admin@p.test", "rep@q.test"]
    client_inbox = Client()
    client_inbox.force_login(world.p_rep.user)
    page = client_inbox.get(_url("portal:notifications", world))
    assert page.status_code == 200 and b"News" in page.content


def test_publishing_to_a_larger_audience_runs_the_same_queries(
    world, django_capture_on_commit_callbacks
):
    def queries(announcement) -> int:
        with CaptureQueriesContext(connection) as ctx, django_capture_on_commit_callbacks():
            _publish(world, announcement)
        return len(ctx.captured_queries)

    before = queries(_announcement(world, send_email=True))
    with tenant_context(world.a.pk):
        for i in range(3):
            partner = Partner.objects.create(name=f"More {i}", partner_type="reseller")
            make_member(world.a, f"admin@more{i}.test", "partner_admin", partner)
    announcement = _announcement(world, send_email=True)
    assert queries(announcement) == before
    assert len(_told(world, announcement)) == 6


def test_a_message_of_the_former_email_task_notifies_once(
    world, eager_tasks, django_capture_on_commit_callbacks
):
    # published before notifications, its e-mail still waiting in the outbox
    announcement = _published(world, send_email=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks_communication.announcement_email(world.a.pk, announcement.pk) == 3
        assert tasks_communication.announcement_email(world.a.pk, announcement.pk) == 0
    assert len(_told(world, announcement)) == 3 and len(mail.outbox) == 3
    with tenant_context(world.a.pk):
        assert Announcement.objects.get(pk=announcement.pk).emailed_at is not None
        draft = _announcement(world, send_email=True)
        assert services.announcement_notify(announcement_id=draft.pk) == 0
    assert _told(world, draft) == {}


def test_a_task_given_a_does_not_mail_bs_announcement(world, eager_tasks):
    b_announcement = _announcement(
        world, tenant=world.b, send_email=True, published_at=timezone.now()
    )
    assert tasks_communication.announcement_email(world.a.pk, b_announcement.pk) == 0
    assert mail.outbox == []
    with tenant_context(world.b.pk):
        assert Announcement.objects.get(pk=b_announcement.pk).emailed_at is None
    assert _told(world, b_announcement, tenant=world.b) == {}


@pytest.mark.worker
def test_publishing_sends_through_a_real_worker(celery_worker, tx_world):
    w = tx_world
    announcement = _announcement(w, send_email=True)
    with tenant_context(w.a.pk):
        services.announcement_publish(announcement=announcement, by=w.channel_manager)

    def emailed():
        with tenant_context(w.a.pk):
            rows = Notification.objects.filter(event=f"announcement:{announcement.pk}:published")
            return rows.count() == 3 and not rows.filter(emailed_at__isnull=True).exists()

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
