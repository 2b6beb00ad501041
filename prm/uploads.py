"""Checking uploads by what they contain, not by what they are called.

An upload is accepted only when its content is one of the allowed kinds (read
from its first bytes: the PDF, PNG, JPEG and Office signatures), its file name
says the same kind, and it is within the size limit.  Text kinds (TXT, CSV)
have no signature: they must be UTF-8 text without NUL bytes, and not a web
page.  The content type to store and serve comes from the content, so an HTML
page named ``offer.pdf`` is refused and never served as anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import IO

import filetype
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

HEAD_BYTES = 8192
TEXT_KINDS = {"txt": "text/plain", "csv": "text/csv"}
# Kinds we accept by signature, and the content type each is served with.
SIGNED_KINDS = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
_ALIASES = {"jpeg": "jpg"}
_WEB_PAGE = (b"<!doctype html", b"<html", b"<script", b"<svg", b"<?xml")


@dataclass(frozen=True)
class Upload:
    kind: str
    content_type: str


def _kind_of_name(name: str) -> str:
    extension = PurePath(name or "").suffix.lower().lstrip(".")
    return _ALIASES.get(extension, extension)


def _kind_of_content(head: bytes) -> str | None:
    guess = filetype.guess(head)
    if guess is not None:
        return _ALIASES.get(guess.extension, guess.extension)
    if b"\x00" in head:
        return None
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as error:
        # a multi-byte character cut off at the end of the head is still text
        if error.start < len(head) - 4:
            return None
        text = head[: error.start].decode("utf-8")
    if text.lstrip().lower().encode().startswith(_WEB_PAGE):
        return None
    return "text"


def check_upload(file: IO[bytes], *, allowed: set[str], max_bytes: int, field: str) -> Upload:
    """The kind and content type of an acceptable upload; a ValidationError on
    ``field`` saying what is wrong otherwise."""
    size = getattr(file, "size", None)
    if not size:
        raise ValidationError({field: _("This file is empty.")})
    if size > max_bytes:
        raise ValidationError(
            {field: _("Upload a file of at most %(mb)d MB.") % {"mb": max_bytes // (1024 * 1024)}}
        )
    named = _kind_of_name(getattr(file, "name", ""))
    kinds = ", ".join(sorted(allowed))
    if named not in allowed:
        raise ValidationError(
            {field: _("Upload a file of one of these kinds: %(kinds)s.") % {"kinds": kinds}}
        )
    head = file.read(HEAD_BYTES)
    file.seek(0)
    found = _kind_of_content(head)
    if found == "text" and named in TEXT_KINDS:
        return Upload(kind=named, content_type=TEXT_KINDS[named])
    if found == named and named in SIGNED_KINDS:
        return Upload(kind=named, content_type=SIGNED_KINDS[named])
    raise ValidationError(
        {
            field: _(
                "This file's content is not a %(kind)s file; upload the document itself "
                "(one of: %(kinds)s)."
            )
            % {"kind": named.upper(), "kinds": kinds}
        }
    )
