"""What the shared field templates (``partials/field.html``, ``form_fields.html``,
``choice_form_fields.html``) add to a field: the marker of a required field and
the explanation shown instead of a list with nothing to choose from."""

from __future__ import annotations

from django import forms, template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


def _is_required(bound_field) -> bool:
    field = bound_field.field
    return bool(field.required) and not field.widget.is_hidden and not field.disabled


@register.filter
def is_required(bound_field) -> bool:
    return _is_required(bound_field)


@register.filter
def required_mark(bound_field) -> str:
    """A visible ``*`` after a required field's label.  Screen readers skip it:
    the control itself says it is required (``required``/``aria-required``)."""
    if not _is_required(bound_field):
        return ""
    return format_html(
        ' <span class="required-mark" aria-hidden="true" title="{}">*</span>', _("required")
    )


@register.filter
def label_marked(bound_field) -> str:
    """The field's ``<label>`` with the marker of a required field."""
    mark = required_mark(bound_field)
    if not mark:
        return bound_field.label_tag()
    label = str(bound_field.label or "")
    suffix = bound_field.field.label_suffix
    if suffix is None:
        suffix = bound_field.form.label_suffix
    if not label or label[-1] in _(":?.!"):
        suffix = ""
    return bound_field.label_tag(format_html("{}{}{}", label, suffix, mark), label_suffix="")


@register.filter
def has_required(form) -> bool:
    """Whether any visible field of the form must be filled in."""
    return any(_is_required(bound_field) for bound_field in form.visible_fields())


def _has_choices(field: forms.Field) -> bool | None:
    """Whether a choice field offers anything besides its empty choice; None for
    a field without choices."""
    if isinstance(field, forms.ModelChoiceField):
        return field.queryset.exists()
    choices = getattr(field, "choices", None)
    if choices is None:
        return None
    return any(value not in ("", None) for value, _label in choices)


@register.filter
def empty_choices(bound_field) -> str:
    """What to say instead of a list with nothing to choose from: the field's
    own ``empty_message`` (see ``portal.forms.explain_empty``), or, for a list
    that must be answered, a general word; "" when there are choices."""
    field = bound_field.field
    if field.widget.is_hidden or _has_choices(field) is not False:
        return ""
    message = getattr(field, "empty_message", "")
    if message:
        return str(message)
    if field.required:
        return _("There is nothing to choose from yet.")
    return ""
