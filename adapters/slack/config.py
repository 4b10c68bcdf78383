"""The Slack adapter's section of the config (``platforms.slack:``), validated here rather than in the core.

``adapters.slack`` exposes ``config_model`` (this ``SlackConfig``) and ``check_config`` next to ``create``;
``bot.config`` validates the section with the model and ``agora check-config`` shows what ``check_config`` says.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationInfo, field_validator

__all__ = ["MEMBER_ID_HELP", "SlackConfig", "SlackHttpConfig", "check_config", "is_member_id"]


class SlackHttpConfig(BaseModel):
    """Where HTTP mode listens for Slack's signed requests (``POST /slack/events``)."""

    model_config = ConfigDict(extra="forbid")

    host: str = "0.0.0.0"
    port: int = Field(default=3000, ge=0, le=65535)


class SlackConfig(BaseModel):
    """The Slack adapter: Socket Mode (app token) or HTTP mode (signing secret)."""

    model_config = ConfigDict(extra="forbid")

    bot_token: SecretStr
    mode: Literal["socket", "http"] = "socket"
    app_token: SecretStr | None = Field(default=None, validate_default=True)
    signing_secret: SecretStr | None = Field(default=None, validate_default=True)
    api_base_url: str = "https://slack.com/api/"
    http: SlackHttpConfig = Field(default_factory=SlackHttpConfig)
    scope_channel: str | None = Field(
        default=None, description="a channel id: the community is that channel's members, not the workspace"
    )

    # Each transport's secret is checked on its own key, so the error names it (slack.app_token).
    @field_validator("app_token")
    @classmethod
    def _socket_needs_app_token(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if value is None and info.data.get("mode") == "socket":
            raise ValueError("Socket Mode needs an app-level token (xapp-…)")
        return value

    @field_validator("signing_secret")
    @classmethod
    def _http_needs_signing_secret(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if value is None and info.data.get("mode") == "http":
            raise ValueError("HTTP mode needs the app's signing secret (Basic Information → App Credentials)")
        return value


MEMBER_ID_HELP = "Slack: open the member's profile → ⋮ → Copy member ID"


def is_member_id(text: str) -> bool:
    """A Slack member id: U (or W, on Enterprise Grid) and capitals or digits."""
    return re.fullmatch(r"[UW][A-Z0-9]{2,}", text) is not None


def check_config(settings: SlackConfig) -> list[str]:
    """What is valid but looks wrong, as ``"key: what to do"`` (never the secret itself)."""
    warnings = []
    if not settings.bot_token.get_secret_value().startswith("xoxb-"):
        warnings.append(
            "bot_token: a Slack bot token starts with xoxb- (OAuth & Permissions → Bot User OAuth Token)"
        )
    if settings.mode == "socket" and settings.app_token is not None:
        if not settings.app_token.get_secret_value().startswith("xapp-"):
            warnings.append(
                "app_token: an app-level token starts with xapp- (Basic Information → App-Level Tokens)"
            )
    if settings.mode == "http" and settings.app_token is not None:
        warnings.append("app_token: not used in HTTP mode (Slack signs its requests with signing_secret)")
    if settings.scope_channel is not None and settings.scope_channel[:1] not in ("C", "G"):
        warnings.append(
            "scope_channel: a channel id starts with C or G (the channel's details, at the bottom)"
        )
    return warnings
