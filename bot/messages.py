"""Outbound content, platform-neutral: messages with fields and buttons, and forms.

Adapters render these natively (Discord embeds and components, Slack Block Kit, console text). ``Message.text``
is always a complete plain-text fallback: a platform that shows nothing else still says everything.
Messages are (de)serialisable so the outbox can keep them across a restart.

A member's text is data, never markup. A feature wraps whatever a member or an animator typed in
:func:`untrusted` before formatting it into a message: the span is delimited by two private-use characters that
survive ``str.format``, translation and joins, and that ``untrusted()`` removes from the text it wraps, so a member
cannot open or close a span. When the string reaches a ``Message`` or a ``Field``, the delimiters are taken out of
the visible attribute (``message.text`` is what people read) and kept in ``marks``; an adapter asks for
:meth:`Message.parts` (or :meth:`Message.plain_parts`) and gets typed fragments: plain ``str`` for Agora's own
words and markup, :class:`Untrusted` for member text, which each platform renders with its one function for
untrusted text (no mention, no special mention, no disguised link, no formatting). The mentions Agora chooses are
the ``<@id>`` / ``<@&id>`` in its own fragments (:func:`mention`, :func:`role_mention`); :meth:`Message.mentions`
collects them, and they are the only ones a platform may notify.

Dates are typed fragments too. :func:`moment` marks a moment already written in the community's words ("Tuesday
13 January 2026 at 6:30 PM") with the moment itself and the style wanted; :func:`zone_note` marks the sentence
that names the time zone those words are in ("Times are in Europe/Paris time."). Fragments come out as
:class:`Moment` and :class:`ZoneNote`: a platform that shows each member dates in their own time zone (Discord's
``<t:UNIX:F>``) renders the moment its own way and leaves the note out; the others show the words and the note.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

__all__ = [
    "ERASED_PREFIX",
    "NOBODY",
    "Attachment",
    "Button",
    "Field",
    "Form",
    "FormField",
    "Mentions",
    "Message",
    "Moment",
    "MomentStyle",
    "Untrusted",
    "ZoneNote",
    "fragments",
    "mention",
    "moment",
    "role_mention",
    "unmarked",
    "untrusted",
    "zone_note",
]

ButtonStyle = Literal["primary", "secondary", "success", "danger"]


# The platform id an erased member's row keeps: this prefix and a random token (bot.features.privacy).
ERASED_PREFIX = "erased:"
# How a member who erased their data (or nobody, an emptied column) shows where a mention was.
NOBODY = "…"


def mention(member_id: str) -> str:
    """A platform-neutral mention: ``<@id>`` is what Discord and Slack both use; the console renders names. A
    member who erased their data is no longer anyone to mention: they show as ``…``."""
    if not member_id or member_id.startswith(ERASED_PREFIX):
        return NOBODY
    return f"<@{member_id}>"


def role_mention(role_id: str) -> str:
    """A platform-neutral mention of a role or user group: ``<@&id>``."""
    return f"<@&{role_id}>"


# Private-use characters: no keyboard types them, and untrusted() strips them from what it wraps.
_OPEN = "\ue000"
_CLOSE = "\ue001"
# A moment: _MOMENT, its header "UNIX:style:zone", _WORDS, the words people read, _MOMENT_END.
_MOMENT = "\ue002"
_WORDS = "\ue003"
_MOMENT_END = "\ue004"
# The sentence naming the time zone: _NOTE, the sentence, _NOTE_END.
_NOTE = "\ue005"
_NOTE_END = "\ue006"
_MARKS = re.compile("[\ue000-\ue006]")
_HEADER = re.compile("\ue002[^\ue003\ue004]*\ue003?")
_USER_MENTION = re.compile(r"<@!?([^&>|\s][^>|\s]*)>")
_ROLE_MENTION = re.compile(r"<@&([^>|\s]+)>")


class Untrusted(str):
    """A fragment of text a member or an animator typed: data to show as it is, never markup."""

    __slots__ = ()


MomentStyle = Literal["full", "short", "date", "time", "relative"]
_STYLES: tuple[str, ...] = ("full", "short", "date", "time", "relative")


class Moment(str):
    """A date or time in the community's words, with the moment it names (``at``, aware, UTC) and the style wanted:
    ``full`` (weekday, date and time), ``short`` (short date and time), ``date``, ``time`` or ``relative``."""

    at: datetime
    style: MomentStyle

    def __new__(cls, words: str, at: datetime, style: MomentStyle) -> Moment:
        made = super().__new__(cls, words)
        made.at = at
        made.style = style
        return made

    @property
    def unix(self) -> int:
        return int(self.at.timestamp())


class ZoneNote(str):
    """The sentence naming the time zone dates are written in: left out where each member sees their own."""


def moment(at: datetime, words: str, style: MomentStyle = "full") -> str:
    """``words`` (``at`` as the community reads it, e.g. from :meth:`bot.i18n.Translator.datetime`) marked as the
    moment ``at``: format the result into a message as any string; ``message.text`` keeps ``words``."""
    if at.tzinfo is None:
        raise ValueError("a moment needs an aware datetime")
    return f"{_MOMENT}{int(at.timestamp())}:{style}{_WORDS}{unmarked(words)}{_MOMENT_END}"


def zone_note(sentence: str) -> str:
    """``sentence`` ("Times are in Europe/Paris time.") marked as the note naming the time zone of the dates."""
    clean = unmarked(sentence)
    return f"{_NOTE}{clean}{_NOTE_END}" if clean else ""


def untrusted(text: object) -> str:
    """``text`` (what a member typed: a profile field, a motion, a title, a display name) marked as data.

    Format the result into a message as any string; each adapter renders the span with its one function for
    untrusted text, so nothing in it notifies anyone, links show their real address, and formatting stays text."""
    clean = unmarked(str(text))
    return f"{_OPEN}{clean}{_CLOSE}" if clean else ""


def unmarked(text: str) -> str:
    """``text`` without the delimiters of :func:`untrusted`, :func:`moment` and :func:`zone_note` (what people
    read)."""
    return _MARKS.sub("", _HEADER.sub("", text))


def fragments(marked: str) -> list[str]:
    """``marked`` cut into Agora's own fragments (``str``), member text (:class:`Untrusted`), moments
    (:class:`Moment`) and time-zone notes (:class:`ZoneNote`), in order.

    A member-text span left open (cut by a length limit) runs to the end: what is unsure is treated as member
    text. A moment cut inside its header is dropped; one cut inside its words keeps them."""
    out: list[str] = []
    kind = ""
    header = ""
    current: list[str] = []

    def flush() -> None:
        if current:
            piece = "".join(current)
            if kind == "untrusted":
                out.append(Untrusted(piece))
            elif kind == "moment":
                out.append(_moment_of(piece, header))
            elif kind == "note":
                out.append(ZoneNote(piece))
            elif kind != "header":
                out.append(piece)
            current.clear()

    for char in marked:
        if char == _OPEN:
            flush()
            kind = "untrusted"
        elif char == _MOMENT:
            flush()
            kind = "header"
        elif char == _WORDS and kind == "header":
            header = "".join(current)
            current.clear()
            kind = "moment"
        elif char == _NOTE:
            flush()
            kind = "note"
        elif char in (_CLOSE, _MOMENT_END, _NOTE_END):
            flush()
            kind = ""
        elif not _MARKS.match(char):
            current.append(char)
    flush()
    return out


def _moment_of(words: str, header: str) -> str:
    unix, _, style = header.partition(":")
    try:
        at = datetime.fromtimestamp(int(unix), UTC)
    except ValueError:
        return words
    return Moment(words, at, style if style in _STYLES else "full")  # type: ignore[arg-type]


def _settle(obj: Any, names: tuple[str, ...]) -> None:
    """Move :func:`untrusted` delimiters out of ``obj``'s visible attributes into ``obj.marks``.

    An attribute given without delimiters keeps its previous marks when its text is unchanged (``replace()`` of
    another attribute), and loses them when the text is new."""
    previous = dict(obj.marks)
    marks: list[tuple[str, str]] = []
    for name in names:
        value = getattr(obj, name)
        if not value:
            continue
        if _MARKS.search(value):
            object.__setattr__(obj, name, unmarked(value))
            marks.append((name, value))
        elif name in previous and unmarked(previous[name]) == value:
            marks.append((name, previous[name]))
    object.__setattr__(obj, "marks", tuple(marks))


def _plain_only(obj: Any, names: tuple[str, ...]) -> None:
    """Button labels and form inputs are plain text on every platform: member text needs no marks there."""
    for name in names:
        value = getattr(obj, name)
        if value and _MARKS.search(value):
            object.__setattr__(obj, name, unmarked(value))


def _marked(obj: Any, name: str) -> str:
    for key, value in obj.marks:
        if key == name:
            return str(value)
    return str(getattr(obj, name) or "")


@dataclass(frozen=True)
class Mentions:
    """Who a message may notify: the members and roles Agora itself mentioned, in order of appearance."""

    users: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class Button:
    """A button: ``action`` says what pressing it does (``"charter:accept"``), ``ref`` which entity it is about."""

    action: str
    label: str
    ref: str = ""
    style: ButtonStyle = "primary"

    def __post_init__(self) -> None:
        _plain_only(self, ("label",))

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
    # Where the name and value hold member text (see untrusted()): (attribute, marked text).
    marks: tuple[tuple[str, str], ...] = field(default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        _settle(self, ("name", "value"))

    def parts(self, name: Literal["name", "value"]) -> list[str]:
        """The attribute's fragments: ``str`` for Agora's words, :class:`Untrusted` for member text."""
        return fragments(_marked(self, name))

    def marked(self, name: Literal["name", "value"]) -> str:
        """The attribute with its member-text spans still delimited (to format it into another message)."""
        return _marked(self, name)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Field:
        marks = tuple((str(k), str(v)) for k, v in data.get("marks", ()))
        return cls(name=data["name"], value=data["value"], inline=data.get("inline", False), marks=marks)


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message (an .ics invitation, a CSV export, a chart).

    ``content`` is the text of the file; for binary data (an image), :meth:`binary` keeps it written in base 64
    (``encoding``), so a message stays JSON for the outbox. Adapters send :attr:`data`."""

    filename: str
    content: str
    mime_type: str = "text/plain"
    encoding: Literal["text", "base64"] = "text"

    @classmethod
    def binary(cls, filename: str, data: bytes, mime_type: str) -> Attachment:
        """A binary file (a PNG chart)."""
        import base64

        return cls(filename, base64.b64encode(data).decode("ascii"), mime_type, "base64")

    @property
    def data(self) -> bytes:
        """The file's bytes (text in UTF-8)."""
        if self.encoding == "base64":
            import base64

            return base64.b64decode(self.content)
        return self.content.encode("utf-8")


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
    # Where the title, text and footer hold member text (see untrusted()): (attribute, marked text).
    marks: tuple[tuple[str, str], ...] = field(default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        _settle(self, ("title", "text", "footer"))

    def plain(self) -> str:
        """Everything the message says, as plain text (title, text, fields, footer)."""
        return unmarked(self.marked_plain())

    def marked(self, name: Literal["title", "text", "footer"]) -> str:
        """The attribute with its member-text spans still delimited (to format it into another message)."""
        return _marked(self, name)

    def marked_plain(self) -> str:
        """:meth:`plain` with its member-text spans still delimited."""
        lines: list[str] = []
        for name in ("title", "text"):
            if getattr(self, name):
                lines.append(_marked(self, name))
        lines.extend(
            f"{f.marked('name')}: {f.marked('value')}" if f.name else f.marked("value") for f in self.fields
        )
        if self.footer:
            lines.append(_marked(self, "footer"))
        return "\n".join(lines)

    def parts(self, name: Literal["title", "text", "footer"]) -> list[str]:
        """The attribute's fragments: ``str`` for Agora's words, :class:`Untrusted` for member text."""
        return fragments(_marked(self, name))

    def plain_parts(self) -> list[str]:
        """:meth:`plain` as fragments (``str`` and :class:`Untrusted`)."""
        return fragments(self.marked_plain())

    def mentions(self) -> Mentions:
        """The members and roles Agora mentioned in its own words: the only ones a platform may notify."""
        users: dict[str, None] = {}
        roles: dict[str, None] = {}
        for part in self.plain_parts():
            if isinstance(part, Untrusted):
                continue
            users.update(dict.fromkeys(_USER_MENTION.findall(part)))
            roles.update(dict.fromkeys(_ROLE_MENTION.findall(part)))
        return Mentions(tuple(users), tuple(roles))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Message:
        return cls(
            text=data["text"],
            title=data.get("title"),
            fields=tuple(Field.from_dict(f) for f in data.get("fields", ())),
            buttons=tuple(Button(**b) for b in data.get("buttons", ())),
            ephemeral=data.get("ephemeral", False),
            attachments=tuple(Attachment(**a) for a in data.get("attachments", ())),
            footer=data.get("footer"),
            marks=tuple((str(k), str(v)) for k, v in data.get("marks", ())),
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

    def __post_init__(self) -> None:
        _plain_only(self, ("label", "placeholder", "default"))


@dataclass(frozen=True)
class Form:
    """A form (Discord modal, Slack view). Discord takes five inputs at most: a longer form is split by the adapter
    into successive steps, so features may declare the fields they need."""

    id: str
    title: str
    fields: tuple[FormField, ...] = field(default_factory=tuple)
    ref: str = ""
    submit_label: str = ""

    def __post_init__(self) -> None:
        _plain_only(self, ("title", "submit_label"))

    @property
    def custom_id(self) -> str:
        return f"agora:{self.id}:{self.ref}"
