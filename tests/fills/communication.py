from partners.models import (
    Announcement,
    AnnouncementRead,
    Idea,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
)


def fill(ctx) -> None:
    announcement = Announcement.objects.create(title="Hello", body="Welcome")
    AnnouncementRead.objects.create(
        announcement=announcement, user=ctx.partner_user, partner=ctx.partner
    )
    survey = Survey.objects.create(title="How are we doing?", is_open=True)
    question = SurveyQuestion.objects.create(survey=survey, text="Recommend us?", kind="nps")
    response = SurveyResponse.objects.create(
        survey=survey, partner=ctx.partner, user=ctx.partner_user
    )
    SurveyAnswer.objects.create(response=response, question=question, number=9)
    Idea.objects.create(partner=ctx.partner, author=ctx.partner_user, title="Idea", body="Details")
