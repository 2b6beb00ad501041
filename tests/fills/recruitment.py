from partners.models import IdealPartnerCriterion, PartnerApplication, QualificationQuestion


def fill(ctx) -> None:
    question = QualificationQuestion.objects.create(text="Certified staff?", kind="yes_no")
    IdealPartnerCriterion.objects.create(
        name="Certified", field="answer", question=question, values=["yes"], weight=3
    )
    PartnerApplication.objects.create(
        company_name=f"Applicant of {ctx.tenant.slug}",
        website="https://applicant.example",
        email_domain="applicant.example",
        country="DE",
        partner_type="reseller",
        contact_name="Ann",
        contact_email="ann@applicant.example",
    )
