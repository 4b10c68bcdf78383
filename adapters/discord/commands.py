"""The app command tree: one ``/agora`` group whose subcommands are the core's commands (``app.router.commands``).

Each ``CommandSpec`` becomes a subcommand (``"meeting poll"`` becomes the subgroup ``meeting`` and its subcommand
``poll``; a command that is also a group's name, ``"charter"`` next to ``"charter edit"``, becomes that group's
``show``, since Discord allows a name to be one or the other); each ``Option`` a typed Discord option: ``string``/``integer``/``boolean`` as such, ``member``, ``role``
and ``channel`` as Discord's pickers (the core receives their ids, as strings), ``choices`` as Discord choices
(or, past Discord's 25, as autocomplete over them, as for an ``Option(autocomplete=True)``). Descriptions are the
core's English message ids, translated for Discord's French locale by :class:`AgoraTranslator`.

The callbacks are built from the specs with a generated ``__signature__`` (discord.py reads a command's
parameters from its callback's signature), parameters named ``p0``, ``p1``... and renamed to the options' names,
so any option name Discord accepts works.

Animators' commands: Discord only honours ``default_member_permissions`` on top-level commands, never on a
subcommand, so animator-only subcommands cannot be hidden from members while every command stays under the one
``/agora`` (as on Slack; no second top-level command). They are visible to all, their descriptions end with
"(animators)" (« (animateurs) ») so members know before they try, and the core refuses them politely to anyone
who does not animate the community (see the README section). A server's administrators can still restrict
``/agora`` as a whole in Server Settings → Integrations.

A command that is also a group's name is spelled differently on Discord (``/agora charter show``):
:func:`command_text` spells it, and the Chat port's ``command_text`` gives that spelling to every message of the
core that names a command.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from typing import Any, Protocol

import discord
from discord import app_commands
from discord.app_commands import locale_str

from bot.i18n import N_, translator
from bot.router import CommandSpec, Option

__all__ = [
    "ROOT",
    "AgoraTranslator",
    "ChannelId",
    "CommandHandler",
    "MemberId",
    "RoleId",
    "build_root",
    "command_paths",
    "command_text",
]

ROOT = "agora"
DESCRIPTION_LIMIT = 100
CHOICES_LIMIT = 25
ROOT_DESCRIPTION = N_("Agora, this community's animation assistant")
SUBGROUP_DESCRIPTION = N_("Agora: {name}")
# The name a command gets inside the group of the same name (the first one its siblings don't use).
BARE_COMMAND_NAMES = ("show", "view", "open", "main")


class CommandHandler(Protocol):
    """What a subcommand calls (the adapter's interaction handler)."""

    async def command(self, interaction: discord.Interaction[Any], name: str, args: dict[str, Any]) -> None:
        """``/agora <name>`` was run with ``args`` (option name -> value, ids for members, roles, channels)."""
        ...


class MemberId(app_commands.Transformer):
    """A member picker whose value reaches the core as the member's id."""

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.user

    async def transform(self, interaction: discord.Interaction[Any], value: Any, /) -> str:
        return str(value.id)


class RoleId(app_commands.Transformer):
    """A role picker whose value reaches the core as the role's id."""

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.role

    async def transform(self, interaction: discord.Interaction[Any], value: Any, /) -> str:
        return str(value.id)


class ChannelId(app_commands.Transformer):
    """A text (or announcement) channel picker whose value reaches the core as the channel's id."""

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.channel

    @property
    def channel_types(self) -> list[discord.ChannelType]:
        return [discord.ChannelType.text, discord.ChannelType.news]

    async def transform(self, interaction: discord.Interaction[Any], value: Any, /) -> str:
        return str(value.id)


_ANNOTATIONS: dict[str, Callable[[], Any]] = {
    "string": lambda: str,
    "integer": lambda: int,
    "boolean": lambda: bool,
    "member": MemberId,
    "role": RoleId,
    "channel": ChannelId,
}


class AgoraTranslator(app_commands.Translator):
    """Descriptions in French for Discord's ``fr`` locale, from the core's catalogs (names stay as they are)."""

    _TRANSLATED = (
        app_commands.TranslationContextLocation.command_description,
        app_commands.TranslationContextLocation.group_description,
        app_commands.TranslationContextLocation.parameter_description,
    )

    async def translate(
        self, string: locale_str, locale: discord.Locale, context: app_commands.TranslationContext[Any, Any]
    ) -> str | None:
        if locale is not discord.Locale.french or context.location not in self._TRANSLATED:
            return None
        spec: CommandSpec | None = string.extras.get("spec")
        if spec is not None:
            return spec.describe(translator("fr"), DESCRIPTION_LIMIT)
        msgid = string.extras.get("msgid", string.message)
        values = string.extras.get("values") or {}
        text = translator("fr")(msgid, **values)
        return _shorten(text) if text != string.message else None


def _shorten(text: str, limit: int = DESCRIPTION_LIMIT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _described(msgid: str, **values: Any) -> locale_str:
    """A description: the English text Discord shows by default, with the message id for the translator."""
    english = msgid.format(**values) if values else msgid
    return locale_str(_shorten(english), msgid=msgid, values=values)


def _choice(option: Option, value: str) -> app_commands.Choice[Any]:
    typed: Any = int(value) if option.kind == "integer" else value
    return app_commands.Choice(name=option.label(value)[:100], value=typed)


def _autocomplete(option: Option) -> Callable[..., Awaitable[list[app_commands.Choice[Any]]]]:
    """Suggestions among the option's choices, those starting with what was typed first."""

    async def complete(interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[Any]]:
        needle = current.casefold().strip()
        starts = [c for c in option.choices if c.casefold().startswith(needle)]
        contains = [c for c in option.choices if needle in c.casefold() and c not in starts]
        return [_choice(option, c) for c in (starts + contains)[:CHOICES_LIMIT]]

    return complete


def _callback(spec: CommandSpec, handler: CommandHandler) -> Callable[..., Coroutine[Any, Any, None]]:
    """A callback whose signature declares the spec's options (see the module docstring)."""
    names = {f"p{i}": option.name for i, option in enumerate(spec.options)}

    async def callback(interaction: discord.Interaction[Any], **kwargs: Any) -> None:
        args = {names[key]: value for key, value in kwargs.items() if value is not None}
        await handler.command(interaction, spec.name, args)

    parameters = [
        inspect.Parameter(
            "interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=discord.Interaction
        )
    ]
    descriptions: dict[str, locale_str] = {}
    choices: dict[str, list[app_commands.Choice[Any]]] = {}
    completers: dict[str, Callable[..., Awaitable[list[app_commands.Choice[Any]]]]] = {}
    for i, option in enumerate(spec.options):
        key = f"p{i}"
        parameters.append(
            inspect.Parameter(
                key,
                inspect.Parameter.KEYWORD_ONLY,
                annotation=_ANNOTATIONS[option.kind](),
                default=inspect.Parameter.empty if option.required else None,
            )
        )
        descriptions[key] = _described(option.description)
        completes = option.kind in ("string", "integer") and (
            option.autocomplete or len(option.choices) > CHOICES_LIMIT
        )
        if completes and option.choices:
            completers[key] = _autocomplete(option)
        elif option.choices:
            choices[key] = [_choice(option, c) for c in option.choices]
    callback.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    callback.__discord_app_commands_param_description__ = descriptions  # type: ignore[attr-defined]
    callback.__discord_app_commands_param_rename__ = names  # type: ignore[attr-defined]
    if choices:
        callback.__discord_app_commands_param_choices__ = choices  # type: ignore[attr-defined]
    if completers:
        callback.__discord_app_commands_param_autocomplete__ = completers  # type: ignore[attr-defined]
    callback.__qualname__ = callback.__name__ = f"agora_{'_'.join(spec.path)}"
    return callback


def command_paths(names: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Each command's path under ``/agora`` on Discord: ``"meeting poll"`` is ``("meeting", "poll")``; a command
    that is also a group's name gets a name in it, since Discord allows a name to be a command or a group, not
    both: ``"charter"`` next to ``"charter edit"`` is ``("charter", "show")``."""
    paths = {name: tuple(word.lower() for word in name.split()) for name in names}
    groups = {path[0] for path in paths.values() if len(path) == 2}
    out: dict[str, tuple[str, ...]] = {}
    for name, path in paths.items():
        if len(path) > 2:
            raise ValueError(f"/agora {name}: Discord nests commands two levels deep at most")
        if len(path) == 1 and path[0] in groups:
            taken = {p[1] for p in paths.values() if len(p) == 2 and p[0] == path[0]}
            path = (path[0], next(word for word in BARE_COMMAND_NAMES if word not in taken))
        out[name] = path
    return out


def command_text(paths: dict[str, tuple[str, ...]], name: str) -> str:
    """``/agora charter show``: how a member types the core's command ``name`` on Discord."""
    return "/" + " ".join((ROOT, *paths.get(name, tuple(name.split()))))


def build_root(specs: Iterable[CommandSpec], handler: CommandHandler) -> app_commands.Group:
    """The ``/agora`` group for ``specs`` (guild-only: a community is a server)."""
    root = app_commands.Group(name=ROOT, description=_described(ROOT_DESCRIPTION), guild_only=True)
    specs = sorted(specs, key=lambda s: s.path)
    paths = command_paths(spec.name for spec in specs)
    subgroups: dict[str, app_commands.Group] = {}
    for spec in specs:
        path = paths[spec.name]
        if len(path) == 1:
            parent = root
        else:
            parent = subgroups.get(path[0])  # type: ignore[assignment]
            if parent is None:
                # A Group made with a parent adds itself to it.
                parent = app_commands.Group(
                    name=path[0], description=_described(SUBGROUP_DESCRIPTION, name=path[0]), parent=root
                )
                subgroups[path[0]] = parent
        command: app_commands.Command[Any, ..., None] = app_commands.Command(
            name=path[-1],
            description=locale_str(spec.describe(translator("en"), DESCRIPTION_LIMIT), spec=spec),
            callback=_callback(spec, handler),
            parent=parent,
        )
        parent.add_command(command)
    return root
