"""The main journeys in a real browser: signing in, the partner registering a
deal with the instant duplicate warning, the vendor approving it, and the
right-to-left layout."""

import datetime
from decimal import Decimal

import pytest

from deals.models import DealProduct, DealRegistration, Product
from deals.normalise import customer_key
from prm.tenancy import tenant_context
from tests.browser.conftest import sign_in
from tests.world import PASSWORD

pytestmark = pytest.mark.browser


def _competitor_of_p(world) -> Product:
    """Q already registered Initech for the core product."""
    with tenant_context(world.a.pk):
        product = Product.objects.get(code="CORE")
        registration = DealRegistration.objects.create(
            partner=world.q,
            registered_by=world.q_rep.user,
            customer_name="Initech",
            customer_key=customer_key("Initech"),
            customer_domain="initech.example",
            customer_country="US",
            estimated_value=Decimal("1000"),
            currency="USD",
            expected_close_date=datetime.date(2030, 1, 1),
            status="submitted",
        )
        DealProduct.objects.create(registration=registration, product=product)
    return product


def test_partner_registers_a_deal_and_the_vendor_approves_it(page, tx_world):
    world = tx_world
    product = _competitor_of_p(world)
    sign_in(page, world.p_rep.user.email, PASSWORD)
    page.goto("/t/vendor-a/portal/registrations/new/")
    warning = page.locator("#duplicate-warning")
    assert warning.is_hidden()
    page.fill("input[name=customer_name]", "Initech, Inc.")
    page.fill("input[name=customer_domain]", "initech.example")
    page.check(f"input[name=product_ids][value='{product.pk}']")
    warning.wait_for(state="visible")  # the server said: possibly claimed
    page.fill("#id_customer_country", "United States of America")  # chosen by name
    page.fill("input[name=estimated_value]", "25000")
    page.fill(
        "input[name=expected_close_date]",
        (datetime.date.today() + datetime.timedelta(days=60)).isoformat(),
    )
    with page.expect_navigation():
        page.click("button[value=submit]")
    assert "/portal/registrations/" in page.url
    with tenant_context(world.a.pk):
        registration = DealRegistration.objects.get(partner=world.p, customer_key="initech")
    assert registration.status == "submitted"
    assert "Partner Q" not in page.content()  # partners never learn who competes

    page.context.clear_cookies()
    sign_in(page, world.channel_manager.user.email, PASSWORD)
    page.goto(f"/t/vendor-a/console/registrations/{registration.pk}/")
    assert "Partner Q" in page.content()  # the vendor sees the competing record
    page.select_option("select[name=decision]", "approve")
    with page.expect_navigation():
        page.click("text=Record decision")
    with tenant_context(world.a.pk):
        registration.refresh_from_db()
    assert registration.status == "approved" and registration.protected_until is not None


def test_arabic_turns_the_layout_right_to_left(page, tx_world):
    sign_in(page, tx_world.p_rep.user.email, PASSWORD)
    page.goto("/t/vendor-a/portal/")
    with page.expect_navigation():
        page.select_option("#language", "ar")
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.get_attribute("html", "lang") == "ar"
