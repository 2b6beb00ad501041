"""Signed invitation tokens: the link in an invitation e-mail.

The signature stops tampering; expiry and single use are enforced on the
invitation row itself.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing

INVITATION_SALT = "prm.invitation"


class InvitationUnavailable(Exception):
    """The invitation link is invalid, expired, revoked or already used."""


def invitation_token(*, invitation) -> str:
    """A signed token naming the tenant and invitation."""
    return signing.dumps({"t": invitation.tenant_id, "i": invitation.pk}, salt=INVITATION_SALT)


def invitation_token_parse(token: str) -> tuple[int, int]:
    """(tenant_id, invitation_id) from a token; InvitationUnavailable when forged
    or older than the invitation lifetime."""
    try:
        data = signing.loads(
            token,
            salt=INVITATION_SALT,
            max_age=timedelta(days=settings.INVITATION_MAX_AGE_DAYS),
        )
        return int(data["t"]), int(data["i"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise InvitationUnavailable from exc
