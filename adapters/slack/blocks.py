"""Block Kit rendering: the core's ``Message`` and ``Form`` as Slack blocks and modal views, and back.

Pure functions, no I/O. Slack's limits are enforced here so that a long charter never makes ``chat.postMessage``
fail with ``invalid_blocks``: a header holds 150 characters, a section 3,000, a section field 2,000 (ten fields
per section), a message 50 blocks and its ``text`` 40,000 characters; a modal's title and buttons 24.

``text`` is always the complete plain-text fallback (``Message.plain()``): Slack shows it in notifications and
to clients that can't render blocks, so nothing is lost when a block had to be shortened.

A member's text is data: :func:`untrusted_text` is the one function that renders it. Slack's special mentions
(``<!channel>``, ``<!here>``, ``<!everyone>``, ``<!subteam^S…>``) and user mentions in it become plain visible text
("@channel"), a masked link ``<https://evil.example|www.trusted.example>`` shows its real address, and ``&``, ``<``
and ``>`` are escaped, so nothing a member typed notifies anyone. Agora's own words go through :func:`escape`,
which keeps the mentions Agora chose.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from bot.messages import Button, Field, Form, Message, Untrusted

__all__ = [
    "FALLBACK_LIMIT",
    "MAX_BLOCKS",
    "escape",
    "form_errors",
    "form_values",
    "message_blocks",
    "message_payload",
    "modal_view",
    "split_text",
    "untrusted_text",
]

HEADER_LIMIT = 150
SECTION_LIMIT = 3000
FIELD_LIMIT = 2000
FIELDS_PER_SECTION = 10
CONTEXT_LIMIT = 2000
BUTTON_LABEL_LIMIT = 75
BUTTON_VALUE_LIMIT = 2000
BUTTONS_PER_BLOCK = 25
MAX_BLOCKS = 50
FALLBACK_LIMIT = 40_000
MODAL_TITLE_LIMIT = 24
MODAL_BUTTON_LIMIT = 24
INPUT_LABEL_LIMIT = 2000
PLACEHOLDER_LIMIT = 150
INPUT_MAX_LENGTH = 3000

# Slack markup that must reach Slack as it is: mentions, channels, special mentions, links.
_SLACK_TOKEN = re.compile(r"<(?:[@#!][^<>]*|(?:https?|mailto):[^<>\s]+)>")


def _escape_plain(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape(text: str) -> str:
    """Escape ``&``, ``<`` and ``>`` for mrkdwn in Agora's own words, keeping ``<@U…>``, ``<#C…>``, ``<!here>`` and
    links intact, and writing the core's role mention ``<@&S…>`` as Slack's ``<!subteam^S…>``.

    Never for member text: that is :func:`untrusted_text`'s."""
    out: list[str] = []
    position = 0
    for match in _SLACK_TOKEN.finditer(text):
        out.append(_escape_plain(text[position : match.start()]))
        out.append(_NEUTRAL_ROLE.sub(r"<!subteam^\1>", match.group(0)))
        position = match.end()
    out.append(_escape_plain(text[position:]))
    return "".join(out)


_NEUTRAL_ROLE = re.compile(r"^<@&([^<>|\s]+)>$")
# Slack's markup in what a member typed: <!channel>, <!subteam^S1|@mods>, <@U1|alice>, <#C1|general>,
# <https://evil.example|www.trusted.example>, and the core's neutral <@&S1>.
_MEMBER_TOKEN = re.compile(
    r"<([@#!])([^<>|]*)(?:\|([^<>]*))?>|<((?:https?|mailto):[^<>|\s]+)(?:\|([^<>]*))?>"
)


def _neutralised(match: re.Match[str]) -> str:
    sigil, target, label, url, link_label = match.groups()
    if url is not None:
        # A masked link shows where it really goes.
        return f"{link_label} ({url})" if link_label and link_label != url else url
    if sigil == "!":
        name = target.split("^", 1)[-1] if target.startswith("subteam^") else target
        return label or f"@{name}"
    if sigil == "@":
        name = label or target.removeprefix("&")
        return name if name.startswith("@") else f"@{name}"
    return (label and f"#{label.lstrip('#')}") or f"#{target}"


def untrusted_text(text: str, *, mrkdwn: bool = True) -> str:
    """What a member typed, as mrkdwn (or, ``mrkdwn=False``, as plain_text: a header) that shows it and notifies
    nobody (see the module docstring)."""
    neutral = _MEMBER_TOKEN.sub(_neutralised, text)
    return _escape_plain(neutral) if mrkdwn else neutral


def _text(parts: list[str]) -> str:
    """Fragments of a message as mrkdwn: Agora's own through :func:`escape`, member text through
    :func:`untrusted_text`."""
    return "".join(untrusted_text(p) if isinstance(p, Untrusted) else escape(p) for p in parts)


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def split_text(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, cut at a line break or a space when there is one."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        # A line break is the best cut, a space the next best, unless either leaves a tiny first piece.
        cut = rest.rfind("\n", 0, limit + 1)
        if cut < limit // 2:
            cut = rest.rfind(" ", 0, limit + 1)
        if cut < limit // 2:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n ")
    if rest or not pieces:
        pieces.append(rest)
    return [p for p in pieces if p] or [""]


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def _plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": _truncate(text, limit) or " ", "emoji": True}


def _field_text(field: Field) -> str:
    value = _text(field.parts("value"))
    return f"*{_text(field.parts('name'))}*\n{value}" if field.name else value


def _field_blocks(fields: Iterable[Field]) -> list[dict[str, Any]]:
    """Inline fields side by side (section ``fields``), the others as their own sections."""
    blocks: list[dict[str, Any]] = []
    inline: list[dict[str, Any]] = []

    def flush() -> None:
        for start in range(0, len(inline), FIELDS_PER_SECTION):
            blocks.append({"type": "section", "fields": inline[start : start + FIELDS_PER_SECTION]})
        inline.clear()

    for field in fields:
        if field.inline:
            inline.append(_mrkdwn(_truncate(_field_text(field), FIELD_LIMIT)))
            continue
        flush()
        blocks.extend({"type": "section", "text": _mrkdwn(piece)} for piece in split_text(_field_text(field)))
    flush()
    return blocks


def _button(button: Button) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "action_id": button.custom_id,
        # A label is plain text, often a member's words (a debate's positions): shown as Slack would show it typed.
        "text": _plain(untrusted_text(button.label, mrkdwn=False), BUTTON_LABEL_LIMIT),
    }
    if button.ref:
        element["value"] = button.ref[:BUTTON_VALUE_LIMIT]
    # Slack has two styles: primary (green) and danger (red); "secondary" is its default look.
    if button.style in ("primary", "success"):
        element["style"] = "primary"
    elif button.style == "danger":
        element["style"] = "danger"
    return element


