"""Named partner metrics, computed for many partners at once.

Tier requirements, self-completing onboarding steps and (later) KPI rollups
refer to metrics by key.  Each app registers the metrics it can compute at
start-up (``AppConfig.ready``), so ``partners`` never imports ``deals`` or
``training``.  A metric function receives partner ids of the current tenant
and returns ``{partner_id: Decimal}`` using set-based queries; partners it
omits count as zero.  Custom KPIs a vendor defines are metrics ``kpi:<key>``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

MetricFunction = Callable[[list[int]], dict[int, Decimal]]
KPI_PREFIX = "kpi:"


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    compute: MetricFunction
    unit: str = "count"  # "count", "money" or "flag"


_registry: dict[str, Metric] = {}


def register(key: str, label, *, unit: str = "count"):
    def decorate(func: MetricFunction) -> MetricFunction:
        _registry[key] = Metric(key=key, label=label, compute=func, unit=unit)
        return func

    return decorate


def _kpi_metrics() -> dict[str, Metric]:
    from .models import KpiDefinition, KpiValue

    metrics = {}
    for kpi in KpiDefinition.objects.all():

        def compute(partner_ids: list[int], kpi_id: int = kpi.pk) -> dict[int, Decimal]:
            rows = KpiValue.objects.filter(kpi_id=kpi_id, partner_id__in=partner_ids)
            return dict(rows.values_list("partner_id", "value"))

        key = KPI_PREFIX + kpi.key
        metrics[key] = Metric(key=key, label=kpi.name, compute=compute, unit="count")
    return metrics


def available() -> dict[str, Metric]:
    """Every metric usable in the current tenant: registered ones and custom KPIs."""
    return {**_registry, **_kpi_metrics()}


def label_of(key: str) -> str:
    metric = available().get(key)
    return str(metric.label) if metric else key


def compute(keys: Iterable[str], partner_ids: Iterable[int]) -> dict[int, dict[str, Decimal]]:
    """``{partner_id: {metric_key: value}}`` with zero for anything not reported."""
    partner_ids = list(partner_ids)
    metrics = available()
    values: dict[int, dict[str, Decimal]] = {pid: {} for pid in partner_ids}
    for key in sorted(set(keys)):
        metric = metrics.get(key)
        if metric is None:
            raise KeyError(f"Unknown metric {key!r}")
        reported = metric.compute(partner_ids) if partner_ids else {}
        for pid in partner_ids:
            values[pid][key] = Decimal(reported.get(pid, 0))
    return values


def choices() -> list[tuple[str, str]]:
    return sorted(((key, str(m.label)) for key, m in available().items()), key=lambda c: c[1])


# --- metrics the partners app can compute itself --------------------------------


@register("active_people", _("Active people"))
def active_people(partner_ids: list[int]) -> dict[int, Decimal]:
    from django.db.models import Count

    from .models import PartnerMembership

    rows = (
        PartnerMembership.objects.filter(partner_id__in=partner_ids, membership__is_active=True)
        .values("partner_id")
        .annotate(n=Count("id"))
        .values_list("partner_id", "n")
    )
    return {pid: Decimal(n) for pid, n in rows}


@register("profile_complete", _("Profile complete"), unit="flag")
def profile_complete(partner_ids: list[int]) -> dict[int, Decimal]:
    from .models import Partner

    complete = (
        Partner.objects.filter(pk__in=partner_ids)
        .exclude(website="")
        .exclude(country="")
        .exclude(strengths="")
        .exclude(markets="")
        .exclude(industries=[])
        .values_list("pk", flat=True)
    )
    return {pid: Decimal(1) for pid in complete}


@register("agreement_accepted", _("Current agreement accepted"), unit="flag")
def agreement_accepted(partner_ids: list[int]) -> dict[int, Decimal]:
    from .models import Agreement, AgreementAcceptance

    current = Agreement.objects.order_by("-version").first()
    if current is None:
        return {}
    accepted = AgreementAcceptance.objects.filter(
        agreement=current, partner_id__in=partner_ids
    ).values_list("partner_id", flat=True)
    return {pid: Decimal(1) for pid in accepted}
