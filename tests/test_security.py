"""Security: animators are known by id, never by a display name anyone can take; the logs at DEBUG hold no
member's data; a secret written in the config file is pointed out."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import bot.logs
from adapters.console import ConsoleCommunity
from bot.config import parse_config
from bot.logs import setup_logging
from tests.support import CHARTERS, agora

SLACK_SECRETS = {"SLACK_BOT_TOKEN": "xoxb" + "-1-2-abc", "SLACK_SIGNING_SECRET": "signing"}
DISCORD_SECRETS = {"DISCORD_TOKEN": "MTIz" + "NDU2Nzg5MDEyMzQ1Njc4.GabcDE.abcdefghijklmnopqrstuvwxyz0123"}
PLATFORMS = (
    "platforms:\n"
    "  discord:\n    token: ${DISCORD_TOKEN}\n"
    "  slack:\n    bot_token: ${SLACK_BOT_TOKEN}\n    mode: http\n    signing_secret: ${SLACK_SIGNING_SECRET}\n"
)


def write(path: Path, text: str) -> Path:
    path.write_text(
        f"database:\n  url: sqlite+aiosqlite:///{path.parent / 'agora.db'}\n{text}", encoding="utf-8"
    )
    return path


# --- animators by id only -----------------------------------------------------------------------------------


def test_check_config_refuses_an_animator_listed_by_name_and_says_where_to_copy_the_id(
    tmp_path: Path,
) -> None:
    config = write(
        tmp_path / "agora.yaml",
        PLATFORMS + 'community:\n  animators: ["123456789012345678", "U0CAMILLE1", "Camille Martin"]\n',
    )

    result = agora("check-config", config, cwd=tmp_path, env={**SLACK_SECRETS, **DISCORD_SECRETS})

    assert result.returncode == 1
    assert result.stderr == (
        f"agora: {config}: community.animators[2]: 'Camille Martin' is not a member id. Please list animators by "
        "their id, which nobody else can take (a display name can be taken by anyone). Discord: turn on "
        "Developer Mode (User Settings → Advanced), then right-click the member → Copy User ID. Slack: open the "
        "member's profile → ⋮ → Copy member ID\n"
    )


def test_each_platform_reads_only_its_own_ids() -> None:
    data = {
        "platforms": {"discord": {"token": "${DISCORD_TOKEN}"}},
        "community": {"animators": ["U0CAMILLE1"]},
    }

    with pytest.raises(Exception, match=r"community.animators\[0\]: 'U0CAMILLE1' is not a member id"):
        parse_config(data, env=DISCORD_SECRETS)


def test_without_a_platform_the_demo_s_members_are_named_by_their_ids() -> None:
    config = parse_config({"community": {"animators": ["camille"]}}, env={})

    assert config.community.animators == ["camille"]


async def test_a_display_name_in_the_animators_list_makes_nobody_an_animator(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    """On the console a member's id is their name; here the list holds a display name that is no one's id."""
    h = make_harness("en", animators=["Camille Martin"])
    await h.start()
    try:
        assert h.app is not None
        settings = await h.app.community_settings(h.ref)
        renamed = h.member("mallory")
        renamed = type(renamed)(renamed.platform, renamed.id, "Camille Martin")
        assert not h.app.is_animator(renamed, settings)
        assert h.app.is_animator(h.member("Camille Martin"), settings)  # the id listed
    finally:
        await h.stop()


# --- a secret in the file -----------------------------------------------------------------------------------


def literal_token(tmp_path: Path) -> Path:
    return write(
        tmp_path / "agora.yaml",
        "health:\n  port: 0\nplatforms:\n  slack:\n    bot_token: "
        + "xoxb"
        + "-1-2-written-here\n    mode: http\n"
        "    signing_secret: ${SLACK_SIGNING_SECRET}\n    api_base_url: http://127.0.0.1:9/api/\n"
        "    http:\n      port: 0\n",
    )


WRITTEN_HERE = (
    "platforms.slack.bot_token: a secret is written in the file, where anyone who reads it (or a backup) can use "
    "it: export it as an environment variable and write ${SLACK_BOT_TOKEN} instead"
)


def test_check_config_warns_about_a_token_written_in_the_file(tmp_path: Path) -> None:
    result = agora("check-config", literal_token(tmp_path), cwd=tmp_path, env={"SLACK_SIGNING_SECRET": "s"})

    assert result.returncode == 0, result.stderr
    assert f"  warning: {WRITTEN_HERE}\n" in result.stdout
    assert "signing_secret: a secret" not in result.stdout  # it comes from the environment
    assert "written-here" not in result.stdout


def test_run_logs_the_same_warning_before_it_connects(tmp_path: Path) -> None:
    result = agora(
        "run", "--config", literal_token(tmp_path), cwd=tmp_path, env={"SLACK_SIGNING_SECRET": "s"}
    )

    first = json.loads(result.stderr.splitlines()[0])
    assert (first["level"], first["msg"]) == ("WARNING", f"config: {WRITTEN_HERE}")


def test_secrets_from_the_environment_get_no_warning(tmp_path: Path) -> None:
    config = write(tmp_path / "agora.yaml", PLATFORMS)

    result = agora("check-config", config, cwd=tmp_path, env={**SLACK_SECRETS, **DISCORD_SECRETS})

    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stdout


# --- DEBUG logs -----------------------------------------------------------------------------------------------


class Logs:
    """Agora's real logging set-up, its lines caught."""

    def __init__(self) -> None:
        self.stream = io.StringIO()

    def start(self, level: str, libraries: str = "WARNING") -> None:
        setup_logging(level, "json", libraries)
        handler = logging.getLogger().handlers[0]
        assert isinstance(handler, logging.StreamHandler)
        handler.setStream(self.stream)

    def text(self) -> str:
        return self.stream.getvalue()


@pytest.fixture
def logs(monkeypatch: pytest.MonkeyPatch) -> Iterator[Logs]:
    """Agora's logging, put back as it was afterwards."""
    monkeypatch.setattr(bot.logs, "_library_level", bot.logs._library_level)
    root = logging.getLogger()
    loggers = {name: logging.getLogger(name).level for name in logging.root.manager.loggerDict}
    handlers, level = root.handlers[:], root.level
    yield Logs()
    root.handlers[:], root.level = handlers, level
    for name, previous in loggers.items():
        logging.getLogger(name).setLevel(previous)


async def welcome_alice(h: ConsoleCommunity) -> str:
    await h.join("alice")
    await h.press("alice", "I accept the charter")
    assert h.chat.dms("alice"), "the welcome went through the outbox"
    return CHARTERS["en"]["objective"]


async def test_debug_on_sqlite_logs_no_outbox_payload_nor_member_text(
    logs: Logs, h: ConsoleCommunity
) -> None:
    logs.start("DEBUG")

    private = await welcome_alice(h)

    logged = logs.text()
    assert '"msg": "event handled"' in logged  # Agora's own lines are there
    assert private not in logged
    assert "Welcome to" not in logged
    assert "outbox" not in logged.lower()


async def test_the_libraries_talk_at_debug_only_when_asked(logs: Logs, h: ConsoleCommunity) -> None:
    logs.start("DEBUG", libraries="DEBUG")

    private = await welcome_alice(h)

    assert private in logs.text()
