"""Products and deal settings in the console."""

from decimal import Decimal

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from deals.models import DealProduct, DealSettings, Product
from prm.models import AuditEvent
from prm.tenancy import tenant_context
from tests.deals.setup_deal_data import register, url

FORM = {"code": "AN-2", "name": "Analytics Pro", "product_line": "Data"}


def _products(tenant):
    with tenant_context(tenant.pk):
        return {p.code: p for p in Product.objects.all()}


@pytest.mark.parametrize("who", ["vendor_admin", "channel_manager"])
def test_managers_add_edit_deactivate_and_reactivate_products(client, world, who):
    client.force_login(getattr(world, who).user)
    response = client.post(url(world, "console:product_create"), FORM)
    assert response.status_code == 302
    product = _products(world.a)["AN-2"]
    assert (product.name, product.product_line, product.is_active) == (
        "Analytics Pro",
        "Data",
        True,
    )
    edit = url(world, "console:product_edit", product_id=product.pk)
    assert client.get(edit).status_code == 200
    response = client.post(edit, {**FORM, "name": "Analytics Premium"})
    assert response.status_code == 302
    assert _products(world.a)["AN-2"].name == "Analytics Premium"
    client.post(url(world, "console:product_deactivate", product_id=product.pk))
    assert _products(world.a)["AN-2"].is_active is False
    page = client.get(url(world, "console:products"))
    assert b"Analytics Premium" in page.content and b"Reactivate" in page.content
    client.post(url(world, "console:product_reactivate", product_id=product.pk))
    assert _products(world.a)["AN-2"].is_active is True
    with tenant_context(world.a.pk):
        actions = list(
            AuditEvent.objects.filter(target_id=product.pk, action__startswith="product.")
            .order_by("pk")
            .values_list("action", flat=True)
        )
    assert actions == [
        "product.created",
        "product.updated",
        "product.deactivated",
        "product.reactivated",
    ]


