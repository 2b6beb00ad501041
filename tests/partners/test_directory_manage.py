"""Creating and editing partners, status changes, custom partner types and KPIs."""

from decimal import Decimal

import pytest
from django.urls import reverse

from partners.models import (
    CustomPartnerType,
    KpiDefinition,
    KpiValue,
    Partner,
    PartnerDomain,
    PartnerStatus,
    PartnerStatusChange,
    PartnerType,
    TierRequirement,
)
from prm.models import AuditEvent
from prm.tenancy import tenant_context


def _url(world, name, **kwargs):
    return reverse(f"console:{name}", kwargs={"tenant_slug": world.a.slug, **kwargs})


def _form(**overrides) -> dict:
    data = {
        "name": "Acme Cloud",
        "legal_name": "Acme Cloud AG",
        "website": "acme-cloud.example",
        "domains": "https://www.Acme-Cloud.example/about, acme-cloud.example  acme-mail.example",
        "country": "ch",
        "regions": "DACH, Nordics",
        "industries": "Retail; Health",
        "partner_type": PartnerType.SYSTEM_INTEGRATOR,
        "segment": "enterprise",
        "status": PartnerStatus.ONBOARDING,
        "strengths": "Cloud migrations",
    }
    data.update(overrides)
    return data


def _counts(world) -> tuple:
    with tenant_context(world.a.pk):
        return (
            Partner.objects.count(),
            PartnerDomain.objects.count(),
            PartnerStatusChange.objects.count(),
        )


# --- create ---------------------------------------------------------------------------


def test_channel_manager_creates_a_partner(client, world):
    client.force_login(world.channel_manager.user)
    response = client.post(
        _url(world, "partner_create"),
        _form(account_manager=world.channel_manager.user.pk),
    )
    assert response.status_code == 302
    with tenant_context(world.a.pk):
        partner = Partner.objects.get(name="Acme Cloud")
        assert response["Location"] == _url(world, "partner_detail", partner_id=partner.pk)
        assert (partner.website, partner.country, partner.segment) == (
            "https://acme-cloud.example",
            "CH",
            "enterprise",
        )
        assert (partner.regions, partner.industries) == (["DACH", "Nordics"], ["Retail", "Health"])
        assert partner.account_manager_id == world.channel_manager.user.pk
        assert sorted(partner.domains.values_list("domain", flat=True)) == [
            "acme-cloud.example",
            "acme-mail.example",
        ]
        change = partner.status_changes.get()
        assert (change.to_status, change.by_id) == (
            PartnerStatus.ONBOARDING,
            world.channel_manager.user.pk,
        )
        assert AuditEvent.objects.filter(action="partner.created", target_id=partner.pk).exists()


