"""People of a partner at the same moment, on two real connections: the rules
about admins and invitations hold, and nobody gets a 500."""

import pytest
from django.core.exceptions import ValidationError

from partners.services.people import membership_change_role, membership_deactivate, person_invite
from prm.models import Invitation, Membership
from prm.roles import Role
from prm.tenancy import tenant_context
from tests.concurrency import run_together
from tests.world import make_member


def _active_admins(world, partner):
    with tenant_context(world.a.pk):
        return Membership.objects.filter(
            partner_link__partner=partner, role=Role.PARTNER_ADMIN, is_active=True
        ).count()


def _second_admin(world):
    return make_member(world.a, "second.admin@p.test", Role.PARTNER_ADMIN, world.p)


@pytest.mark.parametrize("attempt", range(3))
def test_two_admins_removing_each_other_leave_one(tx_world, attempt):
    w = tx_world
    other = _second_admin(w)

    def remove(member, by):
        def job():
            with tenant_context(w.a.pk):
                membership_deactivate(member=member, by=by)
            return "removed"

        return job

    outcomes = run_together(remove(other, w.p_admin), remove(w.p_admin, other))
    assert sorted(map(type, outcomes), key=str) == sorted([str, ValidationError], key=str)
    assert _active_admins(w, w.p) == 1


def test_demoting_each_other_at_once_leaves_an_admin(tx_world):
    w = tx_world
    other = _second_admin(w)

    def demote(member, by):
        def job():
            with tenant_context(w.a.pk):
                membership_change_role(member=member, role=Role.PARTNER_REP, by=by)
            return "demoted"

        return job

    outcomes = run_together(demote(other, w.p_admin), demote(w.p_admin, other))
    assert [o for o in outcomes if o == "demoted"] == ["demoted"]
    assert _active_admins(w, w.p) == 1


def test_the_same_invitation_sent_twice_at_once_is_one_invitation(tx_world):
    w = tx_world

    def invite():
        with tenant_context(w.a.pk):
            person_invite(by=w.vendor_admin, email="twice@p.test", role="partner_rep", partner=w.p)
        return "invited"

    outcomes = run_together(invite, invite)
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert outcomes.count("invited") == 1 and len(refused) == 1
    assert "already pending" in " ".join(refused[0].messages)
    with tenant_context(w.a.pk):
        assert Invitation.objects.filter(email="twice@p.test").count() == 1
