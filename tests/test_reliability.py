"""Nothing acknowledged is lost, nothing is kept forever: the inbox, timers retried while the database refuses
writes, and the pruning of what only serves delivery. On SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

import storage.tables  # noqa: F401  (the features' tables, for the references to outbox entries)
from adapters.console import ConsoleCommunity
from bot.events import (
    BotStarted,
    ButtonPressed,
    ChannelRef,
    CharterAccepted,
    CommandInvoked,
    CommunityRef,
    Event,
    FormSubmitted,
    MemberJoined,
    MemberLeft,
    MemberRef,
    MessageRef,
    PostFailed,
    ReactionChanged,
    SettingsChanged,
    TimerFired,
)
from bot.inbox import dump_event, event_classes, load_event
from bot.retention import _entry_columns
from storage.models import InboxEntry, OutboxEntry, OutboxStatus, ProcessedDelivery
from tests.support import ONBOARDING_CHANNELS, fresh_database_url, introduce, refusing_writes


@pytest.fixture(params=["sqlite", "postgresql"])
async def db_url(request: pytest.FixtureRequest, tmp_path: Path, migrated_sqlite: Path) -> str:
    """This module's tests run on both databases."""
    return await fresh_database_url(request.param, tmp_path, migrated_sqlite, "reliability")


def app(h: ConsoleCommunity) -> Any:
    assert h.app is not None
    return h.app


async def count(h: ConsoleCommunity, model: Any, *where: Any) -> int:
    async with app(h).database.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def titles(h: ConsoleCommunity, who: str) -> list[str]:
    return [d.message.title or "" for d in h.chat.dms(who) if d.message]


def joined(h: ConsoleCommunity, who: str, delivery_id: str) -> MemberJoined:
    return MemberJoined(community=h.ref, member=h.member(who), delivery_id=delivery_id)


# --- the serialised event ----------------------------------------------------------------------------------------

ANA = MemberRef("slack", "U1", "Ana", frozenset({"S1", "moderators"}), is_admin=True, locale="fr-FR")
HERE = CommunityRef("slack", "T1", "Les Indés")
POST = MessageRef("slack", "C1", "1700000000.000100")
EVERY_EVENT: list[Event] = [
    MemberJoined(community=HERE, member=ANA, delivery_id="slack:event:Ev1"),
    MemberLeft(community=HERE, member=MemberRef("slack", "U2"), delivery_id="slack:event:Ev2"),
    CommandInvoked(
        community=HERE,
        actor=ANA,
        name="meeting poll",
        args={"title": "« Apéro »", "capacity": 12, "public": True, "note": None},
        channel=ChannelRef("slack", "C1", "général"),
        delivery_id="slack:command:t1",
    ),
    ButtonPressed(community=HERE, actor=ANA, action="charter:accept", ref="3", message=POST, delivery_id="b"),
    FormSubmitted(
        community=HERE, actor=ANA, form="intro", values={"what": "Designer\nà Lyon"}, delivery_id="f"
    ),
    ReactionChanged(community=HERE, actor=ANA, message=POST, emoji="👍", added=False, delivery_id="r"),
    TimerFired(community=HERE, kind="charter:reminder", ref="7", due=datetime(2026, 12, 3, 9, tzinfo=UTC)),
    BotStarted(community=HERE),
    SettingsChanged(community=HERE, keys=frozenset({"timezone", "locale"})),
    CharterAccepted(community=HERE, member=ANA, version=2, first_time=False),
    PostFailed(
        community=HERE, entry=12, op="post", channel="C1", problems=("missing_scope", "not_in_channel")
    ),
]


def test_the_sample_covers_every_event_class() -> None:
    assert {type(event).__name__ for event in EVERY_EVENT} == set(event_classes())


@pytest.mark.parametrize("event", EVERY_EVENT, ids=lambda e: type(e).__name__)
def test_every_event_reads_back_as_it_was_written(event: Event) -> None:
    import json

    assert load_event(json.loads(json.dumps(dump_event(event)))) == event


def test_a_value_json_would_change_is_refused_rather_than_stored() -> None:
    event = CommandInvoked(community=HERE, actor=ANA, name="poll", args={"when": datetime(2026, 1, 1)})

    with pytest.raises(TypeError, match="when"):
        dump_event(event)


# --- the inbox ---------------------------------------------------------------------------------------------------


async def test_an_event_accepted_but_never_handled_is_handled_at_the_next_start(h: ConsoleCommunity) -> None:
    # The platform was answered, then the process died before handling the join.
    assert await app(h).accept(joined(h, "alice", "console:join:alice"))
    await h.restart()

    assert titles(h, "alice") == ["Welcome to The Indies!"]
    assert await count(h, InboxEntry) == 0
    await h.restart()
    assert titles(h, "alice") == ["Welcome to The Indies!"]


