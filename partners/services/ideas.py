"""The ideas box: partner people suggest, the vendor answers."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from prm.actions import action
from prm.audit import audit_record
from prm.models import Membership
from prm.once import check_not_submitted, record_once
from prm.policies import can_answer_ideas, can_submit_ideas
from prm.text import LONG_TEXT

from ..cleaning import required_text
from ..models import Idea
from ..selectors.people import partner_id_of


@action(can_submit_ideas)
def idea_submit(*, by: Membership, title: str, body: str, form_key: str | None = None) -> Idea:
    """A partner person suggests something; it belongs to their own organisation.
    A form sent twice with the same ``form_key`` is one idea (AlreadySubmitted)."""
    check_not_submitted(form_key)
    errors: dict[str, str] = {}
    title = required_text(errors, "title", title, _("Give your idea a title."))
    body = required_text(errors, "body", body, _("Describe your idea."), limit=LONG_TEXT)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        idea = Idea.objects.create(
            partner_id=partner_id_of(by), author=by.user, title=title, body=body
        )
        record_once(form_key, idea)
        audit_record(actor=by.user, action="idea.submitted", target=idea)
    return idea


@action(can_answer_ideas)
def idea_respond(*, idea: Idea, by: Membership, status: str, vendor_response: str) -> Idea:
    """The vendor sets the idea's status and answers it; who responded and when
    is recorded each time."""
    if status not in Idea.Status.values:
        raise ValidationError({"status": _("Choose a status.")})
    with transaction.atomic():
        idea.status, idea.vendor_response = status, vendor_response.strip()
        idea.responded_by, idea.responded_at = by.user, timezone.now()
        idea.save()
        audit_record(actor=by.user, action="idea.responded", target=idea, status=status)
    return idea
