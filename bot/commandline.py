"""Reading ``/agora ...`` typed as text (a slash command, the console) into a command and its options.

``/agora setup locale=fr timezone="Europe/Paris"`` or positionally ``/agora setup fr``; quotes group words;
mentions become ids: the neutral forms adapters hand over (``<@id>``, ``<#id>``, ``<@&id>`` for a role; an adapter
turns its platform's own syntax into them first) and, for a member or a channel option, what a member typed by
hand (``@alice``, ``#general``). Mistakes come back as a ``UserError`` with the command's usage, in the
community's language.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from bot.errors import UserError
from bot.i18n import Translator
from bot.router import CommandSpec, Option, Router, command_text
from bot.settings.types import excerpt

__all__ = ["parse_command_text", "unknown_command", "usage"]

_NEUTRAL_REF = re.compile(r"^<(?:@&|@|#)([^\s<>|]+)>$")


# Quotes that group words. A single quote groups only where a value starts (see _opens_single_quote): elsewhere it
# is an apostrophe, in French ("Qu'est-ce qui…") as in English ("what's"), typed far more often than to quote.
_QUOTES = {'"': '"', "“": "”", "«": "»", "„": "“"}
_OPENED = "\x00"


def split_words(text: str) -> list[str]:
    """Words typed after ``/agora``; ``"…"``, ``“…”`` and ``« … »`` group words, also after ``key=``.
    Raises ValueError for a quote never closed."""
    words: list[str] = []
    current: list[str] = []
    closing: str | None = None
    quoted = False
    text = text.strip()
    for index, char in enumerate(text):
        if closing is not None:
            if char == closing:
                closing = None
                while current and current[-1].isspace():  # « texte » : the spaces belong to the quotes
                    current.pop()
            elif char.isspace() and current and current[-1] == _OPENED:
                continue
            else:
                current.append(char)
            continue
        if char in _QUOTES or (char == "'" and _opens_single_quote(text, index, current)):
            closing, quoted = _QUOTES.get(char, "'"), True
            current.append(_OPENED)  # leading spaces inside « … » are skipped after it, then it goes
            continue
        if char.isspace():
            if current or quoted:
                words.append(_unmark(current))
            current, quoted = [], False
            continue
        current.append(char)
    if closing is not None:
        raise ValueError("a quotation mark is not closed")
    if current or quoted:
        words.append(_unmark(current))
    return words


def _opens_single_quote(text: str, index: int, current: list[str]) -> bool:
    """A single quote quotes only at the start of a value (``'…'``, ``key='…'``) closed before a space or the
    end; anywhere else it is an apostrophe."""
    if current and current[-1] != "=":
        return False
    closing = text.find("'", index + 1)
    return closing != -1 and (closing + 1 == len(text) or text[closing + 1].isspace())


def _unmark(chars: list[str]) -> str:
    return "".join(char for char in chars if char != _OPENED)


def unknown_command(
    router: Router, words: list[str], _: Translator, spell: Callable[[str], str] = command_text
) -> UserError:
    """The refusal of a command nobody has, naming what was typed: after a group's name (``debate frobnicate``),
    the unknown subcommand and the group's commands; else the unknown word. ``spell`` names a command as the
    member's platform does."""
    group = words[0].lower()
    commands = sorted(name.split(" ", 1)[1] for name in router.commands if name.startswith(f"{group} "))
    if not commands:
        return UserError(
            _("There is no command “{name}”. Try {help}.", name=excerpt(words[0]), help=spell("help"))
        )
    if len(words) == 1:
        return UserError(
            _(
                "{group} needs a command after it: {commands}.",
                group=spell(group),
                commands=", ".join(commands),
            )
        )
    return UserError(
        _(
            "{group} has no command “{name}”. Its commands: {commands}.",
            group=spell(group),
            name=excerpt(words[1]),
            commands=", ".join(commands),
        )
    )


def usage(spec: CommandSpec) -> str:
    """``/agora setup [locale=…] [timezone=…]`` for a command."""
    parts = [f"/agora {spec.name}"]
    for option in spec.options:
        parts.append(f"{option.name}=…" if option.required else f"[{option.name}=…]")
    return " ".join(parts)


def _ref_value(option: Option, raw: str) -> str:
    match = _NEUTRAL_REF.match(raw)
    if match:
        return match.group(1)
    if option.kind == "member" and raw.startswith("@"):
        return raw[1:]
    if option.kind == "channel" and raw.startswith("#"):
        return raw[1:]
    return raw


def _convert(_: Translator, spec: CommandSpec, option: Option, raw: str) -> Any:
    value: Any = _ref_value(option, raw)
    if option.kind == "integer":
        try:
            value = int(value)
        except ValueError:
            raise UserError(
                _(
                    "“{value}” is not a whole number (option {option}).",
                    value=excerpt(raw),
                    option=option.name,
                )
            ) from None
    elif option.kind == "boolean":
        lowered = value.lower()
        if lowered in ("yes", "oui", "true", "on", "1"):
            value = True
        elif lowered in ("no", "non", "false", "off", "0"):
            value = False
        else:
            raise UserError(
                _("“{value}” should be yes or no (option {option}).", value=excerpt(raw), option=option.name)
            )
    if option.choices and value not in option.choices:
        raise UserError(
            _(
                option.error or "“{value}” is not a choice for {option}. Choose one of: {choices}.",
                value=excerpt(raw),
                option=option.name,
                choices=", ".join(option.choices),
            )
        )
    return value


def parse_command_text(router: Router, text: str, _: Translator) -> tuple[CommandSpec, dict[str, Any]]:
    """The command and options typed after ``/agora``. An empty text means ``help``."""
    try:
        words = split_words(text)
    except ValueError:
        raise UserError(_("A quotation mark is not closed. Try again with matching quotes.")) from None
    if not words:
        words = ["help"]
    spec, rest = router.resolve_command(words)
    if spec is None:
        raise unknown_command(router, words, _)
    options = {option.name: option for option in spec.options}
    args: dict[str, Any] = {}
    positional = [o for o in spec.options]
    greedy: Option | None = None  # the free-text option the previous word went to, which takes more words
    for word in rest:
        name, sep, raw = word.partition("=")
        if greedy is not None and not (sep and name in options):
            args[greedy.name] = f"{args[greedy.name]} {word}"
            continue
        if sep and name in options:
            option = options[name]
        elif sep and re.fullmatch(r"[a-z_]+", name):
            raise UserError(
                _(
                    "“{option}” is not an option of /agora {command}. Usage: {usage}",
                    option=excerpt(name),
                    command=spec.name,
                    usage=usage(spec),
                )
            )
        else:
            remaining = [o for o in positional if o.name not in args]
            if not remaining:
                raise UserError(
                    _(
                        "Too many values for /agora {command}. Usage: {usage}",
                        command=spec.name,
                        usage=usage(spec),
                    )
                )
            option, raw = remaining[0], word
        args[option.name] = _convert(_, spec, option, raw)
        greedy = option if option.rest and option.kind == "string" and not option.choices else None
    missing = [o.name for o in spec.options if o.required and o.name not in args]
    if missing:
        raise UserError(
            _(
                "/agora {command} needs {option}. Usage: {usage}",
                command=spec.name,
                option=missing[0],
                usage=usage(spec),
            )
        )
    return spec, args
