"""Agora on Slack: slack-bolt's ``AsyncApp`` over Socket Mode or HTTP mode, Block Kit, modals, DMs.

``agora run`` finds this adapter through the ``agora.adapters`` entry point ``slack = "adapters.slack:create"``.
The app manifest to paste when creating the Slack app is ``manifest.yaml`` next to this file. The config's
``platforms.slack:`` section is this adapter's: ``config_model`` (``config.SlackConfig``) validates it and
``check_config`` says what looks wrong in it (``agora check-config``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from adapters.slack.app import EVENTS, SlackAdapter, SlackStartError
from adapters.slack.chat import SlackChat
from adapters.slack.config import MEMBER_ID_HELP, SlackConfig, check_config, is_member_id
from bot.logs import quiet_libraries

if TYPE_CHECKING:
    from bot.app import Agora
    from bot.config import Config

__all__ = [
    "EVENTS",
    "MANIFEST",
    "MEMBER_ID_HELP",
    "SlackAdapter",
    "SlackChat",
    "SlackStartError",
    "check_config",
    "config_model",
    "create",
    "is_member_id",
]

MANIFEST = Path(__file__).with_name("manifest.yaml")
config_model = SlackConfig


def create(app: Agora, config: Config) -> SlackAdapter:
    """The Slack adapter for ``app``, configured by ``platforms.slack`` (not started: ``await adapter.start()``)."""
    quiet_libraries("slack_bolt", "slack_sdk")
    return SlackAdapter(app, config)
