"""Structured logs: one JSON object per line, each naming its service, and for errors the
entrypoint and correlation id (an event's id, or the RPC call id a caller got in an Internal
error), so an operator can go from an answer to its traceback with grep.

Used by every service's config.yaml (LOGGING: a ``json`` formatter and the ``quiet_nameko`` filter).
"""

from __future__ import annotations

import json
import logging
import time

_FIELDS = ("entrypoint", "correlation_id")


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str = "", **kwargs):
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        out = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "service": getattr(record, "service", None) or self.service,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in _FIELDS:
            value = getattr(record, name, None)
            if value:
                out[name] = value
        if record.exc_info:
            out["exc_type"] = record.exc_info[0].__name__ if record.exc_info[0] else None
            out["traceback"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


class QuietNameko(logging.Filter):
    """Drop nameko's own "error handling worker" lines: the suite's entrypoints log the same
    error once, with its entrypoint and correlation id (services.common.messaging.entrypoints)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name == "nameko.containers" and "error handling worker" in str(record.msg))
