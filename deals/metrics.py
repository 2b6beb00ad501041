"""Partner metrics from deals, registered with partners.metrics.

Each is one aggregate query for all the partners asked about.  "The last 12
months" is the 365 days up to and including today; future dates do not count.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, OuterRef, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.metrics import register
from prm.models import Tenant

from .models import DealRegistration, RevenueLine
from .models import RegistrationStatus as S

WINDOW_DAYS = 365


def _window() -> tuple[date, date]:
    today = timezone.localdate()
    return today - timedelta(days=WINDOW_DAYS - 1), today


@register(
    "won_revenue_12m",
    _("Won revenue, last 12 months (in the default currency)"),
    unit="money",
)
def won_revenue_12m(partner_ids: list[int]) -> dict[int, Decimal]:
    """Sum of won revenue lines closed in the last 365 days.  Only lines in the
    vendor's default currency count: amounts in different currencies are never
    added up (there is no conversion here)."""
    start, end = _window()
    default_currency = Tenant.objects.filter(pk=OuterRef("tenant_id")).values("default_currency")
    rows = (
        RevenueLine.objects.filter(
            partner_id__in=partner_ids,
            closed_on__gte=start,
            closed_on__lte=end,
            currency=Subquery(default_currency),
        )
        .order_by()
        .values("partner_id")
        .annotate(total=Sum("amount"))
        .values_list("partner_id", "total")
    )
    return {pid: total for pid, total in rows}


@register("won_deals_12m", _("Won deals, last 12 months"))
def won_deals_12m(partner_ids: list[int]) -> dict[int, Decimal]:
    """Registrations won with a closing date in the last 365 days."""
    start, end = _window()
    rows = (
        DealRegistration.objects.filter(
            partner_id__in=partner_ids, status=S.WON, closed_on__gte=start, closed_on__lte=end
        )
        .order_by()
        .values("partner_id")
        .annotate(n=Count("pk"))
        .values_list("partner_id", "n")
    )
    return {pid: Decimal(n) for pid, n in rows}


@register("deals_registered", _("Deals registered"))
def deals_registered(partner_ids: list[int]) -> dict[int, Decimal]:
    """Registrations ever submitted (anything but drafts), whatever became of them."""
    rows = (
        DealRegistration.objects.filter(partner_id__in=partner_ids)
        .exclude(status=S.DRAFT)
        .order_by()
        .values("partner_id")
        .annotate(n=Count("pk"))
        .values_list("partner_id", "n")
    )
    return {pid: Decimal(n) for pid, n in rows}
