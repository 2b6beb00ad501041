"""The notifications of partners: a new agreement to accept (and partners that
cannot, having no active admin), an application to review, an onboarding
step past its due date, news from the vendor (a published announcement).

Kinds are registered at start-up; the ``notify_*`` helpers are called by the
services inside their transaction, so a notification exists exactly when the
action does.  ``partner_admin_ids`` is also how other apps find who speaks
for a partner."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from prm.models import EmailChoice, Membership
from prm.notifications import NotificationKind, day, notification_kind_register, notify
from prm.policies import can_accept_agreement, can_manage_partners, can_review_applications
from prm.roles import PARTNER_ROLES, Role
from prm.selectors import member_ids_holding

from .models import Agreement, Announcement, PartnerApplication, PartnerOnboardingStep

AGREEMENT_PUBLISHED = "agreement_published"
AGREEMENT_NO_ADMIN = "agreement_no_admin"
APPLICATION_RECEIVED = "application_received"
ONBOARDING_STEP_OVERDUE = "onboarding_step_overdue"
ANNOUNCEMENT_PUBLISHED = "announcement_published"
# How much of an announcement's text its notification carries.
ANNOUNCEMENT_EXCERPT_CHARS = 300


def register_notifications() -> None:
    agreements = gettext_lazy("Partner agreement")
    for kind in (
        NotificationKind(
            key=AGREEMENT_PUBLISHED,
            label=gettext_lazy("A new partner agreement needs your acceptance"),
            roles=can_accept_agreement.roles,
            group=agreements,
            title=lambda p: (
                _("Version %(version)s of “%(title)s” needs your acceptance")
                % {"version": p["version"], "title": p["title"]}
            ),
            body=lambda p: (
                _("Accept it by %(date)s to keep registering deals and receiving payouts.")
                % {"date": day(p["accept_by"])}
                if p.get("accept_by")
                else _("Accept it to keep registering deals and receiving payouts.")
            ),
        ),
        NotificationKind(
            key=AGREEMENT_NO_ADMIN,
            label=gettext_lazy("Partners without an admin cannot accept a new agreement"),
            roles=can_manage_partners.roles,
            group=agreements,
            title=lambda p: (
                ngettext(
                    "%(count)s partner cannot accept version %(version)s: it has no "
                    "active partner admin",
                    "%(count)s partners cannot accept version %(version)s: they have no "
                    "active partner admin",
                    p["count"],
                )
                % {"count": p["count"], "version": p["version"]}
            ),
            body=lambda p: (
                _(
                    "Invite or reactivate a partner admin for each of them, "
                    "so that they can accept “%(title)s”."
                )
                % {"title": p["title"]}
            ),
        ),
        NotificationKind(
            key=APPLICATION_RECEIVED,
            label=gettext_lazy("A partner application waits for review"),
            roles=can_review_applications.roles,
            group=gettext_lazy("Recruitment"),
            default_email=EmailChoice.DIGEST,
            title=lambda p: (
                _("%(company)s applied to the partner program") % {"company": p["company"]}
            ),
            body=lambda p: _("Score: %(score)s") % {"score": p["score"]},
        ),
        NotificationKind(
            key=ONBOARDING_STEP_OVERDUE,
            label=gettext_lazy("An onboarding step is overdue"),
            roles=frozenset({Role.PARTNER_ADMIN}),
            group=gettext_lazy("Onboarding"),
            title=lambda p: _("Onboarding step overdue: %(step)s") % {"step": p["step"]},
            body=lambda p: (
                _("It was due on %(date)s. Finish it to complete your onboarding.")
                % {"date": p["due_on"]}
            ),
        ),
        NotificationKind(
            key=ANNOUNCEMENT_PUBLISHED,
            label=gettext_lazy("News from the vendor"),
            roles=PARTNER_ROLES,
            group=gettext_lazy("Announcements"),
            title=lambda p: p["title"],
            body=lambda p: p.get("excerpt", ""),
        ),
    ):
        notification_kind_register(kind)


def partner_admin_ids(partner_ids: Iterable[int]) -> dict[int, list[int]]:
    """Each partner's active partner admins (membership ids), in one query."""
    found: dict[int, list[int]] = defaultdict(list)
    rows = (
        Membership.objects.filter(
            partner_link__partner_id__in=list(partner_ids),
            role=Role.PARTNER_ADMIN,
            is_active=True,
        )
        .order_by("pk")
        .values_list("partner_link__partner_id", "pk")
    )
    for partner_id, membership_id in rows:
        found[partner_id].append(membership_id)
    return dict(found)


def notify_agreement_published(agreement: Agreement, partner_ids: list[int]) -> None:
    """Ask the active admins of ``partner_ids`` to accept; tell the people who
    manage partners how many of them have no admin to do it."""
    admins = partner_admin_ids(partner_ids)
    params = {
        "title": agreement.title,
        "version": agreement.version,
        "accept_by": agreement.accept_by.isoformat() if agreement.accept_by else "",
    }
    notify(
        AGREEMENT_PUBLISHED,
        recipients=[pk for ids in admins.values() for pk in ids],
        event=f"agreement:{agreement.pk}:published",
        params=params,
        link="partner_agreement",
    )
    without = len(set(partner_ids) - set(admins))
    if without:
        notify(
            AGREEMENT_NO_ADMIN,
            recipients=member_ids_holding(can_manage_partners),
            event=f"agreement:{agreement.pk}:no_admin",
            params={**params, "count": without},
            link="console_agreement",
            link_params={"agreement_id": agreement.pk},
        )


def notify_application_received(application: PartnerApplication) -> None:
    notify(
        APPLICATION_RECEIVED,
        recipients=member_ids_holding(can_review_applications),
        event=f"application:{application.pk}:submitted",
        params={"company": application.company_name, "score": str(application.score)},
        link="console_application",
        link_params={"application_id": application.pk},
    )


def notify_onboarding_steps_overdue(steps: Iterable[PartnerOnboardingStep]) -> int:
    """Tell each step's partner admins that it is overdue, once per step;
    ``steps`` come with ``step`` and ``onboarding`` loaded.  Returns how
    many notifications were written now."""
    steps = list(steps)
    admins = partner_admin_ids({s.onboarding.partner_id for s in steps})
    written = 0
    for partner_step in steps:
        written += len(
            notify(
                ONBOARDING_STEP_OVERDUE,
                recipients=admins.get(partner_step.onboarding.partner_id, []),
                event=f"onboarding_step:{partner_step.pk}:overdue",
                params={
                    "step": partner_step.step.title,
                    "due_on": partner_step.due_on.isoformat(),
                },
                link="partner_onboarding",
            )
        )
    return written


def notify_announcement_published(
    announcement: Announcement, recipients: Iterable[int], *, email: bool
) -> list[int]:
    """Tell ``recipients`` (the audience's people) of a published announcement,
    in one statement, once per announcement whatever happens to it later.
    With ``email`` each person's e-mail choice for the kind applies; without
    it the notification stays in the inbox only."""
    return notify(
        ANNOUNCEMENT_PUBLISHED,
        recipients=recipients,
        event=f"announcement:{announcement.pk}:published",
        params={
            "title": announcement.title,
            "excerpt": Truncator(announcement.body.strip()).chars(ANNOUNCEMENT_EXCERPT_CHARS),
        },
        link="partner_announcement",
        link_params={"announcement_id": announcement.pk},
        email=email,
    )
