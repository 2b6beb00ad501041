"""The country box in a real browser: typing a country's whole name sends its
ISO code ("Germany" is DE, never Georgia); a name that is no country comes back
as a clear error next to the field, with what was typed."""

import pytest

from deals.models import DealRegistration
from prm.tenancy import tenant_context
from tests.browser.conftest import screenshot, sign_in
from tests.world import PASSWORD

pytestmark = pytest.mark.browser


def test_typing_germany_sends_de_and_a_made_up_name_is_told(page, tx_world):
    world = tx_world
    sign_in(page, world.p_rep.user.email, PASSWORD)
    page.goto("/t/vendor-a/portal/registrations/new/")
    box = page.locator("#id_customer_country")
    sent = page.locator("input[type=hidden][name=customer_country]")
    box.press_sequentially("Georgia")
    assert sent.input_value() == "GE"
    box.fill("")
    box.press_sequentially("Germany")
    assert sent.input_value() == "DE"
    assert (
        box.get_attribute("list")
        and page.locator("datalist option[value='Germany'][data-code='DE']").count() == 1
    )

    box.fill("")
    box.press_sequentially("Narnia")
    page.fill("input[name=customer_name]", "Acme Draft")
    with page.expect_navigation():
        page.click("button[value=draft]")
    error = page.locator(".field.has-error .error")
    assert "is not a country we know" in error.first.inner_text()
    assert page.locator("#id_customer_country").input_value() == "Narnia"
    screenshot(page, "country-picker-error")

    page.locator("#id_customer_country").fill("")
    page.locator("#id_customer_country").press_sequentially("germany")
    with page.expect_navigation():
        page.click("button[value=draft]")
    with tenant_context(world.a.pk):
        draft = DealRegistration.objects.get(customer_name="Acme Draft")
    assert (draft.status, draft.customer_country) == ("draft", "DE")
