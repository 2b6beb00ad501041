"""The vendor console's home: what the signed-in member has to do today.

Which queues a member sees follows the policies (``prm.policies``), never the
role's name: a channel manager's capabilities give the deal, partner, MDF and
points queues (a vendor admin holds them too), finance's the payout queues,
and the vendor admin's the set-up checklist and the people.  Each queue is a
count, the age of its oldest item and a link to the page where the work is
done; queues past their target come first, then the ones waiting longest.
The reads are the ``home_queues`` selectors of each app, a fixed number of
queries whatever the data size.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from deals.selectors import home_queues as deal_queues
from incentives.selectors import home_queues as incentive_queues
from partners.models import Partner
from partners.selectors import home_queues as partner_queues
from partners.selectors.organisations import partner_status_counts
from prm import policies
from prm.models import Membership


@dataclass(frozen=True)
class Queue:
    """One kind of work: ``label`` says how many items wait (pluralised),
    ``since`` when the oldest one started waiting (or fell due), ``overdue``
    that it is past its target."""

    key: str
    label: str
    count: int
    url: str
    since: datetime.datetime | None
    overdue: bool = False
    note: str = ""


@dataclass(frozen=True)
class SetupItem:
    key: str
    label: str
    url: str


@dataclass(frozen=True)
class AttentionPartner:
    name: str
    url: str
    reasons: list[str]


@dataclass
class ConsoleHome:
    queues: list[Queue] = field(default_factory=list)
    attention: list[AttentionPartner] = field(default_factory=list)
    attention_total: int = 0
    setup: list[SetupItem] = field(default_factory=list)
    people: int | None = None
    partners_by_status: list[tuple[str, int]] = field(default_factory=list)

    @property
    def attention_more(self) -> int:
        return self.attention_total - len(self.attention)

    @property
    def is_empty(self) -> bool:
        """Nothing at all is due."""
        return not (self.queues or self.attention or self.setup)


def _moment(value) -> datetime.datetime | None:
    """An aware datetime for a datetime or a day (its start, local time)."""
    if value is None or isinstance(value, datetime.datetime):
        return value
    return timezone.make_aware(datetime.datetime.combine(value, datetime.time.min))


def ordered(queues: list[Queue]) -> list[Queue]:
    """Non-empty queues, the ones past their target first, then by the age of
    their oldest item (oldest first); queues without an age last."""
    waiting = [queue for queue in queues if queue.count]
    never = datetime.datetime.max.replace(tzinfo=datetime.UTC)
    return sorted(
        waiting, key=lambda queue: (not queue.overdue, queue.since is None, queue.since or never)
    )


class _Links:
    def __init__(self, tenant_slug: str):
        self.slug = tenant_slug

    def __call__(self, name: str, query: dict | None = None, **kwargs) -> str:
        url = reverse(f"console:{name}", kwargs={"tenant_slug": self.slug, **kwargs})
        return f"{url}?{urlencode(query)}" if query else url


def _channel_queues(
    membership: Membership, link: _Links, home: ConsoleHome, agreement
) -> list[Queue]:
    queues: list[Queue] = []

    def add(key, count, label, url, since, *, overdue=False, note=""):
        queues.append(Queue(key, label, count, url, _moment(since), overdue, note))

    if policies.can_review_applications(membership):
        q = partner_queues.applications_to_review(membership=membership)
        label = ngettext(
            "%(count)d partner application to review",
            "%(count)d partner applications to review",
            q.count,
        )
        add("applications", q.count, label % {"count": q.count}, link("applications"), q.oldest)

    if policies.can_decide_registrations(membership):
        r = deal_queues.registration_queues(membership=membership)
        n = r.past_target.count
        label = ngettext(
            "%(count)d deal registration past the approval target",
            "%(count)d deal registrations past the approval target",
            n,
        )
        note = ngettext(
            "Target: a decision within %(hours)d hour of submission.",
            "Target: a decision within %(hours)d hours of submission.",
            r.target_hours,
        ) % {"hours": r.target_hours}
        add(
            "registrations_late",
            n,
            label % {"count": n},
            link("registration_queue", {"status": "submitted", "min_age_hours": r.target_hours}),
            r.past_target.oldest,
            overdue=True,
            note=note,
        )
        n = r.to_decide.count
        label = ngettext(
            "%(count)d deal registration to decide", "%(count)d deal registrations to decide", n
        )
        add(
            "registrations",
            n,
            label % {"count": n},
            link("registration_queue"),
            r.to_decide.oldest,
        )
        n = r.extensions.count
        label = ngettext(
            "%(count)d protection extension request",
            "%(count)d protection extension requests",
            n,
        )
        if r.extensions.first_id is not None:
            add(
                "extensions",
                n,
                label % {"count": n},
                link("registration", registration_id=r.extensions.first_id),
                r.extensions.oldest,
                note=_("The link opens the oldest request."),
            )
        c = deal_queues.open_conflicts(membership=membership)
        label = ngettext(
            "%(count)d open conflict between registrations",
            "%(count)d open conflicts between registrations",
            c.count,
        )
        add(
            "conflicts",
            c.count,
            label % {"count": c.count},
            link("registration_conflicts"),
            c.oldest,
        )

    if policies.can_decide_tier_changes(membership):
        q = partner_queues.tier_proposals_to_review(membership=membership)
        label = ngettext(
            "%(count)d tier proposal to review", "%(count)d tier proposals to review", q.count
        )
        add("tier_proposals", q.count, label % {"count": q.count}, link("tier_proposals"), q.oldest)

    if policies.can_distribute_leads(membership):
        q = deal_queues.unrouted_leads(membership=membership)
        label = ngettext(
            "%(count)d lead with no eligible partner",
            "%(count)d leads with no eligible partner",
            q.count,
        )
        add(
            "unrouted_leads",
            q.count,
            label % {"count": q.count},
            link("leads", {"status": "unrouted"}),
            q.oldest,
        )

    if policies.can_manage_partners(membership):
        p = partner_queues.partner_queues(membership=membership, agreement=agreement)
        n = p.past_deadline.count
        label = ngettext(
            "%(count)d partner blocked: agreement not accepted by its deadline",
            "%(count)d partners blocked: agreement not accepted by its deadline",
            n,
        )
        add(
            "agreement_overdue",
            n,
            label % {"count": n},
            link("agreements"),
            p.past_deadline.oldest,
            overdue=True,
        )
        n = p.no_admin.count
        label = ngettext(
            "%(count)d partner without an active partner admin (nobody can accept the agreement)",
            "%(count)d partners without an active partner admin (nobody can accept the agreement)",
            n,
        )
        if policies.can_invite_people(membership):
            add("no_admin", n, label % {"count": n}, link("team"), p.no_admin.oldest)
        n = p.overdue_steps.count
        label = ngettext(
            "%(count)d onboarding step overdue", "%(count)d onboarding steps overdue", n
        )
        add(
            "onboarding_overdue",
            n,
            label % {"count": n},
            link("onboarding_plans"),
            p.overdue_steps.oldest,
            overdue=True,
        )
        home.attention_total = p.attention_total
        home.attention = [_attention(flag, link) for flag in p.attention]
        home.partners_by_status = _partners_by_status(membership)

    if policies.can_decide_mdf(membership):
        q = incentive_queues.mdf_requests_to_decide(membership=membership)
        label = ngettext(
            "%(count)d MDF request to decide", "%(count)d MDF requests to decide", q.count
        )
        add("mdf_requests", q.count, label % {"count": q.count}, link("mdf_queue"), q.oldest)
        q = incentive_queues.mdf_claims_to_decide(membership=membership)
        label = ngettext("%(count)d MDF claim to decide", "%(count)d MDF claims to decide", q.count)
        add("mdf_claims", q.count, label % {"count": q.count}, link("mdf_queue"), q.oldest)

    if policies.can_decide_redemptions(membership):
        q = incentive_queues.redemptions_to_decide(membership=membership)
        label = ngettext(
            "%(count)d points redemption to decide",
            "%(count)d points redemptions to decide",
            q.count,
        )
        add("redemptions", q.count, label % {"count": q.count}, link("redemptions"), q.oldest)
    return queues


def _attention(flag, link: _Links) -> AttentionPartner:
    reasons = []
    if flag.past_deadline:
        reasons.append(_("agreement not accepted by its deadline"))
    if flag.no_admin:
        reasons.append(_("no active partner admin"))
    if flag.overdue_steps:
        reasons.append(
            ngettext(
                "%(count)d onboarding step overdue",
                "%(count)d onboarding steps overdue",
                flag.overdue_steps,
            )
            % {"count": flag.overdue_steps}
        )
    return AttentionPartner(
        name=flag.name, url=link("partner_detail", partner_id=flag.partner_id), reasons=reasons
    )


def _partners_by_status(membership: Membership) -> list[tuple[str, int]]:
    counts = partner_status_counts(membership=membership)
    return [
        (label, counts.get(value, 0)) for value, label in Partner._meta.get_field("status").choices
    ]


def _finance_queues(membership: Membership, link: _Links) -> list[Queue]:
    queues: list[Queue] = []

    def add(key, count, label, url, since, *, overdue=False, note=""):
        queues.append(Queue(key, label, count, url, _moment(since), overdue, note))

    if policies.can_prepare_payouts(membership):
        p = incentive_queues.runs_to_prepare(membership=membership)
        label = ngettext(
            "%(count)d ended program period without a payout run",
            "%(count)d ended program periods without a payout run",
            p.count,
        )
        url = link("program", program_id=p.program_id) if p.program_id else link("programs")
        add("runs_to_prepare", p.count, label % {"count": p.count}, url, p.oldest)
    if policies.can_view_payouts(membership) and (
        policies.can_prepare_payouts(membership) or policies.can_approve_payouts(membership)
    ):
        r = incentive_queues.run_queues(membership=membership)
        if policies.can_prepare_payouts(membership):
            n = r.failed.count
            label = ngettext(
                "%(count)d payout run could not be calculated",
                "%(count)d payout runs could not be calculated",
                n,
            )
            add("runs_failed", n, label % {"count": n}, link("payout_runs"), r.failed.oldest)
        if policies.can_approve_payouts(membership):
            n = r.to_approve.count
            label = ngettext(
                "%(count)d payout run to approve", "%(count)d payout runs to approve", n
            )
            add(
                "runs_to_approve",
                n,
                label % {"count": n},
                link("payout_runs"),
                r.to_approve.oldest,
                note=_("Runs you prepared above the four-eyes amount wait for someone else."),
            )
            n = r.to_mark_paid.count
            label = ngettext(
                "%(count)d approved payout run with payouts to mark paid",
                "%(count)d approved payout runs with payouts to mark paid",
                n,
            )
            add("runs_to_pay", n, label % {"count": n}, link("payout_runs"), r.to_mark_paid.oldest)
    if policies.can_issue_statements(membership):
        s = incentive_queues.statements_rendering(membership=membership)
        label = ngettext(
            "%(count)d statement being generated", "%(count)d statements being generated", s.count
        )
        if s.first_id is not None:
            add(
                "statements",
                s.count,
                label % {"count": s.count},
                link("run_statements", run_id=s.first_id),
                s.oldest,
            )
    if policies.can_resolve_disputes(membership):
        d = incentive_queues.open_disputes(membership=membership)
        label = ngettext("%(count)d open dispute", "%(count)d open disputes", d.count)
        add("disputes", d.count, label % {"count": d.count}, link("disputes"), d.oldest)
    return queues


def _admin_queues(
    membership: Membership, link: _Links, home: ConsoleHome, agreement
) -> list[Queue]:
    """The set-up checklist and the people: what only the vendor admin keeps."""
    queues: list[Queue] = []
    if not policies.can_change_tenant_settings(membership):
        return queues
    if policies.can_manage_catalogue(membership) and deal_queues.catalogue_is_empty(
        membership=membership
    ):
        home.setup.append(
            SetupItem("products", _("No products in the catalogue yet."), link("products"))
        )
    if (
        policies.can_publish_agreements(membership)
        and agreement is not None
        and agreement.agreement_id is None
    ):
        home.setup.append(
            SetupItem("agreement", _("No partner agreement published yet."), link("agreements"))
        )
    if policies.can_edit_tiers(membership) and partner_queues.tiers_missing(membership=membership):
        home.setup.append(SetupItem("tiers", _("No partner tiers defined yet."), link("tiers")))
    if policies.can_manage_team(membership) and policies.can_invite_people(membership):
        home.people = partner_queues.active_people(membership=membership)
        q = partner_queues.pending_invitations(membership=membership)
        label = ngettext(
            "%(count)d invitation not accepted yet",
            "%(count)d invitations not accepted yet",
            q.count,
        )
        queues.append(
            Queue("invitations", label % {"count": q.count}, q.count, link("team"), q.oldest)
        )
    return queues


def console_home(*, membership: Membership, tenant_slug: str) -> ConsoleHome:
    """The member's home: the queues of every capability the member holds."""
    link = _Links(tenant_slug)
    home = ConsoleHome()
    agreement = None
    if policies.can_manage_partners(membership) or policies.can_publish_agreements(membership):
        agreement = partner_queues.agreement_state()
    queues = _channel_queues(membership, link, home, agreement)
    queues += _finance_queues(membership, link)
    queues += _admin_queues(membership, link, home, agreement)
    home.queues = ordered(queues)
    return home
