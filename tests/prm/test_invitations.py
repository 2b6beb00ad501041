"""Invitations: signed, expiring, single use; bad input changes nothing."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from prm import services
from prm.models import Invitation, Membership, User
from prm.roles import Role
from prm.selectors import memberships_of_user
from prm.tenancy import tenant_context
from tests.world import PASSWORD, invite


def _team_url(world):
    return reverse("console:team", kwargs={"tenant_slug": world.a.slug})


def _accept_url(invitation):
    return reverse("invitation_accept", args=[services.invitation_token(invitation=invitation)])


def _new_user_form():
    return {
        "full_name": "Ina Invitee",
        "password1": "A-long-pass-123",
        "password2": "A-long-pass-123",
    }


def test_vendor_admin_invites_through_the_console(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.vendor_admin.user)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            _team_url(world),
            {"email": "New.Rep@Example.test", "role": Role.PARTNER_REP, "partner": world.p.pk},
        )
    assert response.status_code == 302
    assert len(callbacks) == 1  # the e-mail task is enqueued only after commit
    with tenant_context(world.a.pk):
        invitation = Invitation.objects.get(email="new.rep@example.test")
        assert (invitation.role, invitation.partner_link.partner_id) == (
            Role.PARTNER_REP,
            world.p.pk,
        )
        services.invitation_send(invitation=invitation)
        invitation.refresh_from_db()
    assert invitation.sent_count == 1
    assert len(mail.outbox) == 1
    assert re.search(r"/invitations/[^/\s]+/", mail.outbox[0].body)


@pytest.mark.parametrize(
    "data, field",
    [
        ({"email": "not-an-email", "role": Role.PARTNER_REP}, "email"),
        ({"email": "x@example.test", "role": "emperor"}, "role"),
        ({"email": "x@example.test", "role": Role.PARTNER_REP}, "partner"),
        ({"email": "rep@q.test", "role": Role.PARTNER_REP, "partner": "P"}, "partner"),
        ({"email": "rep@q.test", "role": Role.FINANCE}, "email"),
    ],
)
def test_bad_invitations_are_refused_and_change_nothing(client, world, data, field):
    client.force_login(world.vendor_admin.user)
    with tenant_context(world.a.pk):
        before = Invitation.objects.count()
    response = client.post(_team_url(world), data)
    assert response.status_code == 400
    assert response.context["form"].errors.get(field), response.context["form"].errors
    with tenant_context(world.a.pk):
        assert Invitation.objects.count() == before


def test_partner_from_another_tenant_cannot_be_chosen(client, world):
    client.force_login(world.vendor_admin.user)
    response = client.post(
        _team_url(world),
        {"email": "x@example.test", "role": Role.PARTNER_REP, "partner": world.b_partner.pk},
    )
    assert response.status_code == 400
    assert "partner" in response.context["form"].errors


def test_channel_manager_cannot_invite_vendor_admins(client, world):
    client.force_login(world.channel_manager.user)
    response = client.post(
        _team_url(world), {"email": "boss@example.test", "role": Role.VENDOR_ADMIN}
    )
    assert response.status_code == 400


def test_finance_cannot_open_the_people_page(client, world):
    client.force_login(world.finance.user)
    assert client.get(_team_url(world)).status_code == 403


def test_new_person_accepts_and_lands_in_the_portal(client, world):
    response = client.post(_accept_url(world.a_invitation), _new_user_form())
    assert response.status_code == 302
    assert response["Location"] == reverse("tenant_root", kwargs={"tenant_slug": world.a.slug})
    user = User.objects.get(email="invitee@a.test")
    with tenant_context(world.a.pk):
        membership = Membership.objects.get(user=user)
        assert (membership.role, membership.partner_link.partner_id) == (
            Role.PARTNER_REP,
            world.p.pk,
        )
    assert client.get(response["Location"], follow=True).status_code == 200


def test_a_used_invitation_cannot_be_replayed(client, world):
    url = _accept_url(world.a_invitation)
    assert client.post(url, _new_user_form()).status_code == 302
    client.logout()
    assert client.get(url).status_code == 410
    assert client.post(url, _new_user_form()).status_code == 410
    with tenant_context(world.a.pk):
        assert Membership.objects.filter(user__email="invitee@a.test").count() == 1


def test_an_expired_invitation_is_refused(client, world):
    with tenant_context(world.a.pk):
        Invitation.objects.filter(pk=world.a_invitation.pk).update(
            expires_at=timezone.now() - timedelta(minutes=1)
        )
    assert client.post(_accept_url(world.a_invitation), _new_user_form()).status_code == 410
    assert not User.objects.filter(email="invitee@a.test").exists()


def test_an_old_token_is_refused_even_if_the_row_was_extended(client, world, settings):
    url = _accept_url(world.a_invitation)
    settings.INVITATION_MAX_AGE_DAYS = 0
    assert client.get(url).status_code == 410


def test_a_tampered_token_is_refused(client, world):
    token = services.invitation_token(invitation=world.a_invitation)
    forged = token.replace(token[:6], "eyJ0Ijo")  # a different payload, same signature
    for bad in (forged, token + "x", "nonsense"):
        assert client.get(reverse("invitation_accept", args=[bad])).status_code == 410


def test_token_for_a_revoked_invitation_is_refused(client, world):
    with tenant_context(world.a.pk):
        services.invitation_revoke(invitation=world.a_invitation, by=world.vendor_admin)
    assert client.get(_accept_url(world.a_invitation)).status_code == 410


def test_existing_user_accepts_after_signing_in(client, world):
    """A partner firm working with several vendors: one login, a second membership."""
    inv = invite(
        world.b, world.p_admin.user.email, Role.PARTNER_ADMIN, world.b_partner, world.b_admin.user
    )
    url = _accept_url(inv)
    response = client.get(url)
    assert response.status_code == 302 and "login" in response["Location"]
    client.post("/accounts/login/", {"login": world.p_admin.user.email, "password": PASSWORD})
    assert client.post(url).status_code == 302
    slugs = {m.tenant.slug for m in memberships_of_user(user=world.p_admin.user)}
    assert slugs == {world.a.slug, world.b.slug}


def test_invitation_for_someone_else_cannot_be_taken(client, world):
    client.force_login(world.q_rep.user)
    response = client.post(_accept_url(world.a_invitation), _new_user_form())
    assert response.status_code == 403
    assert not User.objects.filter(email="invitee@a.test").exists()
    with tenant_context(world.a.pk):
        assert Invitation.objects.get(pk=world.a_invitation.pk).status == "pending"


def test_expiry_sweep_marks_only_overdue_invitations(world):
    with tenant_context(world.a.pk):
        Invitation.objects.filter(pk=world.a_invitation.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
        assert services.invitations_expire() == 1
        assert services.invitations_expire() == 0
    with tenant_context(world.b.pk):
        assert Invitation.objects.get(pk=world.b_invitation.pk).status == "pending"


def test_accepting_twice_at_once_makes_one_account_and_no_error(tx_world):
    from prm.services import InvitationUnavailable, invitation_accept_as_new_user
    from tests.concurrency import run_together

    w = tx_world

    def accept():
        with tenant_context(w.a.pk):
            invitation = Invitation.objects.get(pk=w.a_invitation.pk)
            invitation_accept_as_new_user(
                invitation=invitation, full_name="New Rep", password="a-long-passphrase-9"
            )
        return "accepted"

    outcomes = run_together(accept, accept)
    assert outcomes.count("accepted") == 1
    assert [type(o) for o in outcomes if o != "accepted"] == [InvitationUnavailable]
    assert User.objects.filter(email=w.a_invitation.email).count() == 1
    with tenant_context(w.a.pk):
        assert Membership.objects.filter(user__email=w.a_invitation.email).count() == 1
