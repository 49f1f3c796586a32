"""Logging set-up: the standard ``logging`` module, one JSON object per line.

On Lambda, ``LoggingConfig: LogFormat: JSON`` makes the runtime install a JSON formatter on the root
logger that already includes the ``extra=`` fields (key, action, outcome) of our records; we then only
set the level. Where no handler is installed (a plain interpreter, a script), ``JsonFormatter`` below
writes the same shape to stderr, so logs stay machine-readable everywhere.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

# Attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON line with timestamp, level, logger, message and ``extra`` fields."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name, value in vars(record).items():
            if name not in _STANDARD_ATTRS and not name.startswith("_"):
                payload[name] = value
        if record.exc_info:
            payload["stackTrace"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str, ensure_ascii=False)


def configure_logging(level: str) -> logging.Logger:
    """Set the app logger's level; install the JSON formatter only where nobody configured logging."""
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        root.addHandler(handler)
    logger = logging.getLogger("upload_catalog")
    logger.setLevel(level)
    return logger
