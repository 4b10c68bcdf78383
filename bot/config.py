"""Configuration: a YAML file validated by pydantic, with ``${ENV_VAR}`` substitution for secrets.

A bad file gives one clear error per problem, naming the key (``health.port``) and what is wrong; secrets
never appear in an error or a log line.

Each platform's section (``platforms.<name>:``) belongs to its adapter: the adapter's ``config_model``
validates it (see ``bot.platforms``) and the core keeps it as a plain mapping, so the core names no platform. A platform's
section written at the top level (``<name>:``), as before ``platforms:`` existed, counts as ``platforms.<name>``.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable, Mapping
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Self, get_args

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    create_model,
    field_validator,
    model_validator,
)

from bot.platforms import adapter_module, installed
from bot.settings import CharterDefaults, CommunitySettings, settings_model
from bot.settings.types import Duration

__all__ = [
    "Config",
    "ConfigError",
    "DatabaseConfig",
    "HealthConfig",
    "WebConfig",
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


# Platforms re-send an unacknowledged event for a few hours at most (Slack: three retries within about an hour):
# delivery ids must be kept longer than that, or a late re-delivery would have a second effect.
MIN_KEEP_FOR = timedelta(days=1)


class DatabaseConfig(_Strict):
    """Where Agora keeps its data, and for how long it keeps what only serves delivery (``keep_for``: processed
    delivery ids, outbox entries done, inbox entries that could not be handled)."""

    url: str = "sqlite+aiosqlite:///agora.db"
    echo: bool = False
    keep_for: Duration = timedelta(days=30)

    @field_validator("keep_for")
    @classmethod
    def _longer_than_retries(cls, value: timedelta) -> timedelta:
        if value < MIN_KEEP_FOR:
            raise ValueError(
                "must be at least 1d: platforms re-send an event for hours, its id must outlive that"
            )
        return value


class HealthConfig(_Strict):
    """The local ``/healthz`` endpoint (for Docker's HEALTHCHECK and supervisors)."""

    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)


