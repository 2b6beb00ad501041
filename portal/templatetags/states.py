"""The state predicates of ``deals.states`` and ``partners.states`` for templates:
``{% load states %}{% if registration|is_protected %}`` instead of restating a
status in the template."""

from django import template

from deals import states as deal_states
from incentives import states as incentive_states
from partners import states as partner_states

register = template.Library()

for _name in (
    "is_protected",
    "is_editable",
    "is_awaiting_decision",
    "extension_is_open",
    "sla_is_running",
    "lead_can_be_offered",
    "lead_can_be_closed",
    "lead_can_be_converted",
):
    register.filter(_name, getattr(deal_states, _name))
register.filter("application_is_open", partner_states.application_is_open)
for _name in (
    "program_rules_editable",
    "program_is_draft",
    "program_is_active",
    "program_is_rebate",
    "run_is_draft",
    "run_is_calculating",
    "run_can_recalculate",
    "run_is_frozen",
    "run_is_approved",
    "run_needs_budget_decision",
    "payout_is_payable",
    "dispute_is_open",
    "program_is_mdf",
    "mdf_request_is_decidable",
    "mdf_request_is_revisable",
    "mdf_request_needs_changes",
    "mdf_request_is_approved",
    "mdf_request_is_claimable",
    "mdf_claim_is_decidable",
    "mdf_claim_is_approved",
):
    register.filter(_name, getattr(incentive_states, _name))
for _name in (
    "rule_is_active",
    "reward_is_offered",
    "reward_in_stock",
    "redemption_is_pending",
    "redemption_is_rejected",
):
    register.filter(_name, getattr(incentive_states, _name))
