"""Logging: one structured line per event handled (JSON by default), never a token or a message's content."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

__all__ = ["DATA_LIBRARIES", "JsonFormatter", "quiet_libraries", "redact", "setup_logging"]

# Slack tokens and Discord bot tokens, should one ever reach a log line through a library's message.
_SECRETS = re.compile(
    r"(xox[abposr]-[0-9A-Za-z-]+|xapp-[0-9A-Za-z-]+|[MNO][A-Za-z0-9_-]{23,}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,})"
)
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


def redact(text: str) -> str:
    return _SECRETS.sub("[redacted]", text)


class JsonFormatter(logging.Formatter):
    """``{"ts": ..., "level": ..., "logger": ..., "msg": ..., <fields>}`` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": redact(record.getMessage()),
        }
        for key, value in vars(record).items():
            if key in _STANDARD:
                continue
            if key == "agora" and isinstance(value, dict):
                data.update(value)
            else:
                data[key] = value
        if record.exc_info:
            data["exc"] = redact(self.formatException(record.exc_info))
        return redact(json.dumps(data, ensure_ascii=False, default=str))  # fields too, not only msg


class TextFormatter(logging.Formatter):
    """Human-readable, with the same fields as ``key=value``."""

    def format(self, record: logging.LogRecord) -> str:
        fields: list[str] = []
        for key, value in vars(record).items():
            if key in _STANDARD:
                continue
            if key == "agora" and isinstance(value, dict):
                fields.extend(f"{k}={v}" for k, v in value.items())
            else:
                fields.append(f"{key}={value}")
        line = f"{self.formatTime(record)} {record.levelname:7} {record.name}: {redact(record.getMessage())}"
        if fields:
            line += " " + " ".join(fields)
        if record.exc_info:
            line += "\n" + redact(self.formatException(record.exc_info))
        return redact(line)


# Libraries that see members' data: at DEBUG the database drivers write each statement with its parameters (outbox
# payloads, introductions, names). Each adapter adds its platform library's loggers (``quiet_libraries``).
DATA_LIBRARIES = ("aiosqlite", "asyncpg", "sqlalchemy", "alembic")
_library_level = logging.WARNING  # what ``logging.libraries`` asks for (``setup_logging``)


def setup_logging(level: str = "INFO", fmt: str = "json", libraries: str = "WARNING") -> None:
    """Agora's loggers at ``level``; the libraries' at ``libraries`` (WARNING unless the config's
    ``logging.libraries`` asks for more), never more talkative than Agora's own."""
    global _library_level
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    _library_level = logging.getLevelNamesMapping()[libraries]
    quiet_libraries("apscheduler", "aiohttp", *DATA_LIBRARIES)


def quiet_libraries(*loggers: str) -> None:
    """Libraries are chatty at INFO, and at DEBUG some write members' data: their loggers show warnings and
    above (or the level ``logging.libraries`` asks for; only what the root shows, when it shows less). Each
    adapter quiets its own platform library's loggers when it is created."""
    level = max(_library_level, logging.getLogger().getEffectiveLevel())
    for name in loggers:
        logging.getLogger(name).setLevel(level)
