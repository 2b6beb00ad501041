"""Form widgets of the web layer.

``PartnerPicker`` is the "search as you type" partner picker: a text box the
script ``static/js/partner_picker.js`` turns into an accessible combobox whose
suggestions come from the console's partner search (``console:partner_pick``),
and a hidden input carrying the chosen partner's id under the field's name.
The page renders the chosen partner only, never the list of all partners;
without JavaScript an already chosen partner still shows and is sent again.
Use it through ``portal.forms.PartnerField``.

``CountryInput`` is the country box: a text box with the list of countries by
name in the reader's language (``<input list>`` and a ``<datalist>``), so typing
"Germ…" offers Germany.  ``static/js/country_picker.js`` sends the chosen
country's ISO code under the field's name; without the script the typed name is
sent, and ``portal.forms.CountryField`` looks it up the same way.  Use it through
``portal.forms.CountryField``."""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.templatetags.static import static
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from partners.models import Partner

from .countries import country_choices, country_name

MAX_ID_DIGITS = 18  # below the largest bigint, so a lookup never overflows


def partner_id(value) -> int | None:
    """The id in a submitted value, or None for anything that is not one."""
    if isinstance(value, Partner):
        return value.pk
    if isinstance(value, int) and not isinstance(value, bool):
        return value if value > 0 else None
    text = str(value).strip() if isinstance(value, str) else ""
    if text.isascii() and text.isdigit() and len(text) <= MAX_ID_DIGITS and int(text) > 0:
        return int(text)
    return None


class PartnerPicker(forms.Widget):
    """The picker's markup.  ``search`` (a ``portal.forms.PartnerSearch``) says
    which partners may be chosen and where suggestions come from; the field
    sets it.  A chosen id is looked up once per form, through ``search``."""

    class Media:
        js = ("js/partner_picker.js",)

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.search = None
        self._found: dict[int, Partner | None] = {}

    def __deepcopy__(self, memo):
        widget = super().__deepcopy__(memo)
        widget.search = self.search
        widget._found = {}
        return widget

    def partner_for(self, value) -> Partner | None:
        """The chosen partner if ``value`` names one the search may pick."""
        if isinstance(value, Partner):
            return value
        pk = partner_id(value)
        if pk is None or self.search is None:
            return None
        if pk not in self._found:
            self._found[pk] = self.search.partners.filter(pk=pk).first()
        return self._found[pk]

    def render(self, name, value, attrs=None, renderer=None):
        partner = self.partner_for(value) if value not in (None, "") else None
        text_attrs = self.build_attrs(self.attrs, attrs)
        field_id = text_attrs.setdefault("id", f"id_{name}")
        listbox_id = f"{field_id}_listbox"
        status_id = f"{field_id}_status"
        text_attrs.update(
            {
                "type": "text",
                "role": "combobox",
                "aria-autocomplete": "list",
                "aria-expanded": "false",
                "aria-controls": listbox_id,
                "autocomplete": "off",
                "spellcheck": "false",
                "maxlength": "100",
                "placeholder": self.attrs.get("placeholder") or _("Type to search partners"),
                "value": partner.name if partner else "",
                "data-picker-text": "",
                # Typing does nothing until the script searches; it removes this.
                "readonly": True,
            }
        )
        return format_html(
            '<div class="partner-picker" data-partner-picker data-url="{url}"'
            ' data-found="{found}" data-none="{none}" data-failed="{failed}"'
            ' data-chosen="{chosen}">'
            '<input type="hidden" name="{name}" value="{value}" data-picker-value>'
            "<input{text}>"
            '<ul class="partner-picker-list" id="{listbox}" role="listbox"'
            ' aria-label="{label}" hidden></ul>'
            '<span class="visually-hidden" id="{status}" role="status" aria-live="polite">'
            "</span></div>",
            url=self.search.url if self.search else "",
            found=_("Partners found: %(n)s"),
            none=_("No partner matches."),
            failed=_("Partners could not be searched just now."),
            chosen=_("Chosen: %(name)s"),
            name=name,
            value=partner.pk if partner else "",
            text=flatatt(text_attrs),
            listbox=listbox_id,
            label=_("Partners"),
            status=status_id,
        )


class CountryInput(forms.TextInput):
    """The country box's markup: the visible text box (the country's name), its
    list of country names, and the script that sends the code.  The value given
    to it is a code (shown as the name) or, after a failed lookup, the text the
    person typed (shown as typed, next to its error)."""

    script = "js/country_picker.js"

    class Media:
        js = ("js/country_picker.js",)

    def format_value(self, value):
        if value in (None, ""):
            return ""
        return country_name(str(value)) or str(value)

    def render(self, name, value, attrs=None, renderer=None):
        text_attrs = self.build_attrs(self.attrs, attrs)
        field_id = text_attrs.setdefault("id", f"id_{name}")
        list_id = f"{field_id}_countries"
        text_attrs.update(
            {
                "type": "text",
                "name": name,
                "list": list_id,
                "autocomplete": "off",
                "spellcheck": "false",
                "maxlength": "100",
                "value": self.format_value(value),
                "data-country-text": "",
            }
        )
        text_attrs.setdefault("placeholder", _("Type the country's name"))
        options = format_html_join(
            "",
            '<option value="{}" data-code="{}"></option>',
            ((name, code) for code, name in country_choices()),
        )
        return format_html(
            '<span class="country-picker" data-country-picker>'
            '<input{text}><datalist id="{list}">{options}</datalist></span>'
            '<script src="{script}" defer></script>',
            text=flatatt(text_attrs),
            list=list_id,
            options=options,
            script=static(self.script),
        )
