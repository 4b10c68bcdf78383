"""The kinds of value a member types and a setting holds: one parser and one polite refusal per kind.

A kind serves three places from one definition: a command option (``Option("duration", ..., type=DURATION)``)
converted before the handler runs, a pydantic settings field (``Duration``, ``OffOrCron``, ...) validated when the
YAML or a command sets it, and the settings command the core builds from a feature's settings model.

Every refusal names the value (an excerpt, never a 6,000-character echo) and the option, in the member's language.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BeforeValidator, PlainSerializer

from bot.durations import format_duration, parse_duration
from bot.errors import UserError
from bot.i18n import LOCALES, N_, LocaleName, Translator
from storage.models import Schedule

__all__ = [
    "CHANNEL",
    "CHOICE",
    "CRON",
    "CRON_LIMIT",
    "DELAY",
    "DURATION",
    "INTEGER",
    "LOCALE",
    "MEMBER",
    "NO_WORDS",
    "OFF_OR_CRON",
    "OFF_OR_DELAY",
    "OFF_OR_DURATION",
    "OFF_WORDS",
    "ROLE",
    "TEXT",
    "TIMEZONE",
    "TIME_OF_DAY",
    "YES_NO",
    "YES_WORDS",
    "ChannelId",
    "Cron",
    "Delay",
    "Duration",
    "Kind",
    "Locale",
    "OffOrCron",
    "OffOrDelay",
    "OffOrDuration",
    "TimeOfDay",
    "Timezone",
    "clean_text",
    "column_length",
    "excerpt",
    "is_off",
    "is_time_zone",
    "kind_of",
    "row_id",
    "whole_number",
]

WireKind = Literal["string", "integer", "boolean", "member", "channel", "role"]

# The one list of words that switch a delay, a schedule or a limit off, in either language.
OFF_WORDS = frozenset(
    {
        "",
        "off",
        "none",
        "no",
        "never",
        "non",
        "jamais",
        "aucun",
        "aucune",
        "désactivé",
        "desactive",
        "disabled",
    }
)
YES_WORDS = frozenset({"yes", "y", "oui", "o", "true", "on", "1"})
NO_WORDS = frozenset({"no", "n", "non", "false", "off", "0"})
# What a PostgreSQL ``integer`` column holds: larger numbers are refused before they reach the database.
INT_MAX = 2**31 - 1
# What a duration may reach: beyond this ``timedelta`` overflows, and no community plans that far.
MAX_DURATION = timedelta(days=3650)
_TIME = re.compile(r"^([01]?\d|2[0-3])\s*[:hH]\s*([0-5]\d)?$")


def _keepable(ch: str) -> bool:
    # Control characters (NUL, escapes, DEL, C1) and lone surrogates, which UTF-8 cannot encode.
    return unicodedata.category(ch) not in ("Cc", "Cs")


def excerpt(value: object, limit: int = 60) -> str:
    """What a refusal quotes of a member's input: one line, at most ``limit`` characters, no control character."""
    text = " ".join("".join(ch if _keepable(ch) else " " for ch in str(value)[: limit * 4]).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def clean_text(raw: str) -> str:
    """A member's text as Agora keeps it: line breaks and tabs kept, other control characters dropped.

    Raises ValueError for a NUL byte or a lone surrogate, which no database column can hold (PostgreSQL refuses
    both) and which no keyboard types: the text was mangled on its way, better to ask for it again."""
    if "\x00" in raw:
        raise ValueError("NUL byte")
    if any("\ud800" <= ch <= "\udfff" for ch in raw):
        raise ValueError("lone surrogate")
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in text if ch in "\n\t" or _keepable(ch))


