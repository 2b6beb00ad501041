"""Rendering a payout statement: HTML from ``statements/pdf/statement.html`` in
the statement's language (right to left for a right-to-left language, money
and dates as the language writes them), then a PDF with WeasyPrint.

The HTML carries only text the template escaped; WeasyPrint is given a URL
fetcher that refuses every URL, so no name or address typed into a profile
can make the renderer read a file or the network.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import translation

from . import statement_text as words
from .models import PayoutStatus, ProgramKind
from .selectors.statements import StatementSources

TEMPLATE = "statements/pdf/statement.html"


@dataclass(frozen=True)
class Line:
    position: int
    source: str
    rule: str
    amount: str


def _context(sources: StatementSources) -> dict:
    statement, run, payout = sources.statement, sources.run, sources.payout
    currency = payout.currency
    lines = [
        Line(
            position=position,
            source=words.source_text(item),
            rule=words.rule_text(item, currency=currency),
            amount=words.money(item.amount, currency),
        )
        for position, item in enumerate(sources.items, 1)
    ]
    payment = sources.payment
    return {
        "statement": statement,
        "vendor_name": sources.tenant.name,
        "payee": sources.payee,
        "program_name": str(run.program),
        "program_kind": ProgramKind(run.program.kind).label,
        "period": words.period_text(run.period_start, run.period_end),
        "as_of": words.day_text(run.as_of),
        "issued_on": words.day_text(statement.issued_on),
        "lines": lines,
        "totals": [
            (c, words.money(v, c)) for c, v in words.totals_by_currency(sources.items, currency)
        ],
        "revenue": [words.money(v, c) for c, v in words.revenue_by_currency(sources.items)],
        "payable": words.money(payout.payable, currency),
        "carried": words.money(payout.carried, currency) if payout.carried else "",
        "status": PayoutStatus(payout.status).label,
        "paid_on": words.day_text(payment.paid_on) if payment else "",
        "payment_reference": payment.reference if payment else "",
    }


def statement_html(sources: StatementSources, *, language: str) -> str:
    """The statement as HTML in ``language``; ``dir`` follows the language's
    bidi flag."""
    with translation.override(language):
        context = _context(sources)
        context["language"] = translation.get_language()
        context["direction"] = "rtl" if translation.get_language_bidi() else "ltr"
        return render_to_string(TEMPLATE, context)


# WeasyPrint is imported where a PDF is made: web processes import the
# services that render but never render, and need not load Pango for it.


def _refuse_every_url():
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols=frozenset())


_fonts = threading.local()


def _font_config():
    """One font configuration per thread, made on first use (in the worker
    process, not before it forks).  WeasyPrint makes a new one per document
    unless given one, and each keeps native memory it never gives back: about
    0.2 MiB per statement, which a worker rendering thousands would pile up."""
    from weasyprint.text.fonts import FontConfiguration

    config = getattr(_fonts, "config", None)
    if config is None:
        config = _fonts.config = FontConfiguration()
    return config


def pdf_of(html: str) -> bytes:
    from weasyprint import HTML

    document = HTML(string=html, url_fetcher=_refuse_every_url())
    return document.write_pdf(font_config=_font_config())


def statement_pdf(sources: StatementSources, *, language: str) -> bytes:
    return pdf_of(statement_html(sources, language=language))
