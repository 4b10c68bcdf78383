"""Rendering for Discord without a connection: lengths, embeds, custom ids, modals."""

from __future__ import annotations

import discord
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.discord.components import (
    AgoraModal,
    component_id,
    modal_values,
    parse_component_id,
    parse_form_button_id,
    parse_step_modal_id,
    step_modal_id,
)
from adapters.discord.render import (
    CONTENT_LIMIT,
    EMBED_FIELD_VALUE,
    MAX_SPLIT,
    form_steps,
    render,
    render_one,
    split_text,
)
from bot.messages import Attachment, Button, Field, Form, FormField, Message

words = st.text(alphabet=st.sampled_from("abcdefghij \n"), min_size=0, max_size=9000)


@settings(max_examples=60, deadline=None)
@given(words)
def test_split_text_keeps_every_word_and_each_piece_fits(text: str) -> None:
    pieces = split_text(text)
    assert all(0 < len(p) <= CONTENT_LIMIT for p in pieces)
    assert "".join("".join(pieces).split()) == "".join(text.split())


def test_split_text_cuts_at_paragraphs_first() -> None:
    paragraphs = ["a" * 1500, "b" * 1500, "c" * 300]
    assert split_text("\n\n".join(paragraphs)) == [paragraphs[0], paragraphs[1] + "\n\n" + paragraphs[2]]
    assert split_text("x" * 4500) == ["x" * 1998, "x" * 1998, "x" * 504]  # no space at all: hard cuts


def test_a_rich_message_is_an_embed_and_a_mention_stays_in_the_content() -> None:
    [payload] = render(
        Message("Hello there", title="Welcome", fields=(Field("Why", "Because"),), footer="v1")
    )
    assert payload.content is None
    embed = payload.embeds[0]
    assert (embed.title, embed.description, embed.footer.text) == ("Welcome", "Hello there", "v1")
    assert [(f.name, f.value) for f in embed.fields] == [("Why", "Because")]

    [pinged] = render(Message("<@123> welcome!", title="Welcome"))
    assert pinged.content == "<@123> welcome!" and pinged.embeds[0].description is None


def test_a_long_field_continues_in_the_next_fields() -> None:
    [payload] = render(Message("x", title="t", fields=(Field("Rights", "\n".join(["• a right"] * 300)),)))
    fields = payload.embeds[0].fields
    assert len(fields) > 1 and all(len(f.value) <= EMBED_FIELD_VALUE for f in fields)
    assert fields[0].name == "Rights" and all(f.name == "\u200b" for f in fields[1:])


def test_an_embed_past_discords_limits_becomes_split_text_then_a_file() -> None:
    big = Message("intro", title="A lot", fields=tuple(Field(f"f{i}", "y " * 400) for i in range(9)))
    payloads = render(big)
    assert len(payloads) > 1 and all(not p.embeds and len(p.content or "") <= CONTENT_LIMIT for p in payloads)
    huge = Message(
        "z " * (CONTENT_LIMIT * MAX_SPLIT),
        buttons=(Button("a", "A"),),
        attachments=(Attachment("x.ics", "X"),),
    )
    [attached] = render(huge)
    assert [a.filename for a in attached.attachments] == ["message.txt", "x.ics"]
    assert attached.buttons and len(attached.content or "") <= CONTENT_LIMIT
    # Editing a message in place: always one message.
    assert len([render_one(Message("w " * 3000))]) == 1 and render_one(Message("w " * 3000)).attachments


def test_button_ids_carry_the_guild_in_a_dm_and_parse_back() -> None:
    button = Button("charter:accept", "I accept", ref="12")
    assert component_id(button.custom_id, None) == "agora:charter:accept:12"
    tagged = component_id(button.custom_id, 1234567890123456789)
    assert tagged == "agora@1234567890123456789:charter:accept:12"
    assert parse_component_id(tagged) == ("charter:accept", "12", 1234567890123456789)
    assert parse_component_id("agora:charter:accept:12") == ("charter:accept", "12", None)
    assert parse_component_id("rsvp:1") is None
    long_ref = Button("a" * 40, "x", ref="r" * 50).custom_id
    assert component_id(long_ref, 1234567890123456789) == long_ref  # over 100: the plain id
    assert parse_form_button_id("agora-form:0123456789abcdef") == "0123456789abcdef"
    assert parse_step_modal_id(step_modal_id("0123456789abcdef", 1)) == ("0123456789abcdef", 1)


async def test_forms_become_modals_of_five_inputs_at_most() -> None:
    form = Form("intro", "Introduce yourself", fields=tuple(FormField(f"q{i}", f"Q{i}") for i in range(12)))
    assert [len(step) for step in form_steps(form)] == [5, 5, 2]
    modal = AgoraModal(
        title="A title that is really much too long for a Discord modal",
        custom_id="agora:intro:",
        fields=[(FormField("what", "What do you do?", required=True, multiline=True), "prefilled")],
    )
    payload = modal.to_dict()
    assert len(payload["title"]) <= 45 and payload["custom_id"] == "agora:intro:"
    [label] = payload["components"]
    assert label["type"] == 18 and label["label"] == "What do you do?"
    text_input = label["component"]
    assert text_input["custom_id"] == "what" and text_input["style"] == discord.TextStyle.paragraph.value
    assert text_input["value"] == "prefilled" and text_input["required"] is True


def test_modal_values_read_rows_and_labels() -> None:
    components = [
        {"type": 1, "components": [{"type": 4, "custom_id": "a", "value": "1"}]},
        {"type": 18, "component": {"type": 4, "custom_id": "b", "value": "2"}},
        {"type": 10, "content": "just text"},
    ]
    assert modal_values(components) == {"a": "1", "b": "2"}