def whole_number(text: str) -> int | None:
    """``text`` as a whole number an ``integer`` column holds (ASCII digits only: ``str.isdigit`` also says yes
    to "²", which ``int`` refuses), else None."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 10 or int(text) > INT_MAX:
        return None
    return int(text)


def row_id(ref: object) -> int | None:
    """The row id a button's or a form's ``ref`` names (``12`` or ``#12``), else None."""
    return whole_number(str(ref).strip().lstrip("#"))


def column_length(column: Any) -> int:
    """The length of a ``String(n)`` model column: the limit a member's text is held to, from the one place
    that sets it."""
    length = column.property.columns[0].type.length
    assert isinstance(length, int), f"{column} has no length"
    return length


def is_off(value: object) -> bool:
    """True when ``value`` says "off" (None, or one of :data:`OFF_WORDS` in either language)."""
    return value is None or (isinstance(value, str) and value.strip().lower() in OFF_WORDS)


@dataclass(frozen=True)
class Kind:
    """A kind of value: how adapters present it (``wire``), how it is read, and how a bad one is refused.

    ``parse`` raises ValueError (or OverflowError) on a bad value; ``error`` is an English message id with
    ``{value}`` and ``{option}``, translated where it is shown. ``show`` turns a stored value back into the text a
    member would type (for settings pages and config files).
    """

    name: str
    wire: WireKind
    parse: Callable[[Any], Any]
    error: str
    show: Callable[[Any], str] = str
    off: bool = False
    choices: tuple[str, ...] = field(default=())

    def read(self, raw: Any) -> Any:
        """The value of ``raw``; None for "off" where the kind allows it. Raises ValueError."""
        if self.off and is_off(raw):
            return None
        return self.parse(raw)

    def display(self, value: Any) -> str:
        return "off" if value is None else self.show(value)


def _text(raw: Any) -> str:
    return clean_text(str(raw))


def _integer(raw: Any) -> int:
    if isinstance(raw, bool):
        raise ValueError(f"{raw!r} is not a number")
    value = int(str(raw).strip()) if not isinstance(raw, int) else raw
    if not -INT_MAX <= value <= INT_MAX:
        raise ValueError(f"{value} is out of range")
    return value


def _yes_no(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    word = str(raw).strip().lower()
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    raise ValueError(f"{raw!r} is neither yes nor no")


def _duration(raw: Any) -> timedelta:
    try:
        value = parse_duration(raw)
    except OverflowError:
        raise ValueError(f"{raw!r} is too long") from None
    if value > MAX_DURATION:
        raise ValueError(f"{raw!r} is longer than ten years")
    return value


def _delay(raw: Any) -> timedelta:
    value = _duration(raw)
    if value <= timedelta(0):
        raise ValueError("must be longer than zero")
    return value


@cache
def _checked_cron(rule: str) -> str:
    # Settings are validated on every event: each distinct rule is parsed once.
    from bot.scheduler import cron_trigger

    cron_trigger(rule, "UTC")
    return rule


# What a schedule's column holds: a longer rule (valid or not) is refused before it is stored.
CRON_LIMIT = column_length(Schedule.cron)


def _cron(raw: Any) -> str:
    rule = " ".join(str(raw).split())
    if len(rule) > CRON_LIMIT:
        raise ValueError(f"a schedule is at most {CRON_LIMIT} characters")
    return _checked_cron(rule)


def time_zone(_: Translator, raw: Any) -> str:
    """A time zone a member typed (``Europe/Paris``), or a polite refusal quoting an excerpt of it."""
    try:
        return _timezone(raw)
    except ValueError:
        raise UserError(
            _(
                "“{value}” is not a time zone I know. Examples: Europe/Paris, Europe/Brussels, America/Montreal, "
                "UTC.",
                value=excerpt(raw),
            )
        ) from None


def is_time_zone(raw: Any) -> bool:
    """Whether ``raw`` names a time zone Agora knows (what a platform says of a member is checked, not trusted)."""
    try:
        _timezone(raw)
    except ValueError:
        return False
    return True


def _timezone(raw: Any) -> str:
    name = str(raw).strip()
    if not name or len(name) > column_length(Schedule.timezone):
        raise ValueError(f"unknown time zone {excerpt(raw)!r}")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(
            f"unknown time zone {name!r} (examples: Europe/Paris, America/Montreal, UTC)"
        ) from None
    return name


def _time_of_day(raw: Any) -> str:
    match = _TIME.match(str(raw).strip())
    if not match:
        raise ValueError(f"{raw!r} is not a time of day (examples: 09:00, 12:30)")
    return f"{int(match.group(1)):02d}:{match.group(2) or '00'}"


def _ref(prefix: str) -> Callable[[Any], str]:
    def read(raw: Any) -> str:
        text = str(raw).strip()
        # Adapters hand over the neutral forms (``<@id>``); what a member typed by hand may still carry the sigil.
        match = re.fullmatch(rf"<{re.escape(prefix)}([^>]+)>", text)
        if match:
            return match.group(1)
        text = text.removeprefix(prefix if prefix != "@&" else "@")
        if not text or any(ch.isspace() for ch in text):
            raise ValueError(f"{raw!r} is not a reference")
        return text

    return read


TEXT = Kind("text", "string", _text, N_("“{value}” is not a text I can keep (option {option})."))
INTEGER = Kind("integer", "integer", _integer, N_("“{value}” is not a whole number (option {option})."))
YES_NO = Kind(
    "yes/no",
    "boolean",
    _yes_no,
    N_("“{value}” should be yes or no (option {option})."),
    show=lambda value: "yes" if value else "no",
)
MEMBER = Kind("member", "member", _ref("@"), N_("“{value}” is not a member (option {option})."))
CHANNEL = Kind("channel", "channel", _ref("#"), N_("“{value}” is not a channel (option {option})."))
ROLE = Kind("role", "role", _ref("@&"), N_("“{value}” is not a role (option {option})."))
CHOICE = Kind(
    "choice",
    "string",
    lambda raw: str(raw).strip().lower(),
    N_("“{value}” is not a choice for {option}. Choose one of: {choices}."),
)
DURATION = Kind(
    "duration",
    "string",
    _delay,
    N_("“{value}” is not a duration I understand (option {option}). Examples: 3d, 36h, 1h30m."),
    show=format_duration,
)
DELAY = Kind(
    "delay",
    "string",
    _delay,
    N_("“{value}” is not a delay I understand (option {option}). Examples: 2d, 36h, 1h30m."),
    show=format_duration,
)
OFF_OR_DURATION = Kind(
    "duration or off",
    "string",
    _duration,
    N_("“{value}” is not a duration I understand (option {option}). Examples: 3d, 36h, 1h30m, or off."),
    show=format_duration,
    off=True,
)
OFF_OR_DELAY = Kind(
    "delay or off",
    "string",
    _delay,
    N_("“{value}” is not a delay I understand (option {option}). Examples: 2d, 36h, 1h30m, or off."),
    show=format_duration,
    off=True,
)
CRON = Kind(
    "cron",
    "string",
    _cron,
    N_(
        "“{value}” is not a schedule I understand (option {option}). Write a cron rule in quotes, "
        'e.g. "0 18 * * thu" for Thursdays at 18:00.'
    ),
)
OFF_OR_CRON = Kind(
    "cron or off",
    "string",
    _cron,
    N_(
        "“{value}” is not a schedule I understand (option {option}). Write a cron rule in quotes, "
        'e.g. "0 18 * * thu" for Thursdays at 18:00, or off.'
    ),
    off=True,
)
TIMEZONE = Kind(
    "time zone",
    "string",
    _timezone,
    N_(
        "“{value}” is not a time zone I know (option {option}). Examples: Europe/Paris, America/Montreal, UTC."
    ),
)
TIME_OF_DAY = Kind(
    "time of day",
    "string",
    _time_of_day,
    N_("“{value}” is not a time of day (option {option}). Examples: 09:00, 18h30."),
)
LOCALE = Kind(
    "language",
    "string",
    lambda raw: str(raw).strip().lower(),
    N_("“{value}” is not a choice for {option}. Choose one of: {choices}."),
    choices=LOCALES,
)


def _field(kind: Kind, python_type: Any) -> Any:
    """A pydantic annotated type read by ``kind`` and written back as a member would type it."""

    def validate(raw: Any) -> Any:
        return kind.read(raw)

    def serialize(value: Any) -> Any:
        return None if value is None else kind.show(value) if kind.show is not str else value

    return Annotated[
        python_type, BeforeValidator(validate), PlainSerializer(serialize, when_used="json"), kind
    ]


Duration = _field(DURATION, timedelta)
Delay = _field(DELAY, timedelta)
OffOrDuration = _field(OFF_OR_DURATION, timedelta | None)
OffOrDelay = _field(OFF_OR_DELAY, timedelta | None)
Cron = _field(CRON, str)
OffOrCron = _field(OFF_OR_CRON, str | None)
Timezone = _field(TIMEZONE, str)
TimeOfDay = _field(TIME_OF_DAY, str)
ChannelId = _field(CHANNEL, str)
Locale = Annotated[LocaleName, LOCALE]


def kind_of(annotation: Any, metadata: Sequence[Any] = ()) -> tuple[Kind, tuple[str, ...]]:
    """The kind of a settings field (from its annotated metadata, else from its Python type), with its choices.

    Used by the core to build a feature's settings command from its settings model."""
    for item in metadata:
        if isinstance(item, Kind):
            return item, item.choices
    origin = getattr(annotation, "__origin__", None)
    args = getattr(annotation, "__args__", ())
    if origin is Literal:
        return CHOICE, tuple(str(a) for a in args)
    if annotation is bool:
        return YES_NO, ()
    if annotation is int:
        return INTEGER, ()
    if annotation is timedelta:
        return DURATION, ()
    # ``int | None`` and the like: the kind of the non-None part, which "off" switches off.
    non_none = [a for a in args if a is not type(None)]
    if len(non_none) == 1 and len(args) == 2:
        inner, choices = kind_of(non_none[0])
        if inner is INTEGER:
            return Kind(inner.name, inner.wire, inner.parse, inner.error, inner.show, True, choices), choices
        return inner, choices
    return TEXT, ()
