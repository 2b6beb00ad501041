"""Demo data: agreements. Northwind published two versions; v2 is due in the
past, so partners that have not accepted it show up as flagged."""

import datetime

from django.utils import timezone

from partners.models import Agreement, AgreementAcceptance, Partner
from prm.models import Membership, User
from prm.roles import Role
from prm.tenancy import tenant_context

TERMS_V1 = """1. Partners represent the vendor's products honestly.
2. Deal registrations must describe real opportunities.
3. Incentives are paid per the published program guide."""

TERMS_V2 = (
    TERMS_V1
    + """
4. Marketing development funds are claimed with proof of execution within 60 days."""
)


def seed(tenants: dict) -> None:
    tenant = tenants["northwind"]
    with tenant_context(tenant.pk):
        if Agreement.objects.exists():
            return
        admin = User.objects.get(email="admin@northwind.example")
        v1 = Agreement.objects.create(
            title="Northwind Partner Program Agreement",
            version=1,
            body=TERMS_V1,
            published_by=admin,
        )
        v2 = Agreement.objects.create(
            title="Northwind Partner Program Agreement",
            version=2,
            body=TERMS_V2,
            published_by=admin,
            accept_by=timezone.localdate() - datetime.timedelta(days=3),
        )
        for partner in Partner.objects.filter(status__in=["active", "onboarding"]):
            signer = Membership.objects.filter(
                partner_link__partner=partner, role=Role.PARTNER_ADMIN
            ).first()
            user = signer.user if signer else admin
            AgreementAcceptance.objects.create(agreement=v1, partner=partner, user=user)
        bluewave = Partner.objects.get(name="Bluewave Solutions")
        AgreementAcceptance.objects.create(
            agreement=v2,
            partner=bluewave,
            user=Membership.objects.get(
                partner_link__partner=bluewave, role=Role.PARTNER_ADMIN
            ).user,
            ip_address="198.51.100.7",
        )
