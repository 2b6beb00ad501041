"""Where people work, in a real browser: the rep's home with a lead about to be
taken back, a manager deciding a registration and the partner finding the
decision in the inbox, and the collapsed menu at phone width opened with the
keyboard.  Each test saves screenshots as artefacts."""

import pytest

from deals.models import DealSettings
from deals.services.leads import lead_create
from deals.services.offers import lead_offer
from prm.tenancy import tenant_context
from tests.browser.conftest import screenshot, sign_in
from tests.deals.setup_deal_data import register
from tests.world import PASSWORD

pytestmark = pytest.mark.browser


def test_the_reps_home_puts_the_lead_about_to_be_reclaimed_first(page, tx_world):
    world = tx_world
    with tenant_context(world.a.pk):
        DealSettings.objects.update(lead_sla_hours=2)
        lead = lead_create(by=world.channel_manager, company_name="Urgent GmbH", country="DE")
        lead_offer(lead=lead, partner=world.p, by=world.channel_manager)
    sign_in(page, world.p_rep.user.email, PASSWORD)
    page.goto("/t/vendor-a/portal/")
    first = page.locator(".todo-list > li").first
    assert "Urgent GmbH" in first.inner_text()
    assert "Reclaimed: in 2 hours" in first.inner_text()
    screenshot(page, "rep-home-urgent-lead")
    with page.expect_navigation():
        first.locator("a.todo-title").click()
    assert page.url.endswith(f"/portal/leads/{lead.pk}/")


def test_a_decision_reaches_the_partner_as_a_notification(page, tx_world):
    world = tx_world
    with tenant_context(world.a.pk):
        registration = register(world.p, world.p_rep.user, "Globex", status="submitted")
    sign_in(page, world.channel_manager.user.email, PASSWORD)
    page.goto(f"/t/vendor-a/console/registrations/{registration.pk}/")
    page.select_option("select[name=decision]", "approve")
    screenshot(page, "manager-decides-registration")
    with page.expect_navigation():
        page.click("text=Record decision")

    page.context.clear_cookies()
    sign_in(page, world.p_rep.user.email, PASSWORD)
    page.goto("/t/vendor-a/portal/")
    bell = page.locator("a.bell")
    assert bell.locator(".badge").inner_text() == "1"
    assert "Your registration for Globex is approved" in page.locator(".home-news").inner_text()
    with page.expect_navigation():
        bell.click()
    item = page.locator(".inbox-item.unread")
    assert "Your registration for Globex is approved" in item.inner_text()
    screenshot(page, "partner-inbox-with-decision")
    with page.expect_navigation():
        item.locator("a").click()
    assert page.url.endswith(f"/portal/registrations/{registration.pk}/")
    assert page.locator("a.bell .badge").count() == 0  # read now


def test_the_collapsed_menu_opens_with_the_keyboard_at_phone_width(browser, live_server, tx_world):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, tx_world.p_rep.user.email, PASSWORD)
        page.goto("/t/vendor-a/portal/registrations/")
        nav = page.locator("#mainnav")
        assert nav.is_hidden()
        # The first Tab reaches the skip link, the next ones the menu button.
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip-link"
        toggle = page.locator("button.nav-toggle")
        for _ in range(5):
            if page.evaluate("document.activeElement.classList.contains('nav-toggle')"):
                break
            page.keyboard.press("Tab")
        assert toggle.get_attribute("aria-expanded") == "false"
        page.keyboard.press("Enter")
        assert nav.is_visible() and toggle.get_attribute("aria-expanded") == "true"
        page.keyboard.press("Tab")
        assert page.evaluate("document.getElementById('mainnav').contains(document.activeElement)")
        screenshot(page, "mobile-menu-open-by-keyboard")
        page.keyboard.press("Escape")
        assert nav.is_hidden()
        assert page.evaluate("document.activeElement.classList.contains('nav-toggle')")
        # Nothing is wider than the phone: wide tables scroll inside the page.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()


def test_arrow_keys_in_the_language_switch_do_not_reload_the_page(page, tx_world):
    sign_in(page, tx_world.p_rep.user.email, PASSWORD)
    page.goto("/t/vendor-a/portal/")
    page.evaluate("window.__still_here = true")
    page.focus("#language")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__still_here === true")
    assert page.get_attribute("html", "lang") == "en"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_attribute("html", "lang") != "en"