@pytest.mark.parametrize(
    "data, field",
    [
        ({**FORM, "code": ""}, "code"),
        ({**FORM, "name": ""}, "name"),
        ({**FORM, "code": "core"}, "code"),  # the world's CORE, in another case
        ({**FORM, "code": "X" * 61}, "code"),
    ],
    ids=["no-code", "no-name", "duplicate-code", "too-long"],
)
def test_bad_products_are_refused_and_nothing_changes(client, world, data, field):
    client.force_login(world.channel_manager.user)
    before = _products(world.a)
    response = client.post(url(world, "console:product_create"), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert _products(world.a).keys() == before.keys()


def test_editing_to_a_taken_code_is_refused(client, world):
    client.force_login(world.vendor_admin.user)
    client.post(url(world, "console:product_create"), FORM)
    product = _products(world.a)["AN-2"]
    response = client.post(
        url(world, "console:product_edit", product_id=product.pk), {**FORM, "code": "CORE"}
    )
    assert response.status_code == 400
    assert "already has the code" in str(response.context["form"].errors["code"])
    assert "AN-2" in _products(world.a)


def test_codes_are_unique_per_tenant_only(client, world):
    client.force_login(world.b_admin.user)
    response = client.post(
        url(world, "console:product_create", tenant=world.b), {**FORM, "code": "AN-2"}
    )
    assert response.status_code == 302
    client.force_login(world.vendor_admin.user)
    assert client.post(url(world, "console:product_create"), FORM).status_code == 302
    assert "AN-2" in _products(world.a) and "AN-2" in _products(world.b)


def test_finance_reads_but_does_not_change_the_catalogue(client, world):
    client.force_login(world.finance.user)
    page = client.get(url(world, "console:products"))
    assert page.status_code == 200 and b"Core platform" in page.content
    assert b"Deactivate" not in page.content
    product = _products(world.a)["CORE"]
    assert client.post(url(world, "console:product_create"), FORM).status_code == 403
    assert (
        client.post(url(world, "console:product_deactivate", product_id=product.pk)).status_code
        == 403
    )
    assert _products(world.a)["CORE"].is_active is True


def test_another_tenants_product_is_not_found(client, world):
    b_product = _products(world.b)["CORE"]
    client.force_login(world.vendor_admin.user)
    assert (
        client.get(url(world, "console:product_edit", product_id=b_product.pk)).status_code == 404
    )
    assert (
        client.post(url(world, "console:product_deactivate", product_id=b_product.pk)).status_code
        == 404
    )
    assert _products(world.b)["CORE"].is_active is True


def test_partners_cannot_reach_the_catalogue_pages(client, world):
    client.force_login(world.p_admin.user)
    assert client.get(url(world, "console:products")).status_code == 403
    assert client.post(url(world, "console:product_create"), FORM).status_code == 403
    assert "AN-2" not in _products(world.a)


def test_the_catalogue_counts_registrations_in_constant_queries(client, world):
    client.force_login(world.vendor_admin.user)
    page = url(world, "console:products")

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(page)
        assert response.status_code == 200
        return len(ctx.captured_queries), response

    before, _ = queries()
    with tenant_context(world.a.pk):
        extra = [Product.objects.create(code=f"X{i}", name=f"Extra {i}") for i in range(10)]
        register(world.p, world.p_rep.user, "Initech", products=extra[:3])
    after, response = queries()
    assert after == before
    counts = {p.code: p.registrations for p in response.context["products"]}
    assert counts["X0"] == 1 and counts["X9"] == 0 and counts["CORE"] == 1
    with tenant_context(world.a.pk):
        assert DealProduct.objects.filter(product__code="X0").count() == 1


SETTINGS = {
    "engagement_rule": "manager_decides",
    "direct_accounts_off_limits": "",
    "protection_days": "60",
    "extension_days": "15",
    "max_extensions": "3",
    "reminder_days": "5",
    "approval_sla_hours": "24",
    "lead_sla_hours": "12",
    "name_similarity": "0.7",
}


def _settings(tenant):
    with tenant_context(tenant.pk):
        return DealSettings.objects.get()


def test_managers_change_deal_settings(client, world):
    client.force_login(world.channel_manager.user)
    assert client.get(url(world, "console:deal_settings")).status_code == 200
    response = client.post(url(world, "console:deal_settings"), SETTINGS)
    assert response.status_code == 302
    saved = _settings(world.a)
    assert (
        saved.engagement_rule,
        saved.direct_accounts_off_limits,
        saved.protection_days,
        saved.reminder_days,
        saved.lead_sla_hours,
        saved.name_similarity,
    ) == ("manager_decides", False, 60, 5, 12, Decimal("0.70"))
    assert _settings(world.b).protection_days == 90


@pytest.mark.parametrize(
    "change, field",
    [
        ({"protection_days": "0"}, "protection_days"),
        ({"reminder_days": "-1"}, "reminder_days"),
        ({"reminder_days": "60"}, "reminder_days"),  # as long as the protection
        ({"name_similarity": "1.5"}, "name_similarity"),
        ({"lead_sla_hours": "soon"}, "lead_sla_hours"),
        ({"engagement_rule": "coin_toss"}, "engagement_rule"),
    ],
)
def test_bad_deal_settings_are_refused_and_nothing_changes(client, world, change, field):
    client.force_login(world.vendor_admin.user)
    response = client.post(url(world, "console:deal_settings"), {**SETTINGS, **change})
    assert response.status_code == 400
    assert field in response.context["form"].errors
    saved = _settings(world.a)
    assert (saved.protection_days, saved.engagement_rule, saved.reminder_days) == (
        90,
        "first_approved",
        7,
    )


def test_finance_reads_deal_settings_but_cannot_save(client, world):
    client.force_login(world.finance.user)
    page = client.get(url(world, "console:deal_settings"))
    assert page.status_code == 200 and b"First approved registration wins" in page.content
    assert client.post(url(world, "console:deal_settings"), SETTINGS).status_code == 403
    assert _settings(world.a).protection_days == 90


def test_selectors_narrow_to_the_partner(world):
    from deals.selectors import accounts, catalogue, revenue
    from tests.deals.setup_deal_data import product

    with tenant_context(world.a.pk):
        product("OLD", "Retired", is_active=False)
        for who in (world.p_admin, world.p_rep):
            codes = {p.code for p in catalogue.products_visible_to(membership=who)}
            assert codes == {"CORE"}
            assert not accounts.direct_accounts_visible_to(membership=who).exists()
        assert {
            line.partner_id for line in revenue.revenue_lines_visible_to(membership=world.p_rep)
        } == {world.p.pk}
        assert not revenue.revenue_lines_visible_to(membership=world.q_rep).exists()
        assert {p.code for p in catalogue.products_visible_to(membership=world.finance)} == {
            "CORE",
            "OLD",
        }
        assert accounts.direct_accounts_visible_to(membership=world.finance).count() == 1
    old = _products(world.a)["OLD"]
    with tenant_context(world.a.pk), pytest.raises(Http404):
        catalogue.product_get(membership=world.p_rep, product_id=old.pk)


@pytest.mark.parametrize("name", ["console:direct_accounts_import", "console:orders_import"])
def test_the_import_pages_render(client, world, name):
    client.force_login(world.channel_manager.user)
    response = client.get(url(world, name))
    assert response.status_code == 200 and b"Download the template" in response.content
