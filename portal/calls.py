"""Running a service from a view and showing its ValidationError where the
person looks: on the form, or as a message."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError

from .forms import apply_validation_error


def call_with_form(form, call) -> bool:
    """Run the service call for a valid form; show its ValidationError on the form."""
    if not form.is_valid():
        return False
    try:
        call()
    except ValidationError as error:
        apply_validation_error(form, error)
        return False
    return True


def call_with_message(request, call, success: str) -> None:
    try:
        call()
        messages.success(request, success)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
