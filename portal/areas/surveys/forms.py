"""Forms of surveys; the services validate the business rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from partners.models import SurveyQuestion
from partners.services.surveys import NUMBER_RANGES
from prm.text import LONG_TEXT

from ...audience import AudienceForm, split_list


class SurveyForm(AudienceForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    introduction = forms.CharField(
        max_length=LONG_TEXT,
        label=_("Introduction"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
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
        max_length=LONG_TEXT,
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
            "choices": split_list(data["choices"], "\n\r"),
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
            max_length=LONG_TEXT,
            label=label,
            required=False,
            widget=forms.Textarea(attrs={"rows": 3}),
        )

    def answers(self) -> dict[int, str]:
        return {q.pk: self.cleaned_data.get(f"q_{q.pk}", "") for q in self.questions}
