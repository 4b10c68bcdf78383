"""Configuration: a YAML file validated by pydantic, with ``${ENV_VAR}`` substitution for secrets.

A bad file gives one clear error per problem, naming the key (``discord.token``) and what is wrong; secrets
never appear in an error or a log line.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator

from bot.settings import CharterDefaults, CommunitySettings

__all__ = [
    "Config",
    "ConfigError",
    "DatabaseConfig",
    "DiscordConfig",
    "HealthConfig",
    "SlackConfig",
    "load_config",
    "parse_config",
]

_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


class ConfigError(Exception):
    """The configuration can't be used. ``problems`` lists each one as ``"key.path: what is wrong"``."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems) if len(problems) == 1 else self._long())

    def _long(self) -> str:
        lines = [f"{self.source} has {len(self.problems)} problems:"]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DatabaseConfig(_Strict):
    """Where Agora keeps its data."""

    url: str = "sqlite+aiosqlite:///agora.db"
    echo: bool = False


class HealthConfig(_Strict):
    """The local ``/healthz`` endpoint (for Docker's HEALTHCHECK and supervisors)."""

    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)


class LoggingConfig(_Strict):
    """Logs: one structured line per event handled."""

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    format: Literal["json", "text"] = "json"


class DiscordConfig(_Strict):
    """The Discord adapter. The endpoints can be overridden for tests and proxies."""

    token: SecretStr
    api_base_url: str = "https://discord.com/api/v10"
    gateway_url: str = "wss://gateway.discord.gg/"
    sync_commands: bool = True


class SlackHttpConfig(_Strict):
    """Where HTTP mode listens for Slack's signed requests (``POST /slack/events``)."""

    host: str = "0.0.0.0"
    port: int = Field(default=3000, ge=0, le=65535)


class SlackConfig(_Strict):
    """The Slack adapter: Socket Mode (app token) or HTTP mode (signing secret)."""

    bot_token: SecretStr
    mode: Literal["socket", "http"] = "socket"
    app_token: SecretStr | None = None
    signing_secret: SecretStr | None = None
    api_base_url: str = "https://slack.com/api/"
    http: SlackHttpConfig = Field(default_factory=SlackHttpConfig)
    scope_channel: str | None = Field(
        default=None, description="a channel id: the community is that channel's members, not the workspace"
    )

    @model_validator(mode="after")
    def _transport_secret(self) -> SlackConfig:
        if self.mode == "socket" and self.app_token is None:
            raise ValueError("Socket Mode needs slack.app_token (an xapp- token)")
        if self.mode == "http" and self.signing_secret is None:
            raise ValueError("HTTP mode needs slack.signing_secret")
        return self


class CommunityConfig(CommunitySettings):
    """Defaults for every community, and the charter it starts with."""

    charter: CharterDefaults = Field(default_factory=CharterDefaults)

    def settings(self) -> CommunitySettings:
        return CommunitySettings.model_validate(self.model_dump(exclude={"charter"}))


class Config(_Strict):
    """The whole configuration."""

    database: DatabaseConfig = Field(default_factory=DatabaseConfig)
    health: HealthConfig = Field(default_factory=HealthConfig)
    logging: LoggingConfig = Field(default_factory=LoggingConfig)
    discord: DiscordConfig | None = None
    slack: SlackConfig | None = None
    community: CommunityConfig = Field(default_factory=CommunityConfig)


class _FromEnvironment(str):
    """A value that came (at least partly) from the environment: never echoed in an error."""

    __slots__ = ()


def _substitute(node: Any, path: str, env: dict[str, str], problems: list[str]) -> Any:
    if isinstance(node, dict):
        return {k: _substitute(v, f"{path}.{k}" if path else str(k), env, problems) for k, v in node.items()}
    if isinstance(node, list):
        return [_substitute(v, f"{path}[{i}]", env, problems) for i, v in enumerate(node)]
    if isinstance(node, str) and _ENV.search(node):

        def replace(match: re.Match[str]) -> str:
            name, default = match.group(1), match.group(2)
            if env.get(name):  # empty counts as unset, as in the shell's ${VAR:-default}
                return env[name]
            if default is not None:
                return default
            problems.append(
                f"{path}: the environment variable {name} is not set (export it before starting Agora)"
            )
            return ""

        return _FromEnvironment(_ENV.sub(replace, node))
    return node


def _describe(error: dict[str, Any], model: type[BaseModel]) -> str:
    loc = ".".join(str(p) for p in error["loc"] if not str(p).startswith("function-"))
    kind = error["type"]
    if kind == "extra_forbidden":
        parent = loc.rpartition(".")[0]
        known = _known_keys(model, parent)
        hint = f" (known keys here: {', '.join(known)})" if known else ""
        return f"{loc}: unknown key{hint}"
    if kind == "missing":
        return f"{loc}: required key is missing"
    message = error["msg"].removeprefix("Value error, ")
    if kind == "value_error" or "secret" in loc or "token" in loc:
        return f"{loc}: {message}"
    given = error.get("input")
    if isinstance(given, str | int | float | bool) and not isinstance(given, _FromEnvironment):
        return f"{loc}: {message} (got {given!r})"
    return f"{loc}: {message}"


def _known_keys(model: type[BaseModel], dotted: str) -> list[str]:
    current: Any = model
    for part in [p for p in dotted.split(".") if p]:
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            return []
        annotation = fields[part].annotation
        args = [a for a in getattr(annotation, "__args__", (annotation,)) if isinstance(a, type)]
        current = next((a for a in args if issubclass(a, BaseModel)), None)
        if current is None:
            return []
    return sorted(getattr(current, "model_fields", {}))


def parse_config(data: Any, source: str = "config", env: dict[str, str] | None = None) -> Config:
    """Validate already-loaded YAML data. Raises ConfigError naming every problem."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(
            source, ["the file must be a mapping of keys (database:, discord:, community: ...)"]
        )
    problems: list[str] = []
    data = _substitute(data, "", dict(os.environ) if env is None else env, problems)
    if problems:
        raise ConfigError(source, problems)
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(source, [_describe(e, Config) for e in exc.errors()]) from None


def load_config(path: str | Path, env: dict[str, str] | None = None) -> Config:
    """Read and validate a YAML config file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(str(path), ["no such file"]) from None
    except OSError as exc:
        raise ConfigError(str(path), [f"cannot be read ({exc.strerror})"]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(str(path), [f"{where}not valid YAML ({problem})"]) from None
    return parse_config(data, str(path), env)
