"""Persistent components: the buttons and modals Agora shows on Discord, and the custom ids they carry.

Every core button is one :class:`AgoraButton`, a ``DynamicItem`` registered in ``setup_hook``: discord.py finds it by
its ``custom_id`` alone, so a button pressed days later, after a restart, still reaches the core. The id is the
core's own (``agora:<action>:<ref>``, see :attr:`bot.messages.Button.custom_id`), except in a direct message: a DM
has no guild, so the id also names the community's guild (``agora@<guild>:<action>:<ref>``) and the press
reaches the right community even when the member shares several servers with the bot. When that longer id would
pass Discord's 100 characters the plain id is used, and the community is then the one server the member shares
with the bot.

:class:`FormButton` (``agora-form:<token>``) carries the adapter's own steps of a form ("Continue" between two
modals of a long form, "Correct my answers" after a refusal); the token names a short-lived form session kept in
memory, so after a restart such a button asks the member to start again.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Protocol

import discord

from bot.messages import Button, FormField

if TYPE_CHECKING:
    from bot.messages import ButtonStyle

__all__ = [
    "BUTTON_TEMPLATE",
    "CUSTOM_ID_LIMIT",
    "FORM_BUTTON_TEMPLATE",
    "AgoraButton",
    "AgoraModal",
    "ButtonHandler",
    "FormButton",
    "component_id",
    "modal_values",
    "parse_component_id",
    "parse_form_button_id",
    "parse_step_modal_id",
    "step_modal_id",
]

CUSTOM_ID_LIMIT = 100
BUTTON_TEMPLATE = r"agora(?:@(?P<guild>\d{1,20}))?:(?P<rest>.+)"
FORM_BUTTON_TEMPLATE = r"agora-form:(?P<token>[0-9a-f]{8,32})"
_BUTTON = re.compile(BUTTON_TEMPLATE)
_FORM_BUTTON = re.compile(FORM_BUTTON_TEMPLATE)
_STEP = re.compile(r"agora-step:(?P<token>[0-9a-f]{8,32}):(?P<step>\d{1,2})")
# Modals opened from a button stay in discord.py's store until submitted or timed out; submissions are handled by
# custom id (see AgoraModal), so this only bounds the memory an abandoned modal holds.
MODAL_STORE_TIMEOUT = 1800.0

_STYLES: dict[str, discord.ButtonStyle] = {
    "primary": discord.ButtonStyle.primary,
    "secondary": discord.ButtonStyle.secondary,
    "success": discord.ButtonStyle.success,
    "danger": discord.ButtonStyle.danger,
}


class ButtonHandler(Protocol):
    """What the components call back into (the adapter's interaction handler)."""

    async def button(
        self, interaction: discord.Interaction[Any], action: str, ref: str, guild_id: int | None
    ) -> None:
        """A core button was pressed."""
        ...

    async def form_button(self, interaction: discord.Interaction[Any], token: str) -> None:
        """An adapter form button ("Continue", "Correct my answers") was pressed."""
        ...


def _handler(interaction: discord.Interaction[Any]) -> ButtonHandler:
    handler = getattr(interaction.client, "interactions", None)
    if handler is None:  # pragma: no cover - only AgoraClient registers these items
        raise RuntimeError("this client has no Agora interaction handler")
    return handler  # type: ignore[no-any-return]


def component_id(core_id: str, guild_id: int | None) -> str:
    """The custom id Discord carries for a core id (``agora:<name>:<ref>``): tagged with the guild in a DM."""
    if guild_id is None or not core_id.startswith("agora:"):
        return core_id
    tagged = f"agora@{guild_id}:{core_id.removeprefix('agora:')}"
    return tagged if len(tagged) <= CUSTOM_ID_LIMIT else core_id


def parse_component_id(custom_id: str) -> tuple[str, str, int | None] | None:
    """``(name, ref, guild id or None)`` from an id made by :func:`component_id`, or None if it isn't ours."""
    match = _BUTTON.fullmatch(custom_id)
    if match is None:
        return None
    parsed = Button.parse_custom_id(f"agora:{match['rest']}")
    if parsed is None:  # pragma: no cover - the prefix is always there
        return None
    guild = match["guild"]
    return parsed[0], parsed[1], int(guild) if guild else None


def parse_form_button_id(custom_id: str) -> str | None:
    """The form session token of a :class:`FormButton` id, or None."""
    match = _FORM_BUTTON.fullmatch(custom_id)
    return match["token"] if match else None


def step_modal_id(token: str, step: int) -> str:
    """The custom id of one step of a form split over several modals."""
    return f"agora-step:{token}:{step}"


def parse_step_modal_id(custom_id: str) -> tuple[str, int] | None:
    """``(token, step)`` from :func:`step_modal_id`, or None."""
    match = _STEP.fullmatch(custom_id)
    return (match["token"], int(match["step"])) if match else None


class AgoraButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=BUTTON_TEMPLATE):
    """A core button (``bot.messages.Button``): pressing it dispatches ``ButtonPressed(action, ref)``."""

    def __init__(
        self,
        custom_id: str,
        *,
        label: str = "…",
        style: discord.ButtonStyle = discord.ButtonStyle.primary,
    ) -> None:
        super().__init__(discord.ui.Button(label=label[:80] or "…", style=style, custom_id=custom_id))
        parsed = parse_component_id(custom_id)
        if parsed is None:  # pragma: no cover - the template already matched
            raise ValueError(f"not an Agora button id: {custom_id!r}")
        self.action, self.ref, self.guild_id = parsed

    @classmethod
    def of(cls, button: Button, guild_id: int | None = None) -> AgoraButton:
        """The Discord button for a core button (``guild_id``: the community's guild, for a direct message)."""
        style: ButtonStyle = button.style
        return cls(
            component_id(button.custom_id, guild_id),
            label=button.label,
            style=_STYLES.get(style, _STYLES["primary"]),
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> AgoraButton:
        button = _button(item)
        return cls(match.string, label=button.label or "…", style=button.style)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await _handler(interaction).button(interaction, self.action, self.ref, self.guild_id)


def _button(item: discord.ui.Item[Any]) -> discord.ui.Button[Any]:
    """The button a dynamic item was matched from (discord.py types it as any item; Agora's templates only
    ever match buttons)."""
    if not isinstance(item, discord.ui.Button):
        raise TypeError(f"expected a button, got {type(item).__name__}")
    return item


class FormButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=FORM_BUTTON_TEMPLATE):
    """An adapter button that opens the next (or a corrected) step of a form session."""

    def __init__(self, token: str, *, label: str = "…") -> None:
        super().__init__(
            discord.ui.Button(
                label=label[:80] or "…", style=discord.ButtonStyle.primary, custom_id=f"agora-form:{token}"
            )
        )
        self.token = token

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> FormButton:
        return cls(match["token"], label=_button(item).label or "…")

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await _handler(interaction).form_button(interaction, self.token)


