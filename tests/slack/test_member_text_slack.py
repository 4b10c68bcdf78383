"""Text a member typed never notifies anyone on Slack, and never disguises a link: every feature that reposts
member text (``tests/member_text.py`` lists them and tells each one's story on the console) has its messages
delivered by the Slack adapter with the real slack-sdk to the loopback fake, which must receive no special mention
(``<!channel>``, ``<!here>``, ``<!everyone>``, ``<!subteam^…>``) and no user mention from member text, in the
fallback text or in any block, and masked links shown with their real address."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from adapters.console import ConsoleCommunity
from adapters.slack.chat import SlackChat, make_client
from bot.events import ChannelRef, MessageRef
from tests.fakes.fake_slack import FakeSlack
from tests.member_text import (
    ALICE,
    BOB,
    REPOSTS,
    SLACK_GROUP,
    SLACK_VICTIM,
    TELLTALE,
    VICTIM,
    live_markup,
    messages_of,
)
from tests.slack.support import MEMBERS, texts

# Slack markup that would notify or mislead if it reached Slack as it is.
LIVE = {
    "a special mention": re.compile(r"<!(channel|here|everyone)\b"),
    "a user group mention": re.compile(rf"<!subteam\^{SLACK_GROUP}"),
    "a user mention from member text": re.compile(rf"<@({SLACK_VICTIM}|{VICTIM}|&)"),
    "a masked link": re.compile(r"<https?://[^>|]*\|"),
}


def shown(args: dict[str, Any]) -> str:
    """What a chat.postMessage or chat.update carries: its fallback text and every text of its blocks."""
    return f"{args.get('text') or ''}\n{texts(args.get('blocks') or [])}"


@pytest.mark.parametrize("feature", list(REPOSTS))
async def test_member_text_reposted_by_a_feature_notifies_nobody_on_slack(
    feature: str, make_harness: Callable[..., ConsoleCommunity], fake: FakeSlack
) -> None:
    messages = await messages_of(make_harness, feature)
    chat = SlackChat(make_client("xoxb-test", fake.api_base))
    mark = fake.mark()

    first: MessageRef | None = None
    for message in messages:
        posted = await chat.post(ChannelRef("slack", MEMBERS), message)
        first = first or posted
    assert first is not None
    await chat.update(first, messages[0])

    calls = [
        c for c in fake.calls[mark:] if c.method in ("chat.postMessage", "chat.update") and c.args.get("text")
    ]
    assert len(calls) >= len(messages) + 1
    for call in calls:
        text = shown(call.args)
        assert not live_markup(LIVE, text), (live_markup(LIVE, text), text)
        # The mentions Agora chose stay mentions (the members of the story, and camille who animates it).
        assert set(re.findall(r"<@([^>|]+)", text)) <= {ALICE, BOB, "camille"}
    everything = "\n".join(shown(c.args) for c in calls)
    assert TELLTALE in everything


async def test_an_introduction_shows_what_was_typed_as_plain_text(
    make_harness: Callable[..., ConsoleCommunity], fake: FakeSlack
) -> None:
    [introduction] = [m for m in await messages_of(make_harness, "introduction") if m.title]
    chat = SlackChat(make_client("xoxb-test", fake.api_base))
    mark = fake.mark()

    await chat.post(ChannelRef("slack", MEMBERS), introduction)

    [call] = [c for c in fake.calls[mark:] if c.method == "chat.postMessage"]
    text = shown(call.args)
    assert f"<@{ALICE}>: Growth hacker {TELLTALE} " in text  # the newcomer, mentioned by Agora
    assert "@channel @here @everyone @mods @U0VICTIM01" in text  # what the member typed, as text
    assert "www.trusted.example (https://evil.example)" in text  # the link's real address
    assert f"• <@{BOB}> — You both care about: baking" in text