def test_a_custom_type_can_be_chosen(client, world):
    client.force_login(world.vendor_admin.user)
    response = client.post(_url(world, "partner_create"), _form(partner_type="marketplace"))
    assert response.status_code == 302
    with tenant_context(world.a.pk):
        assert Partner.objects.get(name="Acme Cloud").partner_type == "marketplace"


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"domains": "www.P{p}.example"}, "domains"),  # P's domain, written differently
        ({"name": "partner q"}, "name"),
        ({"domains": "acme.example, not_a_domain"}, "domains"),
        ({"country": "Narnia"}, "country"),  # a name that names no country
        ({"partner_type": "emperor"}, "partner_type"),
        ({"status": PartnerStatus.TERMINATED}, "status"),
        ({"website": "not a site"}, "website"),
        ({"name": ""}, "name"),
        ({"account_manager": "{p_admin}"}, "account_manager"),  # not vendor staff
        ({"account_manager": "{b_admin}"}, "account_manager"),  # another tenant's
    ],
)
def test_bad_partner_is_refused_and_nothing_saved(client, world, overrides, field):
    ids = {"p": world.p.pk, "p_admin": world.p_admin.user.pk, "b_admin": world.b_admin.user.pk}
    overrides = {k: str(v).format(**ids) for k, v in overrides.items()}
    client.force_login(world.channel_manager.user)
    before = _counts(world)
    response = client.post(_url(world, "partner_create"), _form(**overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors, response.context["form"].errors
    assert _counts(world) == before


def test_duplicate_domain_error_names_the_domain(client, world):
    client.force_login(world.channel_manager.user)
    response = client.post(
        _url(world, "partner_create"), _form(domains=f"mail@p{world.p.pk}.example")
    )
    assert response.status_code == 400
    assert f"p{world.p.pk}.example" in " ".join(response.context["form"].errors["domains"])


def test_finance_cannot_create_or_edit(client, world):
    client.force_login(world.finance.user)
    assert client.get(_url(world, "partner_create")).status_code == 403
    assert client.post(_url(world, "partner_create"), _form()).status_code == 403
    assert client.get(_url(world, "partner_edit", partner_id=world.p.pk)).status_code == 403
    assert _counts(world)[0] == 2


# --- edit -----------------------------------------------------------------------------


def _edit_form(world, **overrides) -> dict:
    data = {
        "name": "Partner P",
        "legal_name": "",
        "website": "",
        "domains": f"p{world.p.pk}.example",
        "country": "",
        "regions": "",
        "industries": "",
        "partner_type": PartnerType.RESELLER,
        "segment": "",
        "account_manager": "",
    }
    data.update(overrides)
    return data


def test_edit_program_fields_and_domains(client, world):
    client.force_login(world.vendor_admin.user)
    form = client.get(_url(world, "partner_edit", partner_id=world.p.pk)).context["form"]
    assert form.initial["domains"] == f"p{world.p.pk}.example"
    response = client.post(
        _url(world, "partner_edit", partner_id=world.p.pk),
        _edit_form(
            world,
            name="Partner P Renamed",
            domains="p-new.example",
            partner_type=PartnerType.MSP,
            account_manager=world.channel_manager.user.pk,
            regions="EMEA",
        ),
    )
    assert response.status_code == 302
    with tenant_context(world.a.pk):
        partner = Partner.objects.get(pk=world.p.pk)
        assert (partner.name, partner.partner_type, partner.regions) == (
            "Partner P Renamed",
            PartnerType.MSP,
            ["EMEA"],
        )
        assert partner.account_manager_id == world.channel_manager.user.pk
        assert list(partner.domains.values_list("domain", flat=True)) == ["p-new.example"]


def test_edit_with_a_taken_domain_changes_nothing(client, world):
    with tenant_context(world.a.pk):
        PartnerDomain.objects.create(partner=world.q, domain="q.example")
    client.force_login(world.vendor_admin.user)
    response = client.post(
        _url(world, "partner_edit", partner_id=world.p.pk),
        _edit_form(world, name="Renamed", domains="q.example"),
    )
    assert response.status_code == 400
    assert "domains" in response.context["form"].errors
    with tenant_context(world.a.pk):
        partner = Partner.objects.get(pk=world.p.pk)
        assert partner.name == "Partner P"
        assert list(partner.domains.values_list("domain", flat=True)) == [f"p{world.p.pk}.example"]


def test_edit_to_an_existing_name_is_refused(client, world):
    client.force_login(world.vendor_admin.user)
    response = client.post(
        _url(world, "partner_edit", partner_id=world.p.pk), _edit_form(world, name="PARTNER Q")
    )
    assert response.status_code == 400
    assert "name" in response.context["form"].errors


# --- status ---------------------------------------------------------------------------


def _status(client, world, partner, to_status, reason=""):
    return client.post(
        _url(world, "partner_status", partner_id=partner.pk),
        {"to_status": to_status, "reason": reason},
    )


def test_status_form_offers_only_allowed_transitions(client, world):
    client.force_login(world.channel_manager.user)
    response = client.get(_url(world, "partner_status", partner_id=world.p.pk))
    choices = [value for value, _ in response.context["form"].fields["to_status"].choices]
    assert choices == [PartnerStatus.SUSPENDED, PartnerStatus.TERMINATED]
    detail = client.get(_url(world, "partner_detail", partner_id=world.p.pk))
    assert [v for v, _ in detail.context["status_form"].fields["to_status"].choices] == choices


def test_legal_transition_is_recorded_with_who_and_why(client, world):
    client.force_login(world.channel_manager.user)
    response = _status(client, world, world.p, PartnerStatus.SUSPENDED, "Unpaid invoices")
    assert response.status_code == 302
    with tenant_context(world.a.pk):
        assert Partner.objects.get(pk=world.p.pk).status == PartnerStatus.SUSPENDED
        change = PartnerStatusChange.objects.filter(partner=world.p).first()
        assert (change.from_status, change.to_status, change.by_id, change.reason) == (
            PartnerStatus.ACTIVE,
            PartnerStatus.SUSPENDED,
            world.channel_manager.user.pk,
            "Unpaid invoices",
        )
    detail = client.get(_url(world, "partner_detail", partner_id=world.p.pk))
    assert b"Unpaid invoices" in detail.content


@pytest.mark.parametrize(
    "to_status, reason, field",
    [
        (PartnerStatus.APPLICANT, "", "to_status"),  # not allowed from active
        (PartnerStatus.ACTIVE, "", "to_status"),  # already active
        (PartnerStatus.SUSPENDED, "", "reason"),
        (PartnerStatus.TERMINATED, "   ", "reason"),
        ("retired", "x", "to_status"),
    ],
)
def test_illegal_transitions_and_missing_reasons_change_nothing(
    client, world, to_status, reason, field
):
    client.force_login(world.vendor_admin.user)
    before = _counts(world)
    response = _status(client, world, world.p, to_status, reason)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    with tenant_context(world.a.pk):
        assert Partner.objects.get(pk=world.p.pk).status == PartnerStatus.ACTIVE
    assert _counts(world) == before


def test_terminated_is_final(client, world):
    client.force_login(world.vendor_admin.user)
    assert _status(client, world, world.p, PartnerStatus.TERMINATED, "Ended").status_code == 302
    response = client.get(_url(world, "partner_status", partner_id=world.p.pk))
    assert response.context["form"].fields["to_status"].choices == []
    assert (
        client.get(_url(world, "partner_detail", partner_id=world.p.pk)).context["status_form"]
        is None
    )
    assert _status(client, world, world.p, PartnerStatus.ACTIVE).status_code == 400


def test_finance_cannot_change_status(client, world):
    client.force_login(world.finance.user)
    assert _status(client, world, world.p, PartnerStatus.SUSPENDED, "x").status_code == 403


# --- custom partner types ------------------------------------------------------------


def test_add_and_remove_a_custom_type(client, world):
    client.force_login(world.channel_manager.user)
    response = client.post(_url(world, "partner_types"), {"key": "cloud-broker", "name": "Broker"})
    assert response.status_code == 302
    with tenant_context(world.a.pk):
        added = CustomPartnerType.objects.get(key="cloud-broker")
    assert ("cloud-broker", "Broker") in client.get(_url(world, "partners")).context[
        "filter"
    ].type_choices
    response = client.post(_url(world, "partner_type_delete", type_id=added.pk))
    assert response.status_code == 302
    with tenant_context(world.a.pk):
        assert not CustomPartnerType.objects.filter(key="cloud-broker").exists()


@pytest.mark.parametrize(
    "data, field",
    [
        ({"key": "msp", "name": "Our MSPs"}, "key"),  # built-in key
        ({"key": "marketplace", "name": "Another"}, "key"),  # already there
        ({"key": "new-kind", "name": "marketplace"}, "name"),
        ({"key": "new-kind", "name": "Agency"}, "name"),  # a built-in label
        ({"key": "Not a slug!", "name": "X"}, "key"),
        ({"key": "", "name": "X"}, "key"),
    ],
)
def test_bad_custom_types_are_refused(client, world, data, field):
    client.force_login(world.vendor_admin.user)
    with tenant_context(world.a.pk):
        before = CustomPartnerType.objects.count()
    response = client.post(_url(world, "partner_types"), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    with tenant_context(world.a.pk):
        assert CustomPartnerType.objects.count() == before


def test_a_type_in_use_cannot_be_removed(client, world):
    with tenant_context(world.a.pk):
        used = CustomPartnerType.objects.get(key="marketplace")
        Partner.objects.filter(pk=world.q.pk).update(partner_type="marketplace")
    client.force_login(world.vendor_admin.user)
    response = client.post(_url(world, "partner_type_delete", type_id=used.pk), follow=True)
    assert "1 partner has this type; change it first." in response.content.decode()
    with tenant_context(world.a.pk):
        assert CustomPartnerType.objects.filter(pk=used.pk).exists()


def test_another_tenants_type_cannot_be_removed(client, world):
    with tenant_context(world.b.pk):
        b_type = CustomPartnerType.objects.get(key="marketplace")
    client.force_login(world.vendor_admin.user)
    assert client.post(_url(world, "partner_type_delete", type_id=b_type.pk)).status_code == 404
    with tenant_context(world.b.pk):
        assert CustomPartnerType.objects.filter(pk=b_type.pk).exists()


# --- custom KPIs ------------------------------------------------------------------------


def test_add_a_kpi_and_set_values_on_the_partner_page(client, world):
    client.force_login(world.channel_manager.user)
    response = client.post(_url(world, "kpis"), {"key": "revenue", "name": "Revenue (k)"})
    assert response.status_code == 302
    with tenant_context(world.a.pk):
        revenue = KpiDefinition.objects.get(key="revenue")
        nps = KpiDefinition.objects.get(key="nps")
    response = client.post(
        _url(world, "partner_kpis", partner_id=world.p.pk),
        {f"kpi_{revenue.pk}": "1250.5", f"kpi_{nps.pk}": ""},
    )
    assert response.status_code == 302
    with tenant_context(world.a.pk):
        values = dict(KpiValue.objects.filter(partner=world.p).values_list("kpi__key", "value"))
    assert values == {"revenue": Decimal("1250.5")}  # the empty NPS field cleared 42
    detail = client.get(_url(world, "partner_detail", partner_id=world.p.pk))
    shown = {k.key: k.value for k in detail.context["overview"].kpis}
    assert shown == {"nps": None, "revenue": Decimal("1250.5")}
    # Setting again updates in place.
    client.post(
        _url(world, "partner_kpis", partner_id=world.p.pk),
        {f"kpi_{revenue.pk}": "7", f"kpi_{nps.pk}": "50"},
    )
    with tenant_context(world.a.pk):
        assert KpiValue.objects.filter(partner=world.p).count() == 2
        assert KpiValue.objects.get(partner=world.p, kpi=revenue).value == Decimal("7")


def test_bad_kpi_values_change_nothing(client, world):
    with tenant_context(world.a.pk):
        nps = KpiDefinition.objects.get(key="nps")
    client.force_login(world.channel_manager.user)
    response = client.post(
        _url(world, "partner_kpis", partner_id=world.p.pk), {f"kpi_{nps.pk}": "lots"}
    )
    assert response.status_code == 400
    assert f"kpi_{nps.pk}" in response.context["kpi_form"].errors
    with tenant_context(world.a.pk):
        assert KpiValue.objects.get(partner=world.p, kpi=nps).value == Decimal("42")


def test_kpi_values_of_another_tenants_partner_are_out_of_reach(client, world):
    with tenant_context(world.a.pk):
        nps = KpiDefinition.objects.get(key="nps")
    client.force_login(world.vendor_admin.user)
    url = _url(world, "partner_kpis", partner_id=world.b_partner.pk)
    assert client.post(url, {f"kpi_{nps.pk}": "1"}).status_code == 404


def test_bad_kpis_are_refused(client, world):
    client.force_login(world.vendor_admin.user)
    response = client.post(_url(world, "kpis"), {"key": "nps", "name": "Again"})
    assert response.status_code == 400 and "key" in response.context["form"].errors


def test_a_kpi_used_by_a_tier_cannot_be_removed(client, world):
    with tenant_context(world.a.pk):
        nps = KpiDefinition.objects.get(key="nps")
        requirement = TierRequirement.objects.get()
        TierRequirement.objects.filter(pk=requirement.pk).update(metric="kpi:nps")
    client.force_login(world.vendor_admin.user)
    client.post(_url(world, "kpi_delete", kpi_id=nps.pk))
    with tenant_context(world.a.pk):
        assert KpiDefinition.objects.filter(pk=nps.pk).exists()
        TierRequirement.objects.filter(pk=requirement.pk).update(metric="active_people")
    assert client.post(_url(world, "kpi_delete", kpi_id=nps.pk)).status_code == 302
    with tenant_context(world.a.pk):
        assert not KpiDefinition.objects.filter(pk=nps.pk).exists()
        assert not KpiValue.objects.filter(kpi_id=nps.pk).exists()
