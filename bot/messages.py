"""Outbound content, platform-neutral: messages with fields and buttons, and forms.

Adapters render these natively (Discord embeds and components, Slack Block Kit, console text). ``Message.text``
is always a complete plain-text fallback: a platform that shows nothing else still says everything.
Messages are (de)serialisable so the outbox can keep them across a restart.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

__all__ = [
    "Attachment",
    "Button",
    "Field",
    "Form",
    "FormField",
    "Message",
    "mention",
]

ButtonStyle = Literal["primary", "secondary", "success", "danger"]


def mention(member_id: str) -> str:
    """A platform-neutral mention: ``<@id>`` is what Discord and Slack both use; the console renders names."""
    return f"<@{member_id}>"


@dataclass(frozen=True)
class Button:
    """A button: ``action`` says what pressing it does (``"charter:accept"``), ``ref`` which entity it is about."""

    action: str
    label: str
    ref: str = ""
    style: ButtonStyle = "primary"

    @property
    def custom_id(self) -> str:
        """The id carried by the platform: ``agora:<action>:<ref>``, kept under Discord's 100 characters."""
        cid = f"agora:{self.action}:{self.ref}"
        if len(cid) > 100:
            raise ValueError(f"button id too long for the platforms: {cid!r}")
        return cid

    @staticmethod
    def parse_custom_id(custom_id: str) -> tuple[str, str] | None:
        """``(action, ref)`` from a custom id made by :attr:`custom_id`, or None if it isn't ours."""
        if not custom_id.startswith("agora:"):
            return None
        rest = custom_id[len("agora:") :]
        action, sep, ref = rest.rpartition(":")
        if not sep:
            return rest, ""
        return action, ref


@dataclass(frozen=True)
class Field:
    """A labelled piece of a message (an embed field on Discord, a section on Slack)."""

    name: str
    value: str
    inline: bool = False


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message (an .ics invitation, a CSV export)."""

    filename: str
    content: str
    mime_type: str = "text/plain"


@dataclass(frozen=True)
class Message:
    """A message. ``text`` is the complete plain-text fallback; ``title`` and ``fields`` enrich it where possible."""

    text: str
    title: str | None = None
    fields: tuple[Field, ...] = ()
    buttons: tuple[Button, ...] = ()
    ephemeral: bool = False
    attachments: tuple[Attachment, ...] = ()
    footer: str | None = None

    def plain(self) -> str:
        """Everything the message says, as plain text (title, text, fields, footer)."""
        parts: list[str] = []
        if self.title:
            parts.append(self.title)
        if self.text:
            parts.append(self.text)
        parts.extend(f"{f.name}: {f.value}" if f.name else f.value for f in self.fields)
        if self.footer:
            parts.append(self.footer)
        return "\n".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Message:
        return cls(
            text=data["text"],
            title=data.get("title"),
            fields=tuple(Field(**f) for f in data.get("fields", ())),
            buttons=tuple(Button(**b) for b in data.get("buttons", ())),
            ephemeral=data.get("ephemeral", False),
            attachments=tuple(Attachment(**a) for a in data.get("attachments", ())),
            footer=data.get("footer"),
        )


@dataclass(frozen=True)
class FormField:
    """One input of a form."""

    name: str
    label: str
    required: bool = False
    multiline: bool = False
    max_length: int = 1000
    placeholder: str = ""
    default: str = ""


@dataclass(frozen=True)
class Form:
    """A form (Discord modal, Slack view). Discord takes five inputs at most: a longer form is split by the adapter
    into successive steps, so features may declare the fields they need."""

    id: str
    title: str
    fields: tuple[FormField, ...] = field(default_factory=tuple)
    ref: str = ""
    submit_label: str = ""

    @property
    def custom_id(self) -> str:
        return f"agora:{self.id}:{self.ref}"
