"""Won revenue in the console: the revenue lines, and the CSV import of won
orders.  Vendor admins and channel managers import, finance reads."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from deals.selectors import revenue as selectors
from deals.services import revenue as services
from deals.services import reversals as services_reversals
from prm import policies
from prm.csv_import import MAX_ROWS

from ...access import policy_required
from ...calls import call_with_form
from ...imports import CsvImportPage, import_views

PAGE_SIZE = 50


def _status(form) -> int:
    return 400 if form.errors else 200


def revenue(request):
    lines = selectors.revenue_lines_visible_to(membership=request.membership)
    page = Paginator(lines, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "lines": list(page.object_list),
        "can_manage": policies.can_import_won_orders(request.membership),
    }
    return render(request, "revenue/revenue.html", context)


def _imported(outcome) -> str:
    lines, won, credited = outcome.created, outcome.details["won"], outcome.details["credited"]
    return " ".join(
        [
            ngettext("%(n)d order line imported.", "%(n)d order lines imported.", lines)
            % {"n": lines},
            ngettext("%(n)d registration marked won.", "%(n)d registrations marked won.", won)
            % {"n": won},
            ngettext(
                "%(n)d credit note line recorded.", "%(n)d credit note lines recorded.", credited
            )
            % {"n": credited},
        ]
    )


IMPORT = CsvImportPage(
    key="orders",
    columns=services.ORDER_COLUMNS,
    max_rows=MAX_ROWS,
    run=services.orders_import_csv,
    success=_imported,
    done="console:revenue",
    page_template="revenue/import.html",
    template_url="console:orders_template",
    report_url="console:orders_import_report",
    template_filename="won-orders-template.csv",
    report_filename="won-order-import-problems.csv",
)


IMPORT_VIEWS = import_views(IMPORT)
orders_import = IMPORT_VIEWS.upload
orders_template = IMPORT_VIEWS.template
orders_import_report = IMPORT_VIEWS.report


class ReverseForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount to take back"), max_digits=18, decimal_places=2)
    closed_on = forms.DateField(
        label=_("Credit note or correction dated"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)


@policy_required(policies.can_import_won_orders)
def revenue_reverse(request, line_id):
    """Take (part of) a won line back; incentives claw back what it earned."""
    line = selectors.revenue_line_get(membership=request.membership, line_id=line_id)
    form = ReverseForm(
        request.POST or None, initial={"amount": line.amount, "closed_on": timezone.localdate()}
    )
    if request.method == "POST" and call_with_form(
        form,
        lambda: services_reversals.revenue_line_reverse(
            line=line, by=request.membership, **form.cleaned_data
        ),
    ):
        messages.success(
            request, _("Revenue taken back; the next payout run claws back its share.")
        )
        return redirect("console:revenue", tenant_slug=request.tenant.slug)
    return render(
        request, "revenue/reverse.html", {"line": line, "form": form}, status=_status(form)
    )
