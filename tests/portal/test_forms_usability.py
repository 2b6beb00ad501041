"""Forms that don't trap: countries chosen by name, required fields marked, every
error at once next to its field, drafts saved incomplete, an explanation where a
list has nothing to choose from, a public application that tells a person what
went wrong, and no console drop-down of every partner."""

import re
import time

import pytest
from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import translation

from deals.models import DealRegistration, Product
from partners.models import Partner, PartnerApplication, PartnerType, QualificationQuestion
from portal.areas.recruitment.forms import FORM_SALT, MAX_SECONDS_TO_FILL
from portal.countries import country_code_for
from portal.forms import CountryField
from prm.tenancy import tenant_context
from tests.deals.test_registrations_support import build_catalogue, form_data, future, in_a, url
from tests.partners.helpers import application_post
from tests.portal.test_tenant_urls import CONSOLE, _ids

APPLY_A = "/apply/vendor-a/"


# --- countries ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, code",
    [
        ("Germany", "DE"),
        ("germany", "DE"),
        ("  GERMANY ", "DE"),
        ("Georgia", "GE"),
        ("DE", "DE"),
        ("ge", "GE"),
        ("Côte d'Ivoire", "CI"),
        ("United States", "US"),
    ],
)
def test_a_country_is_found_by_its_whole_name_or_its_code(typed, code):
    assert CountryField().clean(typed) == code


@pytest.mark.parametrize("typed", ["Narnia", "Germ", "XX", "1A"])
def test_a_text_that_names_no_country_is_a_clear_error(typed):
    with pytest.raises(Exception) as caught:
        CountryField().clean(typed)
    assert "is not a country we know" in " ".join(caught.value.messages)


def test_names_follow_the_readers_language():
    with translation.override("pl"):
        assert country_code_for("Niemcy") == "DE"
        assert country_code_for("Germany") == "DE"  # English is understood too
        html = CountryField().widget.render("country", "DE")
    assert 'value="Niemcy"' in html  # the chosen country, shown by its Polish name
    assert '<option value="Niemcy" data-code="DE">' in html
    assert "country_picker.js" in html


def test_the_country_box_offers_every_country_by_name_and_shows_the_typed_text_back():
    html = CountryField().widget.render("country", "Narnia", attrs={"id": "id_country"})
    assert 'list="id_country_countries"' in html and '<datalist id="id_country_countries">' in html
    assert len(re.findall(r"<option ", html)) >= 249
    assert '<option value="Germany" data-code="DE">' in html
    assert 'value="Narnia"' in html


# --- the registration form -------------------------------------------------------------


@pytest.fixture
def cat(world):
    return build_catalogue(world)


def test_registering_with_germany_stores_de(client, world, cat):
    client.force_login(world.p_rep.user)
    response = client.post(
        url("portal:registration_create", world),
        form_data(cat, customer_country="Germany", action="submit"),
    )
    assert response.status_code == 302
    with in_a(world):
        registration = DealRegistration.objects.get(customer_name="Umbrella Corporation")
    assert (registration.customer_country, registration.status) == ("DE", "submitted")


def test_required_fields_are_marked_and_required(client, world, cat):
    client.force_login(world.p_rep.user)
    html = client.get(url("portal:registration_create", world)).content.decode()
    assert "Fields marked" in html and "are required" in html
    label = re.search(r'<label for="id_customer_name">(.*?)</label>', html, re.S).group(1)
    assert '<span class="required-mark" aria-hidden="true"' in label
    assert re.search(r'<input[^>]*name="customer_name"[^>]*required', html)
    country = re.search(r"<input[^>]*data-country-text[^>]*>", html).group(0)
    assert "required" in country and 'name="customer_country"' in country
    # An optional field carries no marker.
    label = re.search(r'<label for="id_contact_name">(.*?)</label>', html, re.S).group(1)
    assert "required-mark" not in label


