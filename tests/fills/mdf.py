import datetime
from decimal import Decimal

from django.core.files.base import ContentFile

from incentives.models import MdfClaim, MdfEntry, MdfFund, MdfProof, MdfRequest, Program
from prm.models import Membership

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def fill(ctx) -> None:
    program = Program.objects.create(
        name=f"MDF of {ctx.tenant.slug}",
        kind="mdf",
        calendar="custom",
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2099, 12, 31),
        currency="EUR",
        mdf_allocation="manual",
        status="active",
    )
    manager = Membership.objects.filter(user=ctx.vendor_user).first()
    person = Membership.objects.filter(user=ctx.partner_user).first()
    fund = MdfFund.objects.create(
        program=program,
        partner=ctx.partner,
        period_start=program.starts_on,
        period_end=program.ends_on,
        currency="EUR",
        allocated=Decimal("1000"),
        available=Decimal("700"),
        claimed=Decimal("300"),
        basis="manual",
    )
    request = MdfRequest.objects.create(
        fund=fund,
        program=program,
        partner=ctx.partner,
        requested_by=person,
        activity_type="webinar",
        title=f"Webinar of {ctx.tenant.slug}",
        description="A webinar",
        starts_on=datetime.date(2026, 3, 1),
        ends_on=datetime.date(2026, 3, 1),
        amount=Decimal("300"),
        status="claimed",
        approved_amount=Decimal("300"),
        decided_by=manager,
        claim_deadline=datetime.date(2026, 4, 30),
    )
    claim = MdfClaim.objects.create(
        request=request,
        fund=fund,
        program=program,
        partner=ctx.partner,
        submitted_by=person,
        amount=Decimal("300"),
        actual_leads=12,
        status="approved",
        approved_amount=Decimal("300"),
        decided_by=manager,
    )
    proof = MdfProof(
        claim=claim,
        partner=ctx.partner,
        name="invoice.pdf",
        content_type="application/pdf",
        size=len(PDF),
        uploaded_by=person,
    )
    proof.file.save(f"{ctx.tenant.pk}/{claim.pk}/fill.pdf", ContentFile(PDF), save=False)
    proof.save()
    for kind, amount, deltas in (
        ("allocate", "1000", {"d_allocated": "1000", "d_available": "1000"}),
        ("commit", "300", {"d_available": "-300", "d_committed": "300"}),
        ("claim", "300", {"d_committed": "-300", "d_claimed": "300"}),
    ):
        MdfEntry.objects.create(
            fund=fund,
            partner=ctx.partner,
            kind=kind,
            amount=Decimal(amount),
            request=request,
            by=manager,
            **{name: Decimal(value) for name, value in deltas.items()},
        )
