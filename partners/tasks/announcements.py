"""Background jobs: announcements.

Publishing notifies the audience in its own transaction (notification
e-mails are ``prm.notification_email`` tasks).  ``partners.announcement_email``
was the former e-mail fan-out; it stays registered for one release so that
messages still waiting in the outbox (or the broker) are delivered instead
of failing, and now hands the announcement to the notification path, which
tells and e-mails each person at most once."""

from prm.jobs import tenant_task

from ..services.announcements import announcement_notify


@tenant_task(name="partners.announcement_email")
def announcement_email(announcement_id: int) -> int:
    """Deprecated (remove in the next release): notify a published
    announcement's audience; safe to run twice."""
    return announcement_notify(announcement_id=announcement_id)
