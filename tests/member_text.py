"""What the member-text tests share: text a member types to ping everyone or to disguise a link, and every feature
that reposts what a member (or an animator) typed, each as a short story on the console community that returns
the messages carrying that text. ``tests/discord/test_member_text_discord.py`` and
``tests/slack/test_member_text_slack.py`` deliver those messages through each platform's real adapter and library
to its loopback fake, and check that nobody is notified and that links show where they go.

Members here have Discord-like numeric ids, so that the mentions Agora chooses (the newcomer, the suggested
contact, a round's group) are ones Discord could notify."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from adapters.console import ConsoleCommunity
from bot.clock import FakeClock
from bot.messages import Message
from tests.support import OPTIONS, arrive, introduce, paris

# The one word every piece of member text below carries: it tells which messages repost member text.
TELLTALE = "Zorglub"
ALICE = "111111111111111111"  # the newcomer
BOB = "222222222222222222"  # a member who introduced himself earlier
VICTIM = "999999999999999999"  # the member whom member text tries to ping
ROLE = "888888888888888888"  # the role member text tries to ping
SLACK_VICTIM = "U0VICTIM01"
SLACK_GROUP = "S0MODS0001"

# What a member types to notify people: Discord's forms, then what Slack sends for @channel, @here, @everyone,
# a user group and a user.
DISCORD_PINGS = f"<@&{ROLE}> @everyone @here <@{VICTIM}>"
SLACK_PINGS = f"<!channel> <!here> <!everyone> <!subteam^{SLACK_GROUP}|@mods> <@{SLACK_VICTIM}>"
PINGS = f"{DISCORD_PINGS} {SLACK_PINGS}"
# A link whose label says one address and whose target is another, in Discord's and in Slack's syntax.
LINKS = "**boss** [www.trusted.example](https://evil.example) <https://evil.example|www.trusted.example>"

CHANNELS = {
    "welcome": "welcome",
    "announcements": "announcements",
    "introductions": "introductions",
    "debates": "debates",
    "icebreakers": "icebreakers",
}

Story = Callable[[ConsoleCommunity], Awaitable[list[Message]]]


def live_markup(patterns: dict[str, re.Pattern[str]], text: str) -> list[str]:
    """The names of the ``patterns`` (markup that would act on the platform) found in ``text``."""
    return [name for name, pattern in patterns.items() if pattern.search(text)]


def reposted(h: ConsoleCommunity, since: int = 0, *extra: Any) -> list[Message]:
    """The messages the bot sent (posts, DMs, updates, group conversations) since ``since``, plus the replies
    in ``extra`` (outcomes), that carry member text."""
    messages = [s.message for s in h.chat.sent[since:] if s.message is not None and s.kind != "reply"]
    messages += [reply for outcome in extra for reply in outcome.replies]
    return [m for m in messages if TELLTALE in m.plain()]


async def introduction(h: ConsoleCommunity) -> list[Message]:
    """The introduction posted for a newcomer, with a suggested member, and the profile fields."""
    await introduce(h, BOB, interests="baking")
    mark = len(h.chat.sent)
    await introduce(
        h,
        ALICE,
        name=f"{TELLTALE} {DISCORD_PINGS}",
        what=f"Growth hacker {TELLTALE} {PINGS}",
        where=f"{TELLTALE} {LINKS}",
        interests=f"baking, {TELLTALE} {DISCORD_PINGS}",
        offers=f"{TELLTALE} {PINGS} {LINKS}",
        needs=f"{TELLTALE} {PINGS} {LINKS}",
    )
    return reposted(h, mark)


async def directory(h: ConsoleCommunity) -> list[Message]:
    """The member directory and one member's profile, as another member reads them."""
    await introduce(h, ALICE, what=f"{TELLTALE} {PINGS}", offers=f"{TELLTALE} {LINKS}")
    await arrive(h, BOB)
    listing = await h.command(BOB, "members")
    profile = await h.command(BOB, f"whois <@{ALICE}>")
    return reposted(h, len(h.chat.sent), listing, profile)


