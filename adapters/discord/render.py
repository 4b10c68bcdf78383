"""Rendering: a core ``Message`` becomes Discord content, an embed, persistent buttons and files; a ``Form`` becomes
one modal per five inputs.

A message with a title, fields or a footer is an embed (its text is the embed's description, unless it mentions
someone: mentions only ping from the content). A plain message is content. Nothing is ever rejected for its
length: content over 2,000 characters is split on paragraph boundaries into a few messages (the buttons and files
go with the last one); an embed past Discord's limits (4,096 for the description, 1,024 per field, 25 fields,
6,000 in all) becomes plain text split the same way; beyond five messages' worth, the text goes whole into an
attached ``message.txt`` under its beginning.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field, replace
from typing import Any

import discord

from adapters.discord.components import AgoraButton, FormButton
from bot.messages import Attachment, Button, Form, FormField, Message

__all__ = [
    "CONTENT_LIMIT",
    "MAX_SPLIT",
    "Payload",
    "form_steps",
    "render",
    "render_one",
    "split_text",
    "with_defaults",
]

CONTENT_LIMIT = 2000
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
EMBED_FIELD_NAME = 256
EMBED_FIELD_VALUE = 1024
EMBED_FIELDS = 25
EMBED_FOOTER = 2048
EMBED_TOTAL = 6000
MAX_SPLIT = 5
MAX_BUTTONS = 25
MODAL_INPUTS = 5
EMBED_COLOUR = discord.Colour(0x2A9D8F)
_MENTION = re.compile(r"<@[!&]?\d+>")
# Never ping @everyone/@here from text the bot relays (a member's suggestion, a charter line).
ALLOWED_MENTIONS = discord.AllowedMentions(everyone=False, users=True, roles=True, replied_user=False)


@dataclass
class Payload:
    """One Discord message to send: content, embeds, the core buttons under it and the files with it."""

    content: str | None = None
    embeds: list[discord.Embed] = field(default_factory=list)
    buttons: tuple[Button, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    # The adapter's own form step button (token, label): "Continue", "Correct my answers".
    form_button: tuple[str, str] | None = None

    def view(self, guild_id: int | None = None) -> discord.ui.View | None:
        """The buttons as a persistent view (``timeout=None``, every item a dynamic, custom-id item)."""
        if not self.buttons and self.form_button is None:
            return None
        view = discord.ui.View(timeout=None)
        if self.form_button is not None:
            token, label = self.form_button
            view.add_item(FormButton(token, label=label))
        for button in self.buttons[: MAX_BUTTONS - len(view.children)]:
            view.add_item(AgoraButton.of(button, guild_id))
        return view

    def files(self) -> list[discord.File]:
        """Fresh files each time (a ``discord.File`` is consumed by one send)."""
        return [
            discord.File(io.BytesIO(a.content.encode("utf-8")), filename=a.filename) for a in self.attachments
        ]

    def send_kwargs(self, guild_id: int | None = None) -> dict[str, Any]:
        """Keyword arguments for ``Messageable.send`` / ``InteractionResponse.send_message`` / ``followup.send``."""
        kwargs: dict[str, Any] = {"allowed_mentions": ALLOWED_MENTIONS}
        if self.content:
            kwargs["content"] = self.content
        if self.embeds:
            kwargs["embeds"] = self.embeds
        view = self.view(guild_id)
        if view is not None:
            kwargs["view"] = view
        files = self.files()
        if files:
            kwargs["files"] = files
        if "content" not in kwargs and "embeds" not in kwargs and "files" not in kwargs:
            kwargs["content"] = "\u200b"  # a message of buttons only still needs something to show
        return kwargs

    def edit_kwargs(self, guild_id: int | None = None) -> dict[str, Any]:
        """Keyword arguments for editing a message into this one (what it no longer has is removed)."""
        return {
            "content": self.content,
            "embeds": self.embeds,
            "view": self.view(guild_id),
            "attachments": self.files(),
            "allowed_mentions": ALLOWED_MENTIONS,
        }


def split_text(text: str, limit: int = CONTENT_LIMIT) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, cut at paragraphs, then lines, then words."""
    text = text.strip()
    if not text:
        return []
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    current = ""
    for unit in _units(text, limit):
        joined = f"{current}{unit}" if current else unit.lstrip("\n ")
        if len(joined.rstrip()) <= limit:
            current = joined
            continue
        if current.strip():
            pieces.append(current.strip())
        current = unit.lstrip("\n ")
    if current.strip():
        pieces.append(current.strip())
    return pieces


