"""Demo data: announcements, a partner survey with answers, and ideas (Northwind)."""

from datetime import timedelta

from django.utils import timezone

from partners.models import (
    Announcement,
    AnnouncementRead,
    Idea,
    Partner,
    PartnerType,
    Segment,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
)
from prm.models import Membership, User
from prm.tenancy import tenant_context

ANNOUNCEMENTS = [
    {
        "title": "Welcome to the 2026 partner program",
        "body": "New tiers, faster payouts and a refreshed portal. Start with your profile.",
        "pinned": True,
        "days_ago": 20,
    },
    {
        "title": "Reseller price list for Q3",
        "body": "The Q3 price list is in the content library. Margins for resellers rise by 2%.",
        "target_types": [PartnerType.RESELLER],
        "days_ago": 8,
    },
    {
        "title": "New certification track: Northwind Cloud Administrator",
        "body": "Enrol before the end of the month to get the exam voucher for free.",
        "send_email": True,
        "emailed": True,
        "days_ago": 3,
    },
]

# Segments for the demo partners that respond to the survey, unless set already.
SEGMENTS = {
    "Bluewave Solutions": Segment.MID_MARKET,
    "Cobalt Managed Services": Segment.SMB,
}

SURVEY_TITLE = "Partner satisfaction, first half of 2026"
# (question, kind, choices)
QUESTIONS = [
    ("How likely are you to recommend our partner program to a peer?", "nps", []),
    ("How would you rate the onboarding you received?", "rating", []),
    ("Which area should we improve first?", "choice", ["Payouts", "Training", "Deal desk"]),
    ("Anything else you would like to tell us?", "text", []),
]
# (e-mail, answers in question order)
RESPONSES = [
    ("admin@bluewave.example", [10, 5, "Training", "Great partner managers."]),
    ("rep@bluewave.example", [8, 4, "Deal desk", ""]),
    ("rep@cobalt.example", [5, 3, "Payouts", "Payouts take too long."]),
]

# (partner, author e-mail, title, details, status, vendor answer)
IDEAS = [
    (
        "Bluewave Solutions",
        "rep@bluewave.example",
        "Register deals from the phone",
        "A small mobile page to register a deal right after the customer meeting.",
        Idea.Status.NEW,
        "",
    ),
    (
        "Cobalt Managed Services",
        "rep@cobalt.example",
        "Shared demo environment",
        "A sandbox tenant we can show to prospects without setting one up each time.",
        Idea.Status.UNDER_REVIEW,
        "",
    ),
    (
        "Bluewave Solutions",
        "admin@bluewave.example",
        "Quarterly MDF planning call",
        "Plan market development funds together each quarter instead of ad hoc requests.",
        Idea.Status.PLANNED,
        "Good idea: account managers will schedule these calls from next quarter.",
    ),
]


def _announcements(now, reader: User | None) -> None:
    for spec in ANNOUNCEMENTS:
        if Announcement.objects.filter(title=spec["title"]).exists():
            continue
        published_at = now - timedelta(days=spec["days_ago"])
        announcement = Announcement.objects.create(
            title=spec["title"],
            body=spec["body"],
            pinned=spec.get("pinned", False),
            send_email=spec.get("send_email", False),
            target_types=spec.get("target_types", []),
            published_at=published_at,
            emailed_at=published_at if spec.get("emailed") else None,
        )
        if reader is not None and spec.get("pinned"):
            partner_id = Membership.objects.get(user=reader).partner_link.partner_id
            AnnouncementRead.objects.create(
                announcement=announcement, user=reader, partner_id=partner_id
            )


def _survey(people: dict[str, Membership]) -> None:
    survey, created = Survey.objects.get_or_create(
        title=SURVEY_TITLE,
        defaults={
            "introduction": "Five minutes that shape next year's program. Thank you!",
            "is_open": True,
        },
    )
    if not created:
        return
    questions = [
        SurveyQuestion.objects.create(
            survey=survey, text=text, kind=kind, choices=choices, position=position
        )
        for position, (text, kind, choices) in enumerate(QUESTIONS)
    ]
    for email, values in RESPONSES:
        member = people.get(email)
        if member is None:
            continue
        response = SurveyResponse.objects.create(
            survey=survey, partner_id=member.partner_link.partner_id, user_id=member.user_id
        )
        SurveyAnswer.objects.bulk_create(
            [
                SurveyAnswer(
                    response=response,
                    question=question,
                    number=value if isinstance(value, int) else None,
                    text=value if isinstance(value, str) else "",
                )
                for question, value in zip(questions, values, strict=True)
                if value != ""
            ]
        )


def _ideas(now, people: dict[str, Membership], responder: User | None) -> None:
    partners = dict(Partner.objects.values_list("name", "pk"))
    for partner_name, email, title, body, status, answer in IDEAS:
        if partner_name not in partners or Idea.objects.filter(title=title).exists():
            continue
        member = people.get(email)
        Idea.objects.create(
            partner_id=partners[partner_name],
            author_id=member.user_id if member else None,
            title=title,
            body=body,
            status=status,
            vendor_response=answer,
            responded_by=responder if answer else None,
            responded_at=now if answer else None,
        )


def seed(tenants: dict) -> None:
    """Add this area's demo data to the tenants (keyed by slug); idempotent."""
    tenant = tenants.get("northwind")
    if tenant is None:
        return
    now = timezone.now()
    with tenant_context(tenant.pk):
        for name, segment in SEGMENTS.items():
            Partner.objects.filter(name=name, segment="").update(segment=segment)
        people = {
            m.user.email: m
            for m in Membership.objects.filter(partner_link__isnull=False).select_related("user")
        }
        manager = User.objects.filter(email="manager@northwind.example").first()
        reader = User.objects.filter(email="rep@bluewave.example").first()
        _announcements(now, reader)
        _survey(people)
        _ideas(now, people, manager)
