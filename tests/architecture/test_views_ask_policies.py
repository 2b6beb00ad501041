"""Views and templates ask the named policies (``prm.policies``) and the state
predicates (``deals.states``, ``partners.states``); they do not restate which
roles may act or which statuses allow what."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
ROLE_TEST = re.compile(r"\.role\s*(==|!=|\bin\b|\bnot in\b)|\broles_required\b")
STATUS_TEST = re.compile(r"\.status\s*(==|!=)\s*[\"']|status\s*(==|!=)\s*[\"']")


def _sources():
    for path in (ROOT / "portal").rglob("*.py"):
        if "demo" not in path.parts:
            yield path
    yield from (ROOT / "templates").rglob("*.html")


def test_no_view_or_template_compares_roles():
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in _sources()
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if ROLE_TEST.search(line)
    ]
    assert found == []


def test_no_view_or_template_compares_statuses():
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in _sources()
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if STATUS_TEST.search(line)
    ]
    assert found == []
