"""Re-keying stored customers with today's normaliser: every row gets its new
key, collisions keep their old key and are reported, nothing is deleted."""

import datetime
import io
from decimal import Decimal

from django.core.management import call_command

from deals.models import DealProduct, DealProtection, DealRegistration, DirectAccount, Product
from deals.normalise import customer_key
from deals.services.customer_keys import customer_keys_refresh
from prm.tenancy import tenant_context


def _approved(world, partner, user, name, old_key, product, domain=""):
    """An approved registration stored with the key an older normaliser gave."""
    registration = DealRegistration.objects.create(
        partner=partner,
        registered_by=user,
        customer_name=name,
        customer_key=old_key,
        customer_domain=domain,
        customer_country="DE",
        estimated_value=Decimal("1000"),
        currency="EUR",
        expected_close_date=datetime.date(2030, 1, 1),
        status="approved",
    )
    DealProduct.objects.create(registration=registration, product=product)
    for key in {old_key, domain or old_key}:
        DealProtection.objects.create(registration=registration, customer_key=key, product=product)
    return registration


def _account(name, old_key, domain=""):
    account = DirectAccount.objects.create(name=name, domain=domain)
    DirectAccount.objects.filter(pk=account.pk).update(name_key=old_key)
    return account


def _keys(model, field, rows):
    return [model.objects.values_list(field, flat=True).get(pk=row.pk) for row in rows]


def test_old_keys_are_made_again_and_collisions_keep_theirs(world):
    with tenant_context(world.a.pk):
        product = Product.objects.create(code="X1", name="Suite")
        # The old normaliser gave names in other scripts the empty key.
        tokyo = _approved(world, world.p, world.p_rep.user, "株式会社サンプル", "", product)
        siemens = _approved(
            world, world.p, world.p_rep.user, "Siemens AG", "siemens", product, "siemens.example"
        )
        # Protected before as a different customer; today the same one.
        long_form = _approved(
            world,
            world.q,
            world.q_rep.user,
            "Siemens Aktiengesellschaft",
            "siemens aktiengesellschaft",
            product,
        )
        stark = _account("Stark Industries", "stark industries")
        stark_short = _account("Stark Ind.", "stark ind")
        gazprom = _account("ООО Газпром", "", domain="gazprom.example")
        before = DealProtection.objects.count(), DirectAccount.objects.count()

        report = customer_keys_refresh()

        assert _keys(DealRegistration, "customer_key", [tokyo, siemens, long_form]) == [
            customer_key("株式会社サンプル"),
            "siemens",
            "siemens",
        ]
        assert DealProtection.objects.get(registration=tokyo).customer_key == customer_key(
            "株式会社サンプル"
        )
        # The collision: the later protection keeps its old key, and is reported.
        assert DealProtection.objects.get(registration=long_form).customer_key == (
            "siemens aktiengesellschaft"
        )
        protection_collision = next(c for c in report.collisions if c.kind == "protection")
        assert (protection_collision.name, protection_collision.new_key) == (
            "Siemens Aktiengesellschaft",
            "siemens",
        )
        assert protection_collision.taken_by == (
            DealProtection.objects.get(registration=siemens, customer_key="siemens").pk
        )
        # "Industries" reads "ind" now: the short one holds that key already.
        assert _keys(DirectAccount, "name_key", [stark, stark_short, gazprom]) == [
            "stark industries",
            "stark ind",
            "gazprom",
        ]
        account_collisions = [c for c in report.collisions if c.kind == "direct account"]
        assert len(account_collisions) == 1
        assert (DealProtection.objects.count(), DirectAccount.objects.count()) == before
        assert (report.registrations, report.protections) == (2, 1)

        again = customer_keys_refresh()
        assert (again.registrations, again.accounts, again.protections) == (0, 0, 0)
        assert len(again.collisions) == 1  # still reported until someone decides


def test_keys_moving_in_a_chain_do_not_trip_the_unique_constraint(world):
    with tenant_context(world.a.pk):
        # Each account's new key is the old key of the next one.
        first = _account("Acme Group", "acme group")  # new: "acme"
        second = _account("Acme", "acme")  # new: "acme" as well: a collision
        third = _account("Beta Holdings", "acme holding")  # new: "beta"
        report = customer_keys_refresh()
        assert _keys(DirectAccount, "name_key", [first, second, third])[2] == "beta"
        assert len(report.collisions) == 1


def test_re_keying_stays_inside_its_tenant(world):
    with tenant_context(world.b.pk):
        b_account = _account("Москва", "")
    with tenant_context(world.a.pk):
        customer_keys_refresh()
    with tenant_context(world.b.pk):
        assert _keys(DirectAccount, "name_key", [b_account]) == [""]


def test_the_command_lists_the_collisions(world):
    with tenant_context(world.a.pk):
        _account("Stark Industries", "stark industries")
        _account("Stark Ind.", "stark ind")
    out = io.StringIO()
    call_command("customer_keys_refresh", stdout=out)
    text = out.getvalue()
    assert "vendor-a: direct account" in text and "keeps its key" in text
    assert "collisions to review" in text
