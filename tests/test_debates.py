"""Debates on the console: a motion posted with positions, members taking and changing them, the close (at the
deadline, by an animator, or at start when the deadline passed while the bot was stopped) and its before/after
summary; bad input refused politely with nothing lost; members' motions; the rotating lead; the schedule."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from adapters.console import ConsoleCommunity
from bot.chat import TransientChatError
from bot.clock import FakeClock
from bot.events import ButtonPressed, MessageRef
from bot.messages import Message
from storage.models import Community, Member, OutboxEntry
from storage.tables.debates import Debate, DebateLeadAsk, DebateMotion, DebateStance
from tests.support import make_config

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "debates.agora"
CHANNELS = {"welcome": "welcome", "announcements": "announcements", "debates": "debates"}
YES, NO, DEPENDS = "Yes, distance thins the ties", "No, it widens them", "It depends on the rituals"


@pytest.fixture
async def d(make_harness: Callable[..., ConsoleCommunity]) -> AsyncIterator[ConsoleCommunity]:
    """An English community with a debates channel; camille animates it."""
    async with make_harness("en", channels=CHANNELS) as h:
        yield h


def posts(h: ConsoleCommunity) -> list[Message]:
    return [s.message for s in h.chat.posts("debates") if s.message is not None]


def summaries(h: ConsoleCommunity) -> list[Message]:
    return [m for m in posts(h) if (m.title or "").startswith("Debate closed")]


def current_post(h: ConsoleCommunity, number: int = 1) -> Message:
    """What the debate's post says now (after the updates)."""
    sent = [s for s in h.chat.posts("debates") if s.message and s.message.footer == f"Debate #{number}"]
    assert sent and sent[0].ref is not None
    return h.chat.current[sent[0].ref.id]


async def stances(h: ConsoleCommunity, number: int = 1) -> dict[str, tuple[int, int, int]]:
    """member → (first position, final position, changes)."""
    assert h.database is not None
    async with h.database.transaction() as session:
        rows = await session.execute(
            select(
                Member.external_id, DebateStance.first_position, DebateStance.position, DebateStance.changes
            )
            .join(Member, Member.id == DebateStance.member_id)
            .join(Debate, Debate.id == DebateStance.debate_id)
            .where(Debate.number == number)
        )
        return {name: (first, final, changes) for name, first, final, changes in rows.all()}


async def debate(h: ConsoleCommunity, number: int = 1) -> Debate:
    assert h.database is not None
    async with h.database.transaction() as session:
        found = await session.scalar(select(Debate).where(Debate.number == number))
        assert found is not None
        return found


async def count(h: ConsoleCommunity, model: type) -> int:
    assert h.database is not None
    async with h.database.transaction() as session:
        return len((await session.scalars(select(model))).all())


# --- the main path ---------------------------------------------------------------------------------------


