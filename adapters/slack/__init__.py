"""Agora on Slack: slack-bolt's ``AsyncApp`` over Socket Mode or HTTP mode, Block Kit, modals, DMs.

``agora run`` finds this adapter through the ``agora.adapters`` entry point ``slack = "adapters.slack:create"``.
The app manifest to paste when creating the Slack app is ``manifest.yaml`` next to this file.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from adapters.slack.app import EVENTS, SlackAdapter, SlackStartError
from adapters.slack.chat import SlackChat

if TYPE_CHECKING:
    from bot.app import Agora
    from bot.config import Config

__all__ = ["EVENTS", "MANIFEST", "SlackAdapter", "SlackChat", "SlackStartError", "create"]

MANIFEST = Path(__file__).with_name("manifest.yaml")


def create(app: Agora, config: Config) -> SlackAdapter:
    """The Slack adapter for ``app``, configured by ``config.slack`` (not started: ``await adapter.start()``)."""
    return SlackAdapter(app, config)