async def test_an_event_delivered_again_has_no_second_effect(h: ConsoleCommunity) -> None:
    event = joined(h, "alice", "console:join:alice")
    assert await app(h).accept(event)
    assert not await app(h).accept(event)  # re-delivered before it was handled: already recorded
    await app(h).process(event)
    await h.app.settle()  # type: ignore[union-attr]

    assert await app(h).accept(event)  # re-delivered after: recorded again, and a duplicate for the core
    outcome = await app(h).process(event)

    assert outcome.duplicate
    assert await count(h, InboxEntry) == 0
    assert titles(h, "alice") == ["Welcome to The Indies!"]


async def test_a_refused_command_leaves_the_inbox(h: ConsoleCommunity) -> None:
    event = CommandInvoked(community=h.ref, actor=h.member("bob"), name="no such thing", delivery_id="c1")
    await app(h).accept(event)

    outcome = await app(h).process(event)

    assert outcome.error == "refused"
    assert await count(h, InboxEntry) == 0


async def test_an_event_the_database_would_not_take_stays_in_the_inbox_until_it_can(
    h: ConsoleCommunity,
) -> None:
    event = joined(h, "alice", "console:join:alice")
    await app(h).accept(event)
    async with refusing_writes(app(h).database):
        with pytest.raises(Exception, match=r"(?i)read.?only"):
            await app(h).process(event)
        with pytest.raises(Exception, match=r"(?i)read.?only"):
            await app(h).accept(joined(h, "bob", "console:join:bob"))  # not recorded: not to be acknowledged

    assert await count(h, InboxEntry) == 1
    await h.restart()
    assert titles(h, "alice") == ["Welcome to The Indies!"]
    assert await count(h, InboxEntry) == 0


# --- timers while the database refuses writes -------------------------------------------------------------------


async def test_reminders_due_while_the_database_refuses_writes_fire_once_when_it_recovers(
    h: ConsoleCommunity,
) -> None:
    newcomers = ["alice", "bob", "chloe"]
    for name in newcomers:
        await h.join(name)

    async with refusing_writes(app(h).database):
        await h.advance(days=3)  # the reminders come due (after 2 days) and fail, again and again
        assert all(titles(h, name) == ["Welcome to The Indies!"] for name in newcomers)

    await h.advance(hours=1)  # tried again within the hour, without a restart
    for name in newcomers:
        assert titles(h, name) == ["Welcome to The Indies!", "A gentle reminder from The Indies"], name
    await h.advance(days=10)
    await h.restart()
    for name in newcomers:
        assert titles(h, name).count("A gentle reminder from The Indies") == 1


# --- pruning -----------------------------------------------------------------------------------------------------


async def referenced(h: ConsoleCommunity) -> set[int]:
    ids, _lists = _entry_columns()
    found: set[int] = set()
    async with app(h).database.transaction() as session:
        for column in ids:
            found.update(await session.scalars(select(column).where(column.is_not(None))))
    return found


@pytest.fixture
async def hi(make_harness: Any) -> Any:
    """``h`` with an introductions channel: introductions are posts a feature refers to later."""
    community = make_harness("en", channels=ONBOARDING_CHANNELS)
    await community.start()
    yield community
    await community.stop()


async def test_delivery_records_are_pruned_after_the_window_but_posts_still_referred_to_are_kept(
    hi: ConsoleCommunity,
) -> None:
    h = hi
    await introduce(h, "alice")
    async with app(h).database.transaction() as session:
        # A post still waiting for its platform (never pruned), and an inbox entry of a platform not running here.
        session.add(
            OutboxEntry(
                community_id=1,
                op="post",
                payload={},
                next_attempt_at=h.clock.now() + timedelta(days=400),
                created_at=h.clock.now(),
            )
        )
        session.add(
            InboxEntry(
                delivery_id="x:1",
                platform="elsewhere",
                event=dump_event(EVERY_EVENT[0]),
                accepted_at=h.clock.now(),
            )
        )
    kept = await referenced(h)
    assert kept, "the introduction's post is referred to by its profile"
    joins = ProcessedDelivery.delivery_id.like("console:%")
    assert await count(h, ProcessedDelivery, joins) > 0

    await h.advance(days=29)
    assert await count(h, ProcessedDelivery, joins) > 0
    await h.advance(days=2)  # past the 30 days of database.keep_for: the daily job pruned
    window = h.clock.now() - timedelta(days=30)

    assert await count(h, ProcessedDelivery, joins) == 0
    assert await count(h, ProcessedDelivery, ProcessedDelivery.processed_at < window) == 0
    assert await count(h, InboxEntry) == 0
    async with app(h).database.transaction() as session:
        left = list(await session.scalars(select(OutboxEntry)))
    old = {e.id for e in left if e.status != OutboxStatus.PENDING and e.done_at and e.done_at < window}
    assert old == kept
    assert [e.status for e in left if e.created_at < window].count(OutboxStatus.PENDING) == 1
    # The introduction can still be edited: its post is found and updated in place.
    outcome = await h.submit("alice", "intro", {"what": "Alice's new trade"})
    assert outcome.error is None
    await h.app.settle()  # type: ignore[union-attr]
    updates = [s for s in h.chat.sent if s.kind == "update"]
    assert updates and updates[-1].ref == h.chat.posts("introductions")[0].ref
