"""Side effects survive a broker outage and are delivered once.

The broker is made unreachable for real (the app's broker address is pointed at
a port nobody listens on), so publishing fails the way it does when Redis is
down; then the sweep publishes the waiting message to the real broker and a
real worker delivers it, exactly once."""

import pytest
from celery import current_app
from kombu import pools

from partners.services.people import person_invite
from prm.enqueue import publish
from prm.models import Invitation, OutboxMessage
from prm.tasks import outbox_sweep
from prm.tenancy import tenant_context
from tests.celery_worker import wait_for

pytestmark = pytest.mark.worker
NOBODY_LISTENS = "redis://127.0.0.1:9/0"


def _reset_broker_connections(url: str) -> None:
    """Point the app at ``url`` and drop every pooled broker connection."""
    current_app.conf.broker_url = url
    pools.reset()
    current_app._pool = None
    current_app.amqp._producer_pool = None


@pytest.fixture
def broker_down():
    real = current_app.conf.broker_url
    _reset_broker_connections(NOBODY_LISTENS)
    yield lambda: _reset_broker_connections(real)
    _reset_broker_connections(real)


def _invite(world):
    """Invite someone the way the console does: one transaction, then its on-commit work."""
    with tenant_context(world.a.pk):
        return person_invite(
            by=world.vendor_admin, email="late@p.test", role="partner_rep", partner=world.p
        )


def _state(world, invitation):
    with tenant_context(world.a.pk):
        sent = Invitation.objects.get(pk=invitation.pk).sent_count
        message = OutboxMessage.objects.get(task_name="prm.invitation_send", args=[invitation.pk])
        return sent, message


def test_an_invitation_made_while_the_broker_is_down_is_sent_once_it_is_back(
    celery_worker, tx_world, broker_down
):
    w = tx_world
    invitation = _invite(w)  # committed, and its publishing failed
    sent, message = _state(w, invitation)
    assert (sent, message.published_at, message.delivered_at) == (0, None, None)

    broker_down()  # the broker is back
    assert outbox_sweep(w.a.pk) == 1
    wait_for(lambda: _state(w, invitation)[0] == 1)
    wait_for(lambda: _state(w, invitation)[1].delivered_at is not None)

    # A second copy of the message (a sweep that saw it late, a redelivery)
    # reaches the worker too, and does nothing.
    assert publish(w.a.pk, message.pk, "prm.invitation_send", [invitation.pk])
    with tenant_context(w.a.pk):
        other = person_invite(
            by=w.vendor_admin, email="marker@p.test", role="partner_rep", partner=w.p
        )
    wait_for(lambda: _state(w, other)[0] == 1)  # the worker is past the copy by now
    assert _state(w, invitation)[0] == 1
    assert outbox_sweep(w.a.pk) == 0  # nothing left to publish
