"""Who may do what: every role rule of the product, in one place.

A policy names a capability and the roles that hold it.  Services check the
policy of every business action (``prm.actions``), and views, navigation
templates (through the ``can`` context variable) and later the API ask the
same policies, so a rule is written once.  A policy answers for the role;
which rows a person may touch (their own partner's, say) is the next ring,
kept by the selectors and services of the app that owns the rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from .models import Membership
from .roles import PARTNER_ROLES, VENDOR_ROLES, Role

VA, CM, FIN = Role.VENDOR_ADMIN, Role.CHANNEL_MANAGER, Role.FINANCE
PA, PR = Role.PARTNER_ADMIN, Role.PARTNER_REP


class NotAllowed(PermissionDenied):
    """The acting membership lacks the policy (a 403 on the web)."""


@dataclass(frozen=True)
class Policy:
    name: str
    roles: frozenset[str]
    description: str

    def __call__(self, membership) -> bool:
        return (
            isinstance(membership, Membership)
            and membership.is_active
            and membership.role in self.roles
        )

    def require(self, membership) -> None:
        if not self(membership):
            raise NotAllowed(_("Your role does not allow this."))


POLICIES: dict[str, Policy] = {}


def _policy(name: str, roles, description: str) -> Policy:
    policy = Policy(name=name, roles=frozenset(roles), description=description)
    POLICIES[name] = policy
    return policy


# --- people and the program -------------------------------------------------------

can_invite_people = _policy(
    "can_invite_people",
    {VA, CM, PA},
    "Invite people: vendor admins anyone, channel managers and partner admins partner people.",
)
can_manage_team = _policy(
    "can_manage_team",
    {VA, PA},
    "Deactivate, reactivate and change the role of people (partner admins: their own).",
)
can_change_tenant_settings = _policy(
    "can_change_tenant_settings", {VA}, "Change the program's name, currency, locale and MFA."
)

can_export_lists = _policy(
    "can_export_lists",
    VENDOR_ROLES,
    "Export the partner directory and the registrations as CSV files.",
)

# --- partners -----------------------------------------------------------------------

can_manage_partners = _policy(
    "can_manage_partners",
    {VA, CM},
    "Add, edit, import and move partners through their life cycle; types and KPIs.",
)
can_edit_partner_profile = _policy(
    "can_edit_partner_profile", {PA}, "Keep the own organisation's profile up to date."
)
can_review_applications = _policy(
    "can_review_applications",
    {VA, CM},
    "Decide partner applications and set the recruitment questions and criteria.",
)
can_publish_agreements = _policy(
    "can_publish_agreements", {VA}, "Publish a new version of the partner agreement."
)
can_accept_agreement = _policy(
    "can_accept_agreement", {PA}, "Accept the current agreement for the own organisation."
)
can_manage_onboarding = _policy(
    "can_manage_onboarding", {VA, CM}, "Build onboarding plans and tick any partner's steps."
)
can_tick_onboarding_steps = _policy(
    "can_tick_onboarding_steps",
    {VA, CM, PA, PR},
    "Tick manual onboarding steps (partner people: their own organisation's).",
)
can_edit_tiers = _policy(
    "can_edit_tiers", {VA}, "Set the tier policy, tiers and requirements; run an evaluation."
)
can_decide_tier_changes = _policy(
    "can_decide_tier_changes", {VA, CM}, "Apply or reject tier proposals; set a tier by hand."
)
can_communicate = _policy(
    "can_communicate", {VA, CM}, "Write and publish announcements and surveys."
)
can_answer_ideas = _policy("can_answer_ideas", {VA, CM}, "Answer partners' ideas.")
can_read_announcements = _policy(
    "can_read_announcements", PARTNER_ROLES, "Read the vendor's announcements."
)
can_answer_surveys = _policy("can_answer_surveys", PARTNER_ROLES, "Answer the vendor's surveys.")
can_submit_ideas = _policy("can_submit_ideas", PARTNER_ROLES, "Send the vendor ideas.")

# --- deals ----------------------------------------------------------------------------

can_register_deals = _policy(
    "can_register_deals",
    PARTNER_ROLES,
    "Register, edit and submit deals of the own organisation; ask for extensions.",
)
can_decide_registrations = _policy(
    "can_decide_registrations",
    {VA, CM},
    "Approve, reject or question registrations; decide extension requests.",
)
can_report_deal_outcomes = _policy(
    "can_report_deal_outcomes", {VA, CM, PA, PR}, "Report approved registrations won or lost."
)
can_log_activities = _policy(
    "can_log_activities",
    VENDOR_ROLES | PARTNER_ROLES,
    "Add notes, calls, meetings and documents to registrations and leads.",
)
can_manage_catalogue = _policy("can_manage_catalogue", {VA, CM}, "Add, edit and retire products.")
can_change_deal_rules = _policy(
    "can_change_deal_rules", {VA, CM}, "Change the rules of engagement and the SLAs."
)
can_manage_direct_accounts = _policy(
    "can_manage_direct_accounts", {VA, CM}, "Import and remove the vendor's direct accounts."
)
can_import_won_orders = _policy(
    "can_import_won_orders", {VA, CM}, "Import won orders as revenue lines."
)
can_distribute_leads = _policy(
    "can_distribute_leads", {VA, CM}, "Record, offer, route, withdraw and close leads."
)
can_manage_routing_rules = _policy(
    "can_manage_routing_rules", {VA, CM}, "Set the rules that route leads to partners."
)
can_answer_lead_offers = _policy(
    "can_answer_lead_offers", PARTNER_ROLES, "Accept or decline leads offered to the own partner."
)
can_follow_partner_pipeline = _policy(
    "can_follow_partner_pipeline",
    {PA},
    "Follow up every registration of the own organisation on the portal's home page "
    "(others: the registrations they made).",
)

# --- incentives ---------------------------------------------------------------------

can_manage_programs = _policy(
    "can_manage_programs",
    {VA, CM},
    "Define incentive programs, their rules and eligibility; activate and close them.",
)
can_view_payouts = _policy(
    "can_view_payouts",
    {VA, CM, FIN},
    "See programs, payout runs and every partner's earnings.",
)
can_manage_exchange_rates = _policy(
    "can_manage_exchange_rates", {VA, FIN}, "Keep the exchange rates payouts convert with."
)
can_prepare_payouts = _policy(
    "can_prepare_payouts", {FIN}, "Create and calculate payout runs; decide over-budget runs."
)
can_approve_payouts = _policy(
    "can_approve_payouts", {FIN}, "Approve payout runs and record their payments."
)
can_issue_statements = _policy(
    "can_issue_statements", {FIN}, "Issue the payout statements of approved payout runs."
)
can_see_own_earnings = _policy(
    "can_see_own_earnings",
    PARTNER_ROLES,
    "See the own earnings: the organisation's estimates, and a rep's own SPIF payouts.",
)
can_dispute_statements = _policy(
    "can_dispute_statements",
    {PA},
    "Dispute a line of the own organisation's payouts and follow the thread.",
)
can_resolve_disputes = _policy(
    "can_resolve_disputes",
    {FIN},
    "Answer and resolve partners' disputes, with or without an adjustment.",
)
can_write_in_disputes = _policy(
    "can_write_in_disputes",
    {VA, CM, FIN, PA},
    "Write in a payout dispute's thread (partner admins: their own organisation's).",
)
can_see_partner_earnings = _policy(
    "can_see_partner_earnings",
    {PA},
    "See every payout and statement of the own organisation.",
)

# --- market development funds ------------------------------------------------------

can_manage_mdf = _policy(
    "can_manage_mdf",
    {VA, CM},
    "Allocate MDF funds to partners, top them up or reduce them.",
)
can_decide_mdf = _policy(
    "can_decide_mdf",
    {VA, CM},
    "Approve (in full or in part), send back or reject MDF requests and claims.",
)
can_view_mdf = _policy(
    "can_view_mdf",
    {VA, CM, FIN},
    "See every partner's MDF funds, requests, claims, proofs and their return.",
)
can_request_mdf = _policy(
    "can_request_mdf",
    PARTNER_ROLES,
    "Request MDF for the own organisation's activities and claim them with proof.",
)

# --- points ---------------------------------------------------------------------------

can_manage_points = _policy(
    "can_manage_points",
    {VA, CM},
    "Set the earning rules, the points settings and the reward catalogue; adjust a "
    "person's points; see every partner's points.",
)
can_decide_redemptions = _policy(
    "can_decide_redemptions", {VA, CM}, "Fulfil or reject partner people's reward redemptions."
)
can_earn_points = _policy(
    "can_earn_points", PARTNER_ROLES, "Earn points, see the own points and redeem rewards."
)
can_see_partner_points = _policy(
    "can_see_partner_points",
    {PA},
    "See the points and redemptions of every person of the own organisation.",
)

# --- notifications ----------------------------------------------------------------------

can_read_notifications = _policy(
    "can_read_notifications",
    VENDOR_ROLES | PARTNER_ROLES,
    "Read the own notifications and choose how to hear of each kind by e-mail.",
)


def invitable_roles(membership) -> frozenset[str]:
    """The roles this person may invite others into."""
    if not can_invite_people(membership):
        return frozenset()
    if membership.role == VA:
        return frozenset(VENDOR_ROLES | PARTNER_ROLES)
    return frozenset(PARTNER_ROLES)


class Allowed:
    """Templates ask ``{% if can.manage_partners %}``: each policy answered for one
    membership, lazily."""

    def __init__(self, membership):
        self._membership = membership

    def __getattr__(self, name: str) -> bool:
        policy = POLICIES.get(f"can_{name}")
        if policy is None:
            raise AttributeError(name)
        return policy(self._membership)