async def test_members_take_positions_change_their_minds_and_the_summary_counts_the_shifts(
    d: ConsoleCommunity,
) -> None:
    started = await d.command("camille", "debate start motion=remote-networks duration=2d")
    assert started.replies[0].text.startswith("Debate #1 is open in <#debates> until")

    [post] = posts(d)
    assert post.title == "Debate: Remote work weakens professional networks."
    assert [b.label for b in post.buttons] == [YES, NO, DEPENDS]
    assert "without names" in post.text  # members know before they press
    post_ref = d.chat.posts("debates")[0].ref
    assert post_ref is not None
    assert [s.detail for s in d.chat.sent if s.kind == "thread"] == [
        f"Remote work weakens professional networks. (under {post_ref.id})"
    ]

    taken = await d.press("alice", YES)
    assert taken.replies[0].text.startswith(f"Your position: “{YES}”. You can change your mind until")
    await d.press("bob", YES)
    await d.press("chloe", NO)
    await d.press("dan", DEPENDS)
    assert current_post(d).fields[0].value == "4 members so far"  # how many, not who nor where

    await d.advance(hours=20)
    moved = await d.press("alice", DEPENDS)
    assert moved.replies[0].text.startswith(f"You moved from “{YES}” to “{DEPENDS}”.")
    await d.press("bob", NO)
    await d.press("chloe", YES)
    await d.press("chloe", NO)  # and back: not a change of mind
    again = await d.press("dan", DEPENDS)
    assert again.replies[0].text.startswith(f"You already stand for “{DEPENDS}”.")

    assert await stances(d) == {
        "alice": (0, 2, 1),
        "bob": (0, 1, 1),
        "chloe": (1, 1, 2),
        "dan": (2, 2, 0),
    }

    await d.advance(days=2)

    [summary] = summaries(d)
    assert summary.title == "Debate closed: Remote work weakens professional networks."
    assert summary.text == "4 members took a position. 2 of them changed their minds during the debate."
    fields = {f.name: f.value for f in summary.fields}
    assert fields["Where members stand at the close"].splitlines() == [
        f"• {YES}: 0 (0%), 2 at the start",
        f"• {NO}: 2 (50%), 1 at the start",
        f"• {DEPENDS}: 2 (50%), 1 at the start",
    ]
    assert fields["Who changed their mind, and in which direction"].splitlines() == [
        f"• 1 member went from “{YES}” to “{NO}”",
        f"• 1 member went from “{YES}” to “{DEPENDS}”",
    ]
    # Anonymous by default; and no platform reports replies yet, so no "most-replied arguments" part.
    assert "The most-replied arguments" not in fields
    assert "@" not in summary.plain() and "alice" not in summary.plain()
    assert summary.footer == "Debate #1 · Anonymous summary: counts only, no names."
    assert current_post(d).buttons == ()
    assert (await debate(d)).closed_by == "deadline"


async def test_under_a_burst_of_presses_only_the_newest_count_is_shown(d: ConsoleCommunity) -> None:
    await d.command("camille", "debate start motion=remote-networks")
    # The platform is rate-limiting the bot: the first update waits in the outbox, and each newer count is written
    # into it while it waits.
    d.chat.failures.append(TransientChatError("rate limited", retry_after=30))
    for name in ("alice", "bob", "chloe"):
        await d.press(name, NO)
    assert [s for s in d.chat.sent if s.kind == "update"] == []

    await d.advance(minutes=1)

    updates = [s.message for s in d.chat.sent if s.kind == "update" and s.message is not None]
    assert [m.fields[0].value for m in updates] == ["3 members so far"]
    assert d.database is not None
    async with d.database.transaction() as session:
        statuses = (await session.scalars(select(OutboxEntry.status).where(OutboxEntry.op == "update"))).all()
    assert statuses == ["sent"]  # one update waited, holding the newest count


async def test_a_count_written_into_an_update_on_its_way_is_shown_after_it(d: ConsoleCommunity) -> None:
    await d.command("camille", "debate start motion=remote-networks")
    # Alice's count is on its way to the platform (held there) when Bob's press writes the next count into the
    # same waiting update: the delivery of Alice's must not count as the delivery of Bob's.
    on_its_way, go_on = asyncio.Event(), asyncio.Event()
    update = d.chat.update

    async def slow_update(ref: MessageRef, message: Message) -> None:
        if not on_its_way.is_set():
            on_its_way.set()
            await go_on.wait()
        await update(ref, message)

    d.chat.update = slow_update  # type: ignore[method-assign]
    alice = asyncio.create_task(d.press("alice", NO))
    await on_its_way.wait()
    assert d.app is not None
    bob = ButtonPressed(community=d.ref, actor=d.member("bob"), action="debate:take", ref="1.1", delivery_id="b")
    await d.app.dispatch(bob)
    go_on.set()
    await alice
    await d.app.settle()

    updates = [s.message for s in d.chat.sent if s.kind == "update" and s.message is not None]
    assert [m.fields[0].value for m in updates] == ["1 member so far", "2 members so far"]


async def test_the_deadline_closes_the_debate_once_and_later_presses_change_nothing(
    d: ConsoleCommunity,
) -> None:
    await d.command("camille", "debate start motion=remote-networks duration=2d")
    await d.press("alice", YES)

    await d.advance(days=1, hours=23)
    assert summaries(d) == []
    await d.advance(hours=2)
    assert len(summaries(d)) == 1
    await d.advance(days=10)
    assert len(summaries(d)) == 1

    late = await d.press("bob", NO)
    assert late.error == "refused"
    assert late.replies[0].text == (
        "This debate is closed, so positions can no longer change. The summary is posted in <#debates>."
    )
    assert await stances(d) == {"alice": (0, 0, 0)}


