"""The activity log on registrations and leads: shared by the partner and the
vendor, never across partners; uploads are checked; first activity timing."""

import io
import zipfile
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from deals.models import Activity, DealRegistration, Lead, LeadOffer
from deals.selectors.leads import lead_timings
from deals.services.activities import MAX_DOCUMENT_BYTES, activity_add
from deals.services.leads import lead_create
from deals.services.offers import lead_offer, offer_accept
from prm.actors import SYSTEM
from prm.tenancy import tenant_context

PDF = b"%PDF-1.4 tiny test document"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _url(name, world, **kwargs):
    return reverse(name, kwargs={"tenant_slug": world.a.slug, **kwargs})


@pytest.fixture
def reg(world) -> DealRegistration:
    """P's filled-in registration."""
    with tenant_context(world.a.pk):
        return DealRegistration.objects.get(partner=world.p)


@pytest.fixture
def accepted_lead(world) -> Lead:
    with tenant_context(world.a.pk):
        lead = lead_create(by=world.channel_manager, company_name="Accepted Co", country="DE")
        offer = lead_offer(lead=lead, partner=world.p, by=SYSTEM)
        offer_accept(offer=offer, by=world.p_rep)
        return Lead.objects.get(pk=lead.pk)


def _activities(world, **filters):
    with tenant_context(world.a.pk):
        return list(Activity.objects.filter(**filters).order_by("pk"))


def _document(world, registration, membership, name="proposal.pdf", content=PDF) -> Activity:
    with tenant_context(world.a.pk):
        return activity_add(
            by=membership,
            registration=registration,
            kind="document",
            attachment=SimpleUploadedFile(name, content),
        )


# --- registrations --------------------------------------------------------------------


