"""``{% load points %}{{ entry.event|event_label }}``: an event key in words."""

from django import template
from django.utils.translation import gettext as _

from prm.events import event_kinds

register = template.Library()


@register.filter
def event_label(key: str) -> str:
    kind = event_kinds().get(key)
    if kind:
        return str(kind.label)
    if key.startswith("spif:"):
        return _("SPIF paid in points")
    return key
