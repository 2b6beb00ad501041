"""Sign-in, rate limiting, password reset, MFA enforcement, closed sign-up."""

import re

from allauth.mfa.models import Authenticator
from django.core import mail
from django.urls import reverse

from tests.world import PASSWORD

LOGIN = "/accounts/login/"


def _login(client, email, password):
    return client.post(LOGIN, {"login": email, "password": password})


def test_login_page_renders(client, db):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert b'name="login"' in response.content


def test_login_with_email_and_password(client, world):
    response = _login(client, world.p_rep.user.email, PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code in (200, 302)
    assert "_auth_user_id" in client.session


def test_wrong_password_is_refused(client, world):
    response = _login(client, world.p_rep.user.email, "not-the-password")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_login_is_rate_limited_per_account(client, world):
    email = world.finance.user.email
    for _ in range(5):
        assert _login(client, email, "wrong-password").status_code == 200
    blocked = _login(client, email, PASSWORD)
    assert "_auth_user_id" not in client.session
    assert blocked.status_code in (200, 429)
    assert b"Too many failed login attempts" in blocked.content


def test_logout(client, world):
    client.force_login(world.p_rep.user)
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session


def test_signup_is_closed(client, db):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "stranger@example.test",
            "password1": "A-long-password-1",
            "password2": "A-long-password-1",
        },
    )
    from prm.models import User

    assert not User.objects.filter(email="stranger@example.test").exists()
    assert response.status_code in (200, 403)


def test_password_reset_by_email(client, world):
    user = world.p_rep.user
    response = client.post("/accounts/password/reset/", {"email": user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    page = client.get(link.group(1), follow=True)
    assert page.status_code == 200
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else link.group(1)
    client.post(form_url, {"password1": "A-brand-new-pass-42", "password2": "A-brand-new-pass-42"})
    client.logout()
    assert _login(client, user.email, "A-brand-new-pass-42").status_code == 302


def test_vendor_staff_must_set_up_mfa_when_the_tenant_requires_it(client, world):
    world.a.require_mfa_for_vendor_roles = True
    world.a.save()
    client.force_login(world.channel_manager.user)
    response = client.get(reverse("console:dashboard", kwargs={"tenant_slug": world.a.slug}))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_mfa_requirement_does_not_apply_to_partner_users(client, world):
    world.a.require_mfa_for_vendor_roles = True
    world.a.save()
    client.force_login(world.p_rep.user)
    response = client.get(reverse("portal:dashboard", kwargs={"tenant_slug": world.a.slug}))
    assert response.status_code == 200


def test_vendor_staff_with_totp_pass_the_requirement(client, world):
    world.a.require_mfa_for_vendor_roles = True
    world.a.save()
    Authenticator.objects.create(
        user=world.channel_manager.user, type=Authenticator.Type.TOTP, data={"secret": "x"}
    )
    client.force_login(world.channel_manager.user)
    response = client.get(reverse("console:dashboard", kwargs={"tenant_slug": world.a.slug}))
    assert response.status_code == 200


def test_user_with_totp_is_asked_for_a_code_at_login(client, world):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    user = world.p_admin.user
    TOTP.activate(user, generate_totp_secret())
    response = _login(client, user.email, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session


def test_sign_in_works_and_is_still_rate_limited_with_redis_down(client, world, redis_down):
    response = _login(client, world.p_rep.user.email, PASSWORD)
    assert response.status_code == 302 and "_auth_user_id" in client.session
    client.logout()
    email = world.finance.user.email
    for _ in range(5):
        assert _login(client, email, "wrong-password").status_code == 200
    blocked = _login(client, email, PASSWORD)
    assert "_auth_user_id" not in client.session
    assert b"Too many failed login attempts" in blocked.content


def test_behind_a_trusted_proxy_one_attacker_does_not_lock_out_everyone(client, world, settings):
    """Every request comes from the proxy; the limit follows the forwarded
    client address, and a spoofed extra entry does not move it."""
    settings.TRUSTED_PROXY_COUNT = 1
    via_proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for n in range(12):
        client.post(
            LOGIN,
            {"login": f"nobody{n}@example.test", "password": "guess"},
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.5",
            **via_proxy,
        )
    attacker = client.post(
        LOGIN,
        {"login": world.p_rep.user.email, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.5",
        **via_proxy,
    )
    assert "_auth_user_id" not in client.session
    assert b"Too many failed login attempts" in attacker.content
    someone_else = client.post(
        LOGIN,
        {"login": world.p_rep.user.email, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.7",
        **via_proxy,
    )
    assert someone_else.status_code == 302 and "_auth_user_id" in client.session
