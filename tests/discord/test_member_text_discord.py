"""Text a member typed never notifies anyone on Discord, and never disguises a link: every feature that reposts
member text (``tests/member_text.py`` lists them and tells each one's story on the console) has its messages
delivered by the real discord.py through the Discord adapter to the loopback fake, which must receive an explicit
``allowed_mentions`` (``parse: []`` and only the members Agora itself mentioned) and the member's text escaped:
``<@&role>``, ``@everyone``, ``@here``, ``<@user>``, ``**bold**`` and ``[label](url)`` shown as typed."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from adapters.console import ConsoleCommunity
from bot.events import ChannelRef, MessageRef
from tests.discord.support import World, text_of
from tests.fakes.fake_discord import FakeDiscord
from tests.member_text import ALICE, BOB, REPOSTS, ROLE, TELLTALE, VICTIM, live_markup, messages_of

# Markup that would act if it reached Discord unescaped (a backslash before it makes it text).
LIVE = {
    "a role mention": re.compile(rf"(?<!\\)<@&{ROLE}>"),
    "a member mention": re.compile(rf"(?<!\\)<@!?{VICTIM}>"),
    "@everyone or @here": re.compile(r"(?<![\\\w])@(everyone|here)\b"),
    "a masked link": re.compile(r"(?<!\\)\[www\.trusted\.example(?<!\\)\]\("),
    "bold": re.compile(r"(?<!\\)\*\*boss"),
}


def chosen_in(content: str | None) -> list[int]:
    """The members Agora itself mentions in these stories, in the order the content names them (discord.py
    sends snowflakes as numbers)."""
    found = re.findall(r"(?<!\\)<@!?(\d+)>", content or "")
    return [int(i) for i in dict.fromkeys(found) if i in (ALICE, BOB)]


@pytest.mark.parametrize("feature", list(REPOSTS))
async def test_member_text_reposted_by_a_feature_notifies_nobody_on_discord(
    feature: str,
    make_harness: Callable[..., ConsoleCommunity],
    start_bot: Callable[..., Any],
    fake: FakeDiscord,
    world: World,
) -> None:
    messages = await messages_of(make_harness, feature)
    bot = await start_bot()
    assert bot.adapter is not None
    chat = bot.adapter.chat
    channel = ChannelRef("discord", world.general.id)

    mark = fake.mark()
    first: MessageRef | None = None
    for message in messages:
        posted = await chat.post(channel, message)
        first = first or posted
    assert first is not None
    await chat.update(first, messages[0])  # an edit carries the same explicit mentions

    sent = [
        r
        for r in fake.find_requests(None, rf"^/channels/{world.general.id}/messages(/\d+)?$")
        if r.index >= mark and r.method in ("POST", "PATCH")
    ]
    assert len(sent) >= len(messages) + 1
    for request in sent:
        body = request.body
        # Exactly the members Agora mentioned in the content: never the role or the member in the member's text.
        assert body["allowed_mentions"] == {"parse": [], "users": chosen_in(body.get("content")), "roles": []}
        shown = text_of(body)
        assert not live_markup(LIVE, shown), (live_markup(LIVE, shown), shown)
    everything = "\n".join(text_of(r.body) for r in sent)
    assert TELLTALE in everything  # the member's text is shown, as text


async def test_an_introduction_notifies_the_newcomer_and_the_suggested_member_only(
    make_harness: Callable[..., ConsoleCommunity],
    start_bot: Callable[..., Any],
    fake: FakeDiscord,
    world: World,
) -> None:
    [introduction] = [m for m in await messages_of(make_harness, "introduction") if m.title]
    bot = await start_bot()
    assert bot.adapter is not None
    mark = fake.mark()

    await bot.adapter.chat.post(ChannelRef("discord", world.general.id), introduction)

    [post] = [
        r for r in fake.find_requests("POST", rf"^/channels/{world.general.id}/messages$") if r.index >= mark
    ]
    assert post.body["allowed_mentions"] == {"parse": [], "users": [int(ALICE), int(BOB)], "roles": []}
    content = post.body["content"]
    assert content.startswith(f"<@{ALICE}>: Growth hacker {TELLTALE} \\<\\@&{ROLE}\\> \\@everyone \\@here")
    assert f"• <@{BOB}> — You both care about: baking" in content
    stored = fake.message(post.response["id"])
    assert stored["mention_everyone"] is False
