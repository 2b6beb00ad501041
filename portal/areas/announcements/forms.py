"""Forms of announcements; the services validate the business rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from prm.text import LONG_TEXT

from ...audience import AudienceForm


class AnnouncementForm(AudienceForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        max_length=LONG_TEXT, label=_("Text"), widget=forms.Textarea(attrs={"rows": 8})
    )
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