class AgoraModal(discord.ui.Modal):
    """A core form (or one step of it) as a Discord modal: at most five text inputs, each labelled.

    Submissions are handled by custom id in the client's ``on_interaction`` (not by this instance), so a modal
    several members opened at once, or one submitted after a restart, is still understood; ``on_submit`` does
    nothing on purpose.
    """

    def __init__(self, *, title: str, custom_id: str, fields: list[tuple[FormField, str]]) -> None:
        super().__init__(title=_fit(title, 45), custom_id=custom_id, timeout=MODAL_STORE_TIMEOUT)
        for form_field, default in fields:
            text_input: discord.ui.TextInput[Any] = discord.ui.TextInput(
                custom_id=form_field.name[:CUSTOM_ID_LIMIT],
                style=discord.TextStyle.paragraph if form_field.multiline else discord.TextStyle.short,
                required=form_field.required,
                max_length=max(1, min(form_field.max_length, 4000)),
                placeholder=form_field.placeholder[:100] or None,
                default=default[:4000] or None,
            )
            self.add_item(discord.ui.Label(text=_fit(form_field.label, 45), component=text_input))

    async def on_submit(self, interaction: discord.Interaction[Any], /) -> None:
        return None


def modal_values(components: list[dict[str, Any]]) -> dict[str, str]:
    """The values of a modal submission (``interaction.data["components"]``): action rows or labels, by custom id."""
    values: dict[str, str] = {}
    for component in components:
        children: list[dict[str, Any]] = []
        if component.get("type") == 1:
            children = list(component.get("components") or [])
        elif component.get("type") == 18 and isinstance(component.get("component"), dict):
            children = [component["component"]]
        else:
            children = [component]
        for child in children:
            custom_id = child.get("custom_id")
            if custom_id is not None and "value" in child:
                value = child.get("value")
                values[str(custom_id)] = "" if value is None else str(value)
    return values


def _fit(text: str, limit: int) -> str:
    text = text.strip() or "…"
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
