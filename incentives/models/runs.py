"""Payout runs: a program period's earnings as a document.

A run is calculated into a draft (recomputed atomically as often as needed),
approved (frozen: a database trigger refuses any change to its payouts and
items) and paid (one payment per payout, by a unique constraint).  Every item
points at its source and says which rule it applied; a payout's amounts are
the sums of its stored items."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from prm.models_base import TenantOwned, TimeStamped

from .programs import MONEY, PERCENT, Program


class RunStatus(models.TextChoices):
    CALCULATING = "calculating", _("Calculating")
    DRAFT = "draft", _("Draft")
    FAILED = "failed", _("Could not be calculated")
    APPROVED = "approved", _("Approved")
    PAID = "paid", _("Paid")


OPEN_RUN = ["calculating", "draft", "failed"]


class BudgetDecision(models.TextChoices):
    NONE = "", _("Not needed")
    PRO_RATA = "pro_rata", _("Scale every payout down to the budget")
    OVER_BUDGET = "over_budget", _("Approve over the budget")


class PayoutRun(TenantOwned, TimeStamped):
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="runs")
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    as_of = models.DateField(_("revenue closed up to"))
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(
        _("status"), max_length=12, choices=RunStatus.choices, default=RunStatus.CALCULATING
    )
    prepared_by = models.ForeignKey(
        "prm.Membership", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Asking for a calculation raises ``requested``; the worker that calculates
    # sets ``calculated`` to it, so a second delivery of the same request finds
    # nothing to do.
    requested = models.PositiveIntegerField(default=1)
    calculated = models.PositiveIntegerField(default=0)
    calculated_at = models.DateTimeField(null=True, blank=True)
    problems = models.JSONField(default=list, blank=True)
    total = models.DecimalField(_("total payable"), **MONEY, default=0)
    budget_left = models.DecimalField(**MONEY, null=True, blank=True)
    budget_decision = models.CharField(
        max_length=12, choices=BudgetDecision.choices, default="", blank=True
    )
    budget_decided_by = models.ForeignKey(
        "prm.Membership", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        "prm.Membership", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("payout run")
        ordering = ["-period_start", "-created_at"]
        constraints = [
            # One run of a period is open at a time: pressing "create" twice,
            # or the schedule and a person together, make one.
            models.UniqueConstraint(
                fields=["tenant", "program", "period_start"],
                condition=Q(status__in=OPEN_RUN),
                name="payout_run_one_open",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="payout_run_period"
            ),
            models.CheckConstraint(condition=Q(total__gte=0), name="payout_run_total"),
        ]
        indexes = [models.Index(fields=["tenant", "status"], name="payout_run_status")]

    @property
    def over_budget(self) -> bool:
        return self.budget_left is not None and self.total > self.budget_left


class PayoutStatus(models.TextChoices):
    PAYABLE = "payable", _("To be paid")
    BELOW_MINIMUM = "below_minimum", _("Below the minimum payout: rolled over to the next run")
    NEGATIVE = "negative", _("Negative balance: carried forward to the next run")
    NOTHING = "nothing", _("Nothing due")


class Payout(TenantOwned):
    """What one payee gets from one run: a partner, or for a SPIF one of its
    people."""

    run = models.ForeignKey(PayoutRun, on_delete=models.CASCADE, related_name="payouts")
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        "prm.Membership", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    currency = models.CharField(max_length=3)
    total = models.DecimalField(_("balance"), **MONEY)
    payable = models.DecimalField(_("payable"), **MONEY)
    carried = models.DecimalField(_("carried forward"), **MONEY)
    status = models.CharField(max_length=14, choices=PayoutStatus.choices)

    class Meta:
        verbose_name = _("payout")
        ordering = ["partner__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "run", "partner", "person"],
                nulls_distinct=False,
                name="payout_once_per_payee",
            ),
            models.CheckConstraint(condition=Q(payable__gte=0), name="payout_never_negative"),
            models.CheckConstraint(
                condition=Q(total=models.F("payable") + models.F("carried")),
                name="payout_balance_adds_up",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "partner"], name="payout_partner")]


class ItemKind(models.TextChoices):
    EARNING = "earning", _("Earning")
    TRUE_UP = "true_up", _("True-up of an earlier run")
    CLAWBACK = "clawback", _("Clawback of reversed revenue")
    BROUGHT_FORWARD = "brought_forward", _("Balance brought forward")
    BUDGET = "budget", _("Scaled to the budget")
    ADJUSTMENT = "adjustment", _("Adjustment")
    MDF_CLAIM = "mdf_claim", _("MDF claim")


class PayoutItem(TenantOwned):
    """One line of a payout, pointing at its source and stating its rule."""

    run = models.ForeignKey(PayoutRun, on_delete=models.CASCADE, related_name="items")
    payout = models.ForeignKey(Payout, on_delete=models.CASCADE, related_name="items")
    # Program, period and payee repeat the payout's, so that "one earning per
    # source, payee and period" is a constraint of this table.  They are written
    # by the calculation from the payout itself: no foreign-key check or index
    # of their own (the composite index serves every lookup), which keeps a
    # run of 200,000 lines fast to write.
    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    period_start = models.DateField()
    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    person = models.ForeignKey(
        "prm.Membership",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    kind = models.CharField(max_length=16, choices=ItemKind.choices)
    # Sources are never deleted (PROTECT): their foreign keys need no index.
    revenue_line = models.ForeignKey(
        "deals.RevenueLine",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    registration = models.ForeignKey(
        "deals.DealRegistration",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    # Draft payouts are deleted on recalculation: this key's check needs its index.
    previous_payout = models.ForeignKey(
        Payout, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    adjustment = models.ForeignKey(
        "incentives.Adjustment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    mdf_claim = models.ForeignKey(
        "incentives.MdfClaim",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    # The rule applied, in numbers and in words.
    source_amount = models.DecimalField(**MONEY, null=True, blank=True)
    source_currency = models.CharField(max_length=3, blank=True)
    exchange_rate = models.DecimalField(max_digits=18, decimal_places=8, null=True, blank=True)
    base = models.DecimalField(max_digits=24, decimal_places=8, null=True, blank=True)
    rate = models.DecimalField(**PERCENT, null=True, blank=True)
    multiplier = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)
    rule = models.CharField(max_length=24, blank=True)
    rule_detail = models.CharField(max_length=200, blank=True)
    earned_to_date = models.DecimalField(**MONEY, null=True, blank=True)
    paid_before = models.DecimalField(**MONEY, null=True, blank=True)
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        verbose_name = _("payout item")
        ordering = ["id"]
        constraints = [
            # One earning per source, payee and program period, across all runs:
            # later runs can only true it up or claw it back.
            models.UniqueConstraint(
                fields=["tenant", "program", "period_start", "revenue_line", "partner", "person"],
                condition=Q(kind="earning", revenue_line__isnull=False),
                nulls_distinct=False,
                name="payout_item_earning_once",
            ),
            models.UniqueConstraint(
                fields=["tenant", "run", "revenue_line", "registration", "partner", "person"],
                condition=Q(kind__in=["earning", "true_up", "clawback"]),
                nulls_distinct=False,
                name="payout_item_once_per_run",
            ),
            models.UniqueConstraint(
                fields=["tenant", "run", "previous_payout"],
                condition=Q(kind="brought_forward"),
                name="payout_item_brought_forward_once",
            ),
            # A claim is in one run only, draft or not: a second open run
            # cannot pick it up, so it is paid once.
            models.UniqueConstraint(
                fields=["tenant", "mdf_claim"],
                condition=Q(kind="mdf_claim"),
                name="payout_item_mdf_claim_once",
            ),
            models.UniqueConstraint(
                fields=["tenant", "run", "adjustment"],
                condition=Q(kind="adjustment"),
                name="payout_item_adjustment_once",
            ),
        ]
        indexes = [
            models.Index(
                fields=["tenant", "program", "period_start", "partner"], name="payout_item_source"
            ),
        ]


class PayoutPayment(TenantOwned):
    """The payment of one payout: there is at most one."""

    payout = models.OneToOneField(Payout, on_delete=models.PROTECT, related_name="payment")
    run = models.ForeignKey(PayoutRun, on_delete=models.PROTECT, related_name="payments")
    paid_on = models.DateField(_("paid on"))
    reference = models.CharField(_("payment reference"), max_length=100)
    recorded_by = models.ForeignKey("prm.Membership", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
