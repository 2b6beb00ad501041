"""Routing many leads at once, in memory, exactly as routing them one by one.

The partners' standings (load, acceptance and win rates, last offer) are read
once; then each lead, in order, goes to the best partner of the first matching
rule that has one, and that partner's standing changes as an offer would
change it (one more open lead, offered just now).  Acceptance and win rates do
not move: a pending offer is not an answered one.  Per rule, a heap keeps the
partners in rank order, so a batch costs O(leads · log partners), not a scan
of every partner per lead.  Pure: no database here.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import datetime, timedelta

from .models import Lead, RoutingRule


@dataclass
class Standing:
    pk: int
    partner_type: str
    tier_id: int | None
    open_leads: int
    acceptance_rate: float | None
    win_rate: float | None
    last_offered_at: datetime | None


def rank(standing: Standing) -> tuple:
    """Smaller is better: the order of ``routing_candidates``."""
    return (
        standing.open_leads,
        standing.acceptance_rate is None,
        -(standing.acceptance_rate or 0.0),
        standing.win_rate is None,
        -(standing.win_rate or 0.0),
        standing.last_offered_at is not None,
        standing.last_offered_at.timestamp() if standing.last_offered_at else 0.0,
        standing.pk,
    )


def rule_matches_lead(rule: RoutingRule, lead: Lead) -> bool:
    if rule.countries and lead.country.upper() not in {c.upper() for c in rule.countries}:
        return False
    if rule.industries and lead.industry.strip().lower() not in {
        i.strip().lower() for i in rule.industries
    }:
        return False
    return True


def rule_admits(rule: RoutingRule, standing: Standing) -> bool:
    if rule.partner_types and standing.partner_type not in rule.partner_types:
        return False
    if rule.tier_ids and standing.tier_id not in rule.tier_ids:
        return False
    return True


class RoutingPlan:
    def __init__(self, rules: list[RoutingRule], standings: list[Standing], now: datetime):
        self.rules = rules  # active, in priority order
        self.now = now
        self.offers_made = 0
        self.standing = {s.pk: s for s in standings}
        self.version = dict.fromkeys(self.standing, 0)
        self.heaps: dict[int, list] = {}
        self.rules_of: dict[int, list[RoutingRule]] = {pk: [] for pk in self.standing}
        for rule in rules:
            admitted = [s for s in standings if rule_admits(rule, s)]
            self.heaps[rule.pk] = [(rank(s), 0, s.pk) for s in admitted]
            heapq.heapify(self.heaps[rule.pk])
            for s in admitted:
                self.rules_of[s.pk].append(rule)

    def _best(self, rule: RoutingRule, excluded: set[int]) -> int | None:
        heap, skipped, found = self.heaps[rule.pk], [], None
        while heap:
            entry = heapq.heappop(heap)
            _key, version, pk = entry
            if version != self.version[pk]:
                continue  # an older standing of a partner offered since
            cap = rule.max_open_leads
            if cap is not None and self.standing[pk].open_leads >= cap:
                continue  # at its cap for this rule, and loads only grow here
            if pk in excluded:
                skipped.append(entry)
                continue
            found = pk
            skipped.append(entry)  # stays until the offer below re-ranks it
            break
        for entry in skipped:
            heapq.heappush(heap, entry)
        return found

    def _offered(self, pk: int) -> None:
        standing = self.standing[pk]
        standing.open_leads += 1
        # Offers one by one would get ever later times: rank them that way.
        self.offers_made += 1
        standing.last_offered_at = self.now + timedelta(microseconds=self.offers_made)
        self.version[pk] += 1
        for rule in self.rules_of[pk]:
            heapq.heappush(self.heaps[rule.pk], (rank(standing), self.version[pk], pk))

    def choose(self, lead: Lead, excluded: set[int]) -> tuple[RoutingRule, int] | None:
        """The rule and partner for ``lead`` (never one in ``excluded``), and
        the partner's standing updated; None when no rule has a partner."""
        for rule in self.rules:
            if not rule_matches_lead(rule, lead):
                continue
            pk = self._best(rule, excluded)
            if pk is not None:
                self._offered(pk)
                return rule, pk
        return None
