"""A new agreement version does not freeze the channel: each partner keeps
registering until its own accept-by date, which is never in the past for a
partner that joined after the version was published."""

import datetime

from django.utils import timezone

from deals.selectors.registrations import registration_block_reason
from partners.models import Agreement, AgreementAcceptance, Partner, PartnerStatusChange
from partners.selectors.agreements import (
    MIN_WINDOW,
    NO_DATE_WINDOW,
    agreement_standing,
    partners_past_deadline,
    partners_without_admin,
)
from prm.models import Membership
from prm.tenancy import tenant_context

DAY = datetime.timedelta(days=1)


def _publish(world, *, accept_by, published_days_ago=0):
    agreement = Agreement.objects.create(
        title="Terms v2",
        version=2,
        body="New terms",
        published_by=world.vendor_admin.user,
        accept_by=accept_by,
    )
    Agreement.objects.filter(pk=agreement.pk).update(
        published_at=timezone.now() - published_days_ago * DAY
    )
    agreement.refresh_from_db()
    return agreement


def _joined(partner, days_ago):
    Partner.objects.filter(pk=partner.pk).update(created_at=timezone.now() - 400 * DAY)
    PartnerStatusChange.objects.filter(partner=partner).delete()
    change = PartnerStatusChange.objects.create(partner=partner, to_status="active")
    PartnerStatusChange.objects.filter(pk=change.pk).update(
        created_at=timezone.now() - days_ago * DAY
    )


def test_a_new_version_does_not_block_registration_before_its_date(world):
    today = timezone.localdate()
    with tenant_context(world.a.pk):
        _joined(world.p, 300)
        _publish(world, accept_by=today + 20 * DAY, published_days_ago=1)
        standing = agreement_standing(partner=world.p)
        assert standing.to_accept and not standing.blocked
        assert standing.deadline == today + 20 * DAY
        assert registration_block_reason(partner=world.p) is None
        assert world.p not in partners_past_deadline()


def test_past_its_date_the_partner_is_blocked_until_it_accepts(world):
    today = timezone.localdate()
    with tenant_context(world.a.pk):
        _joined(world.p, 300)
        agreement = _publish(world, accept_by=today - DAY, published_days_ago=40)
        assert agreement_standing(partner=world.p).blocked
        reason = registration_block_reason(partner=world.p)
        assert "version 2" in reason and "partner admin accepts" in reason
        assert list(partners_past_deadline()) == [world.p] or world.p in partners_past_deadline()
        AgreementAcceptance.objects.create(
            agreement=agreement, partner=world.p, user=world.p_admin.user
        )
        assert registration_block_reason(partner=world.p) is None
        assert world.p not in partners_past_deadline()


def test_a_partner_that_joins_after_publication_gets_a_date_in_the_future(world):
    today = timezone.localdate()
    with tenant_context(world.a.pk):
        # Published 40 days ago with 10 days to accept: the date has passed...
        _publish(world, accept_by=today - 30 * DAY, published_days_ago=40)
        # ...but P joined today, so it gets its own window (at least MIN_WINDOW days).
        _joined(world.p, 0)
        standing = agreement_standing(partner=world.p)
        assert standing.deadline == today + MIN_WINDOW * DAY
        assert not standing.blocked
        assert world.p not in partners_past_deadline()


def test_a_version_without_a_date_gives_the_default_window(world):
    today = timezone.localdate()
    with tenant_context(world.a.pk):
        _joined(world.p, 300)
        _publish(world, accept_by=None, published_days_ago=5)
        assert agreement_standing(partner=world.p).deadline == today + (NO_DATE_WINDOW - 5) * DAY


def test_a_partner_without_an_active_admin_is_flagged(world):
    with tenant_context(world.a.pk):
        assert world.p not in partners_without_admin()  # P has an admin
        assert world.q in partners_without_admin()  # Q has a rep only
        Membership.objects.filter(pk=world.p_admin.pk).update(is_active=False)
        assert world.p in partners_without_admin()
    with tenant_context(world.b.pk):
        assert list(partners_without_admin()) == [world.b_partner]
