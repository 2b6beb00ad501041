"""Partner admins run their own team; nobody else's."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from partners.models import PartnerInvitation
from partners.services.people import membership_deactivate
from prm.models import Invitation, Membership
from prm.tenancy import tenant_context


def _action(world, member):
    return reverse(
        "portal:team_member_action", kwargs={"tenant_slug": "vendor-a", "member_id": member.pk}
    )


def _member(world, member):
    with tenant_context(world.a.pk):
        return Membership.objects.get(pk=member.pk)


def test_partner_admin_invites_into_their_own_organisation(client, world):
    client.force_login(world.p_admin.user)
    response = client.post(
        reverse("portal:team", kwargs={"tenant_slug": "vendor-a"}),
        {"email": "new@p.test", "role": "partner_rep", "partner": world.q.pk},
    )  # a smuggled partner is ignored
    assert response.status_code == 302
    with tenant_context(world.a.pk):
        invitation = Invitation.objects.get(email="new@p.test")
        assert invitation.partner_link.partner_id == world.p.pk


def test_partner_admins_cannot_invite_vendor_roles(client, world):
    client.force_login(world.p_admin.user)
    response = client.post(
        reverse("portal:team", kwargs={"tenant_slug": "vendor-a"}),
        {"email": "boss@p.test", "role": "vendor_admin"},
    )
    assert response.status_code == 400
    with tenant_context(world.a.pk):
        assert not Invitation.objects.filter(email="boss@p.test").exists()


def test_reps_cannot_invite_or_manage(client, world):
    client.force_login(world.p_rep.user)
    assert (
        client.post(
            reverse("portal:team", kwargs={"tenant_slug": "vendor-a"}),
            {"email": "x@p.test", "role": "partner_rep"},
        ).status_code
        == 403
    )
    assert client.post(_action(world, world.p_admin), {"action": "deactivate"}).status_code == 403


def test_deactivated_rep_loses_access_at_once_and_keeps_records(client, world):
    client.force_login(world.p_admin.user)
    assert client.post(_action(world, world.p_rep), {"action": "deactivate"}).status_code == 302
    assert _member(world, world.p_rep).is_active is False
    rep = client.__class__()
    rep.force_login(world.p_rep.user)
    assert (
        rep.get(reverse("portal:dashboard", kwargs={"tenant_slug": "vendor-a"})).status_code == 404
    )
    client.post(_action(world, world.p_rep), {"action": "reactivate"})
    assert (
        rep.get(reverse("portal:dashboard", kwargs={"tenant_slug": "vendor-a"})).status_code == 200
    )


def test_role_changes_stay_within_partner_roles_and_keep_an_admin(client, world):
    client.force_login(world.p_admin.user)
    assert (
        client.post(
            _action(world, world.p_rep), {"action": "role", "role": "partner_admin"}
        ).status_code
        == 302
    )
    assert _member(world, world.p_rep).role == "partner_admin"
    assert (
        client.post(
            _action(world, world.p_rep), {"action": "role", "role": "vendor_admin"}
        ).status_code
        == 400
    )
    assert (
        client.post(
            _action(world, world.p_admin), {"action": "role", "role": "partner_rep"}
        ).status_code
        == 400
    )  # not yourself
    assert _member(world, world.p_rep).role == "partner_admin"


def test_the_last_partner_admin_cannot_be_removed(world):
    with tenant_context(world.a.pk):
        with pytest.raises(ValidationError, match="at least one active partner admin"):
            membership_deactivate(member=world.p_admin, by=world.vendor_admin)
        assert Membership.objects.get(pk=world.p_admin.pk).is_active


def test_an_admin_of_p_cannot_touch_q(client, world):
    client.force_login(world.p_admin.user)
    assert client.post(_action(world, world.q_rep), {"action": "deactivate"}).status_code == 404
    assert _member(world, world.q_rep).is_active is True
    invitation_of_q = reverse(
        "portal:invitation_revoke",
        kwargs={"tenant_slug": "vendor-a", "invitation_id": world.a_invitation.pk},
    )
    # The world's invitation is for P; one for Q must be out of reach.
    with tenant_context(world.a.pk):
        PartnerInvitation.objects.filter(invitation=world.a_invitation).update(partner=world.q)
    assert client.post(invitation_of_q).status_code == 404


def test_the_service_refuses_a_partner_of_another_tenant(world):
    from partners.services.people import person_invite

    with tenant_context(world.a.pk):
        with pytest.raises(ValidationError) as refused:
            person_invite(
                by=world.vendor_admin,
                email="stray@b.test",
                role="partner_rep",
                partner=world.b_partner,
            )
        assert "partner" in refused.value.message_dict
        assert not Invitation.objects.filter(email="stray@b.test").exists()