class WebConfig(_Strict):
    """The animators' web dashboard, served by ``agora run`` (off unless enabled).

    ``public_url`` is the address animators open (behind a reverse proxy with TLS: ``https://agora.example.org``);
    sign-in links are made from it. ``secret`` signs the session cookies; left empty, Agora generates one and keeps
    it in the database, so sessions survive a restart."""

    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = Field(default=8081, ge=0, le=65535)
    public_url: str = ""
    secret: SecretStr | None = None

    @field_validator("public_url")
    @classmethod
    def _an_address(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value and not re.match(r"^https?://[^/\s]+", value):
            raise ValueError(
                "must start with https:// (or http:// for a local test), e.g. https://agora.example.org"
            )
        return value

    @model_validator(mode="after")
    def _public_url_when_enabled(self) -> Self:
        if self.enabled and not self.public_url:
            raise ValueError(
                "public_url is needed when the dashboard is enabled: the address animators open, "
                "e.g. https://agora.example.org"
            )
        return self

    def url(self, path: str) -> str:
        """The public address of ``path`` (``/login/…``)."""
        return f"{self.public_url}{path}"


class LoggingConfig(_Strict):
    """Logs: one structured line per event handled."""

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    format: Literal["json", "text"] = "json"
    # The libraries' loggers (database drivers, the platforms' clients) stay at WARNING: at DEBUG they write
    # members' data. Lower only to debug one of them, never into a log others read.
    libraries: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "WARNING"


class CommunityConfig(CommunitySettings):
    """Defaults for every community, and the charter it starts with."""

    charter: CharterDefaults = Field(default_factory=CharterDefaults)

    def settings(self) -> CommunitySettings:
        return settings_model().model_validate(self.model_dump(exclude={"charter"}))


class Config(_Strict):
    """The whole configuration. ``platforms`` keeps each platform's section as a mapping; ``platform(name)``
    gives it validated by its adapter."""

    database: DatabaseConfig = Field(default_factory=DatabaseConfig)
    health: HealthConfig = Field(default_factory=HealthConfig)
    web: WebConfig = Field(default_factory=WebConfig)
    logging: LoggingConfig = Field(default_factory=LoggingConfig)
    platforms: dict[str, dict[str, Any]] = Field(default_factory=dict)
    community: CommunityConfig = Field(default_factory=CommunityConfig)

    # name -> (the section as kept in ``platforms``, the adapter's model of it); valid while the first is there.
    _validated: dict[str, tuple[dict[str, Any], Any]] = PrivateAttr(default_factory=dict)
    # name -> where the file wrote the section (``<name>`` or ``platforms.<name>``), to name keys as written.
    _written_at: dict[str, str] = PrivateAttr(default_factory=dict)
    # name -> the section's keys whose value the file spells out (not ``${ENV}``), to warn about secrets there.
    _spelled_out: dict[str, set[str]] = PrivateAttr(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _platforms_at_the_top(cls, data: Any) -> Any:
        if isinstance(data, dict):
            data, _, problems = _lift_platforms(data, cls.model_fields)
            if problems:
                raise ValueError("; ".join(problems))
        return data

    def platform(self, name: str) -> Any:
        """Platform ``name``'s section validated by its adapter's ``config_model`` (as written when the adapter
        declares none); None when the config has no such section. Raises ConfigError when it is not valid."""
        section = self.platforms.get(name)
        if section is None:
            return None
        known = self._validated.get(name)
        if known is not None and known[0] is section:
            return known[1]
        validated, problems = _validate_platforms({name: section}, self._written_at)
        if problems:
            raise ConfigError("config", problems)
        self._validated[name] = (section, validated.get(name, section))
        return self._validated[name][1]

    def warnings(self) -> list[str]:
        """What each configured platform's adapter finds valid but doubtful (its ``check_config``), each as
        ``"<section>.key: what to do"``; ``agora check-config`` shows them."""
        found: list[str] = []
        for name in self.platforms:
            module = adapter_module(name)
            where = self._written_at.get(name, f"platforms.{name}")
            for key in sorted(self._spelled_out.get(name, set()) & _secret_keys(module)):
                variable = f"{name}_{key}".upper()
                found.append(
                    f"{where}.{key}: a secret is written in the file, where anyone who reads it (or a backup) "
                    f"can use it: export it as an environment variable and write ${{{variable}}} instead"
                )
            check = getattr(module, "check_config", None)
            if check is not None:
                found += [f"{where}.{warning}" for warning in check(self.platform(name))]
        return found

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """Pydantic's copy; a platform's section may also be given by name, validated or as written
        (``update={"<name>": <its config_model>(...)}``): it goes under ``platforms``."""
        rest = dict(update or {})
        sections = {key: rest.pop(key) for key in list(rest) if _is_platform(key, type(self).model_fields)}
        copied = super().model_copy(update=rest, deep=deep)
        copied._validated = dict(copied._validated)
        if sections:
            platforms = dict(copied.platforms)
            for name, section in sections.items():
                if section is None:
                    platforms.pop(name, None)
                    continue
                raw = section.model_dump() if isinstance(section, BaseModel) else dict(section)
                platforms[name] = raw
                if isinstance(section, BaseModel):
                    copied._validated[name] = (raw, section)
            copied.__dict__["platforms"] = platforms
        return copied

    if not TYPE_CHECKING:  # typed code says config.platform(name)

        def __getattr__(self, name: str) -> Any:
            # Compatibility: ``config.<platform>`` (None when not configured), from before ``platforms:``.
            if not name.startswith("_") and (
                name in self.__dict__.get("platforms", ()) or name in installed()
            ):
                return self.platform(name)
            return super().__getattr__(name)


def _secret_keys(module: Any) -> set[str]:
    """The keys of an adapter's section that hold secrets: the fields its ``config_model`` types ``SecretStr``."""
    model = getattr(module, "config_model", None)
    fields = getattr(model, "model_fields", {})
    return {
        key
        for key, field in fields.items()
        if field.annotation is SecretStr or SecretStr in get_args(field.annotation)
    }


def _spelled_out(sections: Any) -> dict[str, set[str]]:
    """For each platform's section as written, the keys whose text the file gives itself (no ``${ENV}``)."""
    if not isinstance(sections, dict):
        return {}
    return {
        name: {
            key
            for key, value in section.items()
            if isinstance(value, str) and value and not isinstance(value, _FromEnvironment)
        }
        for name, section in sections.items()
        if isinstance(section, dict)
    }


def _animators_by_name(config: Config) -> list[str]:
    """``community.animators`` entries that no configured platform reads as a member id (each adapter may say
    what its ids look like, ``is_member_id``, and where to copy one, ``MEMBER_ID_HELP``). Animators are known
    by id only: anyone can take a display name. With no platform (the demo), members' names are their ids."""
    modules = [adapter_module(name) for name in config.platforms]
    recognisers = [r for m in modules if callable(r := getattr(m, "is_member_id", None))]
    if not recognisers:
        return []
    helps = [h for m in modules if isinstance(h := getattr(m, "MEMBER_ID_HELP", None), str)]
    return [
        f"community.animators[{i}]: {entry!r} is not a member id. Please list animators by their id, which nobody "
        "else can take (a display name can be taken by anyone)" + "".join(f". {h}" for h in helps)
        for i, entry in enumerate(config.community.animators)
        if not any(recognise(entry) for recognise in recognisers)
    ]


def _is_platform(key: Any, fields: Iterable[str]) -> bool:
    """A top-level key that is not the core's but an installed adapter's name."""
    return (
        isinstance(key, str) and key not in fields and (key in installed() or adapter_module(key) is not None)
    )


def _lift_platforms(
    data: dict[str, Any], fields: Iterable[str]
) -> tuple[dict[str, Any], dict[str, str], list[str]]:
    """``data`` with the platform sections written at the top level moved under ``platforms`` and the empty ones
    (a platform left off) dropped; where each section was written; and what is wrong (a platform given twice,
    a section that is not a mapping)."""
    platforms = data.get("platforms")
    if platforms is not None and not isinstance(platforms, dict):
        return data, {}, []  # pydantic says that platforms must be a mapping
    data, platforms = dict(data), dict(platforms or {})
    where = {name: f"platforms.{name}" for name in platforms}
    problems: list[str] = []
    fields = set(fields)
    for key in [k for k in data if k != "platforms" and _is_platform(k, fields)]:
        section = data.pop(key)
        if key in platforms:
            problems.append(f"{key}: given twice, here and under platforms: keep only platforms.{key}")
        else:
            platforms[key], where[key] = section, key
    for name, section in list(platforms.items()):
        if section is None:
            del platforms[name]
        elif not isinstance(section, dict):
            problems.append(f"{where[name]}: should be a mapping of keys (indented lines under {name}:)")
            del platforms[name]
    if platforms or "platforms" in data:
        data["platforms"] = platforms
    return data, where, problems


def _validate_platforms(
    sections: Mapping[str, Any], where: Mapping[str, str]
) -> tuple[dict[str, Any], list[str]]:
    """Each section validated by its adapter's ``config_model`` (kept as written when it has none), and the
    problems, each naming the key as the file wrote it."""
    validated: dict[str, Any] = {}
    problems: list[str] = []
    for name, section in sections.items():
        at = where.get(name, f"platforms.{name}")
        module = adapter_module(name)
        if module is None:
            choices = ", ".join(installed()) or "none"
            problems.append(f"{at}: no adapter called {name!r} is installed (installed: {choices})")
            continue
        model = getattr(module, "config_model", None)
        if model is None:
            continue
        try:
            validated[name] = model.model_validate(section)
        except ValidationError as exc:
            problems += [_describe(e, model, at) for e in exc.errors()]
    return validated, problems


def __getattr__(name: str) -> Any:
    # Compatibility: the platforms' config models lived here (``bot.config.<Platform>Config``); they are their
    # adapters' now, and resolve to them.
    if not name.startswith("_"):
        for platform in installed():
            model = getattr(adapter_module(platform), "config_model", None)
            home = sys.modules.get(getattr(model, "__module__", ""))
            if home is not None and name in getattr(home, "__all__", ()):
                return getattr(home, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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


def _describe(error: Any, model: type[BaseModel], prefix: str = "", roots: Iterable[str] = ()) -> str:
    """One problem, naming its key under ``prefix`` (where ``model``'s data sits in the file); ``roots`` are
    keys also known at the top of ``model``."""
    parts = [str(p) for p in error["loc"] if not str(p).startswith("function-")]
    loc = ".".join([prefix, *parts] if prefix else parts)
    kind = error["type"]
    if kind == "extra_forbidden":
        parent = ".".join(parts[:-1])
        known = sorted({*_known_keys(model, parent), *(roots if not parent else ())})
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
            source, ["the file must be a mapping of keys (database:, platforms:, community: ...)"]
        )
    problems: list[str] = []
    data = _substitute(data, "", dict(os.environ) if env is None else env, problems)
    if problems:
        raise ConfigError(source, problems)
    model = config_model()
    data, where, problems = _lift_platforms(data, model.model_fields)
    sections = data.get("platforms")
    validated, platform_problems = _validate_platforms(sections if isinstance(sections, dict) else {}, where)
    if validated:  # kept as its adapter reads it: secrets as SecretStr, never in a repr
        data["platforms"] = {**sections, **{name: kept.model_dump() for name, kept in validated.items()}}
    config: Config | None = None
    try:
        config = model.model_validate(data)
    except ValidationError as exc:
        problems += [_describe(e, model, roots=("platforms", *installed())) for e in exc.errors()]
    problems += platform_problems
    if config is not None and not platform_problems:
        problems += _animators_by_name(config)
    if problems or config is None:
        raise ConfigError(source, problems)
    config._spelled_out = _spelled_out(sections)
    config._written_at = where
    config._validated = {name: (config.platforms[name], section) for name, section in validated.items()}
    return config


@cache
def config_model() -> type[Config]:
    """The configuration with each feature's own ``community.<section>`` (see ``Feature.settings``)."""
    sections = settings_model()
    community = create_model(
        "CommunityConfig",
        __base__=(CommunityConfig, sections),
        __module__=__name__,
    )
    return create_model(
        "Config",
        __base__=Config,
        __module__=__name__,
        community=(community, Field(default_factory=community)),
    )


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
