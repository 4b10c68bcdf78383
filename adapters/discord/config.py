"""The Discord adapter's section of the config (``platforms.discord:``), validated here rather than in the core.

``adapters.discord`` exposes ``config_model`` (this ``DiscordConfig``) and ``check_config`` next to ``create``;
``bot.config`` validates the section with the model and ``agora check-config`` shows what ``check_config`` says.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, SecretStr

__all__ = ["MEMBER_ID_HELP", "DiscordConfig", "check_config", "is_member_id"]


class DiscordConfig(BaseModel):
    """The Discord adapter. The endpoints can be overridden for tests and proxies."""

    model_config = ConfigDict(extra="forbid")

    token: SecretStr
    api_base_url: str = "https://discord.com/api/v10"
    gateway_url: str = "wss://gateway.discord.gg/"
    sync_commands: bool = True


MEMBER_ID_HELP = (
    "Discord: turn on Developer Mode (User Settings → Advanced), then right-click the member → Copy User ID"
)


def is_member_id(text: str) -> bool:
    """A Discord user id: a snowflake, all digits."""
    return text.isascii() and text.isdigit()


def check_config(settings: DiscordConfig) -> list[str]:
    """What is valid but looks wrong, as ``"key: what to do"`` (never the secret itself)."""
    token = settings.token.get_secret_value().strip()
    if token.lower().startswith("bot "):
        return ["token: write the token alone, without “Bot ” in front (discord.py adds it)"]
    if token.startswith(("xox", "xapp-")):
        return ["token: this looks like a Slack token, not a Discord bot token"]
    if token and token.count(".") != 2:
        return [
            "token: a Discord bot token has three parts separated by dots; copy it again (Bot → Reset Token)"
        ]
    return []
