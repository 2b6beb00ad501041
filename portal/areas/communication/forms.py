"""Forms of partner communication; the services validate the business rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from partners.models import Idea, Partner, Segment, SurveyQuestion, Tier
from partners.services.communication import NUMBER_RANGES, Audience, audience_clean
from partners.types import partner_type_choices


def _split(value: str, separators: str = ",") -> list[str]:
    for separator in separators[1:]:
        value = value.replace(separator, separators[0])
    return [part.strip() for part in value.split(separators[0]) if part.strip()]


class AudienceForm(forms.Form):
    """Targeting fields shared by announcements and surveys (empty = everyone)."""

    target_tier_ids = forms.TypedMultipleChoiceField(
        label=_("Tiers"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty for every tier (and partners without one)."),
    )
    target_types = forms.MultipleChoiceField(
        label=_("Partner types"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty for every type."),
    )
    target_regions = forms.CharField(
        label=_("Regions"),
        required=False,
        help_text=_("Comma-separated, e.g. EMEA, DACH. Leave empty for every region."),
    )
    target_segments = forms.MultipleChoiceField(
        label=_("Segments"),
        choices=Segment.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty for every segment."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target_tier_ids"].choices = [(t.pk, t.name) for t in Tier.objects.all()]
        self.fields["target_types"].choices = partner_type_choices()

    @staticmethod
    def initial_from(obj) -> dict:
        return {
            "target_tier_ids": list(obj.target_tier_ids),
            "target_types": list(obj.target_types),
            "target_regions": ", ".join(obj.target_regions),
            "target_segments": list(obj.target_segments),
        }

    def audience(self) -> Audience:
        data = self.cleaned_data
        return audience_clean(
            tier_ids=data["target_tier_ids"],
            types=data["target_types"],
            regions=_split(data["target_regions"]),
            segments=data["target_segments"],
        )

    def fields_except_audience(self) -> dict:
        audience = {"target_tier_ids", "target_types", "target_regions", "target_segments"}
        return {k: v for k, v in self.cleaned_data.items() if k not in audience}


class AnnouncementForm(AudienceForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 8}))
    pinned = forms.BooleanField(label=_("Pinned to the top"), required=False)
    send_email = forms.BooleanField(
        label=_("Also send by e-mail"),
        required=False,
        help_text=_("Sent once, when the announcement is published."),
    )
    field_order = ["title", "body", "pinned", "send_email"]

    @classmethod
    def initial_for(cls, announcement) -> dict:
        return {
            "title": announcement.title,
            "body": announcement.body,
            "pinned": announcement.pinned,
            "send_email": announcement.send_email,
            **cls.initial_from(announcement),
        }


class SurveyForm(AudienceForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    introduction = forms.CharField(
        label=_("Introduction"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    field_order = ["title", "introduction"]

    @classmethod
    def initial_for(cls, survey) -> dict:
        return {
            "title": survey.title,
            "introduction": survey.introduction,
            **cls.initial_from(survey),
        }


class SurveyQuestionForm(forms.Form):
    text = forms.CharField(label=_("Question"), max_length=300)
    kind = forms.ChoiceField(label=_("Type"), choices=SurveyQuestion.Kind.choices)
    choices = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For “one of a list”: one option per line."),
    )
    required = forms.BooleanField(label=_("Required"), required=False, initial=True)
    position = forms.IntegerField(
        label=_("Position"),
        required=False,
        min_value=0,
        help_text=_("Questions are shown in this order; empty puts it last."),
    )

    @staticmethod
    def initial_for(question) -> dict:
        return {
            "text": question.text,
            "kind": question.kind,
            "choices": "\n".join(question.choices),
            "required": question.required,
            "position": question.position,
        }

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "text": data["text"],
            "kind": data["kind"],
            "choices": _split(data["choices"], "\n\r"),
            "required": data["required"],
            "position": data["position"],
        }


SCALE_HELP = {
    SurveyQuestion.Kind.NPS: _("0 = not at all likely, 10 = extremely likely"),
    SurveyQuestion.Kind.RATING: _("1 = poor, 5 = excellent"),
}


class SurveyAnswerForm(forms.Form):
    """One field per question, named ``q_<id>``.  Fields are optional here: the
    service checks required answers, ranges and options and names the field."""

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            self.fields[f"q_{question.pk}"] = self._field(question)

    @staticmethod
    def _field(question) -> forms.Field:
        label = question.text + ("" if question.required else f" ({_('optional')})")
        if question.kind in NUMBER_RANGES:
            low, high = NUMBER_RANGES[question.kind]
            options = [(str(n), str(n)) for n in range(low, high + 1)]
            return forms.ChoiceField(
                label=label,
                choices=options,
                required=False,
                widget=forms.RadioSelect(attrs={"class": "scale"}),
                help_text=SCALE_HELP[question.kind],
            )
        if question.kind == SurveyQuestion.Kind.CHOICE:
            return forms.ChoiceField(
                label=label,
                choices=[(c, c) for c in question.choices],
                required=False,
                widget=forms.RadioSelect,
            )
        return forms.CharField(
            label=label, required=False, widget=forms.Textarea(attrs={"rows": 3})
        )

    def answers(self) -> dict[int, str]:
        return {q.pk: self.cleaned_data.get(f"q_{q.pk}", "") for q in self.questions}


class IdeaForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Details"), widget=forms.Textarea(attrs={"rows": 5}))


class IdeaResponseForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Idea.Status.choices)
    vendor_response = forms.CharField(
        label=_("Answer to the partner"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class IdeaFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any"))] + list(Idea.Status.choices), required=False
    )
    partner = forms.ModelChoiceField(
        label=_("Partner"),
        queryset=Partner.all_tenants.none(),
        required=False,
        empty_label=_("Any"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Partner.objects.order_by("name")
