import datetime

from django.core.management import call_command
from django.utils import timezone

from deals.models import RevenueLine
from incentives.models import (
    Dispute,
    ExchangeRate,
    MdfClaim,
    MdfEntry,
    MdfFund,
    MdfRequest,
    Payout,
    PayoutRun,
    PointsBalance,
    PointsEntry,
    Program,
    Redemption,
    Reward,
    Statement,
)
from incentives.periods import period_of
from partners.models import Partner
from portal.demo import incentives as demo_incentives
from portal.demo import mdf as demo_mdf
from prm.models import Membership, Notification, Tenant, User
from prm.tenancy import tenant_context


def _counts():
    counts = {"tenants": Tenant.objects.count(), "users": User.objects.count()}
    for tenant in Tenant.objects.all():
        with tenant_context(tenant.pk):
            counts[tenant.slug] = (
                Partner.objects.count(),
                Membership.objects.count(),
                RevenueLine.objects.count(),
                ExchangeRate.objects.count(),
                Program.objects.count(),
                PayoutRun.objects.count(),
                Payout.objects.count(),
            )
    return counts


def _seed():
    call_command("seed_demo", stdout=open("/dev/null", "w"))


def test_seed_demo_is_idempotent_and_makes_two_vendors(db):
    _seed()
    first = _counts()
    _seed()
    assert _counts() == first
    assert {"northwind", "globex"} <= set(first)
    assert first["northwind"][0] >= 5 and first["globex"][0] >= 2


def _quarter(day: datetime.date):
    return period_of("quarterly", datetime.date.min, datetime.date.max, day)


def test_seed_demo_runs_incentive_programs_and_pays_last_quarter(db):
    _seed()
    today = timezone.localdate()
    this_quarter = _quarter(today)
    last_quarter = _quarter(this_quarter.start - datetime.timedelta(days=1))
    with tenant_context(Tenant.objects.get(slug="northwind").pk):
        programs = {p.name: p for p in Program.objects.filter(status="active")}
        volume = programs[demo_incentives.VOLUME_REBATE]
        services = programs[demo_incentives.SERVICES_REBATE]
        referral = programs[demo_incentives.REFERRAL_COMMISSION]
        spif = programs[demo_incentives.SECURITY_SPIF]
        assert (volume.kind, volume.rebate_method, volume.calendar) == (
            "rebate",
            "retroactive",
            "quarterly",
        )
        assert (services.kind, services.rebate_method) == ("rebate", "marginal")
        assert referral.kind == "commission" and "referral" in referral.eligible_types
        assert Partner.objects.filter(partner_type__in=referral.eligible_types).exists()
        assert (spif.kind, spif.fixed_amount > 0, spif.min_deal_amount > 0) == (
            "spif",
            True,
            True,
        )

        runs = list(PayoutRun.objects.filter(program__kind="rebate").order_by("period_start"))
        assert [(r.program_id, r.status, r.period_start) for r in runs] == [
            (volume.pk, "paid", last_quarter.start),
            (volume.pk, "draft", this_quarter.start),
        ]
        paid, draft = runs
        assert paid.total > volume.four_eyes_above
        assert paid.approved_by.role == "finance" and paid.approved_by != paid.prepared_by
        payable = Payout.objects.filter(run=paid, status="payable")
        assert payable.exists() and not payable.filter(payment__isnull=True).exists()
        assert paid.items.filter(kind="clawback").exists()
        assert draft.total > 0 and draft.payouts.exists()

        # Every currency the revenue is in converts to the payout currency.
        foreign = set(RevenueLine.objects.values_list("currency", flat=True)) - {volume.currency}
        assert foreign
        for currency in foreign:
            assert ExchangeRate.objects.filter(
                currency=currency, to_currency=volume.currency, effective_on__lte=last_quarter.start
            ).exists()

        # The paid run's statements are ready to download; a partner disputes a line.
        statements = Statement.objects.filter(run=paid)
        assert statements.count() == paid.payouts.exclude(items=None).count() > 0
        assert not statements.exclude(status="ready").exists()
        dispute = Dispute.objects.get()
        assert dispute.item.run_id == paid.pk and dispute.messages.count() == 2


def test_seed_demo_has_mdf_in_every_state(db):
    _seed()
    today = timezone.localdate()
    with tenant_context(Tenant.objects.get(slug="northwind").pk):
        program = Program.objects.get(name=demo_mdf.PROGRAM, kind="mdf", status="active")
        assert set(MdfRequest.objects.values_list("status", flat=True)) == {
            "submitted",
            "changes",
            "rejected",
            "approved",
            "claimed",
            "expired",
        }
        assert set(MdfClaim.objects.values_list("status", flat=True)) == {
            "submitted",
            "approved",
            "rejected",
        }
        # A partner close to a claim deadline, and every claim with its proof.
        assert MdfRequest.objects.filter(
            status="approved",
            claim_deadline__gte=today,
            claim_deadline__lte=today + datetime.timedelta(days=program.reminder_days),
            claims=None,
        ).exists()
        assert not MdfClaim.objects.filter(proofs=None).exists()
        # One claim was paid by an MDF run; another approved one waits for the next.
        paid = PayoutRun.objects.get(program=program, status="paid")
        assert paid.items.filter(kind="mdf_claim").count() == 1
        assert MdfEntry.objects.filter(kind="pay").count() == 1
        assert MdfEntry.objects.filter(kind="expire_request").exists()
        for fund in MdfFund.objects.filter(program=program):
            parts = fund.available + fund.committed + fund.claimed + fund.paid + fund.expired
            assert fund.allocated == parts


def test_seed_demo_earns_points_from_its_deals_and_redeems_rewards(db):
    _seed()
    with tenant_context(Tenant.objects.get(slug="northwind").pk):
        earned = set(PointsEntry.objects.filter(kind="earned").values_list("event", flat=True))
        assert {"deal_registered", "registration_approved", "deal_won"} <= earned
        assert Reward.objects.count() >= 3
        assert {"pending", "fulfilled", "rejected"} <= set(
            Redemption.objects.values_list("status", flat=True)
        )
        for row in PointsBalance.objects.all():
            entries = PointsEntry.objects.filter(membership=row.membership, partner=row.partner)
            assert row.balance == sum(entries.values_list("points", flat=True)) >= 0


def test_seed_demo_gives_each_role_a_home_with_work_and_news(db, client):
    """The demo is tried as a new user would: the channel manager finds
    registrations to decide, the rep what to do and what was decided, and both
    have unread notifications."""
    _seed()
    northwind = Tenant.objects.get(slug="northwind")
    manager = User.objects.get(email="manager@northwind.example")
    client.force_login(manager)
    page = client.get(f"/t/{northwind.slug}/console/")
    assert page.status_code == 200
    queues = {queue.key: queue.count for queue in page.context["home"].queues}
    assert queues.get("registrations", 0) >= 2 and queues.get("registrations_late", 0) >= 1
    assert "unread notification" in page.content.decode()

    rep = User.objects.get(email="rep@bluewave.example")
    client.force_login(rep)
    page = client.get(f"/t/{northwind.slug}/portal/")
    assert page.status_code == 200
    assert page.context["items"], "the demo rep has nothing to do"
    assert page.context["recent_decisions"], "the demo rep was told of no decision"
    with tenant_context(northwind.pk):
        bluewave = Notification.objects.filter(recipient__user__email__endswith="@bluewave.example")
        kinds = set(bluewave.values_list("kind", flat=True))
    assert {"registration_approved", "lead_offered"} <= kinds
