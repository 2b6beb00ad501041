from partners.models import Agreement, AgreementAcceptance


def fill(ctx) -> None:
    agreement = Agreement.objects.create(
        title="Program agreement", version=1, body="Terms", published_by=ctx.vendor_user
    )
    AgreementAcceptance.objects.create(
        agreement=agreement, partner=ctx.partner, user=ctx.partner_user
    )
