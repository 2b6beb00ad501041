"""The partner portal's home page: what this person should do today.

Each app's ``selectors.partner_todo`` reads its part, narrowed to what the
acting membership may see and capped (the first rows and the total of each
list, one query each).  This module turns the rows into ``TodoItem``s — a
kind, a title, the deadline with a humanised countdown, an urgency and the
link to the page where it is done — sorts them most urgent first (overdue,
then the soonest deadline; items without a deadline after them) and adds
"and N more" links and the summary strip (earnings this period, the next
rebate bracket, the next tier).

The page runs a fixed number of queries whatever the data size.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from deals.selectors import partner_todo as deal_todo
from incentives.selectors import partner_todo as incentive_todo
from incentives.selectors.earnings import Estimate
from partners.selectors import partner_todo as partner_todo
from partners.selectors.partner_todo import Capped, TierDistance
from prm.models import Membership, Tenant
from prm.notifications import title_of
from prm.selectors import unread_notifications_of

from .templatetags.money import money

HOUR = 3600
DAY = 24 * HOUR
SOON = datetime.timedelta(days=3)
DETAIL_CHARS = 140

# The order of kinds among items with the same deadline (or without one).
KINDS = (
    "lead_offer",
    "registration_expiring",
    "registration_question",
    "agreement",
    "onboarding_step",
    "mdf_claim",
    "mdf_changes",
    "announcement",
)
KIND_RANK = {kind: rank for rank, kind in enumerate(KINDS)}


@dataclass(frozen=True)
class TodoItem:
    kind: str
    title: str
    url: str
    due: datetime.datetime | None = None  # the deadline as a moment (sorting)
    due_day: datetime.date | None = None  # a deadline given as a day
    urgency: str = "none"  # "overdue", "today", "soon", "later", "none" or "info"
    countdown: str = ""  # "in 3 hours", "2 days overdue", "today"
    due_label: str = ""  # what happens at the deadline: "Protection ends"
    detail: str = ""
    since: datetime.datetime | None = None  # waiting since (items without a deadline)
    is_action: bool = True  # False: information only (someone else acts)
    people: tuple[str, ...] = ()


@dataclass(frozen=True)
class More:
    kind: str
    text: str
    url: str


@dataclass
class PartnerHome:
    items: list[TodoItem]
    more: list[More]
    earnings: list[Estimate]
    tier: TierDistance | None
    tier_lines: list[str]
    team_size: int
    # Decisions since the person's last visit: filled from the notifications
    # inbox (another change); empty until then.
    recent_decisions: list = field(default_factory=list)


# --- time ------------------------------------------------------------------------------


def countdown(due: datetime.datetime, now: datetime.datetime) -> str:
    """A moment as a countdown: "in 3 hours", "in 2 days", "5 hours overdue",
    to the nearest unit (1 h 59 min left reads "in 2 hours")."""
    seconds = (due - now).total_seconds()
    late, seconds = seconds <= 0, abs(seconds)
    if seconds >= 2 * DAY:
        n = round(seconds / DAY)
        if late:
            return ngettext("%(n)d day overdue", "%(n)d days overdue", n) % {"n": n}
        return ngettext("in %(n)d day", "in %(n)d days", n) % {"n": n}
    if seconds >= HOUR:
        n = round(seconds / HOUR)
        if late:
            return ngettext("%(n)d hour overdue", "%(n)d hours overdue", n) % {"n": n}
        return ngettext("in %(n)d hour", "in %(n)d hours", n) % {"n": n}
    n = max(round(seconds / 60), 1)
    if late:
        return ngettext("%(n)d minute overdue", "%(n)d minutes overdue", n) % {"n": n}
    return ngettext("in %(n)d minute", "in %(n)d minutes", n) % {"n": n}


def day_countdown(day: datetime.date, today: datetime.date) -> str:
    """A deadline day as a countdown: "today", "in 3 days", "2 days overdue"."""
    n = (day - today).days
    if n == 0:
        return _("today")
    if n > 0:
        return ngettext("in %(n)d day", "in %(n)d days", n) % {"n": n}
    return ngettext("%(n)d day overdue", "%(n)d days overdue", -n) % {"n": -n}


def end_of(day: datetime.date) -> datetime.datetime:
    """The moment a deadline day is over (the start of the next day, local time)."""
    return timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    )


def urgency(due: datetime.datetime | None, now: datetime.datetime) -> str:
    if due is None:
        return "none"
    left = due - now
    if left <= datetime.timedelta(0):
        return "overdue"
    if left <= datetime.timedelta(days=1):
        return "today"
    if left <= SOON:
        return "soon"
    return "later"


def _moment_item(kind: str, due: datetime.datetime, now: datetime.datetime, **fields) -> TodoItem:
    return TodoItem(
        kind=kind, due=due, urgency=urgency(due, now), countdown=countdown(due, now), **fields
    )


def _day_item(kind: str, day: datetime.date | None, now: datetime.datetime, **fields) -> TodoItem:
    if day is None:
        return TodoItem(kind=kind, **fields)
    due = end_of(day)
    return TodoItem(
        kind=kind,
        due=due,
        due_day=day,
        urgency=urgency(due, now),
        countdown=day_countdown(day, timezone.localdate(now)),
        **fields,
    )


def sort_key(item: TodoItem):
    return (
        item.due is None,
        item.due.timestamp() if item.due else math.inf,
        KIND_RANK.get(item.kind, len(KINDS)),
        item.since.timestamp() if item.since else 0,
        item.title,
    )


def _short(text: str) -> str:
    return Truncator(" ".join((text or "").split())).chars(DETAIL_CHARS)


# --- the items of each kind ------------------------------------------------------------


class _Urls:
    def __init__(self, tenant: Tenant):
        self.slug = tenant.slug

    def __call__(self, name: str, **params) -> str:
        return reverse(f"portal:{name}", kwargs={"tenant_slug": self.slug, **params})


def _lead_offers(offers: Capped, url: _Urls, now) -> list[TodoItem]:
    items = []
    for offer in offers.rows:
        lead = offer.lead
        detail = ""
        if lead.estimated_value is not None:
            detail = _("Estimated value %(value)s") % {
                "value": money(lead.estimated_value, lead.currency)
            }
        items.append(
            _moment_item(
                "lead_offer",
                offer.due_at,
                now,
                title=_("Accept or decline the lead %(company)s") % {"company": lead.company_name},
                url=url("lead_detail", lead_id=lead.pk),
                due_label=_("Reclaimed"),
                detail=detail,
            )
        )
    return items


def _expiring(registrations: Capped, url: _Urls, now) -> list[TodoItem]:
    return [
        _day_item(
            "registration_expiring",
            r.protected_until,
            now,
            title=_("Protection of %(customer)s ends") % {"customer": r.customer_name},
            url=url("registration", registration_id=r.pk),
            due_label=_("Protection ends"),
            detail=_("Report the deal won or lost, or ask for an extension."),
        )
        for r in registrations.rows
    ]


def _questioned(registrations: Capped, url: _Urls) -> list[TodoItem]:
    return [
        TodoItem(
            kind="registration_question",
            title=_("Answer the vendor's question about %(customer)s")
            % {"customer": r.customer_name},
            url=url("registration", registration_id=r.pk),
            urgency="none",
            detail=_short(r.question),
            since=r.decided_at,
        )
        for r in registrations.rows
    ]


def _agreement(due, url: _Urls, now) -> list[TodoItem]:
    if due is None:
        return []
    agreement = due.agreement
    fields = {"url": url("agreement"), "due_label": _("Accept by")}
    if due.may_accept:
        return [
            _day_item(
                "agreement",
                due.deadline,
                now,
                title=_("Accept version %(version)s of the program agreement")
                % {"version": agreement.version},
                detail=_("Until it is accepted, your organisation cannot register deals."),
                **fields,
            )
        ]
    names = tuple(str(person.user) for person in due.accepters)
    if names:
        detail = ngettext(
            "%(names)s can accept it for your organisation.",
            "%(names)s can accept it for your organisation.",
            len(names),
        ) % {"names": ", ".join(names)}
    else:
        detail = _("Nobody in your organisation can accept it yet; ask the vendor for help.")
    return [
        _day_item(
            "agreement",
            due.deadline,
            now,
            title=_("Version %(version)s of the program agreement waits for your organisation")
            % {"version": agreement.version},
            detail=detail,
            is_action=False,
            people=names,
            **fields,
        )
    ]


def _onboarding(steps: Capped, url: _Urls, now) -> list[TodoItem]:
    return [
        _day_item(
            "onboarding_step",
            s.due_on,
            now,
            title=_("Onboarding: %(step)s") % {"step": s.step.title},
            url=url("onboarding"),
            due_label=_("Step due"),
            detail=_short(s.step.description),
        )
        for s in steps.rows
    ]


def _mdf_claims(requests: Capped, url: _Urls, now) -> list[TodoItem]:
    return [
        _day_item(
            "mdf_claim",
            r.claim_deadline,
            now,
            title=_("Claim the MDF for %(activity)s") % {"activity": r.title},
            url=url("mdf_request", request_id=r.pk),
            due_label=_("Claim window closes"),
            detail=_("%(amount)s approved; claim it with proof of performance.")
            % {"amount": money(r.approved_amount, r.program.currency)},
        )
        for r in requests.rows
    ]


def _mdf_changes(requests: Capped, url: _Urls) -> list[TodoItem]:
    return [
        TodoItem(
            kind="mdf_changes",
            title=_("Change your MDF request %(activity)s") % {"activity": r.title},
            url=url("mdf_request", request_id=r.pk),
            detail=_short(r.decision_note),
            since=r.decided_at,
        )
        for r in requests.rows
    ]


def _announcements(announcements: Capped, url: _Urls) -> list[TodoItem]:
    return [
        TodoItem(
            kind="announcement",
            title=a.title,
            url=url("announcement", announcement_id=a.pk),
            urgency="info",
            detail=_("Pinned") if a.pinned else "",
            since=a.published_at,
        )
        for a in announcements.rows
    ]


def _more(kind: str, capped: Capped, text: str, url: str) -> list[More]:
    if not capped.more:
        return []
    return [More(kind=kind, text=text % {"n": capped.more}, url=url)]


# --- the summary strip -----------------------------------------------------------------


def tier_lines(tier: TierDistance | None, currency: str) -> list[str]:
    """What the next tier still needs, in words."""
    if tier is None or tier.next is None:
        return []
    lines = []
    for s in tier.shortfalls:
        if s.unit == "flag":
            lines.append(_("%(label)s: not done yet") % {"label": s.label})
        elif s.unit == "money":
            lines.append(
                _("%(label)s: %(missing)s to go")
                % {"label": s.label, "missing": money(s.missing, currency)}
            )
        else:
            lines.append(
                _("%(label)s: %(missing)s to go")
                % {"label": s.label, "missing": number_format(s.missing.normalize())}
            )
    return lines


# --- the page --------------------------------------------------------------------------


def partner_home(
    *, membership: Membership, tenant: Tenant, now: datetime.datetime | None = None
) -> PartnerHome:
    """Everything the partner home page shows for this person."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    url = _Urls(tenant)

    offers = deal_todo.lead_offers_waiting(membership=membership, now=now)
    expiring = deal_todo.registrations_expiring(
        membership=membership, today=today, days=deal_todo.reminder_days()
    )
    questioned = deal_todo.registrations_questioned(membership=membership)
    agreement = partner_todo.agreement_to_accept(membership=membership)
    steps = partner_todo.onboarding_steps_due(membership=membership, today=today)
    claims = incentive_todo.mdf_claims_closing(membership=membership, today=today)
    changes = incentive_todo.mdf_requests_sent_back(membership=membership)
    news = partner_todo.announcements_new(membership=membership, now=now)

    items = [
        *_lead_offers(offers, url, now),
        *_expiring(expiring, url, now),
        *_questioned(questioned, url),
        *_agreement(agreement, url, now),
        *_onboarding(steps, url, now),
        *_mdf_claims(claims, url, now),
        *_mdf_changes(changes, url),
        *_announcements(news, url),
    ]
    items.sort(key=sort_key)
    more = [
        *_more(
            "lead_offer",
            offers,
            ngettext("and %(n)d more lead offer", "and %(n)d more lead offers", offers.more),
            url("leads_inbox"),
        ),
        *_more(
            "registration_expiring",
            expiring,
            ngettext(
                "and %(n)d more registration ending soon",
                "and %(n)d more registrations ending soon",
                expiring.more,
            ),
            url("registrations") + "?status=approved",
        ),
        *_more(
            "registration_question",
            questioned,
            ngettext(
                "and %(n)d more registration with a question",
                "and %(n)d more registrations with a question",
                questioned.more,
            ),
            url("registrations") + "?status=more_info",
        ),
        *_more(
            "onboarding_step",
            steps,
            ngettext(
                "and %(n)d more onboarding step", "and %(n)d more onboarding steps", steps.more
            ),
            url("onboarding"),
        ),
        *_more(
            "mdf_claim",
            claims,
            ngettext("and %(n)d more MDF claim due", "and %(n)d more MDF claims due", claims.more),
            url("mdf"),
        ),
        *_more(
            "mdf_changes",
            changes,
            ngettext(
                "and %(n)d more MDF request to change",
                "and %(n)d more MDF requests to change",
                changes.more,
            ),
            url("mdf"),
        ),
        *_more(
            "announcement",
            news,
            ngettext("and %(n)d more announcement", "and %(n)d more announcements", news.more),
            url("announcements"),
        ),
    ]
    tier = partner_todo.tier_distance(membership=membership)
    return PartnerHome(
        items=items,
        more=more,
        earnings=incentive_todo.earnings_this_period(membership=membership, today=today),
        tier=tier,
        tier_lines=tier_lines(tier, tenant.default_currency),
        team_size=partner_todo.active_team_size(membership=membership),
        recent_decisions=recent_notifications(membership),
    )


def recent_notifications(membership: Membership, limit: int = 5) -> list:
    """What was decided or happened since the person last looked: their unread
    notifications, newest first, each with its title."""
    rows = unread_notifications_of(membership=membership, limit=limit)
    for notification in rows:
        notification.title = title_of(notification)
    return rows
