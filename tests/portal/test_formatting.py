"""Numbers and words people can trust: money and dates in the reader's
locale, plurals that work in Polish (three forms), labels instead of stored
codes, and won totals from what was won rather than from the estimate.

Polish groups thousands with a no-break space (U+00A0), as Django's ``pl``
formats do: typographically right, and a number never wraps across lines.
The pages send it as the character itself, so the tests spell it out."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import ngettext

from deals.models import DealRegistration
from deals.notifications import PROTECTION_EXPIRING, REGISTRATION_APPROVED
from deals.selectors.registrations import pipeline_totals
from partners.models import Tier, TierRequirement
from portal.templatetags.labels import action_label
from portal.templatetags.money import money
from prm.audit import audit_record
from prm.notifications import day, notification_kind
from prm.tenancy import tenant_context
from tests.deals.setup_deal_data import register

NBSP = "\u00a0"
CATALOGUE = settings.BASE_DIR / "locale" / "pl" / "LC_MESSAGES" / "django"


def _url(world, name, **kwargs):
    return reverse(name, kwargs={"tenant_slug": world.a.slug, **kwargs})


def _speak(client, language):
    """Switch the language the way the language switcher does."""
    response = client.post(reverse("set_language"), {"language": language})
    assert response.status_code == 302


# --- money ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "language, value, currency, shown",
    [
        ("en", Decimal("183000"), "USD", "183,000.00 USD"),
        ("en", Decimal("1234567.891"), "EUR", "1,234,567.89 EUR"),
        ("en", Decimal("-1234.5"), "USD", "-1,234.50 USD"),
        ("en", Decimal("0"), "USD", "0.00 USD"),
        ("en", Decimal("-0.001"), "USD", "0.00 USD"),
        ("en", Decimal("0.005"), "USD", "0.01 USD"),  # half-up to the cent
        ("en", 999, "PLN", "999.00 PLN"),
        ("en", None, "USD", "—"),
        ("pl", Decimal("183000"), "USD", f"183{NBSP}000,00 USD"),
        ("pl", Decimal("1234567.891"), "EUR", f"1{NBSP}234{NBSP}567,89 EUR"),
        ("pl", Decimal("-1234.5"), "USD", f"-1{NBSP}234,50 USD"),
        ("pl", Decimal("0"), "PLN", "0,00 PLN"),
        ("pl", Decimal("999.99"), "PLN", "999,99 PLN"),
        ("pl", None, "PLN", "—"),
        ("pl", "", "PLN", "—"),
    ],
)
def test_money_in_the_readers_locale(language, value, currency, shown):
    with translation.override(language):
        assert money(value, currency) == shown


def test_polish_groups_with_a_no_break_space_not_a_plain_one():
    with translation.override("pl"):
        shown = money(Decimal("183000"), "USD")
    assert shown == "183\u00a0000,00 USD"
    assert shown != "183 000,00 USD"  # a plain space could wrap the number


@pytest.fixture
def big_deal(world):
    with tenant_context(world.a.pk):
        registration = register(world.p, world.p_rep.user, "Hooli", status="submitted")
        registration.estimated_value = Decimal("183000.00")
        registration.expected_close_date = datetime.date(2030, 6, 1)
        registration.save(update_fields=["estimated_value", "expected_close_date"])
    return registration


def test_a_registration_page_shows_money_and_dates_in_the_chosen_language(client, world, big_deal):
    client.force_login(world.p_rep.user)
    page = _url(world, "portal:registration", registration_id=big_deal.pk)

    english = client.get(page).content.decode()
    assert "183,000.00 USD" in english
    assert "06/01/2030" in english  # en SHORT_DATE_FORMAT: m/d/Y

    _speak(client, "pl")
    polish = client.get(page).content.decode()
    assert 'lang="pl"' in polish
    assert f"183{NBSP}000,00 USD" in polish
    assert "01-06-2030" in polish  # pl SHORT_DATE_FORMAT: d-m-Y
    for text in (english, polish):
        assert "183000.00" not in text and ">2030-06-01<" not in text


def test_the_console_list_of_registrations_formats_money_in_polish(client, world, big_deal):
    client.force_login(world.channel_manager.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "pl"
    text = client.get(_url(world, "console:registrations")).content.decode()
    assert f"183{NBSP}000,00 USD" in text


# --- dates ------------------------------------------------------------------------


def test_days_kept_as_iso_text_read_in_the_short_date_format():
    with translation.override("en"):
        assert day("2030-06-01") == "06/01/2030"
        assert day(datetime.date(2030, 6, 1)) == "06/01/2030"
    with translation.override("pl"):
        assert day("2030-06-01") == "01-06-2030"
    assert day(None) == "" and day("") == "" and day("soon") == "soon"


def test_deal_notifications_write_the_protection_day_as_the_reader_does():
    approved = notification_kind(REGISTRATION_APPROVED)
    params = {"customer": "Hooli", "reason": "", "protected_until": "2030-06-01"}
    with translation.override("en"):
        assert approved.body(params) == "It is protected until 06/01/2030."
    with translation.override("pl"):
        assert approved.body(params) == "Jest chroniona do 01-06-2030."


# --- plurals ----------------------------------------------------------------------


def test_the_polish_catalogue_is_compiled():
    """Fails (never skips) when locale/pl was not compiled: ./scripts/test and
    ./scripts/run compile it (scripts/bootstrap.sh)."""
    po, mo = CATALOGUE.with_suffix(".po"), CATALOGUE.with_suffix(".mo")
    assert po.exists()
    assert mo.exists(), f"{mo} is missing: run ./scripts/test or manage.py compilemessages"
    assert mo.stat().st_mtime >= po.stat().st_mtime, f"{mo} is older than {po}: compile again"


BELL = ("%(counter)s unread notification", "%(counter)s unread notifications")
EXPIRING = (
    "Deal protection ends soon for %(count)d registration",
    "Deal protection ends soon for %(count)d registrations",
)


@pytest.mark.parametrize(
    "n, bell, expiring",
    [
        (1, "1 unread notification", "Deal protection ends soon for 1 registration"),
        (2, "2 unread notifications", "Deal protection ends soon for 2 registrations"),
    ],
)
def test_english_has_one_and_many(n, bell, expiring):
    with translation.override("en"):
        assert ngettext(*BELL, n) % {"counter": n} == bell
        assert ngettext(*EXPIRING, n) % {"count": n} == expiring


@pytest.mark.parametrize(
    "n, bell, expiring",
    [
        (1, "1 nieprzeczytane powiadomienie", "1 rejestracja"),
        (2, "2 nieprzeczytane powiadomienia", "2 rejestracje"),
        (5, "5 nieprzeczytanych powiadomień", "5 rejestracji"),
        (12, "12 nieprzeczytanych powiadomień", "12 rejestracji"),
        (22, "22 nieprzeczytane powiadomienia", "22 rejestracje"),
    ],
)
def test_polish_has_one_few_and_many(n, bell, expiring):
    with translation.override("pl"):
        assert ngettext(*BELL, n) % {"counter": n} == bell
        assert ngettext(*EXPIRING, n) % {"count": n} == (
            f"Ochrona transakcji wkrótce się kończy: {expiring}"
        )
        title = notification_kind(PROTECTION_EXPIRING).title(
            {"registrations": [{"customer": "X", "protected_until": "2030-06-01"}] * n}
        )
        assert title == f"Ochrona transakcji wkrótce się kończy: {expiring}"


@pytest.mark.parametrize(
    "language, n, shown",
    [
        ("en", 1, "1 unread notification"),
        ("en", 2, "2 unread notifications"),
        ("pl", 1, "1 nieprzeczytane powiadomienie"),
        ("pl", 2, "2 nieprzeczytane powiadomienia"),
        ("pl", 5, "5 nieprzeczytanych powiadomień"),
        ("pl", 22, "22 nieprzeczytane powiadomienia"),
    ],
)
def test_the_notification_bell_says_it_in_the_right_form(language, n, shown):
    context = {
        "unread_notifications": n,
        "membership": SimpleNamespace(is_vendor=False),
        "tenant": SimpleNamespace(slug="vendor-a"),
    }
    with translation.override(language):
        html = render_to_string("partials/notification_bell.html", context)
    assert f'<span class="visually-hidden">{shown}</span>' in html


def test_a_page_counts_deals_in_polish(client, world):
    with tenant_context(world.a.pk):
        for name in ("Alpha", "Beta", "Gamma", "Delta", "Epsilon"):
            register(world.p, world.p_rep.user, name, status="submitted")
        register(world.p, world.p_rep.user, "Zeta", status="draft")
    client.force_login(world.channel_manager.user)
    _speak(client, "pl")
    text = client.get(_url(world, "console:partner_detail", partner_id=world.p.pk)).content
    text = text.decode()
    assert "5 transakcji" in text and "1 transakcja" in text
    assert "(s)" not in text


# --- no raw codes -----------------------------------------------------------------


def test_a_partner_type_shows_its_label(client, world):
    client.force_login(world.channel_manager.user)
    directory = client.get(_url(world, "console:partners")).content.decode()
    detail = client.get(_url(world, "console:partner_detail", partner_id=world.q.pk))
    assert "Managed service provider" in directory
    assert ">msp<" not in directory
    assert "Managed service provider" in detail.content.decode()
    _speak(client, "pl")
    detail = client.get(_url(world, "console:partner_detail", partner_id=world.q.pk))
    assert "Dostawca usług zarządzanych" in detail.content.decode()


def test_a_tier_requirement_reads_in_words(client, world):
    with tenant_context(world.a.pk):
        gold = Tier.objects.create(name="Gold", rank=2)
        TierRequirement.objects.create(tier=gold, metric="profile_complete", minimum=1)
        TierRequirement.objects.create(tier=gold, metric="won_deals_12m", minimum=Decimal(1500))
    client.force_login(world.vendor_admin.user)
    text = client.get(_url(world, "console:tiers")).content.decode()
    assert "Profile complete: 100 %" in text
    assert "Won deals, last 12 months: at least 1,500" in text
    assert "profile_complete" not in text and "≥ 1" not in text
    _speak(client, "pl")
    text = client.get(_url(world, "console:tiers")).content.decode()
    assert "Profil uzupełniony: 100 %" in text
    assert f"co najmniej 1{NBSP}500" in text


def test_an_audit_action_shows_its_label(client, world):
    with tenant_context(world.a.pk):
        audit_record(actor=None, action="partner.tier_proposed", target=world.p)
        audit_record(actor=None, action="partner.tier_reset", target=world.p)  # no label yet
    client.force_login(world.channel_manager.user)
    page = _url(world, "console:partner_detail", partner_id=world.p.pk)
    text = client.get(page).content.decode()
    assert "Tier change proposed" in text and "Partner: tier reset" in text
    assert "partner.tier_proposed" not in text and "partner.tier_reset" not in text
    _speak(client, "pl")
    assert "Zaproponowano zmianę poziomu" in client.get(page).content.decode()


def test_action_labels_fall_back_to_words():
    assert action_label("partner.tier_proposed") == "Tier change proposed"
    assert action_label("registration.extension_granted") == "Extension granted"
    assert action_label("mdf_request.reopened") == "Mdf request: reopened"
    assert action_label("cleanup") == "Cleanup"
    assert action_label(None) == ""


# --- won totals -------------------------------------------------------------------


def test_won_deals_are_totalled_by_the_won_amount(client, world):
    with tenant_context(world.a.pk):
        won = register(world.q, world.q_rep.user, "Massive Dynamic", status="won")
        DealRegistration.objects.filter(pk=won.pk).update(
            estimated_value=Decimal("5000.00"), won_amount=Decimal("7250.00")
        )
        open_deal = register(world.q, world.q_rep.user, "Soylent", status="submitted")
        totals = pipeline_totals(DealRegistration.objects.filter(partner=world.q))
    by_status = {(t["status"], t["currency"]): t["total"] for t in totals}
    assert by_status[("won", "USD")] == Decimal("7250.00")
    assert by_status[("submitted", "USD")] == open_deal.estimated_value

    client.force_login(world.channel_manager.user)
    text = client.get(_url(world, "console:partner_detail", partner_id=world.q.pk))
    text = text.content.decode()
    assert "7,250.00 USD" in text


def test_countries_and_criteria_show_their_names_not_codes(client, world):
    """Stored codes are shown by name in the reader's language."""
    from partners.models import IdealPartnerCriterion, Partner
    from prm.tenancy import tenant_context

    with tenant_context(world.a.pk):
        Partner.objects.filter(pk=world.p.pk).update(country="DE")
        IdealPartnerCriterion.objects.create(
            name="Where we sell", field="country", values=["DE", "PL"], weight=2
        )
        IdealPartnerCriterion.objects.create(
            name="Kind of firm", field="partner_type", values=["msp"], weight=1
        )
    client.force_login(world.vendor_admin.user)
    detail = client.get(
        reverse(
            "console:partner_detail", kwargs={"tenant_slug": "vendor-a", "partner_id": world.p.pk}
        )
    ).content.decode()
    assert "Germany" in detail
    settings_page = client.get(
        reverse("console:recruitment_settings", kwargs={"tenant_slug": "vendor-a"})
    ).content.decode()
    assert "Germany, Poland" in settings_page
    assert "Managed service provider" in settings_page
    assert "≥" not in settings_page


def test_notification_texts_format_money_and_days_for_the_reader():
    from prm.notifications import day, money

    with translation.override("en"):
        assert money("183000", "USD") == "183,000.00 USD"
        assert day("2026-07-01") == "07/01/2026"
    with translation.override("pl"):
        assert money("183000", "USD") == "183\u00a0000,00 USD"
        assert day("2026-07-01") == "01-07-2026"
