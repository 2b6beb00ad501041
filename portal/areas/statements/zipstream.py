"""A ZIP archive written while it is sent, never held whole in memory.

``zipfile`` writes to a sink that only collects what it is given (it cannot
seek, so every entry gets a data descriptor after its bytes); each chunk is
handed to the response as soon as it is written.

The generator runs after the view returned, outside the tenant's transaction
(docs/architecture.md, trap 2): it is given storage names and archive names
the view resolved, and only reads files.
"""

from __future__ import annotations

import datetime
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

CHUNK = 64 * 1024


@dataclass(frozen=True)
class Entry:
    """One file of the archive: its name in the archive, its name in storage,
    and its time."""

    archive_name: str
    stored_name: str
    modified: datetime.datetime


class _Sink:
    """A write-only stream whose bytes are taken out as they come."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def zip_stream(entries: list[Entry], storage) -> Iterator[bytes]:
    """The archive of ``entries`` (read from ``storage``), chunk by chunk.
    PDFs are compressed already, so entries are stored as they are."""
    sink = _Sink()
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_STORED) as archive:
        for entry in entries:
            info = zipfile.ZipInfo(entry.archive_name, date_time=entry.modified.timetuple()[:6])
            info.compress_type = zipfile.ZIP_STORED
            with storage.open(entry.stored_name, "rb") as source, archive.open(info, "w") as target:
                while chunk := source.read(CHUNK):
                    target.write(chunk)
                    if data := sink.take():
                        yield data
            if data := sink.take():
                yield data
    if data := sink.take():
        yield data