def test_three_bad_fields_are_told_at_once_each_next_to_its_field(client, world, cat):
    client.force_login(world.p_rep.user)
    response = client.post(
        url("portal:registration_create", world),
        form_data(
            cat,
            customer_country="Narnia",
            estimated_value="lots",
            expected_close_date="",
            action="submit",
        ),
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"customer_country", "estimated_value", "expected_close_date"} <= set(errors)
    html = response.content.decode()
    for name in ("customer_country", "estimated_value", "expected_close_date"):
        field = re.search(
            rf'<div class="field has-error">\s*<label for="id_{name}">.*?</div>\s*</div>',
            html,
            re.S,
        )
        assert field and 'class="error" role="alert"' in field.group(0), name
    assert "“Narnia” is not a country we know" in html
    assert 'value="Narnia"' in html  # what was typed stays


def test_service_errors_land_on_their_fields(client, world, cat):
    """What only the service knows (a product of another vendor, a bad domain)
    is shown next to the field it concerns, together."""
    client.force_login(world.p_rep.user)
    response = client.post(
        url("portal:registration_create", world),
        form_data(
            cat,
            product_ids=[cat.b_product.pk],
            customer_domain="not a domain",
            expected_close_date="2001-01-01",
            action="submit",
        ),
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"product_ids", "customer_domain", "expected_close_date"} <= set(errors), errors
    assert "__all__" not in errors