async def test_an_animator_closes_early_and_the_deadline_then_does_nothing(d: ConsoleCommunity) -> None:
    await d.command("camille", "debate start motion=remote-networks duration=3d")
    await d.press("alice", NO)
    await d.advance(hours=5)

    closed = await d.command("camille", "debate close")

    assert closed.replies[0].text == "Debate #1 is closed; its summary is posted in <#debates>."
    [summary] = summaries(d)
    assert summary.text == "1 member took a position. Nobody changed their mind during the debate."
    found = await debate(d)
    assert (found.status, found.closed_by) == ("closed", "camille")
    await d.advance(days=5)
    assert len(summaries(d)) == 1

    again = await d.command("camille", "debate close debate=1")
    assert again.replies[0].text.startswith("Debate #1 was already closed on ")
    nothing = await d.command("camille", "debate close")
    assert nothing.replies[0].text == "There is no open debate to close."


async def test_a_deadline_that_passed_while_the_bot_was_stopped_closes_the_debate_once_at_start(
    d: ConsoleCommunity,
) -> None:
    await d.command("camille", "debate start motion=remote-networks duration=1d")
    await d.press("alice", YES)
    await d.press("bob", NO)

    await d.stop()
    d.clock.advance(timedelta(days=3))
    await d.start()

    [summary] = summaries(d)
    assert summary.text.startswith("2 members took a position.")
    found = await debate(d)
    assert found.closed_by == "deadline" and found.closed_at == found.closes_at < d.clock.now()
    await d.restart()
    await d.advance(days=2)
    assert len(summaries(d)) == 1


async def test_with_several_debates_open_the_animator_says_which_to_close(d: ConsoleCommunity) -> None:
    await d.command("camille", "debate start motion=remote-networks")
    await d.command("camille", "debate start motion=public-rates")

    which = await d.command("camille", "debate close")

    assert which.replies[0].text.startswith(
        "Several debates are open: #2 “Freelancers should publish their rates.”"
    )
    assert summaries(d) == []
    await d.command("camille", "debate close debate=1")
    assert [m.title for m in summaries(d)] == ["Debate closed: Remote work weakens professional networks."]
    missing = await d.command("camille", "debate close debate=7")
    assert missing.replies[0].text == "There is no debate #7 in this community."


# --- bad input: a clear message, nothing lost -----------------------------------------------------------


async def test_bad_input_is_refused_clearly_and_nothing_recorded_is_lost(d: ConsoleCommunity) -> None:
    await d.command("camille", "debate start motion=remote-networks duration=2d")
    await d.press("alice", YES)
    await d.press("bob", NO)
    posted = len(d.chat.sent)

    unknown = await d.command("camille", "debate start motion=remote-network")
    assert unknown.replies[0].text == (
        "“remote-network” is not a motion I know. See them with /agora debate motions, "
        "or write the motion itself in quotes."
    )
    sixth = await d.command(
        "camille", 'debate start motion="Meetings should start on time" positions="A | B | C | D | E | F"'
    )
    assert sixth.replies[0].text == (
        "That makes 6 positions; a debate takes 5 at most, so that the buttons stay readable. "
        "Merge or drop some, separated by |."
    )
    empty = await d.command("camille", 'debate start motion=""')
    assert empty.replies[0].text.startswith("The motion is empty. Write it as a statement people can agree")
    empty_proposal = await d.command("bob", 'debate propose motion="   "')
    assert empty_proposal.replies[0].text.startswith("The motion is empty.")
    duration = await d.command("camille", "debate start motion=public-rates duration=soon")
    assert duration.replies[0].text == "“soon” is not a duration I understand. Examples: 3d, 36h, 1h30m."
    one = await d.command("camille", 'debate start motion=public-rates positions="Only this"')
    assert one.replies[0].text.startswith("A debate needs at least two positions")
    twice = await d.command("camille", 'debate start motion=public-rates positions="Yes | no | No"')
    assert twice.replies[0].text == "The position “No” is given twice."
    not_animator = await d.command("bob", "debate close")
    assert not_animator.replies[0].text == (
        "Only the animators of this community can do that. "
        "If you think you should be one, ask an animator to add you."
    )
    member_start = await d.command("bob", "debate start motion=public-rates")
    assert member_start.error == "refused"

    for outcome in (unknown, sixth, empty, empty_proposal, duration, one, twice, not_animator, member_start):
        assert outcome.error == "refused" and outcome.replies[0].ephemeral
    # Nothing was posted, no debate or motion was created, and debate #1 is intact.
    assert [s.kind for s in d.chat.sent[posted:]] == ["reply"] * 9
    assert await count(d, Debate) == 1 and await count(d, DebateMotion) == 0
    assert await stances(d) == {"alice": (0, 0, 0), "bob": (1, 1, 0)}
    await d.advance(days=2)
    [summary] = summaries(d)
    assert summary.text.startswith("2 members took a position.")


