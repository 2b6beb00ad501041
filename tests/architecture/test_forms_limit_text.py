"""Every text field of every form has a length limit, so a 2 MB note is refused
with a message instead of being stored (services check again, for the API)."""

import importlib
import pkgutil

from django import forms

import portal


def _form_classes():
    for info in pkgutil.walk_packages(portal.__path__, "portal."):
        if ".demo" in info.name or info.name.endswith(("urls", "apps")):
            continue
        module = importlib.import_module(info.name)
        for obj in vars(module).values():
            if (
                isinstance(obj, type)
                and issubclass(obj, forms.BaseForm)
                and obj.__module__ == module.__name__
            ):
                yield obj


def test_forms_are_found():
    names = {cls.__name__ for cls in _form_classes()}
    assert {"RegistrationForm", "IdeaForm", "LeadForm", "ApplicationForm"} <= names


def test_every_text_field_has_a_length_limit():
    unlimited = [
        f"{cls.__module__}.{cls.__name__}.{name}"
        for cls in _form_classes()
        for name, field in cls.base_fields.items()
        if isinstance(field, forms.CharField) and not field.max_length
    ]
    assert unlimited == []