def test_a_draft_needs_only_the_customer_name_and_can_be_completed_later(client, world, cat):
    client.force_login(world.p_rep.user)
    response = client.post(
        url("portal:registration_create", world),
        {"customer_name": "Sketchy Draft Ltd", "action": "draft"},
    )
    assert response.status_code == 302, response.context["form"].errors
    with in_a(world):
        draft = DealRegistration.objects.get(customer_name="Sketchy Draft Ltd")
        assert not draft.lines.exists()
    assert draft.status == "draft"
    assert (draft.customer_country, draft.expected_close_date, draft.currency) == ("", None, "USD")

    # The edit page opens; submitting it as it is tells every missing field.
    edit = url("portal:registration_edit", world, registration_id=draft.pk)
    assert client.get(edit).status_code == 200
    response = client.post(edit, {"customer_name": "Sketchy Draft Ltd", "action": "submit"})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"customer_country", "product_ids", "estimated_value", "expected_close_date"} <= set(
        errors
    )
    # The detail page's "Submit" refuses the incomplete draft too.
    client.post(url("portal:registration_submit", world, registration_id=draft.pk))
    with in_a(world):
        assert DealRegistration.objects.get(pk=draft.pk).status == "draft"

    # Saved again as a draft with a bit more, then completed and submitted.
    response = client.post(
        edit, {"customer_name": "Sketchy Draft Ltd", "customer_country": "Germany"}
    )
    assert response.status_code == 302
    response = client.post(
        edit,
        form_data(
            cat, customer_name="Sketchy Draft Ltd", customer_country="Germany", action="submit"
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    with in_a(world):
        done = DealRegistration.objects.get(pk=draft.pk)
    assert (done.status, done.customer_country, done.expected_close_date) == (
        "submitted",
        "DE",
        future(),
    )


def test_a_draft_still_checks_what_it_was_given(client, world, cat):
    client.force_login(world.p_rep.user)
    response = client.post(
        url("portal:registration_create", world),
        {"customer_name": "Half Done", "customer_country": "Narnia", "estimated_value": "-3"},
    )
    assert response.status_code == 400
    assert {"customer_country", "estimated_value"} <= set(response.context["form"].errors)
    response = client.post(url("portal:registration_create", world), {"customer_name": ""})
    assert response.status_code == 400
    assert "customer_name" in response.context["form"].errors


def test_registering_without_products_explains_why_the_list_is_empty(client, world):
    with tenant_context(world.a.pk):
        Product.objects.update(is_active=False)
    client.force_login(world.p_rep.user)
    html = client.get(url("portal:registration_create", world)).content.decode()
    assert "The vendor has not listed any products yet" in html
    assert 'name="product_ids"' not in html


# --- the public application ------------------------------------------------------------


@pytest.fixture
def no_questions(world):
    with tenant_context(world.a.pk):
        QualificationQuestion.objects.update(is_active=False)


def _applications(world) -> int:
    with tenant_context(world.a.pk):
        return PartnerApplication.objects.count()


class _Signer(signing.TimestampSigner):
    def __init__(self, *args, age: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.age = age

    def timestamp(self):
        return signing.b62_encode(int(time.time()) - self.age)


def _started(age: int) -> str:
    return _Signer(salt=FORM_SALT, age=age).sign_object(0)


def test_an_application_with_germany_is_stored_as_de(client, world, no_questions):
    response = client.post(APPLY_A, application_post(country="Germany"))
    assert response.status_code == 200 and b"Thank you" in response.content
    with tenant_context(world.a.pk):
        assert PartnerApplication.objects.get(email_domain="acme-int.example").country == "DE"


def test_a_too_fast_application_is_told_and_keeps_its_entries(client, world, no_questions):
    before = _applications(world)
    response = client.post(APPLY_A, application_post(started=_started(0)))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Your application was not sent" in html and "send it again" in html
    assert 'value="Acme Integrations"' in html and 'value="anna@acme-int.example"' in html
    assert 'value="Germany"' in html  # the country, by name
    assert _applications(world) == before
    # The form carries a fresh start time: sent again a little later, it goes through.
    started = re.search(r'name="started" value="([^"]+)"', html).group(1)
    assert started != application_post()["started"]
    signing.loads(started, salt=FORM_SALT)


def test_an_expired_application_is_told_and_keeps_its_entries(client, world, no_questions):
    before = _applications(world)
    response = client.post(APPLY_A, application_post(started=_started(MAX_SECONDS_TO_FILL + 60)))
    assert response.status_code == 400
    html = response.content.decode()
    assert "open for more than a day" in html
    assert 'value="Acme Integrations"' in html
    assert _applications(world) == before


def test_a_too_fast_application_also_shows_its_field_errors(client, world, no_questions):
    response = client.post(
        APPLY_A, application_post(started=_started(0), country="Narnia", contact_email="nobody")
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"country", "contact_email", "__all__"} <= set(errors)


@pytest.mark.parametrize("trap", [{"fax_number": "+1 555"}, {"started": "forged"}])
def test_a_bot_still_sees_success_and_nothing_is_written(client, world, no_questions, trap):
    before = _applications(world)
    response = client.post(APPLY_A, application_post(**trap))
    assert response.status_code == 200 and b"Thank you" in response.content
    assert b"not sent" not in response.content
    assert _applications(world) == before


def test_the_application_marks_required_fields_and_speaks_polish(client, world, no_questions):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "pl"
    html = client.get(APPLY_A, HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert 'class="required-mark"' in html
    assert '<option value="Niemcy" data-code="DE">' in html


def test_every_error_of_the_application_is_told_at_once(client, world, no_questions):
    response = client.post(
        APPLY_A,
        application_post(country="Narnia", contact_email="nobody", company_name=""),
    )
    assert response.status_code == 400
    assert {"country", "contact_email", "company_name"} <= set(response.context["form"].errors)


# --- no drop-down of every partner -----------------------------------------------------

CROWD = 30


def _selects(html: str) -> list[str]:
    return re.findall(r"<select\b.*?</select>", html, re.S)


def test_no_console_page_lists_every_partner_in_a_select(client, world):
    with tenant_context(world.a.pk):
        for i in range(CROWD):
            Partner.objects.create(name=f"Crowd Partner {i:02d}", partner_type=PartnerType.RESELLER)
    client.force_login(world.vendor_admin.user)
    ids = _ids(world.a)
    checked = 0
    for name, params in CONSOLE:
        address = reverse(name, kwargs={"tenant_slug": world.a.slug, **{p: ids[p] for p in params}})
        response = client.get(address)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        checked += 1
        for select in _selects(response.content.decode()):
            options = len(re.findall(r"<option\b", select))
            assert options < CROWD and "Crowd Partner" not in select, (address, select[:200])
    assert checked > 20
