from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

from partners.models import IdealPartnerCriterion, QualificationQuestion, Segment
from partners.types import partner_type_choices
from portal.forms import CountryField
from prm.text import LINE_TEXT, LONG_TEXT, REASON_TEXT

MIN_SECONDS_TO_FILL = 3
MAX_SECONDS_TO_FILL = 60 * 60 * 24
FORM_SALT = "prm.application-form"


class Spam:
    """What the spam checks of the public application found.  A bot (``BOT``:
    the hidden field filled in, or a start time not signed by us) is answered
    as if it succeeded; a person who was quicker than people type
    (``TOO_FAST``) or who left the form open too long (``EXPIRED``) is told so
    and keeps what they typed."""

    BOT = "bot"
    TOO_FAST = "too_fast"
    EXPIRED = "expired"


def split_list(value: str) -> list[str]:
    return [item.strip() for item in value.replace(";", ",").split(",") if item.strip()]


class ListField(forms.CharField):
    """A comma-separated list typed into one text box."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", LONG_TEXT)
        super().__init__(**kwargs)

    def to_python(self, value):
        return split_list(super().to_python(value) or "")

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list) else value


class ApplicationForm(forms.Form):
    company_name = forms.CharField(label=_("Company name"), max_length=200)
    legal_name = forms.CharField(label=_("Legal name"), max_length=200, required=False)
    website = forms.URLField(label=_("Website"), max_length=200, assume_scheme="https")
    email_domain = forms.CharField(
        label=_("Company e-mail domain"), max_length=253, help_text=_("For example example.com")
    )
    country = CountryField(label=_("Country"))
    regions = ListField(
        label=_("Regions or territories served"),
        required=False,
        help_text=_("Separate with commas."),
    )
    industries = ListField(
        label=_("Industries"), required=False, help_text=_("Separate with commas.")
    )
    partner_type = forms.ChoiceField(label=_("What kind of partner are you?"))
    contact_name = forms.CharField(label=_("Your name"), max_length=200)
    contact_email = forms.EmailField(label=_("Your e-mail address"))
    contact_phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    # Spam resistance: a field people never see and a signed start time.
    fax_number = forms.CharField(
        max_length=LINE_TEXT,
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
        label=_("Leave empty"),
    )
    started = forms.CharField(max_length=LINE_TEXT, widget=forms.HiddenInput)

    def __init__(self, *args, questions: list[QualificationQuestion], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner_type"].choices = [("", "—"), *partner_type_choices()]
        if not self.is_bound:
            self.initial["started"] = signing.dumps(0, salt=FORM_SALT)
        self.questions = questions
        for question in questions:
            self.fields[f"q{question.pk}"] = _question_field(question)

    def spam_check(self) -> str | None:
        """None when the submission passes the spam checks, else a ``Spam`` value."""
        if self.data.get("fax_number"):
            return Spam.BOT
        started = self.data.get("started", "")
        try:
            signing.loads(started, salt=FORM_SALT, max_age=MAX_SECONDS_TO_FILL)
        except signing.SignatureExpired:
            return Spam.EXPIRED
        except signing.BadSignature:
            return Spam.BOT
        try:
            signing.loads(started, salt=FORM_SALT, max_age=MIN_SECONDS_TO_FILL)
            return Spam.TOO_FAST  # submitted faster than a person can type
        except signing.SignatureExpired:
            return None

    def is_spam(self) -> bool:
        return self.spam_check() is not None

    def start_again(self, message) -> None:
        """Keep what was typed, start the fill time again, and say why the form
        was not sent (above the form, with any field errors at once)."""
        self.data = self.data.copy()
        self.data["started"] = signing.dumps(0, salt=FORM_SALT)
        self.full_clean()
        self.add_error(None, message)

    def application_data(self) -> dict:
        keys = [
            "company_name",
            "legal_name",
            "website",
            "email_domain",
            "country",
            "regions",
            "industries",
            "partner_type",
            "contact_name",
            "contact_email",
            "contact_phone",
        ]
        return {key: self.cleaned_data[key] for key in keys}

    def raw_answers(self) -> dict[str, str]:
        return {str(q.pk): str(self.cleaned_data.get(f"q{q.pk}") or "") for q in self.questions}

    def question_fields(self):
        return [self[f"q{q.pk}"] for q in self.questions]

    def company_fields(self):
        return [
            self[name]
            for name in self.fields
            if not name.startswith("q") and name not in ("fax_number", "started")
        ]


def _question_field(question: QualificationQuestion) -> forms.Field:
    kinds = QualificationQuestion.Kind
    common = {"label": question.text, "required": question.required}
    if question.kind == kinds.YES_NO:
        return forms.ChoiceField(choices=[("", "—"), ("yes", _("Yes")), ("no", _("No"))], **common)
    if question.kind == kinds.CHOICE:
        return forms.ChoiceField(choices=[("", "—"), *[(c, c) for c in question.choices]], **common)
    if question.kind == kinds.NUMBER:
        return forms.DecimalField(**common)
    return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, **common)


class ApproveForm(forms.Form):
    account_manager = forms.ModelChoiceField(
        label=_("Account manager"), queryset=None, required=False
    )
    reason = forms.CharField(
        max_length=REASON_TEXT,
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account_manager"].queryset = staff


class RejectForm(forms.Form):
    reason = forms.CharField(
        max_length=REASON_TEXT,
        label=_("Reason (sent to the applicant)"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class QuestionForm(forms.ModelForm):
    choices = ListField(label=_("Choices (for one-of-a-list)"), required=False)

    class Meta:
        model = QualificationQuestion
        fields = ["text", "kind", "choices", "required", "position", "is_active"]

    def clean(self):
        data = super().clean()
        if (
            data.get("kind") == QualificationQuestion.Kind.CHOICE
            and len(data.get("choices") or []) < 2
        ):
            self.add_error("choices", _("Give at least two choices."))
        return data


class CriterionForm(forms.ModelForm):
    values = ListField(
        label=_("Matching values"),
        required=False,
        help_text=_("Separate with commas; for answers, e.g. yes."),
    )

    class Meta:
        model = IdealPartnerCriterion
        fields = ["name", "field", "question", "values", "minimum", "weight"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["question"].queryset = QualificationQuestion.objects.all()

    def clean(self):
        data = super().clean()
        field = data.get("field")
        if field == IdealPartnerCriterion.Field.ANSWER and not data.get("question"):
            self.add_error("question", _("Choose the question this criterion looks at."))
        if field != IdealPartnerCriterion.Field.ANSWER:
            data["question"] = None
            data["minimum"] = None
        if not data.get("values") and data.get("minimum") is None:
            self.add_error("values", _("Give matching values or a minimum."))
        return data


SEGMENT_CHOICES = Segment.choices