def test_partner_and_vendor_share_a_registrations_history(client, world, reg):
    client.force_login(world.p_rep.user)
    url = _url("portal:registration_activity_add", world, registration_id=reg.pk)
    page = client.get(url)
    assert page.status_code == 200 and b"Met the CIO" in page.content
    response = client.post(
        url,
        {
            "kind": "call",
            "body": "Discussed the rollout plan",
            "occurred_at": (timezone.now() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "next": f"/t/{world.a.slug}/portal/leads/",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/t/{world.a.slug}/portal/leads/"
    call = _activities(world, registration=reg, kind="call")[0]
    assert (call.partner_id, call.author_id) == (world.p.pk, world.p_rep.user_id)

    client.force_login(world.channel_manager.user)
    console = _url("console:registration_activity_add", world, registration_id=reg.pk)
    response = client.post(console, {"kind": "meeting", "body": "Joint call with the partner"})
    assert response.status_code == 302
    page = client.get(console)
    kinds = [a.kind for a in page.context["activities"]]
    # Newest first by when it happened: the call was logged as two hours ago.
    assert kinds == ["meeting", "note", "call"]
    assert b"Discussed the rollout plan" in page.content


def test_unsafe_next_addresses_are_ignored(client, world, reg):
    client.force_login(world.p_rep.user)
    url = _url("portal:registration_activity_add", world, registration_id=reg.pk)
    response = client.post(url, {"kind": "note", "body": "x", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"].startswith(f"/t/{world.a.slug}/portal/registrations/{reg.pk}/")


def test_documents_upload_and_download_for_both_sides(client, world, reg):
    client.force_login(world.p_admin.user)
    url = _url("portal:registration_activity_add", world, registration_id=reg.pk)
    upload = SimpleUploadedFile("Proposal v2.PDF", PDF, content_type="application/pdf")
    response = client.post(url, {"kind": "document", "body": "Signed", "attachment": upload})
    assert response.status_code == 302
    document = _activities(world, registration=reg, kind="document")[0]
    for who, name in ((world.p_rep, "portal"), (world.vendor_admin, "console")):
        client.force_login(who.user)
        download = client.get(_url(f"{name}:activity_download", world, activity_id=document.pk))
        assert download.status_code == 200
        assert b"".join(download.streaming_content) == PDF
        assert "attachment" in download["Content-Disposition"]


@pytest.mark.parametrize(
    "data, field",
    [
        ({"kind": "document", "name": "virus.exe", "content": b"MZ"}, "attachment"),
        ({"kind": "document", "name": "noextension", "content": b"x"}, "attachment"),
        ({"kind": "document", "name": "empty.pdf", "content": b""}, "attachment"),
        (
            {"kind": "document", "name": "huge.pdf", "content": b"0" * (MAX_DOCUMENT_BYTES + 1)},
            "attachment",
        ),
        ({"kind": "document"}, "attachment"),
        ({"kind": "note", "body": "  "}, "body"),
        ({"kind": "note", "body": "x", "name": "a.pdf", "content": PDF}, "attachment"),
        ({"kind": "lunch", "body": "x"}, "kind"),
        ({"kind": "note", "body": "x", "occurred_at": "2999-01-01T10:00"}, "occurred_at"),
        ({"kind": "note", "body": "x", "occurred_at": "yesterday"}, "occurred_at"),
    ],
)
def test_bad_activities_are_refused_and_nothing_is_saved(client, world, reg, data, field):
    data = dict(data)
    if "name" in data:
        data["attachment"] = SimpleUploadedFile(data.pop("name"), data.pop("content"))
    before = len(_activities(world))
    client.force_login(world.p_rep.user)
    response = client.post(
        _url("portal:registration_activity_add", world, registration_id=reg.pk), data
    )
    assert response.status_code == 400
    assert response.context["activity_form"].errors.get(field), response.context[
        "activity_form"
    ].errors
    assert len(_activities(world)) == before


def _office(folder: str) -> bytes:
    """The smallest Office document the content check recognises: a zip with its part."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}/document.xml", "<x/>")
    return buffer.getvalue()


SAMPLES = {
    "pdf": PDF,
    "docx": _office("word"),
    "xlsx": _office("xl"),
    "pptx": _office("ppt"),
    "png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 32,
    "jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32,
    "txt": "Notes from the call — Überblick\n".encode(),
    "csv": b"name,amount\nAcme,10\n",
}


def test_every_allowed_kind_of_document_is_accepted(world, reg):
    for extension, content in SAMPLES.items():
        _document(world, reg, world.p_rep, name=f"file.{extension}", content=content)
    documents = _activities(world, registration=reg, kind="document")
    assert len(documents) == 8
    with tenant_context(world.a.pk):
        types = set(
            Activity.objects.filter(kind="document").values_list("attachment_type", flat=True)
        )
    assert {"application/pdf", "image/png", "text/csv"} <= types


@pytest.mark.parametrize(
    "name, content",
    [
        ("offer.pdf", b"<!DOCTYPE html><script>alert(1)</script>"),
        ("contract.docx", b"MZ\x90\x00" + b"\x00" * 60),
        ("photo.png", PDF),
        ("notes.txt", b"<html><body>hi</body></html>"),
        ("data.csv", b"\x00\x01binary"),
    ],
    ids=["html-named-pdf", "exe-named-docx", "pdf-named-png", "html-named-txt", "binary-csv"],
)
def test_a_document_whose_content_is_not_what_its_name_says_is_refused(world, reg, name, content):
    before = len(_activities(world))
    with pytest.raises(ValidationError) as refused:
        _document(world, reg, world.p_rep, name=name, content=content)
    assert "attachment" in refused.value.message_dict
    assert len(_activities(world)) == before


def test_partner_q_cannot_touch_ps_registration_history(client, world, reg):
    document = _document(world, reg, world.p_rep)
    before = len(_activities(world))
    client.force_login(world.q_rep.user)
    url = _url("portal:registration_activity_add", world, registration_id=reg.pk)
    assert client.get(url).status_code == 404
    assert client.post(url, {"kind": "note", "body": "sneaky"}).status_code == 404
    download = _url("portal:activity_download", world, activity_id=document.pk)
    assert client.get(download).status_code == 404
    missing = _url("portal:activity_download", world, activity_id=document.pk + 1000)
    assert client.get(missing).status_code == 404
    assert len(_activities(world)) == before


def test_the_service_refuses_another_partners_record(world, reg):
    from django.core.exceptions import PermissionDenied

    with tenant_context(world.a.pk):
        with pytest.raises(PermissionDenied):
            activity_add(by=world.q_rep, registration=reg, kind="note", body="x")


def test_tenant_b_cannot_download_a_documents(client, world, reg):
    document = _document(world, reg, world.p_rep)
    client.force_login(world.b_admin.user)
    url = reverse(
        "console:activity_download",
        kwargs={"tenant_slug": world.b.slug, "activity_id": document.pk},
    )
    assert client.get(url).status_code == 404


def test_a_download_of_an_activity_without_a_document_is_404(client, world, reg):
    note = _activities(world, registration=reg, kind="note")[0]
    client.force_login(world.p_rep.user)
    assert (
        client.get(_url("portal:activity_download", world, activity_id=note.pk)).status_code == 404
    )


# --- leads -------------------------------------------------------------------------------


def test_partner_logs_on_an_accepted_lead_and_first_activity_is_recorded(
    client, world, accepted_lead
):
    client.force_login(world.p_rep.user)
    detail = _url("portal:lead_detail", world, lead_id=accepted_lead.pk)
    page = client.get(detail)
    assert page.status_code == 200 and b"Add to the log" in page.content
    url = _url("portal:lead_activity_add", world, lead_id=accepted_lead.pk)
    # Logged as having happened before the acceptance: the timing never goes negative.
    earlier = (accepted_lead.accepted_at - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(url, {"kind": "call", "body": "Intro call", "occurred_at": earlier})
    assert response.status_code == 302
    with tenant_context(world.a.pk):
        lead = Lead.objects.get(pk=accepted_lead.pk)
    assert lead.first_activity_at == lead.accepted_at
    assert client.post(url, {"kind": "note", "body": "Follow-up"}).status_code == 302
    with tenant_context(world.a.pk):
        assert Lead.objects.get(pk=lead.pk).first_activity_at == lead.first_activity_at
    activities = _activities(world, lead=lead)
    assert {a.partner_id for a in activities} == {world.p.pk}

    client.force_login(world.channel_manager.user)
    console = client.get(_url("console:lead_detail", world, lead_id=lead.pk))
    assert b"Intro call" in console.content and b"Follow-up" in console.content


def test_lead_timings_for_kpis(world, accepted_lead):
    with tenant_context(world.a.pk):
        offer = LeadOffer.objects.get(lead=accepted_lead)
        LeadOffer.objects.filter(pk=offer.pk).update(
            offered_at=offer.responded_at - timedelta(hours=5)
        )
        Lead.objects.filter(pk=accepted_lead.pk).update(
            first_activity_at=accepted_lead.accepted_at + timedelta(hours=30)
        )
        timings = lead_timings(membership=world.channel_manager)
        assert timings.avg_time_to_accept == timedelta(hours=5)
        assert timings.avg_time_to_first_activity == timedelta(hours=30)
        assert lead_timings(membership=world.q_rep).avg_time_to_accept is None


def test_nobody_logs_on_a_lead_before_it_is_accepted(client, world):
    with tenant_context(world.a.pk):
        lead = lead_create(by=world.channel_manager, company_name="Pending Co", country="DE")
        lead_offer(lead=lead, partner=world.p, by=SYSTEM)
    url = _url("portal:lead_activity_add", world, lead_id=lead.pk)
    client.force_login(world.p_rep.user)
    assert client.post(url, {"kind": "note", "body": "too early"}).status_code == 404
    client.force_login(world.channel_manager.user)
    console = _url("console:lead_activity_add", world, lead_id=lead.pk)
    response = client.post(console, {"kind": "note", "body": "too early"})
    assert response.status_code == 400 and b"once a partner has accepted" in response.content
    assert _activities(world, lead=lead) == []


def test_partner_q_cannot_touch_ps_lead_history(client, world, accepted_lead):
    with tenant_context(world.a.pk):
        activity_add(by=world.p_rep, lead=accepted_lead, kind="note", body="P only")
    client.force_login(world.q_rep.user)
    url = _url("portal:lead_activity_add", world, lead_id=accepted_lead.pk)
    assert client.post(url, {"kind": "note", "body": "sneaky"}).status_code == 404
    detail = _url("portal:lead_detail", world, lead_id=accepted_lead.pk)
    assert client.get(detail).status_code == 404
    assert [a.body for a in _activities(world, lead=accepted_lead)] == ["P only"]


def test_bad_lead_activity_shows_the_lead_page_with_400(client, world, accepted_lead):
    client.force_login(world.p_rep.user)
    url = _url("portal:lead_activity_add", world, lead_id=accepted_lead.pk)
    response = client.post(url, {"kind": "meeting", "body": ""})
    assert response.status_code == 400
    assert response.context["activity_form"].errors["body"]
    assert _activities(world, lead=accepted_lead) == []