async def approved(h: ConsoleCommunity, proposal: str, review: str | None = None) -> tuple[int, list[Any]]:
    """Bob proposes (``proposal``: his command), an animator reviews (``review``: the command listing proposals,
    when they don't come by DM) and approves; returns where the story's messages start and the review's outcome."""
    await arrive(h, BOB)
    mark = len(h.chat.sent)
    proposed = await h.command(BOB, proposal)
    assert proposed.error is None, proposed.replies
    outcomes = [await h.command("camille", review)] if review else []
    await h.press("camille", "Approve")
    return mark, outcomes


async def debate(h: ConsoleCommunity) -> list[Message]:
    """A member's motion and positions: the animators' review, the debate's post and its summary."""
    mark, review = await approved(
        h,
        f'debate propose "{TELLTALE} <@&{ROLE}> @everyone <!channel> <!subteam^{SLACK_GROUP}|@mods> rules" '
        f'positions="Yes <!here> @here <@{VICTIM}> | No [www.trusted.example](https://evil.example)"',
        review="debate proposals",
    )
    started = await h.command("camille", "debate start")
    assert started.error is None, started.replies
    await h.press(BOB, f"Yes <!here> @here <@{VICTIM}>")
    await h.command("camille", "debate close")
    return reposted(h, mark, *review)


async def icebreaker(h: ConsoleCommunity) -> list[Message]:
    """A member's suggested question: the animators' review, then the question asked to everyone."""
    mark, _ = await approved(
        h,
        f'icebreaker suggest "{TELLTALE}: what did **you** learn at [www.trusted.example](https://evil.example) '
        f'or <https://evil.example|www.trusted.example>?"',
    )
    asked = await h.command("camille", "icebreaker now")
    assert asked.error is None, asked.replies
    return reposted(h, mark)


async def meeting(h: ConsoleCommunity) -> list[Message]:
    """A meeting's title and place typed by an animator: the poll, the announcement, the DMs; the recap written
    after it; and a cancelled meeting's reason."""
    await arrive(h, ALICE)
    mark = len(h.chat.sent)
    await h.command("camille", "meeting poll")
    opened = await h.submit(
        "camille",
        "meeting_poll",
        {
            "title": f"{TELLTALE} meetup {PINGS}",
            "options": OPTIONS,
            "place": f"{TELLTALE} {LINKS}",
            "duration": "2h",
            "capacity": "",
        },
    )
    assert opened.error is None, opened
    await h.press(ALICE, "Answer")
    await h.press(ALICE, "✅ 3")
    await h.advance(days=3)  # the poll closes: the meeting is announced
    await h.press(ALICE, "Going")
    await h.advance(paris(2026, 12, 3, 20, 0) - h.clock.now())  # it takes place: the recap is asked for
    await h.press("camille", "Write the recap")
    meetings = [m for m in reposted(h, mark) if m.buttons and m.buttons[0].action == "meeting:recap"]
    assert meetings, "the organiser was not asked for the recap"
    recap = await h.submit(
        "camille",
        "meeting_recap",
        {"recap": f"{TELLTALE} {PINGS} {LINKS}", "materials": f"{TELLTALE} {LINKS}"},
        ref=meetings[0].buttons[0].ref,
    )
    assert recap.error is None, recap
    return reposted(h, mark)


async def cancelled_meeting(h: ConsoleCommunity) -> list[Message]:
    """The reason an animator gives when cancelling a meeting, sent to who was coming."""
    await arrive(h, ALICE)
    await h.command("camille", "meeting poll")
    await h.submit(
        "camille",
        "meeting_poll",
        {"title": "Monthly meetup", "options": OPTIONS, "place": "", "duration": "2h", "capacity": ""},
    )
    await h.press(ALICE, "Answer")
    await h.press(ALICE, "✅ 3")
    await h.advance(days=3)
    await h.press(ALICE, "Going")
    mark = len(h.chat.sent)
    cancelled = await h.command("camille", f'meeting cancel "{TELLTALE} {PINGS}"')
    assert cancelled.error is None, cancelled.replies
    return reposted(h, mark)


