"""Block Kit rendering within Slack's limits, and modals read back."""

from __future__ import annotations

from adapters.slack.blocks import (
    FALLBACK_LIMIT,
    MAX_BLOCKS,
    escape,
    fallback_text,
    form_errors,
    form_values,
    message_blocks,
    message_payload,
    modal_view,
    split_text,
)
from adapters.slack.events import clean_command_text, delivery_id, member_ref
from bot.messages import Button, Field, Form, FormField, Message


def test_markup_is_escaped_but_mentions_channels_and_links_survive() -> None:
    text = "Rights & duties <b> for <@U0ALICE001> in <#C0WELCOME1|welcome>, see <https://example.org|this> <!here>"
    assert escape(text) == (
        "Rights &amp; duties &lt;b&gt; for <@U0ALICE001> in <#C0WELCOME1|welcome>, "
        "see <https://example.org|this> <!here>"
    )
    assert escape("a < b > c") == "a &lt; b &gt; c"


def test_long_text_is_split_at_line_breaks_within_the_section_limit() -> None:
    paragraph = "word " * 500
    pieces = split_text("\n".join([paragraph] * 4), 3000)
    assert all(len(p) <= 3000 for p in pieces) and len(pieces) >= 4
    assert "".join(pieces).replace(" ", "") == ("word" * 500 * 4)
    assert split_text("x" * 7000, 3000) == ["x" * 3000, "x" * 3000, "x" * 1000]
    assert split_text("") == [""]


def test_a_message_becomes_header_sections_fields_context_and_actions() -> None:
    message = Message(
        "Hello",
        title="T" * 200,
        fields=(
            *(Field(f"F{i}", "v", inline=True) for i in range(12)),
            Field("Long", "y" * 5000),
            Field("", "no name"),
        ),
        buttons=(
            Button("a:ok", "OK", "1", "success"),
            Button("a:no", "No", "1", "danger"),
            Button("a:later", "L" * 100, "1", "secondary"),
        ),
        footer="Footer & co",
    )
    blocks = message_blocks(message)
    assert [b["type"] for b in blocks] == [
        "header",
        "section",
        "section",
        "section",
        "section",
        "section",
        "section",
        "context",
        "actions",
    ]
    assert len(blocks[0]["text"]["text"]) == 150 and blocks[0]["text"]["text"].endswith("…")
    assert [len(b["fields"]) for b in blocks[2:4]] == [10, 2]
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks[4:6])
    assert blocks[6]["text"]["text"] == "no name"
    assert blocks[7]["elements"][0]["text"] == "Footer &amp; co"
    elements = blocks[8]["elements"]
    assert [e.get("style") for e in elements] == ["primary", "danger", None]
    assert len(elements[2]["text"]["text"]) == 75
    assert elements[0]["action_id"] == "agora:a:ok:1" and elements[0]["value"] == "1"


def test_past_fifty_blocks_the_content_is_cut_but_the_buttons_stay_and_the_text_has_everything() -> None:
    message = Message(
        "intro",
        fields=tuple(Field(f"Field {i}", f"value {i}") for i in range(80)),
        buttons=(Button("x:y", "Go"),),
    )
    blocks = message_blocks(message)
    assert len(blocks) == MAX_BLOCKS and blocks[-1]["type"] == "actions"
    assert "Field 79: value 79" in message_payload(message)["text"]
    assert len(fallback_text(Message("z" * 50_000))) == FALLBACK_LIMIT


def test_many_buttons_fill_several_action_blocks() -> None:
    blocks = message_blocks(Message("pick", buttons=tuple(Button("pick", str(i), str(i)) for i in range(30))))
    assert [len(b["elements"]) for b in blocks if b["type"] == "actions"] == [25, 5]
    assert len({b["block_id"] for b in blocks if b["type"] == "actions"}) == 2


def test_a_form_becomes_a_modal_and_its_submission_comes_back() -> None:
    form = Form(
        "intro",
        "Intro",
        fields=(
            FormField("what", "What do you do?", required=True, max_length=9000),
            FormField("why", "Why here?", multiline=True, placeholder="p" * 300, default="Because"),
        ),
        ref="5",
        submit_label="Publish",
    )
    view = modal_view(form, submit="Send", close="Cancel")
    assert view["callback_id"] == "agora:intro:5" and view["private_metadata"] == "5"
    assert view["title"]["text"] == "Intro" and view["submit"]["text"] == "Publish"
    what, why = view["blocks"]
    assert what["element"]["max_length"] == 3000 and what["optional"] is False
    assert why["element"]["initial_value"] == "Because" and len(why["element"]["placeholder"]["text"]) == 150

    submitted = {
        **view,
        "state": {
            "values": {
                "what": {"what": {"type": "plain_text_input", "value": "Designer"}},
                "why": {"why": {"type": "plain_text_input", "value": None}},
            }
        },
    }
    assert form_values(submitted) == {"what": "Designer", "why": ""}
    assert form_errors(submitted, {"what": "Too short", "form": "Try again"}) == {
        "what": "Too short Try again"
    }


def test_command_text_is_unescaped_and_curly_quotes_are_straightened() -> None:
    assert clean_command_text("setup name=“A &amp; B” x=&lt;y&gt;") == 'setup name="A & B" x=<y>'
    assert (
        clean_command_text("setup add_animator=<@U0BOB00001|bob>") == "setup add_animator=<@U0BOB00001|bob>"
    )


def test_delivery_ids_are_stable_and_fit_in_storage() -> None:
    assert delivery_id("event", "Ev123") == "slack:event:Ev123"
    long = delivery_id("action", "1.2", "agora:" + "x" * 300, "3.4")
    assert len(long) <= 200 and long == delivery_id("action", "1.2", "agora:" + "x" * 300, "3.4")


def test_a_member_is_read_from_the_user_object() -> None:
    user = {
        "id": "U1",
        "name": "alice",
        "real_name": "Alice Martin",
        "is_admin": False,
        "is_owner": True,
        "profile": {"display_name": "", "real_name": "Alice Martin"},
        "locale": "fr-FR",
    }
    ref = member_ref("U1", user, frozenset({"S1", "mods"}))
    assert (ref.display_name, ref.is_admin, ref.is_bot, ref.locale) == ("Alice Martin", True, False, "fr-FR")
    assert ref.roles == {"S1", "mods"}
    assert member_ref("USLACKBOT", None).is_bot
