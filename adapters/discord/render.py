"""Rendering: a core ``Message`` becomes Discord content, an embed, persistent buttons and files; a ``Form`` becomes
one modal per five inputs.

A message with a title, fields or a footer is an embed (its text is the embed's description, unless it mentions
someone: mentions only ping from the content). A plain message is content. Nothing is ever rejected for its
length: content over 2,000 characters is split on paragraph boundaries into a few messages (the buttons and files
go with the last one); an embed past Discord's limits (4,096 for the description, 1,024 per field, 25 fields,
6,000 in all) becomes plain text split the same way; beyond five messages' worth, the text goes whole into an
attached ``message.txt`` under its beginning.

A member's text is data: :func:`untrusted_text` is the one function that renders it (markdown escaped so that
nothing is bold, hidden or a masked link, mentions shown as text), and every payload carries an explicit
``allowed_mentions`` (``parse: []``) listing only the members and roles Agora mentioned in its own words.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field, replace
from typing import Any

import discord

from adapters.discord.components import AgoraButton, FormButton
from bot.messages import Attachment, Button, Form, FormField, Mentions, Message, Moment, Untrusted, ZoneNote

__all__ = [
    "CONTENT_LIMIT",
    "MAX_SPLIT",
    "Payload",
    "allowed_mentions",
    "form_steps",
    "render",
    "render_one",
    "split_text",
    "timestamp",
    "untrusted_text",
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
# The client's default: nobody. Each payload lists the members and roles Agora itself mentioned.
ALLOWED_MENTIONS = discord.AllowedMentions.none()
MAX_ALLOWED_MENTIONS = 100  # Discord refuses longer users/roles lists
# In member text: links stay as they are (their real address shows), custom emoji and timestamps are harmless;
# every other character that markdown or mentions read is escaped with a backslash, which Discord shows as text.
_KEEP = re.compile(r"https?://[^\s<>]+|<a?:\w{2,32}:\d{15,21}>|<t:-?\d{1,13}(?::[tTdDfFRS])?>")
_MARKDOWN = re.compile(r"[\\*_~`|\[\]<>@]|^[ \t]*[#>\-+]|^[ \t]*\d+\.(?=\s)", re.MULTILINE)


def untrusted_text(text: str) -> str:
    """What a member typed, as Discord content that shows it literally: no formatting, no masked link, no
    mention (``<@id>``, ``<@&id>``, ``@everyone`` and ``@here`` stay visible text), links showing their address."""
    out: list[str] = []
    position = 0
    for match in _KEEP.finditer(text):
        out.append(_escape(text[position : match.start()]))
        out.append(match.group(0))
        position = match.end()
    out.append(_escape(text[position:]))
    return "".join(out)


def _escape(text: str) -> str:
    return _MARKDOWN.sub(
        lambda m: "".join(c if c in " \t" or c.isdigit() else "\\" + c for c in m.group(0)), text
    )


# Discord's timestamp styles for the core's moment styles.
_TIMESTAMP_STYLES = {"full": "F", "short": "f", "date": "D", "time": "t", "relative": "R"}


def timestamp(moment: Moment) -> str:
    """A moment as a Discord timestamp, ``<t:UNIX:F>``: each member reads it in their own time zone."""
    return f"<t:{moment.unix}:{_TIMESTAMP_STYLES[moment.style]}>"


def _text(parts: list[str], *, markdown: bool = True) -> str:
    """Fragments of a message as Discord content: Agora's own as written, member text through untrusted_text,
    moments as timestamps and the time-zone note left out. Where Discord shows no markdown (``markdown=False``:
    embed titles, field names, footers) moments stay the community's words."""
    out: list[str] = []
    for p in parts:
        if isinstance(p, Untrusted):
            out.append(untrusted_text(p))
        elif isinstance(p, Moment):
            out.append(timestamp(p) if markdown else str(p))
        elif not isinstance(p, ZoneNote):
            out.append(p)
    return "".join(out)


def _plain_moments(message: Message) -> bool:
    """Whether a moment of ``message`` shows as words on Discord (in its title or footer): then its time-zone note
    stays, the words being in the community's time zone."""
    return any(isinstance(p, Moment) for name in ("title", "footer") for p in message.parts(name))


def _field_parts(name: list[str], value: list[str]) -> tuple[list[str], list[str]]:
    """A field whose name holds a moment: the name keeps what comes before it, the moment and what follows open
    the value (Discord renders timestamps in field values, never in field names)."""
    first = next((i for i, p in enumerate(name) if isinstance(p, Moment)), None)
    if first is None:
        return name, value
    return name[:first], [*name[first:], "\n", *value]