async def test_five_custom_positions_are_fine(d: ConsoleCommunity) -> None:
    await d.command(
        "camille",
        'debate start motion="Meetings should start on time, even if half the room is missing" '
        'positions="Always | Mostly | Five minutes of grace | Wait for everyone | Depends on the host"',
    )

    [post] = posts(d)
    assert [b.label for b in post.buttons] == [
        "Always",
        "Mostly",
        "Five minutes of grace",
        "Wait for everyone",
        "Depends on the host",
    ]
    assert post.title == "Debate: Meetings should start on time, even if half the room is missing"


async def test_without_a_motion_the_bot_picks_one_from_the_bank_with_its_positions(
    d: ConsoleCommunity,
) -> None:
    from bot.content import load_bank

    bank = {item.text: item for item in load_bank("motions", "en")}
    for _ in range(3):
        await d.command("camille", "debate start")
    picked = [(m.title or "").removeprefix("Debate: ") for m in posts(d)]

    assert len(set(picked)) == 3  # never the same motion twice while fresh ones remain
    for text, message in zip(picked, posts(d), strict=True):
        assert [b.label for b in message.buttons] == list(bank[text].positions)


async def test_a_debate_needs_a_channel(make_harness: Callable[..., ConsoleCommunity]) -> None:
    async with make_harness("en", channels={}) as h:
        outcome = await h.command("camille", "debate start")
    assert outcome.replies[0].text == (
        "There is no channel for debates yet. An animator can choose one with /agora setup debates_channel=#channel."
    )


# --- what members see ------------------------------------------------------------------------------------


async def test_a_member_sees_the_open_debates_and_their_position(d: ConsoleCommunity) -> None:
    await d.command("camille", "debate start motion=remote-networks")
    await d.press("alice", NO)

    status = await d.command("alice", "debate status")

    [open_debate, upcoming] = status.replies[0].fields
    assert open_debate.name == "#1 Remote work weakens professional networks."
    assert f"Your position: “{NO}”." in open_debate.value
    assert upcoming.value == "When an animator starts one: no regular schedule is set."
    other = await d.command("bob", "debate status")
    assert "You haven't taken a position yet." in other.replies[0].fields[0].value


async def test_the_motions_list_filters_by_tag(d: ConsoleCommunity) -> None:
    listed = await d.command("bob", "debate motions")
    lines = [line for f in listed.replies[0].fields for line in f.value.splitlines()]
    assert len(lines) == 15
    assert all(len(f.value) <= 1024 for f in listed.replies[0].fields)  # Discord's limit for a field
    assert listed.replies[0].footer is not None and listed.replies[0].footer.startswith(
        "31 more motions: narrow the list"
    )

    remote = await d.command("bob", "debate motions tag=remote")
    lines = remote.replies[0].fields[0].value.splitlines()
    assert "• remote-networks — Remote work weakens professional networks." in lines

    unknown = await d.command("bob", "debate motions tag=cooking")
    assert unknown.replies[0].text.startswith("No motion has the tag “cooking”. Tags: ai, careers, community")


# --- motions of the community's own -------------------------------------------------------------------------


async def motion_id(h: ConsoleCommunity, text: str) -> int:
    assert h.database is not None
    async with h.database.transaction() as session:
        found = await session.scalar(select(DebateMotion.id).where(DebateMotion.text == text))
        assert found is not None
        return found


