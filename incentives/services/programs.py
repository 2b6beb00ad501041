"""Defining incentive programs: drafts, activation, versions and closing.

An active program's rules never change: a change is a new draft version of
the same program, which replaces the active one when it is activated."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deals.models import Product
from partners.models import Tier
from prm.actions import action
from prm.actors import actor_user
from prm.audit import audit_record
from prm.models import Membership
from prm.policies import can_manage_programs

from ..models import (
    Program,
    ProgramBracket,
    ProgramProduct,
    ProgramRate,
    ProgramStatus,
    ProgramTier,
)
from ..program_rules import ProgramTerms, terms_check
from ..selectors.programs import SCALARS, program_terms
from ..states import program_rules_editable


def _check_references(terms: ProgramTerms) -> None:
    """Tiers and products named by the terms exist in this tenant."""
    errors = {}
    tier_ids = set(terms.eligible_tier_ids) | {r.tier_id for r in terms.rates if r.tier_id}
    product_ids = set(terms.eligible_product_ids) | {
        r.product_id for r in terms.rates if r.product_id
    }
    if tier_ids and Tier.objects.filter(pk__in=tier_ids).count() != len(tier_ids):
        errors["eligible_tiers"] = _("Choose tiers of this program.")
    if product_ids and Product.objects.filter(pk__in=product_ids).count() != len(product_ids):
        errors["eligible_products"] = _("Choose products of the catalogue.")
    if errors:
        raise ValidationError(errors)


def _write_rules(program: Program, terms: ProgramTerms) -> None:
    for name in SCALARS:
        setattr(program, name, getattr(terms, name))
    program.eligible_types = list(terms.eligible_types)
    program.eligible_countries = [c.upper() for c in terms.eligible_countries]
    program.eligible_regions = list(terms.eligible_regions)
    if program.kind != "rebate":
        program.rebate_method = ""
    if program.kind != "mdf":
        program.mdf_allocation = ""
    program.save()
    for model in (ProgramBracket, ProgramRate, ProgramTier, ProgramProduct):
        model.objects.filter(program=program).delete()
    ProgramBracket.objects.bulk_create(
        ProgramBracket(program=program, threshold=b.threshold, rate=b.rate) for b in terms.brackets
    )
    ProgramRate.objects.bulk_create(
        ProgramRate(
            program=program,
            product_id=r.product_id,
            tier_id=r.tier_id,
            percent=r.percent,
            fixed_amount=r.fixed_amount,
        )
        for r in terms.rates
    )
    ProgramTier.objects.bulk_create(
        ProgramTier(program=program, tier_id=t) for t in set(terms.eligible_tier_ids)
    )
    ProgramProduct.objects.bulk_create(
        ProgramProduct(program=program, product_id=p) for p in set(terms.eligible_product_ids)
    )


@action(can_manage_programs)
def program_create(*, terms: ProgramTerms, by: Membership) -> Program:
    """A new program, as a draft."""
    terms_check(terms)
    _check_references(terms)
    with transaction.atomic():
        program = Program()
        _write_rules(program, terms)
        program.family = program
        program.save(update_fields=["family"])
        audit_record(actor=by.user, action="program.created", target=program)
    return program


@action(can_manage_programs)
def program_update(*, program: Program, terms: ProgramTerms, by: Membership) -> Program:
    """Change a draft's terms.  Refused once the program is active: make a new
    version instead."""
    terms_check(terms)
    _check_references(terms)
    with transaction.atomic():
        program = Program.objects.select_for_update().get(pk=program.pk)
        if not program_rules_editable(program):
            raise ValidationError(
                _(
                    "This program is %(status)s: its rules cannot change. Make a new version "
                    "of it instead."
                )
                % {"status": program.get_status_display().lower()}
            )
        _write_rules(program, terms)
        audit_record(actor=by.user, action="program.updated", target=program)
    return program


@action(can_manage_programs)
def program_new_version(*, program: Program, by: Membership) -> Program:
    """A draft copy of the program's rules as its next version; the running
    version stays active until the new one is activated."""
    with transaction.atomic():
        family = program.family or program
        latest = Program.objects.filter(family=family).order_by("-version").first()
        if Program.objects.filter(family=family, status=ProgramStatus.DRAFT).exists():
            raise ValidationError(_("A draft version of this program exists already."))
        draft = Program(family=family, version=latest.version + 1)
        try:
            with transaction.atomic():
                _write_rules(draft, program_terms(latest))
        except IntegrityError as error:
            raise ValidationError(_("Someone made a new version at the same moment.")) from error
        audit_record(actor=by.user, action="program.versioned", target=draft)
    return draft


@action(can_manage_programs)
def program_activate(*, program: Program, by: Membership) -> Program:
    """Draft → active.  A new version closes the version it replaces."""
    with transaction.atomic():
        program = Program.objects.select_for_update().get(pk=program.pk)
        if program.status != ProgramStatus.DRAFT:
            raise ValidationError(_("Only a draft can be activated."))
        terms_check(program_terms(program))
        now = timezone.now()
        replaced = Program.objects.filter(
            family=program.family, status=ProgramStatus.ACTIVE
        ).exclude(pk=program.pk)
        for old in replaced:
            audit_record(
                actor=by.user, action="program.replaced", target=old, by_version=program.version
            )
        replaced.update(status=ProgramStatus.CLOSED, closed_at=now)
        program.status, program.activated_at = ProgramStatus.ACTIVE, now
        program.save(update_fields=["status", "activated_at", "updated_at"])
        audit_record(actor=by.user, action="program.activated", target=program)
    return program


@action(can_manage_programs)
def program_close(*, program: Program, by: Membership) -> Program:
    """Active → closed: no new runs are scheduled; open runs can still be paid."""
    with transaction.atomic():
        program = Program.objects.select_for_update().get(pk=program.pk)
        if program.status != ProgramStatus.ACTIVE:
            raise ValidationError(_("Only an active program can be closed."))
        program.status, program.closed_at = ProgramStatus.CLOSED, timezone.now()
        program.save(update_fields=["status", "closed_at", "updated_at"])
        audit_record(actor=actor_user(by), action="program.closed", target=program)
    return program
