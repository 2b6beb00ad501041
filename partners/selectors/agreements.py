"""Reads about agreements and who has accepted them.

Publishing a new version does not freeze the channel: each partner has its
own accept-by date and keeps registering deals until it passes.  The date is
the version's ``accept_by`` (or ``NO_DATE_WINDOW`` days after publication
when the vendor set none); a partner that joined the program after the
version was published gets the same window from the day it joined (at least
``MIN_WINDOW`` days), so its date is never in the past when it arrives.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import (
    Count,
    DateField,
    DateTimeField,
    Exists,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Greatest
from django.http import Http404
from django.utils import timezone

from prm.models import Membership
from prm.roles import Role

from ..models import Agreement, AgreementAcceptance, Partner, PartnerStatus, PartnerStatusChange

ACCEPTING_STATUSES = (PartnerStatus.ACTIVE, PartnerStatus.ONBOARDING)
NO_DATE_WINDOW = 30
MIN_WINDOW = 14


@dataclass(frozen=True)
class AgreementStanding:
    """Where one partner stands with the current agreement."""

    agreement: Agreement | None
    accepted: bool
    deadline: datetime.date | None

    @property
    def blocked(self) -> bool:
        """Past its own accept-by date without accepting: no new registrations."""
        return (
            self.agreement is not None
            and not self.accepted
            and self.deadline is not None
            and self.deadline < timezone.localdate()
        )

    @property
    def to_accept(self) -> bool:
        return self.agreement is not None and not self.accepted


def _window_days(agreement: Agreement) -> int:
    if agreement.accept_by is None:
        return NO_DATE_WINDOW
    days = (agreement.accept_by - timezone.localdate(agreement.published_at)).days
    return max(days, MIN_WINDOW)


def _version_deadline(agreement: Agreement) -> datetime.date:
    if agreement.accept_by is not None:
        return agreement.accept_by
    return timezone.localdate(agreement.published_at) + datetime.timedelta(days=NO_DATE_WINDOW)


def _joined_on():
    """When each partner entered the program (first became onboarding or active)."""
    first = (
        PartnerStatusChange.objects.filter(partner=OuterRef("pk"), to_status__in=ACCEPTING_STATUSES)
        .order_by()
        .values("partner")
        .annotate(first=Min("created_at"))
        .values("first")
    )
    return Coalesce(Subquery(first, output_field=DateTimeField()), F("created_at"))


def _with_deadline(partners: QuerySet[Partner], agreement: Agreement) -> QuerySet[Partner]:
    """Annotate ``accept_deadline``: the version's date, or the joining day plus
    the version's window for a partner that joined after it was published."""
    joined = Cast(_joined_on(), output_field=DateField())
    return partners.annotate(
        accept_deadline=Greatest(
            Value(_version_deadline(agreement), output_field=DateField()),
            Cast(
                joined + Value(datetime.timedelta(days=_window_days(agreement))),
                output_field=DateField(),
            ),
            output_field=DateField(),
        )
    )


def agreement_standing(*, partner: Partner) -> AgreementStanding:
    """The current version, whether the partner accepted it, and its own accept-by date."""
    current = current_agreement()
    if current is None:
        return AgreementStanding(None, True, None)
    accepted = AgreementAcceptance.objects.filter(agreement=current, partner=partner).exists()
    deadline = (
        _with_deadline(Partner.objects.filter(pk=partner.pk), current)
        .values_list("accept_deadline", flat=True)
        .first()
    )
    return AgreementStanding(current, accepted, deadline)


def current_agreement() -> Agreement | None:
    """The highest published version, or None."""
    return Agreement.objects.order_by("-version").first()


def partner_has_accepted_current(*, partner: Partner) -> bool:
    """The gate for registering deals and receiving payouts: true when the
    vendor has no agreement or the partner accepted the current version."""
    current = current_agreement()
    if current is None:
        return True
    return AgreementAcceptance.objects.filter(agreement=current, partner=partner).exists()


def agreement_list() -> QuerySet[Agreement]:
    return (
        Agreement.objects.select_related("published_by")
        .annotate(accepted=Count("acceptances"))
        .order_by("-version")
    )


def agreement_get(*, agreement_id: int) -> Agreement:
    agreement = Agreement.objects.filter(pk=agreement_id).first()
    if agreement is None:
        raise Http404
    return agreement


def partners_pending_acceptance(*, agreement: Agreement) -> QuerySet[Partner]:
    """Active and onboarding partners that have not accepted ``agreement``."""
    accepted = AgreementAcceptance.objects.filter(agreement=agreement, partner=OuterRef("pk"))
    return Partner.objects.filter(status__in=ACCEPTING_STATUSES).exclude(Exists(accepted))


def partners_past_deadline() -> QuerySet[Partner]:
    """Partners past their own accept-by date of the current agreement without
    accepting it: they cannot register deals until they do."""
    current = current_agreement()
    if current is None:
        return Partner.objects.none()
    return _with_deadline(partners_pending_acceptance(agreement=current), current).filter(
        accept_deadline__lt=timezone.localdate()
    )


def partners_without_admin() -> QuerySet[Partner]:
    """Active and onboarding partners with no active partner admin: nobody
    there can accept an agreement."""
    admins = Membership.objects.filter(
        partner_link__partner=OuterRef("pk"), role=Role.PARTNER_ADMIN, is_active=True
    )
    return Partner.objects.filter(status__in=ACCEPTING_STATUSES).exclude(Exists(admins))


def acceptances_of(*, agreement: Agreement) -> QuerySet[AgreementAcceptance]:
    return agreement.acceptances.select_related("partner", "user").order_by("partner__name")


def acceptance_of(*, partner: Partner, agreement: Agreement | None):
    if agreement is None:
        return None
    return (
        AgreementAcceptance.objects.filter(Q(agreement=agreement) & Q(partner=partner))
        .select_related("user")
        .first()
    )
