"""Reads about agreements and who has accepted them."""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from ..models import Agreement, AgreementAcceptance, Partner, PartnerStatus

ACCEPTING_STATUSES = (PartnerStatus.ACTIVE, PartnerStatus.ONBOARDING)


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
    """Partners flagged for missing the current agreement's deadline."""
    current = current_agreement()
    if current is None or current.accept_by is None or current.accept_by >= timezone.localdate():
        return Partner.objects.none()
    return partners_pending_acceptance(agreement=current)


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
