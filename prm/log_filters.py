"""Log filters.

Django logs every 403, 404 and 400 it answers with the exception's traceback.
Those are expected answers to what a client asked (a wrong link, a page the
role does not open), not faults of ours: one line says what was refused; only
5xx responses keep their traceback.
"""

from __future__ import annotations

import logging


class ClientErrorsOnOneLine(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
