"""What incentives does when the apps below it report something, connected
in ``IncentivesConfig.ready``."""

from __future__ import annotations

from prm.events import Event

from .points_ledger import events_award
from .points_spif import spif_points_award


def points_award(events: list[Event]) -> None:
    """Points for recorded events, under the events' active earning rule, in
    the recording transaction; won deals also earn the points SPIFs they
    qualify for."""
    events_award(events)
    spif_points_award(events)
