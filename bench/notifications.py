"""Benchmark: notifications at scale — a routing batch telling 10,000 lead
offers to every person of the partners they went to, and the daily digest
of everything waiting in the tenant.

    python bench/notifications.py [--partners N] [--people N] [--offers-per-partner N] [--keep]

Uses the project's settings (``DJANGO_SETTINGS_MODULE``, default
``prm.settings.dev``) and therefore the configured database, or the embedded
one; migrate it first.  Everything runs as the app role under row-level
security.  A scratch tenant gets N partners with M people each, half of
whom chose the daily digest for new leads; ``notify_many`` writes the
batch's notifications in one statement (timed, with the immediate e-mails'
outbox rows), then ``notifications_digest_send`` claims the waiting ones and
queues one e-mail per person (timed).  Verified: notifying the same batch
again writes nothing, a second digest sends nothing, every immediate
notification has one outbox row, and no e-mail has more than one address.
Tasks go to queues of this run only, deleted at the end with the tenant.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import uuid
from pathlib import Path

TOKEN = uuid.uuid4().hex[:10]
QUEUE_PREFIX = f"bench-notifications-{TOKEN}"
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prm.settings.dev")
os.environ["PRM_QUEUE_PREFIX"] = QUEUE_PREFIX

import django  # noqa: E402

django.setup()

import owner_db  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import transaction  # noqa: E402

from deals.notifications import LEAD_OFFERED  # noqa: E402
from partners.models import Partner, PartnerMembership, PartnerType  # noqa: E402
from prm.models import (  # noqa: E402
    EmailChoice,
    Membership,
    Notification,
    NotificationPreference,
    OutboxMessage,
    Tenant,
    User,
)
from prm.notifications import Notice, notify_many  # noqa: E402
from prm.rls import tenant_tables  # noqa: E402
from prm.roles import Role  # noqa: E402
from prm.services.notifications import notifications_digest_send  # noqa: E402
from prm.tenancy import tenant_context  # noqa: E402


def create_scratch(partners: int, people: int) -> tuple[Tenant, dict[int, list[int]], list[int]]:
    tenant = Tenant.objects.create(name=f"Bench notices {TOKEN}", slug=f"bench-notices-{TOKEN}")
    users = User.objects.bulk_create(
        User(email=f"bench-{TOKEN}-{i}@bench.example", full_name=f"Person {i}")
        for i in range(partners * people)
    )
    team: dict[int, list[int]] = {}
    with tenant_context(tenant.pk):
        made = Partner.objects.bulk_create(
            Partner(name=f"Bench partner {i}", partner_type=PartnerType.RESELLER)
            for i in range(partners)
        )
        members = Membership.objects.bulk_create(
            Membership(user=user, role=Role.PARTNER_REP if i % people else Role.PARTNER_ADMIN)
            for i, user in enumerate(users)
        )
        links = []
        for i, member in enumerate(members):
            partner = made[i // people]
            links.append(PartnerMembership(membership=member, partner=partner))
            team.setdefault(partner.pk, []).append(member.pk)
        PartnerMembership.objects.bulk_create(links, batch_size=5000)
        NotificationPreference.objects.bulk_create(
            (
                NotificationPreference(membership=m, kind=LEAD_OFFERED, email=EmailChoice.DIGEST)
                for i, m in enumerate(members)
                if i % 2
            ),
            batch_size=5000,
        )
    return tenant, team, [u.pk for u in users]


def run(partners: int, people: int, per_partner: int, keep: bool) -> None:
    tenant, team, users = create_scratch(partners, people)
    try:
        notices = [
            Notice(
                recipients=tuple(ids),
                event=f"lead_offer:bench-{partner_id}-{n}",
                params={"company": f"Prospect {partner_id}-{n}", "deadline": "2030-01-01T12:00Z"},
                link="partner_leads",
            )
            for partner_id, ids in team.items()
            for n in range(per_partner)
        ]
        with tenant_context(tenant.pk):
            started = time.perf_counter()
            written = notify_many(LEAD_OFFERED, notices)
            notify_s = time.perf_counter() - started
        # (the outbox rows are published after the commit; that is not timed)
        owner_db.vacuum_analyse(["prm_notification", "prm_outboxmessage"])
        with tenant_context(tenant.pk):
            again = notify_many(LEAD_OFFERED, notices)
            immediate = Notification.objects.filter(email=EmailChoice.IMMEDIATE).count()
            outbox = OutboxMessage.objects.filter(task_name="prm.notification_email").count()
        with tenant_context(tenant.pk):
            started = time.perf_counter()
            with transaction.atomic():
                digests = notifications_digest_send()
            digest_s = time.perf_counter() - started
        with tenant_context(tenant.pk):
            second = notifications_digest_send()
            widest = max(
                len(args[2])
                for args in OutboxMessage.objects.filter(task_name="prm.email_send").values_list(
                    "args", flat=True
                )
            )
        ok = again == [] and second == 0 and outbox == immediate and widest == 1
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores")
        print(
            f"notify: {len(notices):,} offers to {partners:,} partners' {partners * people:,} "
            f"people → {len(written):,} notifications ({immediate:,} e-mailed at once) "
            f"in {notify_s:.2f} s ({len(written) / notify_s:,.0f} rows/s)"
        )
        print(
            f"digest: {len(written) - immediate:,} waiting notifications → {digests:,} e-mails "
            f"in {digest_s:.2f} s"
        )
        print(f"verified: again {len(again)}, second digest {second}, widest e-mail {widest}")
        if not ok:
            raise SystemExit("verification failed")
    finally:
        if not keep:
            cleanup(tenant, users)
        purge_queues()


def cleanup(tenant: Tenant, users: list[int]) -> None:
    conn = owner_db.connect()
    try:
        with conn, conn.cursor() as cursor:
            cursor.execute("SELECT set_config('app.tenant_id', %s, true)", [str(tenant.pk)])
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            for table in tenant_tables():
                cursor.execute(f'DELETE FROM "{table}" WHERE tenant_id = %s', [tenant.pk])
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("DELETE FROM prm_user WHERE id = ANY(%s)", [users])
            cursor.execute("DELETE FROM prm_tenant WHERE id = %s", [tenant.pk])
    finally:
        conn.close()


def purge_queues() -> None:
    try:
        import redis

        broker = redis.Redis.from_url(settings.REDIS_URL)
        for key in broker.scan_iter(match=f"*{QUEUE_PREFIX}*"):
            broker.delete(key)
    except Exception as error:  # noqa: BLE001 - a bench's clean-up reports and goes on
        print(f"queues {QUEUE_PREFIX}.* not purged: {error}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--partners", type=int, default=2_000)
    parser.add_argument("--people", type=int, default=3)
    parser.add_argument("--offers-per-partner", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the scratch tenant")
    args = parser.parse_args()
    run(args.partners, args.people, args.offers_per_partner, args.keep)
