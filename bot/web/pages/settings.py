"""Settings: every command that changes settings, as a form made from its options.

The general settings are ``/agora setup``'s options; each feature that declares settings with a settings command
gets its section, one field per option (generated from the feature's settings model, like the command itself).
Saving a section runs that command as the animator with the fields they changed, so the values are read,
validated, refused (in the same words), saved and announced (``SettingsChanged``, schedules re-armed) exactly as
in the chat; a feature whose settings are changed by a command of its own (``/agora charter rules``) names it
(``Feature.settings_form``) and that command is run. A feature whose settings have several commands of their own
(icebreakers) shows them read-only, with the commands to use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from aiohttp import web

from bot.durations import format_duration
from bot.feature import Feature
from bot.i18n import N_
from bot.router import CommandSpec, Option
from bot.settings import CHANNEL_PURPOSES, CommunitySettings
from bot.settings.command import option_name
from bot.settings.types import kind_of
from bot.web.framework import Answer, Page, View, answers

__all__ = ["PAGE", "Input", "Section", "sections"]

GENERAL = "setup"


@dataclass(frozen=True)
class Input:
    """A form field: an option of a command, with its current value as a member would type it."""

    name: str
    label: str
    control: str  # "select", "number" or "text"
    value: str
    choices: tuple[str, ...] = ()
    help: str = ""


@dataclass(frozen=True)
class Section:
    """One form (``command`` is what saving it runs), or a read-only list (``command`` empty, ``note`` says where
    to change them)."""

    key: str
    title: str
    inputs: tuple[Input, ...]
    command: str = ""
    note: str = ""


def _shown(value: Any, option: Option | None = None) -> str:
    if value is None:
        return "off" if option is not None and option.value_kind.off else ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, timedelta):
        return format_duration(value)
    if isinstance(value, float) and 0 <= value <= 1:  # a share (quorum, majority), as the options take it
        return f"{value * 100:.4g}%"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if option is not None and not isinstance(value, str | int):
        return option.value_kind.display(value)
    return str(value)


def _input(view: View, option: Option, value: Any) -> Input:
    _ = view._
    kind = option.value_kind
    if option.choices or kind.wire == "boolean":
        control, choices = "select", option.choices or ("yes", "no")
    else:
        control, choices = ("number" if kind.wire == "integer" else "text"), ()
    hint = _("or “off”") if kind.off else ""
    return Input(option.name, _(option.description), control, _shown(value, option), tuple(choices), hint)


def _general_values(settings: CommunitySettings) -> dict[str, Any]:
    values: dict[str, Any] = {
        "locale": settings.locale,
        "timezone": settings.timezone,
        "animator_role": settings.animator_role,
        "member_role": settings.member_role,
        "charter_reminder_after": format_duration(settings.charter_reminder_after),
    }
    values.update({f"{p}_channel": settings.channels.get(p) for p in CHANNEL_PURPOSES})
    return values


def _feature_values(feature: type[Feature], settings: CommunitySettings) -> dict[str, Any]:
    assert feature.settings is not None
    section = settings.section(feature.settings_section())
    return {
        option_name(name, info): getattr(section, name)
        for name, info in feature.settings.model_fields.items()
    }


def sections(view: View) -> list[Section]:
    """The settings page's sections for this community, in the order the features come."""
    _ = view._
    commands = view.app.router.commands
    out = []
    general = commands.get(GENERAL)
    if general is not None:
        values = _general_values(view.settings)
        animators = ", ".join(view.settings.animators) or _("none")
        out.append(
            Section(
                GENERAL,
                _("General"),
                tuple(_input(view, option, values.get(option.name)) for option in general.options),
                command=GENERAL,
                note=_("Animators named by id: {animators}", animators=animators),
            )
        )
    for feature in view.app.router.features:
        cls = type(feature)
        if cls.settings is None:
            continue
        title = _(cls.title) if cls.title else cls.settings_section()
        values = _feature_values(cls, view.settings)
        spec: CommandSpec | None = commands.get(cls.settings_command or cls.settings_form or "")
        if spec is not None:
            inputs = tuple(_input(view, option, values.get(option.name)) for option in spec.options)
            out.append(Section(spec.name, title, inputs, command=spec.name))
            continue
        shown = []
        for name, info in cls.settings.model_fields.items():
            if name in cls.settings_hidden:
                continue
            kind, _choices = kind_of(info.annotation, info.metadata)
            value = values.get(option_name(name, info))
            text = (
                _shown(value) if isinstance(value, bool | str | int) or value is None else kind.display(value)
            )
            shown.append(Input(name, _(info.description) if info.description else name, "text", text))
        commands_of = sorted(s.name for s in commands.values() if s.feature == cls.name and s.animator_only)
        out.append(
            Section(
                cls.settings_section(),
                title,
                tuple(shown),
                note=_(
                    "These have commands of their own in the chat: {commands}.",
                    commands=", ".join(f"/agora {c}" for c in commands_of),
                ),
            )
        )
    return out


async def show(view: View, notices: list[Answer] | None = None, status: int = 200) -> web.Response:
    return view.render("settings.html", sections=sections(view), notices=notices or [], status=status)


async def save(view: View) -> web.Response:
    """Run the section's command with the fields whose value changed, as the animator would in the chat."""
    key = view.posted.get("section", "")
    section = next((s for s in sections(view) if s.key == key and s.command), None)
    if section is None:
        raise web.HTTPBadRequest(text="unknown section")
    args = {
        field.name: view.posted[field.name].strip()
        for field in section.inputs
        if field.name in view.posted and view.posted[field.name].strip() != field.value
    }
    args = {name: value for name, value in args.items() if value}
    if not args:
        return await show(view, [Answer(view._("Nothing changed."), "")])
    outcome = await view.command(section.command, args)
    await view.reload()
    return await show(view, answers(outcome), status=422 if outcome.error else 200)


PAGE = Page("settings", N_("Settings"), show, save, order=20)
