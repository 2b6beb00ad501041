"""Invitation actions shared by the console's and the portal's people pages."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from partners.selectors.people import invitation_get
from partners.services.people import person_invitation_revoke


def revoke_invitation(request, invitation_id: int) -> None:
    """Revoke an invitation the acting member may see (404 otherwise)."""
    invitation = invitation_get(membership=request.membership, invitation_id=invitation_id)
    try:
        person_invitation_revoke(invitation=invitation, by=request.membership)
        messages.success(request, _("Invitation revoked."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
