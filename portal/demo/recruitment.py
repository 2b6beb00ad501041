"""Demo data: recruitment. Northwind asks three qualification questions, scores
against four criteria, and has applications waiting for review."""

from decimal import Decimal

from partners.applications import application_score
from partners.models import IdealPartnerCriterion, PartnerApplication, QualificationQuestion
from prm.tenancy import tenant_context

QUESTIONS = [
    ("How many certified engineers do you employ?", "number", []),
    ("Do you offer managed services?", "yes_no", []),
    ("Typical customer size", "choice", ["Small business", "Mid-market", "Enterprise"]),
]

APPLICATIONS = [
    # company, domain, country, type, regions, industries, answers by question index
    (
        "Helix Cloud Partners",
        "helixcloud.example",
        "DE",
        "msp",
        ["DACH"],
        ["Healthcare"],
        {0: "14", 1: "yes", 2: "Mid-market"},
    ),
    (
        "Tiny Web Shop",
        "tinyweb.example",
        "BR",
        "agency",
        [],
        ["Retail"],
        {0: "0", 1: "no", 2: "Small business"},
    ),
    (
        "Polaris Systems",
        "polaris-sys.example",
        "PL",
        "si",
        ["CEE", "DACH"],
        ["Manufacturing"],
        {0: "6", 1: "no", 2: "Enterprise"},
    ),
]


def seed(tenants: dict) -> None:
    with tenant_context(tenants["northwind"].pk):
        if QualificationQuestion.objects.exists():
            return
        questions = [
            QualificationQuestion.objects.create(text=text, kind=kind, choices=choices, position=i)
            for i, (text, kind, choices) in enumerate(QUESTIONS)
        ]
        criteria = [
            IdealPartnerCriterion.objects.create(
                name="Five or more certified engineers",
                field="answer",
                question=questions[0],
                minimum=Decimal("5"),
                weight=3,
            ),
            IdealPartnerCriterion.objects.create(
                name="Offers managed services",
                field="answer",
                question=questions[1],
                values=["yes"],
                weight=2,
            ),
            IdealPartnerCriterion.objects.create(
                name="Serves DACH or CEE", field="region", values=["DACH", "CEE"], weight=2
            ),
            IdealPartnerCriterion.objects.create(
                name="Mid-market or enterprise customers",
                field="answer",
                question=questions[2],
                values=["Mid-market", "Enterprise"],
                weight=1,
            ),
        ]
        for company, domain, country, ptype, regions, industries, answers in APPLICATIONS:
            application = PartnerApplication(
                company_name=company,
                website=f"https://{domain}",
                email_domain=domain,
                country=country,
                partner_type=ptype,
                regions=regions,
                industries=industries,
                contact_name=f"{company.split()[0]} Contact",
                contact_email=f"hello@{domain}",
                answers={str(questions[i].pk): value for i, value in answers.items()},
            )
            application.score, application.score_details = application_score(
                application=application, criteria=criteria
            )
            application.save()
