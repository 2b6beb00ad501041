"""CSV import: template, happy path, and bad files that change nothing."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from partners.models import Partner, PartnerDomain, PartnerStatus, PartnerStatusChange
from partners.services.imports import MAX_ROWS, TEMPLATE_COLUMNS, partners_import_csv
from prm.models import AuditEvent
from prm.tenancy import tenant_context

HEADER = ",".join(TEMPLATE_COLUMNS)


def _url(world, name="console:partners_import"):
    return reverse(name, kwargs={"tenant_slug": world.a.slug})


def _upload(client, world, content: bytes | str, name="partners.csv"):
    if isinstance(content, str):
        content = content.encode("utf-8")
    return client.post(_url(world), {"file": SimpleUploadedFile(name, content, "text/csv")})


def _state(world) -> tuple:
    with tenant_context(world.a.pk):
        return (
            sorted(Partner.objects.values_list("name", flat=True)),
            PartnerDomain.objects.count(),
            PartnerStatusChange.objects.count(),
            AuditEvent.objects.count(),
        )


def _csv(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def _problems(response) -> list[tuple]:
    return [(p.row, p.column) for p in response.context["problems"]]


def test_template_has_the_header_row(client, world):
    client.force_login(world.channel_manager.user)
    response = client.get(_url(world, "console:partners_import_template"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert next(csv.reader(io.StringIO(text))) == TEMPLATE_COLUMNS


def test_import_creates_every_partner_with_domains_and_history(client, world):
    content = "\ufeff" + _csv(
        "Acme Ltd,Acme Limited,acme.example,https://www.Acme.example;acme-mail.example,gb,"
        "UK;Ireland,Retail;Health,reseller,smb,active,Manager@A.test",
        "Bolt GmbH,,,bolt.example,DE,DACH,,Marketplace,Enterprise,,",
        'Cirrus,,,,,,,"System integrator",,applicant,',
    )
    client.force_login(world.channel_manager.user)
    response = _upload(client, world, content)
    assert response.status_code == 302
    with tenant_context(world.a.pk):
        acme = Partner.objects.get(name="Acme Ltd")
        bolt = Partner.objects.get(name="Bolt GmbH")
        cirrus = Partner.objects.get(name="Cirrus")
        assert (acme.legal_name, acme.website, acme.country) == (
            "Acme Limited",
            "https://acme.example",
            "GB",
        )
        assert (acme.regions, acme.industries) == (["UK", "Ireland"], ["Retail", "Health"])
        assert (acme.partner_type, acme.segment, acme.status) == ("reseller", "smb", "active")
        assert acme.account_manager_id == world.channel_manager.user.pk
        assert sorted(acme.domains.values_list("domain", flat=True)) == [
            "acme-mail.example",
            "acme.example",
        ]
        # Custom types and labels are accepted; the status defaults to onboarding.
        assert (bolt.partner_type, bolt.segment, bolt.status) == (
            "marketplace",
            "enterprise",
            PartnerStatus.ONBOARDING,
        )
        assert (cirrus.partner_type, cirrus.status) == ("si", PartnerStatus.APPLICANT)
        for partner in (acme, bolt, cirrus):
            change = partner.status_changes.get()
            assert (change.from_status, change.to_status, change.by_id) == (
                "",
                partner.status,
                world.channel_manager.user.pk,
            )
            assert AuditEvent.objects.filter(
                action="partner.created", target_id=partner.pk, actor=world.channel_manager.user
            ).exists()
        assert AuditEvent.objects.get(action="partners.imported").data["count"] == 3


def _rows_with(row: str, *more: str) -> str:
    return _csv("Good One,,,good.example,DE,,,reseller,,,", row, *more)


@pytest.mark.parametrize(
    "content, expected",
    [
        (_rows_with("Bad Type,,,,,,,emperor,,,"), [(3, "partner_type")]),
        (_rows_with("No Type,,,,,,,,,,"), [(3, "partner_type")]),
        (_rows_with(",,,,,,,reseller,,,"), [(3, "name")]),
        (_rows_with("Bad Country,,,,Germany,,,reseller,,,"), [(3, "country")]),
        (_rows_with("Bad Segment,,,,,,,reseller,huge,,"), [(3, "segment")]),
        (_rows_with("Bad Status,,,,,,,reseller,,dormant,"), [(3, "status")]),
        (_rows_with("Bad Site,,not a site,,,,,reseller,,,"), [(3, "website")]),
        (_rows_with("Bad Domain,,,not_a_domain,,,,reseller,,,"), [(3, "domains")]),
        (_rows_with("Partner p,,,,,,,reseller,,,"), [(3, "name")]),  # exists, any case
        (_rows_with("good one,,,,,,,reseller,,,"), [(3, "name")]),  # twice in the file
        (
            _rows_with("Other,,,other.example,,,,msp,,,", "Third,,,GOOD.example,,,,msp,,,"),
            [(4, "domains")],
        ),
        (_rows_with("Unknown AM,,,,,,,msp,,,nobody@a.test"), [(3, "account_manager_email")]),
        (_rows_with("Partner AM,,,,,,,msp,,,rep@p.test"), [(3, "account_manager_email")]),
        (_rows_with("Other AM,,,,,,,msp,,,admin@b.test"), [(3, "account_manager_email")]),
        (_rows_with("Long,,,,,,,msp,,,,extra"), [(3, "")]),
        (
            _rows_with(
                "Two Bad,,,,Germany,,,emperor,,,", "", "Fine,,,,,,,msp,,,", "Z,,,,X,,,msp,,,"
            ),
            [(3, "country"), (3, "partner_type"), (6, "country")],
        ),
    ],
)
def test_bad_rows_are_reported_and_nothing_is_written(client, world, content, expected):
    client.force_login(world.vendor_admin.user)
    before = _state(world)
    response = _upload(client, world, content)
    assert response.status_code == 400
    assert _problems(response) == expected
    assert b"Nothing was imported" in response.content
    assert _state(world) == before


def test_a_domain_another_partner_has_is_refused(client, world):
    client.force_login(world.vendor_admin.user)
    before = _state(world)
    response = _upload(client, world, _rows_with(f"Thief,,,www.P{world.p.pk}.example,,,,msp,,,"))
    assert response.status_code == 400
    assert _problems(response) == [(3, "domains")]
    assert "Partner P" in response.context["problems"][0].message
    assert _state(world) == before


def test_another_tenants_names_and_domains_do_not_count(client, world):
    client.force_login(world.vendor_admin.user)
    content = _csv(f"Partner of B,,,p{world.b_partner.pk}.example,,,,isv,,,")
    assert _upload(client, world, content).status_code == 302
    with tenant_context(world.a.pk):
        assert Partner.objects.filter(name="Partner of B").exists()


@pytest.mark.parametrize(
    "content, words",
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (HEADER.encode() + b"\n", "no partners"),
        (b"name,legal_name\nAcme,Acme Ltd\n", "partner_type"),
        (b"name,partner_type,colour\nAcme,msp,red\n", "colour"),
        (b"name,partner_type,name\nAcme,msp,Acme\n", "twice"),
        (b"name;partner_type\nAcme;msp\n", "commas"),
        ("name,partner_type\nMüller Systems,msp\n".encode("latin-1"), "UTF-8"),
        (b"name,partner_type\nAcme\x00,msp\n", "CSV"),
    ],
)
def test_bad_files_are_refused_as_a_whole(client, world, content, words):
    client.force_login(world.channel_manager.user)
    before = _state(world)
    response = _upload(client, world, content)
    assert response.status_code == 400
    problems = response.context["problems"]
    assert [p.row for p in problems] == [None]
    assert words in problems[0].message
    assert _state(world) == before


def test_too_many_rows(client, world):
    rows = [f"Partner {i},,,,,,,msp,,," for i in range(MAX_ROWS + 1)]
    client.force_login(world.channel_manager.user)
    before = _state(world)
    response = _upload(client, world, _csv(*rows))
    assert response.status_code == 400
    assert "more than 5000 rows" in response.context["problems"][0].message
    assert _state(world) == before


def test_the_largest_allowed_number_of_rows_imports(client, world):
    rows = [f"Bulk {i},,,bulk{i}.example,,,,msp,,," for i in range(MAX_ROWS)]
    client.force_login(world.channel_manager.user)
    assert _upload(client, world, _csv(*rows)).status_code == 302
    with tenant_context(world.a.pk):
        assert Partner.objects.filter(name__startswith="Bulk ").count() == MAX_ROWS
        assert PartnerStatusChange.objects.filter(partner__name__startswith="Bulk ").count() == (
            MAX_ROWS
        )


def test_files_over_two_megabytes_are_refused(client, world):
    filler = "x" * 190
    rows = [f"Partner {i},{filler},,,,,,msp,,," for i in range(11_000)]
    client.force_login(world.channel_manager.user)
    response = _upload(client, world, _csv(*rows))
    assert response.status_code == 400
    assert "2 MB" in response.context["problems"][0].message


def test_the_report_downloads_as_csv_for_its_owner_only(client, world):
    client.force_login(world.vendor_admin.user)
    response = _upload(client, world, _rows_with("Bad Country,,,,Germany,,,emperor,,,"))
    token = response.context["report"]
    report_url = f"{_url(world, 'console:partners_import_report')}?report={token}"
    assert report_url.encode() in response.content.replace(b"&amp;", b"&")
    download = client.get(report_url)
    assert download.status_code == 200
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert rows[0] == ["row", "column", "problem"]
    assert [(r[0], r[1]) for r in rows[1:]] == [("3", "country"), ("3", "partner_type")]
    client.force_login(world.channel_manager.user)
    assert client.get(report_url).status_code == 404
    assert client.get(f"{_url(world, 'console:partners_import_report')}?report=x").status_code == (
        404
    )


def test_only_admins_and_channel_managers_import(client, world):
    client.force_login(world.finance.user)
    assert client.get(_url(world)).status_code == 403
    assert _upload(client, world, _csv("Sneaky,,,,,,,msp,,,")).status_code == 403
    client.force_login(world.p_admin.user)
    assert _upload(client, world, _csv("Sneaky,,,,,,,msp,,,")).status_code == 403
    assert "Sneaky" not in _state(world)[0]


def test_a_missing_file_is_a_form_error(client, world):
    client.force_login(world.channel_manager.user)
    response = client.post(_url(world), {})
    assert response.status_code == 400
    assert "file" in response.context["form"].errors


def test_the_service_reports_problems_without_http(world):
    file = io.BytesIO(_csv("Acme,,,,,,,nope,,,").encode())
    with tenant_context(world.a.pk):
        result = partners_import_csv(file=file, by=world.vendor_admin)
    assert not result.ok and result.created == 0
    assert [(p.row, p.column) for p in result.problems] == [(2, "partner_type")]
