"""The Discord adapter's section of the config (``platforms.discord:``), validated here rather than in the core.

``adapters.discord`` exposes ``config_model`` (this ``DiscordConfig``) and ``check_config`` next to ``create``;
``bot.config`` validates the section with the model and ``agora check-config`` shows what ``check_config`` says.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

__all__ = ["MEMBER_ID_HELP", "DiscordConfig", "check_config", "is_member_id"]


class DiscordConfig(BaseModel):
    """The Discord adapter. The endpoints can be overridden for tests and proxies."""

    model_config = ConfigDict(extra="forbid")

    token: SecretStr
    api_base_url: str = "https://discord.com/api/v10"
    gateway_url: str = "wss://gateway.discord.gg/"
    sync_commands: bool = True
    # Several processes (README, "More than one process"): ``shard_count`` alone runs every shard in this process
    # (discord.py's AutoShardedClient); with ``shard_ids``, this process runs those shards only, and the other
    # processes the rest, each with the same ``shard_count``. Neither: one connection, as Discord allows up to
    # 2,500 servers.
    shard_count: int | None = Field(default=None, ge=1)
    shard_ids: list[int] | None = None

    @model_validator(mode="after")
    def _shards(self) -> DiscordConfig:
        if self.shard_ids is not None:
            if self.shard_count is None:
                raise ValueError("shard_ids needs shard_count: the number of shards across every process")
            wrong = [n for n in self.shard_ids if not 0 <= n < self.shard_count]
            if wrong or not self.shard_ids or len(set(self.shard_ids)) != len(self.shard_ids):
                raise ValueError(
                    f"shard_ids: each shard once, numbered from 0 to {self.shard_count - 1} (shard_count - 1)"
                )
        return self

    def client_options(self) -> dict[str, object]:
        """What discord.py's client is given for the shards this process runs (nothing when unsharded)."""
        if self.shard_count is None:
            return {}
        options: dict[str, object] = {"shard_count": self.shard_count}
        if self.shard_ids is not None:
            options["shard_ids"] = sorted(self.shard_ids)
        return options


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