def allowed_mentions(mentions: Mentions, content: str | None) -> discord.AllowedMentions:
    """Explicit ``allowed_mentions``: ``parse: []``, and the members and roles Agora chose that ``content`` names."""
    content = content or ""
    users = [u for u in mentions.users if u.isdigit() and (f"<@{u}>" in content or f"<@!{u}>" in content)]
    roles = [r for r in mentions.roles if r.isdigit() and f"<@&{r}>" in content]
    return discord.AllowedMentions(
        everyone=False,
        users=[discord.Object(int(u)) for u in users[:MAX_ALLOWED_MENTIONS]],
        roles=[discord.Object(int(r)) for r in roles[:MAX_ALLOWED_MENTIONS]],
        replied_user=False,
    )


@dataclass
class Payload:
    """One Discord message to send: content, embeds, the core buttons under it and the files with it."""

    content: str | None = None
    embeds: list[discord.Embed] = field(default_factory=list)
    buttons: tuple[Button, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    # The adapter's own form step button (token, label): "Continue", "Correct my answers".
    form_button: tuple[str, str] | None = None
    # Whom Agora mentioned in the message this payload comes from (only those in ``content`` are notified).
    mentions: Mentions = field(default_factory=Mentions)

    @property
    def allowed_mentions(self) -> discord.AllowedMentions:
        return allowed_mentions(self.mentions, self.content)

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
        return [discord.File(io.BytesIO(a.data), filename=a.filename) for a in self.attachments]

    def send_kwargs(self, guild_id: int | None = None) -> dict[str, Any]:
        """Keyword arguments for ``Messageable.send`` / ``InteractionResponse.send_message`` / ``followup.send``."""
        kwargs: dict[str, Any] = {"allowed_mentions": self.allowed_mentions}
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
            "allowed_mentions": self.allowed_mentions,
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
        return _as_text(_text(message.plain_parts()), message)
    return _as_text(_text(message.parts("text")), message)


def render_one(message: Message) -> Payload:
    """``message`` as exactly one Discord message (to edit one in place): the whole text attached when too long."""
    payloads = render(message)
    if len(payloads) == 1:
        return payloads[0]
    parts = message.plain_parts() if message.title or message.fields else message.parts("text")
    return _attached(_text(parts), message)


def _as_text(text: str, message: Message) -> list[Payload]:
    chunks = split_text(text)
    if len(chunks) > MAX_SPLIT:
        return [_attached(text, message)]
    mentions = message.mentions()
    payloads = [Payload(content=chunk, mentions=mentions) for chunk in chunks] or [Payload()]
    payloads[-1].buttons = message.buttons
    payloads[-1].attachments = message.attachments
    return payloads


def _attached(text: str, message: Message) -> Payload:
    head = split_text(text, CONTENT_LIMIT - 1)
    return Payload(
        content=(head[0] + "…") if head else None,
        buttons=message.buttons,
        attachments=(Attachment("message.txt", text), *message.attachments),
        mentions=message.mentions(),
    )


def _as_embed(message: Message) -> Payload | None:
    text = _text(message.parts("text")).strip()
    content: str | None = None
    description = text
    # Mentions only notify from the content: a message in which Agora mentions someone keeps its text there.
    if any(_MENTION.search(p) for p in message.parts("text") if not isinstance(p, Untrusted)):
        content, description = text, ""
        if len(content) > CONTENT_LIMIT:
            return None
    if len(description) > EMBED_DESCRIPTION:
        return None
    title = _text(message.parts("title"), markdown=False).strip()
    if len(title) > EMBED_TITLE:
        return None
    footer_parts = message.parts("footer")
    if _plain_moments(message):
        footer_parts = [str(p) if isinstance(p, ZoneNote) else p for p in footer_parts]
    footer = _text(footer_parts, markdown=False).strip()
    if len(footer) > EMBED_FOOTER:
        return None
    fields: list[tuple[str, str, bool]] = []
    for f in message.fields:
        name_parts, value_parts = _field_parts(f.parts("name"), f.parts("value"))
        name = _text(name_parts, markdown=False).strip()[:EMBED_FIELD_NAME] or "\u200b"
        values = split_text(_text(value_parts), EMBED_FIELD_VALUE) or ["\u200b"]
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
    return Payload(
        content=content,
        embeds=[embed],
        buttons=message.buttons,
        attachments=message.attachments,
        mentions=message.mentions(),
    )


def form_steps(form: Form) -> list[tuple[FormField, ...]]:
    """The form's fields five by five (a Discord modal takes five inputs at most)."""
    fields = form.fields or (FormField(name="value", label=form.title),)
    return [tuple(fields[i : i + MODAL_INPUTS]) for i in range(0, len(fields), MODAL_INPUTS)]


def with_defaults(form: Form, values: dict[str, str]) -> Form:
    """``form`` with its fields prefilled from ``values`` (to reopen it after a refusal)."""
    return replace(form, fields=tuple(replace(f, default=values.get(f.name, f.default)) for f in form.fields))
