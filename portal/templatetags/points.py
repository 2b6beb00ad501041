"""``{% load points %}{{ entry.event|event_label }}``: an event key in words."""

from django import template

from prm.events import event_kinds

register = template.Library()


@register.filter
def event_label(key: str) -> str:
    kind = event_kinds().get(key)
    return str(kind.label) if kind else key