def message_blocks(message: Message) -> list[dict[str, Any]]:
    """``message`` as Block Kit: header, sections, fields, context footer, then the buttons."""
    blocks: list[dict[str, Any]] = []
    if message.title:
        title = "".join(
            untrusted_text(p, mrkdwn=False) if isinstance(p, Untrusted) else p for p in message.parts("title")
        )
        blocks.append({"type": "header", "text": _plain(title, HEADER_LIMIT)})
    if message.text:
        blocks.extend(
            {"type": "section", "text": _mrkdwn(piece)} for piece in split_text(_text(message.parts("text")))
        )
    blocks.extend(_field_blocks(message.fields))
    if message.footer:
        blocks.append(
            {
                "type": "context",
                "elements": [_mrkdwn(_truncate(_text(message.parts("footer")), CONTEXT_LIMIT))],
            }
        )
    actions = [
        {
            "type": "actions",
            "block_id": f"agora_actions_{index}",
            "elements": [_button(b) for b in message.buttons[start : start + BUTTONS_PER_BLOCK]],
        }
        for index, start in enumerate(range(0, len(message.buttons), BUTTONS_PER_BLOCK))
    ]
    # Past Slack's 50 blocks, content is cut (the text fallback still has all of it) but the buttons stay.
    room = MAX_BLOCKS - len(actions)
    return blocks[:room] + actions


def fallback_text(message: Message) -> str:
    """The ``text`` of a message: everything it says, escaped, within Slack's limit."""
    return _truncate(_text(message.plain_parts()), FALLBACK_LIMIT)


def message_payload(message: Message) -> dict[str, Any]:
    """The ``text`` and ``blocks`` arguments of chat.postMessage / chat.update / respond()."""
    return {"text": fallback_text(message), "blocks": message_blocks(message)}


def modal_view(form: Form, submit: str, close: str) -> dict[str, Any]:
    """``form`` as a modal: one plain-text input per field, the block and action ids being the field's name.

    ``submit`` and ``close`` are the translated default button labels (the form's own submit label wins)."""
    blocks: list[dict[str, Any]] = []
    if len(form.title) > MODAL_TITLE_LIMIT:
        # The modal's title bar is short: the whole title goes in a header inside the modal.
        blocks.append({"type": "header", "text": _plain(form.title, HEADER_LIMIT)})
    for field in form.fields:
        element: dict[str, Any] = {
            "type": "plain_text_input",
            "action_id": field.name,
            "multiline": field.multiline,
            "max_length": max(1, min(field.max_length, INPUT_MAX_LENGTH)),
        }
        if field.default:
            element["initial_value"] = field.default[:INPUT_MAX_LENGTH]
        if field.placeholder:
            element["placeholder"] = _plain(field.placeholder, PLACEHOLDER_LIMIT)
        blocks.append(
            {
                "type": "input",
                "block_id": field.name,
                "label": _plain(field.label, INPUT_LABEL_LIMIT),
                "optional": not field.required,
                "element": element,
            }
        )
    return {
        "type": "modal",
        "callback_id": form.custom_id,
        "private_metadata": form.ref,
        "title": _plain(form.title, MODAL_TITLE_LIMIT),
        "submit": _plain(form.submit_label or submit, MODAL_BUTTON_LIMIT),
        "close": _plain(close, MODAL_BUTTON_LIMIT),
        "blocks": blocks,
    }


def form_values(view: Mapping[str, Any]) -> dict[str, str]:
    """What was typed in a submitted modal: ``{field name: text}`` (an empty optional field gives ``""``)."""
    values: dict[str, str] = {}
    state = (view.get("state") or {}).get("values") or {}
    for actions in state.values():
        # Our inputs use the field's name as both block id and action id.
        for action_id, element in (actions or {}).items():
            if not isinstance(element, Mapping):
                continue
            value = element.get("value")
            if value is None and "selected_option" in element:
                value = (element.get("selected_option") or {}).get("value")
            values[action_id] = "" if value is None else str(value)
    return values


def form_errors(view: Mapping[str, Any], errors: Mapping[str, str]) -> dict[str, str]:
    """Field errors keyed by the input blocks' ids, for ``ack(response_action="errors")``.

    Slack rejects an error for a block that isn't an input of the view, so an error about something else
    (the form as a whole) is shown next to the first input."""
    inputs = [
        b.get("block_id") for b in view.get("blocks") or () if b.get("type") == "input" and b.get("block_id")
    ]
    out: dict[str, str] = {}
    for name, message in errors.items():
        key = name if name in inputs else (inputs[0] if inputs else name)
        out[key] = _truncate(f"{out[key]} {message}" if key in out else message, FIELD_LIMIT)
    return out