async def test_members_propose_motions_the_animators_review_them_and_authors_are_credited(
    d: ConsoleCommunity,
) -> None:
    proposed = await d.command(
        "bob",
        'debate propose Every member should host one meeting a year positions="Yes | No | Every two years"',
    )
    assert proposed.replies[0].text.startswith(
        "Thank you! Your motion “Every member should host one meeting a year” is waiting for the animators' approval"
    )
    await d.command("chloe", 'debate propose "Meetings should never last more than an hour" anonymous=yes')
    await d.command("dan", "debate propose Members should be able to bring a guest")

    review = await d.command("camille", "debate proposals")
    assert [m.title for m in review.replies] == [
        f"Motion c{await motion_id(d, 'Every member should host one meeting a year')}, proposed by <@bob>",
        f"Motion c{await motion_id(d, 'Meetings should never last more than an hour')}, proposed by <@chloe>",
        f"Motion c{await motion_id(d, 'Members should be able to bring a guest')}, proposed by <@dan>",
    ]
    assert "The author asked not to be named when it is debated." in review.replies[1].text

    bob_motion = await motion_id(d, "Every member should host one meeting a year")
    chloe_motion = await motion_id(d, "Meetings should never last more than an hour")
    dan_motion = await motion_id(d, "Members should be able to bring a guest")
    not_allowed = await d.deliver(
        ButtonPressed(community=d.ref, actor=d.member("eve"), action="debate:approve", ref=str(dan_motion)),
        actor="eve",
    )
    assert not_allowed.error == "refused"
    await d.press("camille", f"agora:debate:approve:{bob_motion}")
    await d.press("camille", f"agora:debate:approve:{chloe_motion}")
    await d.press("camille", f"agora:debate:reject:{dan_motion}")
    twice = await d.press("camille", f"agora:debate:reject:{dan_motion}")
    assert twice.replies[0].text == f"Motion c{dan_motion} was already declined."

    assert d.chat.dms("bob")[-1].text.startswith("Good news: the animators approved your motion")
    assert d.chat.dms("dan")[-1].text.startswith(
        "Thank you for proposing “Members should be able to bring a guest”. The animators won't put it up"
    )
    waiting = await d.command("camille", "debate proposals")
    assert waiting.replies[0].text == "No motion is waiting for approval."

    # Proposals approved are debated first, oldest first, with their author credited (unless they asked not to be).
    await d.command("camille", "debate start")
    first = posts(d)[-1]
    assert first.title == "Debate: Every member should host one meeting a year"
    assert [b.label for b in first.buttons] == ["Yes", "No", "Every two years"]
    assert first.footer == "Debate #1, motion proposed by <@bob>"
    assert d.chat.dms("bob")[-1].text.startswith(
        "Your motion “Every member should host one meeting a year” is being debated now in <#debates>"
    )
    await d.command("camille", "debate start")
    second = posts(d)[-1]
    assert second.title == "Debate: Meetings should never last more than an hour"
    assert [b.label for b in second.buttons] == ["For", "Against", "Nuanced"]
    assert second.footer == "Debate #2"
    # Not named in public, as she asked; told in private that her motion is on.
    assert d.chat.dms("chloe")[-1].text.startswith(
        "Your motion “Meetings should never last more than an hour”"
    )
    await d.command("camille", "debate start")
    assert posts(d)[-1].title != "Debate: Members should be able to bring a guest"


async def test_a_pending_proposal_cannot_be_debated_before_approval(d: ConsoleCommunity) -> None:
    await d.command("bob", "debate propose Every member should host one meeting a year")
    key = f"c{await motion_id(d, 'Every member should host one meeting a year')}"

    early = await d.command("camille", f"debate start motion={key}")

    assert early.replies[0].text == (
        f"Motion {key} is still waiting for approval. Approve it first with /agora debate proposals."
    )
    duplicate = await d.command("alice", 'debate propose "every member should host one meeting a year"')
    assert duplicate.replies[0].text == f"This motion is already on the list, as {key}."
    long = "Members " + "really " * 20 + "should meet more often."
    too_long = await d.command("alice", f'debate propose "{long}"')
    assert too_long.replies[0].text == (
        "The motion is 171 characters long; keep it under 130 so that it reads at a glance."
    )
    one_word = await d.command("alice", "debate propose Hybrid")
    assert one_word.replies[0].text.startswith("“Hybrid” is a single word. Write the motion as a statement")


