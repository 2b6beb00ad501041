"""Demo data: partner points.

Northwind rewards registered, approved and won deals (10 points per 1,000 of
won value), leads accepted in time, finished onboarding and a completed
profile; points last 12 months and people are reminded 14 days before.  Its
catalogue has four rewards.  The deals the registrations and incentives areas
entered earn their registrants points as if they had happened now (submitted,
approved, won); Bluewave's and Cobalt's people got a welcome bonus, and their
redemptions stand in every state: waiting for the vendor, fulfilled, and
rejected with a reason (its points returned)."""

from deals.events import DEAL_REGISTERED, DEAL_WON, REGISTRATION_APPROVED, registrations_record
from deals.models import DealRegistration
from incentives.models import Reward
from incentives.services.points import (
    earning_rule_create,
    points_adjust,
    points_settings_save,
)
from incentives.services.rewards import (
    redemption_fulfil,
    redemption_reject,
    redemption_request,
    reward_create,
)
from prm.models import Membership
from prm.tenancy import tenant_context

MANAGER = "manager@northwind.example"
RULES = [
    ("deal_registered", 20, None),
    ("registration_approved", 30, None),
    ("deal_won", 10, "1000"),
    ("lead_accepted_in_sla", 15, None),
    ("onboarding_finished", 200, None),
    ("profile_completed", 50, None),
]
# name, description, cost, stock
REWARDS = [
    ("Northwind hoodie", "Grey, with the partner logo. Sizes S to XXL.", 300, 40),
    ("Wireless headset", "Noise-cancelling, for calls with customers.", 1200, 5),
    ("Certification voucher", "One exam of the Northwind certification track.", 800, None),
    ("Coffee mug", "Holds 350 ml.", 120, None),
]
# who, bonus, rewards redeemed (name, then "fulfil", "reject" or nothing)
PEOPLE = [
    ("rep@bluewave.example", 1500, [("Northwind hoodie", "fulfil"), ("Wireless headset", "")]),
    ("admin@bluewave.example", 900, [("Certification voucher", "")]),
    ("rep@cobalt.example", 400, [("Northwind hoodie", "reject"), ("Coffee mug", "fulfil")]),
]


def seed(tenants: dict) -> None:
    """Add this area's demo data to the tenants (keyed by slug); idempotent."""
    tenant = tenants.get("northwind")
    if tenant is None:
        return
    with tenant_context(tenant.pk):
        people = {
            m.user.email: m
            for m in Membership.objects.filter(is_active=True).select_related("user")
        }
        manager = people.get(MANAGER)
        if manager is None or Reward.objects.exists():
            return
        points_settings_save(
            expire_after="12", expire_unit="months", reminder_days="14", by=manager
        )
        for event, points, per_amount in RULES:
            earning_rule_create(event=event, points=points, per_amount=per_amount, by=manager)
        _earned_from_deals()
        rewards = {
            name: reward_create(name=name, description=text, cost=cost, stock=stock, by=manager)
            for name, text, cost, stock in REWARDS
        }
        for email, bonus, redeemed in PEOPLE:
            person = people.get(email)
            if person is None:
                continue
            points_adjust(person=person, points=bonus, reason="Welcome bonus", by=manager)
            for name, decision in redeemed:
                redemption = redemption_request(reward=rewards[name], by=person)
                if decision == "fulfil":
                    redemption_fulfil(redemption=redemption, by=manager)
                elif decision == "reject":
                    redemption_reject(
                        redemption=redemption,
                        reason="This size is sold out; please choose another reward.",
                        by=manager,
                    )


def _earned_from_deals() -> None:
    """The demo's deals, recorded as the events they were, earn under the rules."""
    deals = DealRegistration.objects.exclude(submitted_at=None).order_by("pk")
    registrations_record(DEAL_REGISTERED, deals)
    registrations_record(
        REGISTRATION_APPROVED, deals.filter(status__in=["approved", "won", "lost", "expired"])
    )
    registrations_record(DEAL_WON, deals.filter(status="won"))
