"""A member's text is data: the core marks it with ``untrusted()`` wherever a feature formats it into a message,
and a message tells adapters which fragments are member text and which members Agora itself mentioned."""

from __future__ import annotations

import dataclasses
import json

from bot.messages import Button, Field, Message, Untrusted, mention, role_mention, untrusted


def test_a_message_shows_member_text_as_typed_and_tells_the_adapters_where_it_is() -> None:
    typed = "Baker <@bob> @everyone"
    message = Message(f"{mention('alice')}: {untrusted(typed)}", title=untrusted("Alice"))

    assert message.text == "<@alice>: Baker <@bob> @everyone"  # what people read
    assert message.parts("text") == ["<@alice>: ", typed]
    assert isinstance(message.parts("text")[1], Untrusted) and not isinstance(
        message.parts("text")[0], Untrusted
    )
    assert message.plain() == "Alice\n<@alice>: Baker <@bob> @everyone"


def test_only_the_mentions_agora_wrote_may_notify() -> None:
    message = Message(
        f"{mention('alice')} {role_mention('animators')} {untrusted('<@bob> <@&everyone-role>')}",
        fields=(Field(untrusted("<@carol>"), mention("dan")),),
    )

    assert message.mentions().users == ("alice", "dan")
    assert message.mentions().roles == ("animators",)


def test_a_member_cannot_close_the_span_of_their_own_text() -> None:
    sneaky = "x\ue001 <@bob> \ue000y"
    message = Message(untrusted(sneaky))

    assert message.text == "x <@bob> y"
    assert message.mentions().users == ()
    assert all(isinstance(p, Untrusted) for p in message.parts("text"))


def test_member_text_stays_marked_through_the_outbox_and_a_replacement() -> None:
    message = Message(
        f"Hello {untrusted('<@bob>')}",
        fields=(Field("What", untrusted("**bold**")),),
        buttons=(Button("x", untrusted("Yes <!here>")),),
    )

    again = Message.from_dict(json.loads(json.dumps(message.to_dict())))
    assert again == message and again.parts("text") == message.parts("text")
    assert again.fields[0].parts("value") == [Untrusted("**bold**")]
    assert again.buttons[0].label == "Yes <!here>"  # a button's label is plain text everywhere
    assert dataclasses.replace(again, ephemeral=True).parts("text") == ["Hello ", "<@bob>"]
    assert dataclasses.replace(again, text="New text").parts("text") == ["New text"]