def _units(text: str, limit: int) -> list[str]:
    """Paragraphs (with their separator), themselves cut into lines, words or hard slices when too long."""
    out: list[str] = []
    for i, paragraph in enumerate(text.split("\n\n")):
        prefix = "\n\n" if i else ""
        if len(paragraph) <= limit - 2:
            out.append(prefix + paragraph)
            continue
        for j, line in enumerate(paragraph.split("\n")):
            line_prefix = prefix if j == 0 else "\n"
            if len(line) <= limit - 2:
                out.append(line_prefix + line)
                continue
            for k, word in enumerate(line.split(" ")):
                word_prefix = line_prefix if k == 0 else " "
                while len(word) > limit - 2:
                    out.append(word_prefix + word[: limit - 2])
                    word, word_prefix = word[limit - 2 :], ""
                out.append(word_prefix + word)
    return out


def render(message: Message) -> list[Payload]:
    """``message`` as one Discord message, or a few when it is too long for one (see the module docstring)."""
    rich = bool(message.title or message.fields or message.footer)
    if rich:
        embed_payload = _as_embed(message)
        if embed_payload is not None:
            return [embed_payload]
        return _as_text(message.plain(), message)
    return _as_text(message.text, message)


def render_one(message: Message) -> Payload:
    """``message`` as exactly one Discord message (to edit one in place): the whole text attached when too long."""
    payloads = render(message)
    if len(payloads) == 1:
        return payloads[0]
    return _attached(message.plain() if message.title or message.fields else message.text, message)


def _as_text(text: str, message: Message) -> list[Payload]:
    chunks = split_text(text)
    if len(chunks) > MAX_SPLIT:
        return [_attached(text, message)]
    payloads = [Payload(content=chunk) for chunk in chunks] or [Payload()]
    payloads[-1].buttons = message.buttons
    payloads[-1].attachments = message.attachments
    return payloads


def _attached(text: str, message: Message) -> Payload:
    head = split_text(text, CONTENT_LIMIT - 1)
    return Payload(
        content=(head[0] + "…") if head else None,
        buttons=message.buttons,
        attachments=(Attachment("message.txt", text), *message.attachments),
    )


def _as_embed(message: Message) -> Payload | None:
    text = message.text.strip()
    content: str | None = None
    description = text
    if _MENTION.search(text):
        content, description = text, ""
        if len(content) > CONTENT_LIMIT:
            return None
    if len(description) > EMBED_DESCRIPTION:
        return None
    title = (message.title or "").strip()
    if len(title) > EMBED_TITLE:
        return None
    footer = (message.footer or "").strip()
    if len(footer) > EMBED_FOOTER:
        return None
    fields: list[tuple[str, str, bool]] = []
    for f in message.fields:
        name = (f.name or "").strip()[:EMBED_FIELD_NAME] or "\u200b"
        values = split_text(f.value, EMBED_FIELD_VALUE) or ["\u200b"]
        for i, value in enumerate(values):
            fields.append((name if i == 0 else "\u200b", value, f.inline and len(values) == 1))
    if len(fields) > EMBED_FIELDS:
        return None
    total = len(title) + len(description) + len(footer) + sum(len(n) + len(v) for n, v, _ in fields)
    if total > EMBED_TOTAL:
        return None
    embed = discord.Embed(title=title or None, description=description or None, colour=EMBED_COLOUR)
    for name, value, inline in fields:
        embed.add_field(name=name, value=value, inline=inline)
    if footer:
        embed.set_footer(text=footer)
    return Payload(content=content, embeds=[embed], buttons=message.buttons, attachments=message.attachments)


def form_steps(form: Form) -> list[tuple[FormField, ...]]:
    """The form's fields five by five (a Discord modal takes five inputs at most)."""
    fields = form.fields or (FormField(name="value", label=form.title),)
    return [tuple(fields[i : i + MODAL_INPUTS]) for i in range(0, len(fields), MODAL_INPUTS)]


def with_defaults(form: Form, values: dict[str, str]) -> Form:
    """``form`` with its fields prefilled from ``values`` (to reopen it after a refusal)."""
    return replace(form, fields=tuple(replace(f, default=values.get(f.name, f.default)) for f in form.fields))
