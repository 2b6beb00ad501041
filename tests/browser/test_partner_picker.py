"""The partner picker in a real browser: typing suggests partners, the keyboard
chooses one, the filter sends its id; editing the text forgets the choice."""

import pytest
from django.utils import timezone

from tests.browser.conftest import sign_in
from tests.deals.test_registrations_support import make
from tests.world import PASSWORD

pytestmark = pytest.mark.browser


def test_a_manager_filters_the_queue_by_a_partner_chosen_with_the_keyboard(page, tx_world):
    world = tx_world
    for partner, user, name in [
        (world.p, world.p_rep.user, "Waiting for P"),
        (world.q, world.q_rep.user, "Waiting for Q"),
    ]:
        make(world, partner, user, name, status="submitted", submitted_at=timezone.now())
    sign_in(page, world.channel_manager.user.email, PASSWORD)
    page.goto("/t/vendor-a/console/registrations/queue/")
    box = page.get_by_role("combobox", name="Partner")
    assert box.get_attribute("readonly") is None  # the script made it searchable
    suggestions = page.get_by_role("listbox", name="Partners")
    box.fill("tner q")
    option = suggestions.get_by_role("option", name="Partner Q")
    option.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    assert suggestions.get_by_role("option").count() == 1
    box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == option.get_attribute("id")
    box.press("Enter")  # chooses; does not send the form yet
    assert suggestions.is_hidden()
    assert box.input_value() == "Partner Q"
    assert page.input_value("input[name=partner]") == str(world.q.pk)
    with page.expect_navigation():
        box.press("Enter")  # the list is closed: now Enter sends the form
    assert f"partner={world.q.pk}" in page.url
    assert "Waiting for Q" in page.content() and "Waiting for P" not in page.content()

    # The page shows the chosen partner; changing the text forgets it.
    box = page.get_by_role("combobox", name="Partner")
    assert box.input_value() == "Partner Q"
    box.fill("Partner")
    assert page.input_value("input[name=partner]") == ""
    suggestions.get_by_role("option", name="Partner P").wait_for()
    box.press("Escape")
    assert suggestions.is_hidden()
    with page.expect_navigation():
        page.get_by_role("search").get_by_role("button", name="Apply").click()
    assert "Waiting for Q" in page.content() and "Waiting for P" in page.content()
