"""Background jobs: announcements."""

from prm.jobs import tenant_task

from ..services.announcements import announcement_send_emails


@tenant_task(name="partners.announcement_email")
def announcement_email(announcement_id: int) -> int:
    """E-mail a published announcement to its audience; safe to run twice."""
    return announcement_send_emails(announcement_id=announcement_id)