async def test_animators_add_their_own_motions(d: ConsoleCommunity) -> None:
    added = await d.command(
        "camille",
        'debate add Our meetings should move to lunchtime positions="Yes | No" tags="meetings, local"',
    )
    key = f"c{await motion_id(d, 'Our meetings should move to lunchtime')}"
    assert added.replies[0].text.startswith(f"Motion {key} added: “Our meetings should move to lunchtime”.")

    listed = await d.command("bob", "debate motions tag=local")
    assert listed.replies[0].fields[0].value == f"• {key} — Our meetings should move to lunchtime"

    await d.command("camille", f"debate start motion={key}")
    assert [b.label for b in posts(d)[-1].buttons] == ["Yes", "No"]
    assert posts(d)[-1].footer == "Debate #1"


async def test_a_community_may_want_names_in_its_summaries(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with make_harness("en", channels=CHANNELS, debates={"anonymous": False}) as h:
        await h.command("camille", "debate start motion=remote-networks")
        assert "shows who stood where, with names" in posts(h)[0].text
        await h.press("alice", YES)
        await h.press("bob", YES)
        await h.press("alice", NO)
        await h.command("camille", "debate close")

        [summary] = summaries(h)
        fields = {f.name: f.value for f in summary.fields}
        assert (
            fields["Who changed their mind, and in which direction"]
            == f"• 1 member went from “{YES}” to “{NO}”: <@alice>"
        )
        assert fields["Who stands where"].splitlines() == [f"• {YES}: <@bob>", f"• {NO}: <@alice>"]
        assert summary.footer == "Debate #1 · As announced, this summary shows names."


# --- the rotating lead ---------------------------------------------------------------------------------------


async def asks(h: ConsoleCommunity) -> list[tuple[int, str, str]]:
    """(debate number, member, status) of every request to lead, in order."""
    assert h.database is not None
    async with h.database.transaction() as session:
        rows = await session.execute(
            select(Debate.number, Member.external_id, DebateLeadAsk.status)
            .join(Debate, Debate.id == DebateLeadAsk.debate_id)
            .join(Member, Member.id == DebateLeadAsk.member_id)
            .order_by(DebateLeadAsk.id)
        )
        return [tuple(row) for row in rows.all()]  # type: ignore[misc]


async def test_a_different_volunteer_leads_each_time_and_not_this_time_asks_the_next(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with make_harness("en", channels=CHANNELS, debates={"rotating_lead": True}) as h:
        joined = await h.command("alice", "debate volunteer")
        assert joined.replies[0].text.startswith("Thank you! You are on the list of debate leads.")
        await h.command("bob", "debate volunteer")
        await h.command("chloe", "debate volunteer")

        await h.command("camille", "debate start motion=remote-networks duration=3d")
        [ask] = h.chat.dms("alice")
        assert ask.message is not None and ask.message.title == "Would you lead this debate?"
        assert [b.label for b in ask.message.buttons] == ["I'll lead it", "Not this time"]
        assert (
            ask.message.footer
            == "You get this because you volunteered. To stop: /agora debate volunteer stop=yes."
        )

        # Someone else can't answer for alice.
        assert ask.message.buttons[0].ref
        intruder = await h.deliver(
            ButtonPressed(
                community=h.ref,
                actor=h.member("dan"),
                action="debate:lead-accept",
                ref=ask.message.buttons[0].ref,
            ),
            actor="dan",
        )
        assert intruder.replies[0].text == "This request to lead a debate was not meant for you."

        await h.press("alice", "Not this time")
        assert len(h.chat.dms("bob")) == 1  # next volunteer asked
        await h.advance(days=1)  # bob doesn't answer in time: chloe is asked
        assert h.chat.dms("bob")[0].ref is not None
        assert h.chat.current[h.chat.dms("bob")[0].ref.id].buttons == ()
        late = await h.press("bob", "I'll lead it")
        assert late.replies[0].text.startswith("Too late for this one")
        accepted = await h.press("chloe", "I'll lead it")
        assert accepted.update is not None  # the request turns into a thank-you in place
        assert accepted.update.text.startswith(
            "Thank you! You lead “Remote work weakens professional networks.”"
        )
        assert any(
            s.message and s.message.text == "<@chloe> leads this debate. Thank you!" for s in h.chat.sent
        )
        assert {f.name: f.value for f in current_post(h).fields}["Led by"] == "<@chloe>"
        await h.command("camille", "debate close")
        assert {f.name: f.value for f in summaries(h)[0].fields}["Led by"] == "<@chloe>: thank you!"

        # Those who never led come first (alice, then bob), then who led longest ago.
        for number in (2, 3, 4):
            await h.advance(days=1)
            await h.command("camille", "debate start")
            asked = (await asks(h))[-1][1]
            await h.press(asked, "I'll lead it")
            await h.command("camille", f"debate close debate={number}")
        assert await asks(h) == [
            (1, "alice", "declined"),
            (1, "bob", "expired"),
            (1, "chloe", "accepted"),
            (2, "alice", "accepted"),
            (3, "bob", "accepted"),
            (4, "chloe", "accepted"),
        ]

        stop = await h.command("alice", "debate volunteer stop=yes")
        assert (
            stop.replies[0].text == "You are off the list of debate leads. Thank you for the debates you led!"
        )
        await h.command("camille", "debate start")
        assert (await asks(h))[-1][1] == "bob"


async def test_a_request_to_lead_is_void_once_the_debate_closes(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with make_harness("en", channels=CHANNELS, debates={"rotating_lead": True}) as h:
        await h.command("alice", "debate volunteer")
        await h.command("camille", "debate start motion=remote-networks duration=3d")
        await h.command("camille", "debate close")

        late = await h.press("alice", "I'll lead it")

        assert late.replies[0].text == "This debate is closed: no need to answer. Thank you all the same!"
        assert await asks(h) == [(1, "alice", "void")]
        # The summary invites the next volunteers.
        assert [b.label for b in summaries(h)[0].buttons] == ["I'd like to lead a debate"]
        volunteered = await h.press("bob", "I'd like to lead a debate")
        assert volunteered.replies[0].text.startswith("Thank you! You are on the list of debate leads.")


# --- the schedule and the settings ---------------------------------------------------------------------------


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo("Europe/Paris")).astimezone(UTC)


async def test_a_debate_opens_on_the_communitys_schedule(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    h = make_harness("en", channels=CHANNELS, debates={"schedule": "0 18 * * thu", "duration": "2d"})
    h.clock = FakeClock(paris(2026, 3, 23, 8, 0))  # a Monday
    async with h:
        await h.join("alice")
        status = await h.command("alice", "debate status")
        assert status.replies[0].fields[-1].value == "Thursday 26 March 2026 at 6:00 PM"

        await h.advance(days=3, hours=9, minutes=59)
        assert posts(h) == []
        await h.advance(minutes=2)
        assert len(posts(h)) == 1 and (posts(h)[0].title or "").startswith("Debate: ")
        found = await debate(h)
        assert (found.opened_by, found.opened_at) == ("schedule", paris(2026, 3, 26, 18, 0))
        assert found.closes_at == paris(2026, 3, 28, 18, 0)

        await h.advance(days=7)
        assert len(summaries(h)) == 1 and len([m for m in posts(h) if m.title.startswith("Debate: ")]) == 2


async def test_a_schedule_added_to_the_config_starts_at_the_next_start(
    make_harness: Callable[..., ConsoleCommunity], db_url: str
) -> None:
    h = make_harness("en", channels=CHANNELS)
    h.clock = FakeClock(paris(2026, 3, 23, 8, 0))
    async with h:
        await h.command("alice", "debate status")  # the community exists, with no schedule
        await h.stop()
        h.config = make_config("en", db_url, channels=CHANNELS, debates={"schedule": "30 12 * * tue"})
        await h.start()
        await h.advance(days=1, hours=5)
        assert len(posts(h)) == 1
        assert (await debate(h)).opened_at == paris(2026, 3, 24, 12, 30)


async def test_animators_change_the_debate_settings(make_harness: Callable[..., ConsoleCommunity]) -> None:
    h = make_harness("en", channels=CHANNELS)
    h.clock = FakeClock(paris(2026, 3, 23, 8, 0))
    async with h:
        saved = await h.command(
            "camille", 'debate settings schedule="0 9 * * mon" duration=2d anonymous=no rotating_lead=yes'
        )
        fields = {f.name: f.value for f in saved.replies[0].fields}
        assert saved.replies[0].title == "Debate settings saved."
        assert fields["Schedule"] == "0 9 * * mon (next: Monday 23 March 2026 at 9:00 AM)"
        assert (fields["Duration"], fields["Anonymous summaries"], fields["Rotating lead"]) == (
            "2d",
            "no",
            "yes",
        )
        assert h.database is not None
        async with h.database.transaction() as session:
            community = await session.scalar(select(Community))
            assert community is not None
            assert community.settings["debates"] == {
                "schedule": "0 9 * * mon",
                "duration": "2d",
                "anonymous": False,
                "rotating_lead": True,
            }

        bad = await h.command("camille", 'debate settings schedule="every monday"')
        assert bad.replies[0].text.startswith("“every monday” is not a schedule I understand.")
        too_long = await h.command("camille", "debate settings duration=90d")
        assert (
            too_long.replies[0].text
            == "A debate lasts between 10 minutes (10m) and 60 days (60d); “90d” is not."
        )
        refused = await h.command("bob", "debate settings anonymous=yes")
        assert refused.error == "refused"

        await h.advance(hours=1, minutes=1)
        [post] = posts(h)
        assert "with names" in post.text
        assert (await debate(h)).closes_at == paris(2026, 3, 25, 9, 0)

        await h.command("camille", "debate settings schedule=none")
        await h.advance(days=14)
        assert len([m for m in posts(h) if m.title.startswith("Debate: ")]) == 1

        await h.command("camille", "debate settings enabled=no")
        off = await h.command("camille", "debate start")
        assert off.replies[0].text.startswith("Debates are switched off in this community.")


# --- in French ----------------------------------------------------------------------------------------------


async def test_a_debate_in_french(make_harness: Callable[..., ConsoleCommunity]) -> None:
    oui, non = "Oui, la distance distend les liens", "Non, il les élargit"
    async with make_harness("fr", channels=CHANNELS) as h:
        await h.command("camille", "debate start motion=remote-networks duration=2d")
        [post] = posts(h)
        assert post.title == "Débat : Le télétravail affaiblit les réseaux professionnels."
        assert [b.label for b in post.buttons] == [oui, non, "Tout dépend des rituels"]
        assert "sans aucun nom" in post.text

        await h.press("alice", oui)
        await h.press("bob", oui)
        moved = await h.press("alice", non)
        assert moved.replies[0].text.startswith(f"Vous passez de « {oui} » à « {non} ».")
        unknown = await h.command("camille", "debate start motion=teletravail")
        assert unknown.replies[0].text.startswith("Je ne connais pas de motion « teletravail ».")
        sixth = await h.command("camille", 'debate start positions="A | B | C | D | E | F"')
        assert sixth.replies[0].text.startswith("Cela fait 6 positions ; un débat en accepte 5 au plus")
        await h.advance(days=2)

        [summary] = [m for m in posts(h) if (m.title or "").startswith("Débat clos")]
        assert summary.text == "2 membres ont pris position. Parmi eux, 1 a changé d'avis en cours de débat."
        fields = {f.name: f.value for f in summary.fields}
        assert fields["Les positions à la clôture"].splitlines() == [
            f"• {oui} : 1 (50 %), 2 au départ",
            f"• {non} : 1 (50 %), 0 au départ",
            "• Tout dépend des rituels : 0 (0 %), 0 au départ",
        ]
        assert (
            fields["Qui a changé d'avis, et dans quel sens"]
            == f"• 1 membre est passé de « {oui} » à « {non} »"
        )
        assert summary.footer == "Débat n° 1 · Bilan anonyme : des chiffres, aucun nom."


# --- the example script ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "closed"),
    [("en", "Debate closed: Remote work weakens"), ("fr", "Débat clos : Le télétravail affaiblit")],
)
async def test_the_example_script_replays_in_both_languages(locale: str, closed: str) -> None:
    from adapters.console.demo import run_demo

    lines: list[str] = []

    code = await run_demo(script=EXAMPLE, locale=locale, out=lines.append)

    assert code == 0
    transcript = "\n".join(lines)
    assert transcript.count(closed) == 1  # closed once, at its deadline, across the restart
