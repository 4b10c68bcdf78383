"""Logs: one JSON line per event handled, with what an operator needs and nothing a member wrote or read."""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from adapters.console import ConsoleCommunity
from bot.logs import JsonFormatter, TextFormatter, redact
from tests.support import CHARTERS

SLACK_TOKEN = "xoxb" + "-123-456-abcdef"
DISCORD_TOKEN = "MTIz" + "NDU2Nzg5MDEyMzQ1Njc4.GabcDE.abcdefghijklmnopqrstuvwxyz0123"


class Captured:
    """What the ``agora`` loggers wrote, as the JSON formatter writes it."""

    def __init__(self) -> None:
        self.stream = io.StringIO()

    @property
    def lines(self) -> list[str]:
        return self.stream.getvalue().splitlines()

    def records(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.lines]

    def events(self) -> list[dict[str, Any]]:
        return [r for r in self.records() if r["msg"] == "event handled"]


@pytest.fixture
def logs() -> Iterator[Captured]:
    captured = Captured()
    handler = logging.StreamHandler(captured.stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("agora")
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield captured
    logger.removeHandler(handler)
    logger.setLevel(previous)


async def test_each_event_handled_is_one_json_line(h: ConsoleCommunity, logs: Captured) -> None:
    await h.join("alice")
    await h.press("alice", "I accept the charter")

    for line in logs.lines:
        json.loads(line)  # every line is a whole JSON document
    joined, pressed = logs.events()
    assert joined["event"] == "MemberJoined"
    assert pressed["event"] == "ButtonPressed"
    for record in (joined, pressed):
        assert record["platform"] == "console"
        assert isinstance(record["community"], int)
        assert record["outcome"] == "ok"
        assert isinstance(record["ms"], int | float) and record["ms"] >= 0
        assert record["level"] == "INFO"
        assert record["logger"] == "agora.events"
    assert pressed["action"] == "charter:accept"


async def test_a_command_line_names_the_command(h: ConsoleCommunity, logs: Captured) -> None:
    await h.command("bob", "charter")

    [record] = logs.events()
    assert record["event"] == "CommandInvoked"
    assert record["name"] == "charter"
    assert record["outcome"] == "ok"


async def test_a_refusal_and_a_duplicate_have_their_own_outcome(h: ConsoleCommunity, logs: Captured) -> None:
    await h.command("bob", "setup locale=fr")  # bob does not animate
    await h.join("alice", delivery_id="twice")
    await h.join("alice", delivery_id="twice")

    refused, first, again = logs.events()
    assert refused["outcome"] == "refused"
    assert first["outcome"] == "ok"
    assert again["outcome"] == "duplicate"


async def test_what_members_read_never_reaches_a_log_line(h: ConsoleCommunity, logs: Captured) -> None:
    await h.join("alice")
    await h.press("alice", "I accept the charter")
    await h.command("alice", "charter")

    assert h.chat.dms("alice"), "the welcome was sent"
    text = "\n".join(logs.lines)
    charter = CHARTERS["en"]
    for private in (charter["objective"], *charter["rights"], *charter["duties"], "Welcome to The Indies"):
        assert private not in text


def test_redact_masks_a_slack_token() -> None:
    masked = redact(f"auth failed for token {SLACK_TOKEN} (invalid_auth)")

    assert SLACK_TOKEN not in masked
    assert "[redacted]" in masked
    assert masked.endswith("(invalid_auth)")


@pytest.mark.parametrize("token", ["xapp" + "-1-A0123-4567-abcdef", "xoxp" + "-11-22-33-ffff"])
def test_redact_masks_other_slack_tokens(token: str) -> None:
    assert token not in redact(f"using {token}")


def test_redact_masks_a_discord_token() -> None:
    masked = redact(f"Authorization: Bot {DISCORD_TOKEN}")

    assert DISCORD_TOKEN not in masked
    assert masked == "Authorization: Bot [redacted]"


def test_redact_leaves_ordinary_text_alone() -> None:
    text = "community 3 handled member_joined in 12.5 ms"

    assert redact(text) == text


@pytest.mark.parametrize("formatter", [JsonFormatter(), TextFormatter()], ids=["json", "text"])
def test_a_token_in_a_library_message_is_masked(formatter: logging.Formatter) -> None:
    record = logging.LogRecord("slack_sdk", logging.ERROR, __file__, 1, "bad token %s", (SLACK_TOKEN,), None)

    line = formatter.format(record)

    assert SLACK_TOKEN not in line
    assert "[redacted]" in line


@pytest.mark.parametrize("formatter", [JsonFormatter(), TextFormatter()], ids=["json", "text"])
def test_a_token_in_a_structured_field_is_masked(formatter: logging.Formatter) -> None:
    record = logging.LogRecord("agora.outbox", logging.WARNING, __file__, 1, "delivery failed", (), None)
    record.error = f"SlackApiError: invalid_auth ({SLACK_TOKEN})"
    record.agora = {"detail": f"Bot {DISCORD_TOKEN}"}

    line = formatter.format(record)

    assert SLACK_TOKEN not in line
    assert DISCORD_TOKEN not in line


def test_a_token_in_a_traceback_is_masked() -> None:
    try:
        raise RuntimeError(f"connect failed with {DISCORD_TOKEN}")
    except RuntimeError:
        record = logging.LogRecord("discord", logging.ERROR, __file__, 1, "oops", (), None)
        record.exc_info = sys.exc_info()

    line = JsonFormatter().format(record)

    assert DISCORD_TOKEN not in line
    assert "RuntimeError" in json.loads(line)["exc"]
