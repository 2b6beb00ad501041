"""The vendor's direct accounts in the console: the list, removing one, and the
CSV import.  Vendor admins and channel managers change them, finance reads."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from deals.selectors import accounts as selectors
from deals.services import accounts as services
from prm import policies
from prm.csv_import import MAX_ROWS

from ...access import policy_required
from ...imports import CsvImportPage, import_views
from .forms import SearchForm

PAGE_SIZE = 50


def _status(form) -> int:
    return 400 if form.errors else 200


def direct_accounts(request):
    search = SearchForm(request.GET or None)
    filters = search.filters()
    found = selectors.direct_account_search(membership=request.membership, filters=filters)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "search": search,
        "query": filters.text,
        "page": page,
        "accounts": list(page.object_list),
        "can_manage": policies.can_manage_direct_accounts(request.membership),
    }
    return render(request, "accounts/direct_accounts.html", context)


@require_POST
@policy_required(policies.can_manage_direct_accounts)
def direct_account_delete(request, account_id: int):
    account = selectors.direct_account_get(membership=request.membership, account_id=account_id)
    services.direct_account_delete(account=account, by=request.membership)
    messages.success(
        request, _("%(name)s was removed from your accounts.") % {"name": account.name}
    )
    return redirect("console:direct_accounts", tenant_slug=request.tenant.slug)


def _imported(outcome) -> str:
    return ngettext(
        "%(created)d account added, %(updated)d updated.",
        "%(created)d accounts added, %(updated)d updated.",
        outcome.created,
    ) % {"created": outcome.created, "updated": outcome.updated}


IMPORT = CsvImportPage(
    key="direct_accounts",
    columns=services.ACCOUNT_COLUMNS,
    max_rows=MAX_ROWS,
    run=services.direct_accounts_import_csv,
    success=_imported,
    done="console:direct_accounts",
    page_template="accounts/import.html",
    template_url="console:direct_accounts_template",
    report_url="console:direct_accounts_import_report",
    template_filename="direct-accounts-template.csv",
    report_filename="direct-account-import-problems.csv",
)


IMPORT_VIEWS = import_views(IMPORT)
direct_accounts_import = IMPORT_VIEWS.upload
direct_accounts_template = IMPORT_VIEWS.template
direct_accounts_import_report = IMPORT_VIEWS.report