async def amendment(h: ConsoleCommunity) -> list[Message]:
    """A member's amendment to the charter: the vote's post with the text and the reason, and its result."""
    await arrive(h, ALICE)
    await arrive(h, BOB)
    mark = len(h.chat.sent)
    opened = await h.command(ALICE, "charter propose rights")
    assert opened.form is not None, opened.replies
    submitted = await h.submit(
        ALICE,
        opened.form.id,
        {"text": f"{TELLTALE} {PINGS}\n{TELLTALE} {LINKS}", "reason": f"{TELLTALE} {PINGS} {LINKS}"},
        ref=opened.form.ref,
    )
    assert submitted.error is None, submitted
    await h.press(ALICE, "For")
    await h.press(BOB, "For")
    await h.advance(days=4)  # the vote closes: the result, and the new version if adopted
    return reposted(h, mark)


async def charter_edit(h: ConsoleCommunity) -> list[Message]:
    """A new version of the charter written by an animator: the announcement of the change and the charter as
    members are asked to accept it again."""
    await arrive(h, ALICE)
    ruled = await h.command("camille", "charter rules mode=animator")  # the animators write the charter
    assert ruled.error is None, ruled.replies
    mark = len(h.chat.sent)
    opened = await h.command("camille", "charter edit")
    assert opened.form is not None, opened.replies
    values = {f.name: f.default for f in opened.form.fields}
    values.update(
        objective=f"{TELLTALE} {PINGS}",
        animators=f"{TELLTALE} <@{VICTIM}> — {LINKS}",
        rights=f"{values['rights']}\n{TELLTALE} {PINGS}",
        duties=f"{values['duties']}\n{TELLTALE} {LINKS}",
        note=f"{TELLTALE} {PINGS} {LINKS}",
    )
    saved = await h.submit("camille", "charter:edit", values, ref=opened.form.ref)
    assert saved.error is None, saved
    return reposted(h, mark)


async def rounds(h: ConsoleCommunity) -> list[Message]:
    """A grouping round's first message: who is who (their profiles) and what they have in common."""
    await introduce(h, ALICE, what=f"{TELLTALE} {PINGS}", where=f"{TELLTALE} {LINKS}", interests="baking")
    await introduce(h, BOB, interests=f"baking, {TELLTALE} {DISCORD_PINGS}")
    await h.command(ALICE, "round join")
    await h.command(BOB, "round join")
    mark = len(h.chat.sent)
    started = await h.command("camille", "round start")
    assert started.error is None, started.replies
    return reposted(h, mark)


# Every feature that reposts what a member or an animator typed, with the story that makes it do so.
REPOSTS: dict[str, Story] = {
    "introduction": introduction,
    "directory": directory,
    "debate": debate,
    "icebreaker": icebreaker,
    "meeting": meeting,
    "cancelled meeting": cancelled_meeting,
    "charter amendment": amendment,
    "charter edited by an animator": charter_edit,
    "round": rounds,
}


async def messages_of(make_harness: Callable[..., ConsoleCommunity], feature: str) -> list[Message]:
    """Run the story of ``feature`` on a console community; the messages that repost member text."""
    h = make_harness(
        "en",
        channels=CHANNELS,
        animators=["camille"],
        charter_rules={"mode": "community", "quorum": 0.5, "majority": 0.5, "vote_duration": "3d"},
    )
    h.clock = FakeClock(paris(2026, 11, 23, 9, 0))  # a Monday morning in Paris
    async with h:
        messages = await REPOSTS[feature](h)
    assert messages, f"the {feature} story reposted no member text"
    return messages


__all__ = [
    "ALICE",
    "BOB",
    "LINKS",
    "REPOSTS",
    "ROLE",
    "SLACK_GROUP",
    "SLACK_VICTIM",
    "TELLTALE",
    "VICTIM",
    "live_markup",
    "messages_of",
]
