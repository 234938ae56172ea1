"""Logs for operators: one line per event, either plain text (development) or one JSON
object per line (``JOINEDUP_LOG_FORMAT=json``, the default for ``joinedup serve``), each
with the id of the request it was written in.

Patient-level data never goes to the logs (ARCHITECTURE.md, convention 7): a JSON line
holds the record's own fields and the request fields named in ``REQUEST_FIELDS`` only,
never whatever else a library attached to the record (Django attaches the request
itself, whose text includes the query string, where a search's NHS number or name is).

This module is imported by ``settings.py``: the standard library only at the top.
"""

import contextvars
import json
import logging
import re
import uuid
from datetime import UTC, datetime

# The id of the request being served in this thread (None outside a request).
request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

# A proxy's id is kept when it looks like one (nginx's $request_id, a UUID, an AWS or
# Heroku id). Digits alone are refused: they could be an NHS number or a phone number.
_WELL_FORMED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")

# The fields a request's own line adds (``extra=``), in the order they are written.
REQUEST_FIELDS = ("method", "path", "view", "status", "duration_ms")


def request_id_for(sent: str | None) -> str:
    """The id to use for a request that came with ``X-Request-ID: sent`` (or none).

    >>> request_id_for("edge-4f0c-77aa")
    'edge-4f0c-77aa'
    >>> len(request_id_for("9434765919"))
    32
    """
    if sent and _WELL_FORMED.fullmatch(sent) and not sent.isdigit():
        return sent
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every record (``request_id``; None outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request_id, the
    request fields when the record has them, and the traceback of an exception."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        for field in REQUEST_FIELDS:
            if hasattr(record, field):
                line[field] = getattr(record, field)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = record.exc_text
        return json.dumps(line, default=str)


class TextFormatter(logging.Formatter):
    """``time LEVEL logger [request id] message``, with ``-`` outside a request."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id_text)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        record.request_id_text = getattr(record, "request_id", None) or "-"
        return super().format(record)


LOG_FORMATS = ("text", "json")


def _request_level(log_format: str, level: str) -> str:
    if level == "DEBUG":
        return "DEBUG"  # everything, health checks included
    # Text: the access log and Django's own warnings already say it all.
    return "INFO" if log_format == "json" else "CRITICAL"


def logging_config(*, log_format: str, level: str, stream="ext://sys.stderr") -> dict:
    """The ``LOGGING`` dictionary: everything to one stream in ``log_format``, at
    ``level`` and above. In JSON each request also writes a line of its own (INFO, or
    WARNING and ERROR for refusals and failures; health checks and scrapes only at DEBUG);
    in text the server's access log (gunicorn's, or runserver's) does that job, so those
    lines are written only at DEBUG."""
    if log_format not in LOG_FORMATS:
        raise ValueError(f"log format {log_format!r}: use one of {', '.join(LOG_FORMATS)}")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {
            "json": {"()": JsonFormatter},
            "text": {"()": TextFormatter},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "stream": stream,
                "formatter": log_format,
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {"joinedup.request": {"level": _request_level(log_format, level)}},
    }
