"""Matching partners to the audience of an announcement or survey, in SQL.

Targeting rule: each audience list that is empty matches every partner; a
non-empty one must contain the partner's tier, type or segment, or share at
least one region with the partner.  All lists must match.  ``AudienceTest``
evaluates it, so the same expression serves the portal (one partner against
many rows), the console's "targeted people" counts (each row against every
partner) and the e-mail fan-out (one row against every partner)."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db.models import (
    BigIntegerField,
    BooleanField,
    CharField,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.http import Http404

from prm.models import Membership
from prm.roles import PARTNER_ROLES

from ..models import (
    Announcement,
    Partner,
    PartnerStatus,
    Survey,
)


class AudienceTest(Func):
    """SQL: the audience list ``targets`` is empty, or matches ``value``.

    With ``overlap`` the value is an array that must share an element with the
    list; otherwise it is a scalar that must be in the list.  A NULL value
    (a partner without tier or segment) never matches a non-empty list.
    """

    output_field = BooleanField()

    def __init__(self, targets, value, *, element: str, overlap: bool = False):
        super().__init__(targets, value)
        self.element = element
        self.overlap = overlap

    def as_sql(self, compiler, connection, **extra_context):
        targets, t_params = compiler.compile(self.source_expressions[0])
        value, v_params = compiler.compile(self.source_expressions[1])
        array = f"({targets})::{self.element}[]"
        if self.overlap:
            test, params = f"{array} && ({value})::{self.element}[]", [*t_params, *v_params]
        else:
            test, params = f"({value})::{self.element} = ANY({array})", [*v_params, *t_params]
        return f"(cardinality({array}) = 0 OR COALESCE({test}, false))", [*t_params, *params]


# (audience column, partner column, SQL element type, compare as overlap)
AUDIENCE_COLUMNS = (
    ("target_tier_ids", "tier_id", "bigint", False),
    ("target_types", "partner_type", "text", False),
    ("target_regions", "regions", "text", True),
    ("target_segments", "segment", "text", False),
)


def _audience_match(target, partner) -> Q:
    """Combine the four list tests; ``target``/``partner`` turn a column name into
    an expression on the audience row and on the partner."""
    condition = Q()
    for target_column, partner_column, element, overlap in AUDIENCE_COLUMNS:
        condition &= Q(
            AudienceTest(
                target(target_column), partner(partner_column), element=element, overlap=overlap
            )
        )
    return condition


def audience_includes_partner(partner: Partner) -> Q:
    """Filter over announcements or surveys: those whose audience includes ``partner``."""
    values = {
        "tier_id": Value(partner.tier_id, output_field=BigIntegerField()),
        "partner_type": Value(partner.partner_type, output_field=CharField()),
        "regions": Value(list(partner.regions), output_field=ArrayField(CharField())),
        "segment": Value(partner.segment or None, output_field=CharField()),
    }
    return _audience_match(F, values.__getitem__)


def _audience_value(audience, column: str):
    element = BigIntegerField() if column == "target_tier_ids" else CharField()
    return Value(list(getattr(audience, column)), output_field=ArrayField(element))


def audience_members(audience: Announcement | Survey) -> QuerySet[Membership]:
    """Active partner people whose organisation is in the audience (terminated
    partners excluded), each once."""
    return Membership.objects.filter(
        _audience_match(
            lambda column: _audience_value(audience, column),
            lambda column: F(f"partner_link__partner__{column}"),
        ),
        role__in=sorted(PARTNER_ROLES),
        is_active=True,
        user__is_active=True,
    ).exclude(partner_link__partner__status=PartnerStatus.TERMINATED)


# COUNT(*) as a plain function, so a correlated subquery gets no GROUP BY.
_SQL_COUNT = Func(Value(1), function="COUNT", output_field=IntegerField())


def targeted_people_count() -> Subquery:
    """Correlated count of active partner people in the outer row's audience."""
    people = (
        Membership.objects.filter(
            _audience_match(OuterRef, lambda column: F(f"partner_link__partner__{column}")),
            role__in=sorted(PARTNER_ROLES),
            is_active=True,
            user__is_active=True,
        )
        .exclude(partner_link__partner__status=PartnerStatus.TERMINATED)
        .order_by()
        .annotate(n=_SQL_COUNT)
        .values("n")
    )
    return Subquery(people, output_field=IntegerField())


def count_of(queryset: QuerySet, outer: str) -> Subquery:
    counted = queryset.filter(**{outer: OuterRef("pk")}).order_by().annotate(n=_SQL_COUNT)
    counted = counted.values("n")
    return Subquery(counted, output_field=IntegerField())


def vendor_only(membership: Membership) -> None:
    if not membership.is_vendor:
        raise Http404
