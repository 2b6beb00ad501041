"""Shared set-up for the points tests: rules, earned points, rewards, images."""

import datetime
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from incentives.models import PointsBalance, PointsEntry
from incentives.services.points import earning_rule_create, points_adjust
from incentives.services.rewards import reward_create
from prm.events import event_record
from tests.world import staff


def png_bytes() -> bytes:
    """A valid 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def png(name="reward.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def rule(event="deal_registered", points=100, per_amount=None):
    return earning_rule_create(event=event, points=points, per_amount=per_amount, by=staff())


def earn(person, partner, points, *, source_id, event="deal_registered"):
    """Points for ``person`` through a recorded event (the event's rule must give ``points``)."""
    event_record(event, membership_id=person.pk, partner_id=partner.pk, source_id=source_id)


def give(person, points, reason="Welcome bonus"):
    return points_adjust(person=person, points=points, reason=reason, by=staff())


def reward(cost=50, stock=None, name=None, image=None):
    return reward_create(
        name=name or f"Reward {cost}", cost=cost, stock=stock, image=image, by=staff()
    )


def balance_of(person, partner) -> tuple[int, int]:
    row = PointsBalance.objects.filter(membership=person, partner=partner).first()
    return (row.balance, row.held) if row else (0, 0)


def ledger_sum(person, partner) -> int:
    return sum(
        PointsEntry.objects.filter(membership=person, partner=partner).values_list(
            "points", flat=True
        )
    )


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)
