"""Reading an uploaded CSV file as text, refusing what cannot be a CSV import."""

from typing import IO

from django.utils.translation import gettext as _


class UnreadableCsv(ValueError):
    """The upload is too large, not UTF-8, empty or binary; the message says which."""


def read_csv_text(file: IO[bytes], *, max_bytes: int) -> str:
    size = getattr(file, "size", None)
    data = file.read(max_bytes + 1)
    if (size is not None and size > max_bytes) or len(data) > max_bytes:
        raise UnreadableCsv(
            _("The file is larger than %(mb)s MB. Split it into smaller files.")
            % {"mb": max_bytes // (1024 * 1024)}
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableCsv(
            _(
                "The file is not UTF-8 text (unreadable byte at position %(pos)d). "
                "Save it as “CSV UTF-8” and upload it again."
            )
            % {"pos": error.start}
        ) from error
    if not text.strip():
        raise UnreadableCsv(_("The file is empty."))
    if "\x00" in text:
        raise UnreadableCsv(_("The file contains binary data; upload a CSV text file."))
    return text
