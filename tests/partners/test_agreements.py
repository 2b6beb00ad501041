"""Versioned agreements: publishing, accepting the current version only, deadlines."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from partners.models import Agreement, AgreementAcceptance, Partner, PartnerStatusChange
from partners.selectors.agreements import partner_has_accepted_current, partners_past_deadline
from prm.models import Notification
from prm.tenancy import tenant_context


def _console(world):
    return reverse("console:agreements", kwargs={"tenant_slug": world.a.slug})


def _accept_url(world, agreement):
    return reverse(
        "portal:agreement_accept",
        kwargs={"tenant_slug": world.a.slug, "agreement_id": agreement.pk},
    )


def _publish(client, world, **data):
    client.force_login(world.vendor_admin.user)
    return client.post(
        _console(world), {"title": "Partner program terms", "body": "Be nice.", **data}
    )


def test_publishing_makes_the_next_version_current_and_asks_admins(
    client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = _publish(client, world, accept_by="2030-01-31")
    # one batch of notification e-mails each: P's admin, and the partner managers
    # told that Q has no admin to accept
    assert response.status_code == 302 and len(callbacks) == 2
    with tenant_context(world.a.pk):
        latest = Agreement.objects.order_by("-version").first()
        assert (latest.version, latest.accept_by) == (2, datetime.date(2030, 1, 31))
        # the world's partner P had accepted v1 only
        assert not partner_has_accepted_current(partner=world.p)
        asked = Notification.objects.filter(event=f"agreement:{latest.pk}:published")
        assert list(asked.values_list("recipient_id", "params__accept_by")) == [
            (world.p_admin.pk, "2030-01-31")
        ]
        told = Notification.objects.filter(event=f"agreement:{latest.pk}:no_admin")
        assert sorted(told.values_list("recipient_id", flat=True)) == sorted(
            [world.vendor_admin.pk, world.channel_manager.pk]
        )


def test_a_pdf_agreement_is_stored_and_served_to_members(client, world):
    pdf = SimpleUploadedFile("terms.pdf", b"%PDF-1.4 test document", "application/pdf")
    assert _publish(client, world, body="", document=pdf).status_code == 302
    with tenant_context(world.a.pk):
        latest = Agreement.objects.order_by("-version").first()
    client.force_login(world.p_rep.user)
    response = client.get(
        reverse(
            "portal:agreement_document",
            kwargs={"tenant_slug": "vendor-a", "agreement_id": latest.pk},
        )
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_bad_publications_are_refused(client, world):
    not_pdf = SimpleUploadedFile("terms.pdf", b"MZ executable", "application/pdf")
    for data in ({"body": ""}, {"body": "", "document": not_pdf}, {"title": ""}):
        response = _publish(client, world, **data)
        assert response.status_code == 400
    with tenant_context(world.a.pk):
        assert Agreement.objects.count() == 1


def test_only_vendor_admins_publish(client, world):
    client.force_login(world.channel_manager.user)
    assert client.post(_console(world), {"title": "x", "body": "y"}).status_code == 403


def test_partner_admin_accepts_the_current_version(client, world):
    _publish(client, world)
    with tenant_context(world.a.pk):
        current = Agreement.objects.order_by("-version").first()
    client.force_login(world.p_admin.user)
    response = client.post(_accept_url(world, current), REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 302
    with tenant_context(world.a.pk):
        acceptance = AgreementAcceptance.objects.get(agreement=current, partner=world.p)
        assert (acceptance.user, acceptance.ip_address) == (world.p_admin.user, "203.0.113.9")
        assert partner_has_accepted_current(partner=world.p)


def test_accepting_an_old_version_is_refused_and_changes_nothing(client, world):
    with tenant_context(world.a.pk):
        old = Agreement.objects.get(version=1)
    _publish(client, world)
    client.force_login(world.p_admin.user)
    with tenant_context(world.a.pk):
        before = AgreementAcceptance.objects.count()
    response = client.post(_accept_url(world, old))
    assert response.status_code == 400
    assert b"not the current version" in response.content
    with tenant_context(world.a.pk):
        assert AgreementAcceptance.objects.count() == before


def test_accepting_twice_is_refused(client, world):
    _publish(client, world)
    with tenant_context(world.a.pk):
        current = Agreement.objects.order_by("-version").first()
    client.force_login(world.p_admin.user)
    assert client.post(_accept_url(world, current)).status_code == 302
    assert client.post(_accept_url(world, current)).status_code == 400


def test_reps_cannot_accept(client, world):
    with tenant_context(world.a.pk):
        current = Agreement.objects.order_by("-version").first()
    client.force_login(world.p_rep.user)
    assert client.post(_accept_url(world, current)).status_code == 403


def test_partners_past_the_deadline_are_flagged(client, world):
    tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
    _publish(client, world, accept_by=tomorrow)
    with tenant_context(world.a.pk):  # two days later, for partners in the program for long
        Agreement.objects.filter(version=2).update(
            accept_by=datetime.date.today() - datetime.timedelta(days=1)
        )
        long_ago = timezone.now() - datetime.timedelta(days=400)
        Partner.objects.update(created_at=long_ago)
        PartnerStatusChange.objects.update(created_at=long_ago)
        flagged = set(partners_past_deadline().values_list("name", flat=True))
    assert {"Partner P", "Partner Q"} <= flagged
    response = client.get(_console(world))
    assert b"Past the acceptance deadline" in response.content


def test_the_portal_page_shows_my_organisations_status_only(client, world):
    client.force_login(world.q_rep.user)
    response = client.get(reverse("portal:agreement", kwargs={"tenant_slug": "vendor-a"}))
    # P accepted v1 in the world; Q did not, and Q's page must say so.
    assert response.context["acceptance"] is None
    client.force_login(world.p_rep.user)
    response = client.get(reverse("portal:agreement", kwargs={"tenant_slug": "vendor-a"}))
    assert response.context["acceptance"].partner_id == world.p.pk


@pytest.mark.parametrize("accept_by", ["9999-12-31", "2001-01-01"])
def test_an_implausible_deadline_is_refused(client, world, accept_by):
    response = _publish(client, world, accept_by=accept_by)
    assert response.status_code == 400
    assert "accept_by" in response.context["form"].errors
    with tenant_context(world.a.pk):
        assert Agreement.objects.order_by("-version").first().version == 1
