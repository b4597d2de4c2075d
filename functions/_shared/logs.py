"""Logging that never writes a signed URL's token: anyone holding one can read the object.

A filter on the loggers the server writes to (ours and uvicorn's) replaces the value of
every ``token=`` query parameter, in messages and in tracebacks, before any handler sees
the record.
"""

from __future__ import annotations

import logging
import re

_TOKEN = re.compile(r"(token=)[^&\s'\"<>]+", re.IGNORECASE)
LOGGERS = ("kis.functions", "uvicorn", "uvicorn.error", "uvicorn.access")


def redact(text: str) -> str:
    return _TOKEN.sub(r"\1[redacted]", text)


class RedactSignedUrls(logging.Filter):
    """Rewrites the record's message (and traceback text) with tokens redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        record.msg, record.args = redact(message), ()
        return True


def install_redaction() -> None:
    """Add the filter to the server's loggers (once each)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSignedUrls) for f in logger.filters):
            logger.addFilter(RedactSignedUrls())
