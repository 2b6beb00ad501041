"""The vendor's direct accounts: CSV import (all or nothing), list, delete."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deals.models import DealConflict, DirectAccount
from prm.models import AuditEvent
from prm.tenancy import tenant_context
from tests.deals.setup_deal_data import url


def _upload(client, world, text: str | bytes, tenant=None):
    data = text.encode() if isinstance(text, str) else text
    return client.post(
        url(world, "console:direct_accounts_import", tenant=tenant),
        {"file": SimpleUploadedFile("accounts.csv", data, content_type="text/csv")},
    )


def _accounts(tenant) -> dict[str, tuple[str, str, str]]:
    with tenant_context(tenant.pk):
        return {a.name: (a.name_key, a.domain, a.owner) for a in DirectAccount.objects.all()}


GOOD = (
    "name,domain,owner\n"
    "Contoso Ltd,https://www.Contoso.example/about,Dana\n"
    "Fabrikam Inc.,,Omar\n"
    "Stark Industries,stark.example,\n"
)


def test_a_manager_imports_accounts_which_partners_then_conflict_with(client, world):
    client.force_login(world.channel_manager.user)
    response = _upload(client, world, GOOD)
    assert response.status_code == 302
    accounts = _accounts(world.a)
    assert accounts["Contoso Ltd"] == ("contoso", "contoso.example", "Dana")
    assert accounts["Fabrikam Inc."] == ("fabrikam", "", "Omar")
    assert "Bigcorp" in accounts  # the world's own account stays
    assert "Contoso Ltd" not in _accounts(world.b)
    page = client.get(url(world, "console:direct_accounts"))
    assert b"contoso.example" in page.content
    with tenant_context(world.a.pk):
        audit = AuditEvent.objects.get(action="direct_accounts.imported")
    assert audit.data == {"created": 3, "updated": 0}


def test_importing_the_same_list_again_updates_instead_of_duplicating(client, world):
    client.force_login(world.vendor_admin.user)
    assert _upload(client, world, GOOD).status_code == 302
    again = GOOD.replace("Contoso Ltd,", "Contoso Limited,").replace(",Omar", ",Ines")
    assert _upload(client, world, again).status_code == 302
    accounts = _accounts(world.a)
    assert len(accounts) == 4
    assert accounts["Contoso Limited"][1:] == ("contoso.example", "Dana")
    assert accounts["Fabrikam Inc."][2] == "Ines"
    assert "Contoso Ltd" not in accounts


@pytest.mark.parametrize(
    "content, row, column, message",
    [
        ("name,domain\n,acme.example\n", 2, "name", "required"),
        ("name,domain\nAcme,not a domain\n", 2, "domain", "not a valid domain"),
        ("name,domain\n...,\n", 2, "name", "letter or digit"),
        ("name,domain\nAcme,acme.example\nAcme Inc,acme.example\n", 3, "domain", "row 3"),
        ("name,domain\nAcme,\nACME Inc.,\n", 3, "name", "row 3"),
        ("name,domain,owner\nAcme,acme.example,x,extra\n", 2, "", "4 values"),
        ("name,domain,owner\n" + "A" * 201 + ",,\n", 2, "name", "under 201"),
    ],
    ids=["no-name", "bad-domain", "no-letters", "dup-domain", "dup-name", "extra", "long"],
)
def test_bad_rows_refuse_the_whole_file(client, world, content, row, column, message):
    client.force_login(world.vendor_admin.user)
    good_first = content.replace("\n", "\nGood Customer,good.example\n", 1)
    response = _upload(client, world, good_first)
    assert response.status_code == 400
    problems = response.context["problems"]
    assert [(p.row, p.column) for p in problems] == [(row + 1, column)]
    assert message in problems[0].message
    assert set(_accounts(world.a)) == {"Bigcorp"}


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty"),
        (b"\xff\xfe\x00n\x00a", "not UTF-8"),
        (b"name;domain\nAcme;acme.example\n", "semicolons"),
        (b"name,country\nAcme,DE\n", "Unknown column"),
        (b"domain,owner\nacme.example,Dana\n", "required column is missing"),
        (b"name,domain\n", "no rows"),
        (b'name,domain\n"Acme,acme.example\n', "not valid CSV"),
    ],
    ids=["empty", "binary", "semicolons", "unknown-column", "missing-name", "no-rows", "quote"],
)
def test_malformed_files_are_refused_with_a_clear_message(client, world, content, message):
    client.force_login(world.vendor_admin.user)
    response = _upload(client, world, content)
    assert response.status_code == 400
    assert message in response.context["problems"][0].message
    assert set(_accounts(world.a)) == {"Bigcorp"}


def test_the_problem_report_downloads_for_the_same_user_only(client, world):
    client.force_login(world.vendor_admin.user)
    response = _upload(client, world, "name,domain\n,acme.example\n")
    report = (
        url(world, "console:direct_accounts_import_report")
        + "?report="
        + response.context["report"]
    )
    download = client.get(report)
    assert download.status_code == 200
    assert "This value is required." in download.content.decode()
    client.force_login(world.channel_manager.user)
    assert client.get(report).status_code == 404


def test_the_template_lists_the_columns(client, world):
    client.force_login(world.vendor_admin.user)
    response = client.get(url(world, "console:direct_accounts_template"))
    assert response.content.decode("utf-8-sig").strip() == "name,domain,owner"


def test_deleting_an_account_removes_its_conflicts(client, world):
    with tenant_context(world.a.pk):
        account = DirectAccount.objects.get(name="Bigcorp")
        assert DealConflict.objects.filter(direct_account=account).exists()
    client.force_login(world.channel_manager.user)
    response = client.post(url(world, "console:direct_account_delete", account_id=account.pk))
    assert response.status_code == 302
    assert _accounts(world.a) == {}
    with tenant_context(world.a.pk):
        assert not DealConflict.objects.filter(direct_account_id=account.pk).exists()
    assert "Bigcorp" in _accounts(world.b)


def test_another_tenants_account_cannot_be_deleted(client, world):
    with tenant_context(world.b.pk):
        b_account = DirectAccount.objects.get()
    client.force_login(world.vendor_admin.user)
    response = client.post(url(world, "console:direct_account_delete", account_id=b_account.pk))
    assert response.status_code == 404
    assert "Bigcorp" in _accounts(world.b)


def test_finance_sees_the_list_but_cannot_import_or_delete(client, world):
    client.force_login(world.finance.user)
    page = client.get(url(world, "console:direct_accounts"))
    assert page.status_code == 200 and b"Bigcorp" in page.content and b"Remove" not in page.content
    assert _upload(client, world, GOOD).status_code == 403
    account_id = page.context["accounts"][0].pk
    delete = url(world, "console:direct_account_delete", account_id=account_id)
    assert client.post(delete).status_code == 403
    assert set(_accounts(world.a)) == {"Bigcorp"}


def test_partners_never_reach_the_direct_accounts(client, world):
    for who in (world.p_admin, world.p_rep):
        client.force_login(who.user)
        assert client.get(url(world, "console:direct_accounts")).status_code == 403
        assert _upload(client, world, GOOD).status_code == 403
    assert set(_accounts(world.a)) == {"Bigcorp"}


def test_search_finds_by_name_domain_or_owner(client, world):
    client.force_login(world.vendor_admin.user)
    _upload(client, world, GOOD)
    page = client.get(url(world, "console:direct_accounts") + "?q=stark")
    assert [a.name for a in page.context["accounts"]] == ["Stark Industries"]
    page = client.get(url(world, "console:direct_accounts") + "?q=omar")
    assert [a.name for a in page.context["accounts"]] == ["Fabrikam Inc."]


def test_the_list_uses_a_constant_number_of_queries(client, world):
    client.force_login(world.vendor_admin.user)
    page = url(world, "console:direct_accounts")

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(page).status_code == 200
        return len(ctx.captured_queries)

    before = queries()
    with tenant_context(world.a.pk):
        DirectAccount.objects.bulk_create(
            DirectAccount(name=f"Customer {i}", name_key=f"customer {i}", domain=f"c{i}.example")
            for i in range(30)
        )
    assert queries() == before


def test_a_failed_import_reports_its_problems_with_redis_down(client, world, redis_down):
    client.force_login(world.vendor_admin.user)
    response = _upload(client, world, "name,domain\n,acme.example\n")
    assert response.status_code == 400 and response.context["problems"]
    report = (
        url(world, "console:direct_accounts_import_report")
        + "?report="
        + response.context["report"]
    )
    assert client.get(report).status_code == 200


def test_the_same_list_imported_twice_at_once_lists_each_account_once(tx_world):
    from django.test import Client

    from tests.concurrency import run_together

    world = tx_world
    content = "name,domain\nTwin Co,twin.example\nNameless Ltd,\n"

    def upload():
        client = Client()
        client.force_login(world.vendor_admin.user)
        return _upload(client, world, content).status_code

    outcomes = run_together(upload, upload)
    assert 302 in outcomes and set(outcomes) <= {302, 400}  # a refused copy says why
    accounts = _accounts(world.a)
    assert "Twin Co" in accounts and "Nameless Ltd" in accounts
    with tenant_context(world.a.pk):
        assert DirectAccount.objects.filter(domain="twin.example").count() == 1
        assert DirectAccount.objects.filter(name="Nameless Ltd").count() == 1
