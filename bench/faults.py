"""Two ``agora run`` processes on one PostgreSQL, one of them SIGKILLed at random moments and started again.

    python bench/faults.py [--events 2000] [--kills 5] [--seed N] [--postgres URL]

Both processes serve the loopback Slack fake (``tests/fakes/fake_slack.py``) in HTTP mode, each on its own port,
as two replicas behind a load balancer: each request goes to one of them at random, and a request that is not
acknowledged (the process is dead, or was killed before answering) is sent again to the other, as a load balancer
and Slack's own retries do.

An animator accepts the charter, starts a debate and opens a date poll (two dates); then ``--events`` mixed events
come from a few hundred members, each in their own order: they join (``team_join``), most accept the charter from
their welcome DM, take a position in the debate and answer both dates of the poll (buttons). Meanwhile the
timers of the community come due: each newcomer's charter reminder (40 s after joining, cancelled by an
acceptance), each acceptance's introduction nudge (30 s later), the poll's nudge to who has not answered (75 s
after it opened); and a recurring rule fires every minute (the newcomers digest, posted in a channel). One
process at a time is SIGKILLed ``--kills`` times, at moments drawn at random over the run, and started again.

At the end it prints the figures and exits 1 unless:

* every acknowledged action is recorded exactly once, per kind: one member per join, one acceptance per accept,
  one position per press (the one pressed), one answer per date (the one given); nothing left in the inbox;
* every outbox entry is delivered (none pending or failed), each message posted once, at most once more within
  the duplicate window (``bot.outbox``: what a killed process had posted and not yet marked sent, ``MARK_EVERY``
  messages at most per kill): duplicates are counted and printed;
* every timer that came due fired exactly once (one processed delivery, its message once) or was cancelled
  first, and the recurring rule fired exactly once at each of its fire times (its post once).

The database is a new one beside the one ``--postgres`` (or ``AGORA_TEST_DATABASE_URL``) names, dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import resource
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.clock import SystemClock
from bot.features.charter.handlers_acceptance import REMINDER
from bot.features.meetings.handlers_polls import NUDGE as POLL_NUDGE
from bot.features.onboarding.handlers import NUDGE
from bot.features.onboarding.handlers_digest import DIGEST as DIGEST_RULE
from bot.outbox import LEASE, MARK_EVERY
from bot.scheduler import cron_trigger, next_fire_time
from storage.database import Database
from storage.models import (
    Acknowledgement,
    InboxEntry,
    Member,
    OutboxEntry,
    OutboxStatus,
    ProcessedDelivery,
    Schedule,
    Timer,
)
from storage.tables.debates import DebateStance
from storage.tables.meetings import PollAnswer, PollOption
from tests.fakes.fake_slack import FakeSlack, SlackRequester
from tests.slack.support import SECRET, buttons, texts
from tests.support import AgoraProcess, run_config

T = TypeVar("T")

READY = "slack connected"
ANIMATOR, OLD_TIMER = "U0FANIMAT1", "U0FOLDTIM1"
WELCOME, INTROS, DEBATES, MEETINGS, DIGEST = (
    "C0FWELCOM1",
    "C0FINTROS1",
    "C0FDEBATE1",
    "C0FMEETIN1",
    "C0FDIGEST1",
)
DATES = ("2027-03-09 18:30", "2027-03-16 18:30")
# What share of the members accept the charter (the others get its reminder).
ACCEPTING = 0.85
# Each member's events: a join, an acceptance (most), a position, an answer per date.
PER_MEMBER = 1 + ACCEPTING + 1 + len(DATES)
# The community: short timers and a rule firing every minute, so that they come due during the run.
COMMUNITY = {
    "animators": [ANIMATOR],
    "channels": {"welcome": WELCOME, "introductions": INTROS, "debates": DEBATES, "meetings": MEETINGS},
    "charter_reminder_after": "40s",
    "onboarding": {
        "nudge_after": "30s",
        "digest_cron": "* * * * *",
        "digest_to": "channel",
        "digest_channel": DIGEST,
    },
    "meetings": {"nudge_after": "75s"},
}
# The timers that come due during the run, and what their message says (a member's direct message, once).
SAYS = {
    REMINDER: "A gentle reminder from",
    NUDGE: "Would you like to introduce yourself?",
    POLL_NUDGE: "This is the only reminder for this poll",
}
# How long anything may take to come (a takeover waits for a lease, plus the sweep that finds it).
PATIENCE = 3 * LEASE.total_seconds() + 30


class Replica:
    """One ``agora run`` process and the requester that reaches it (None while it is down)."""

    def __init__(self, name: str, config: Path, fake: FakeSlack) -> None:
        self.name = name
        self.process = AgoraProcess(config)
        self.fake = fake
        self.requester: SlackRequester | None = None

    async def start(self) -> None:
        port = (await self.process.start(READY, timeout=90.0))["port"]
        self.requester = self.fake.requester(f"http://127.0.0.1:{port}/slack/events")

    async def kill(self) -> None:
        self.requester = None
        await self.process.kill()


@dataclass
class Load:
    """What was sent and acknowledged, by kind of action."""

    replicas: list[Replica]
    rng: random.Random
    fake: FakeSlack
    posts: Posts
    # At most this many requests in flight at once (Slack's own pace is no faster than members click).
    gate: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(24))
    sent: Counter[str] = field(default_factory=Counter)
    unacknowledged: Counter[str] = field(default_factory=Counter)
    # Answers other than 200 (each then sent again): by status; requests that got no answer (sent again).
    refusals: Counter[int] = field(default_factory=Counter)
    resent: int = 0
    # Every member has sent all they will.
    finished: bool = False
    joined: list[str] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)
    positions: dict[str, int] = field(default_factory=dict)
    answers: dict[tuple[str, int], str] = field(default_factory=dict)

    @property
    def acknowledged(self) -> int:
        return sum(self.sent.values()) - sum(self.unacknowledged.values())

    async def send(self, kind: str, payload: dict[str, Any]) -> bool:
        """Send ``payload`` to a live replica chosen at random until one acknowledges it (a minute at most)."""
        self.sent[kind] += 1
        async with self.gate:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                live = [r.requester for r in self.replicas if r.requester is not None]
                if live:
                    try:
                        response = await self.rng.choice(live).send(payload)
                        if response.status == 200:
                            return True
                        self.refusals[response.status] += 1
                    except Exception:  # a process killed under the request: not acknowledged, sent again
                        self.resent += 1
                await asyncio.sleep(0.05)
        self.unacknowledged[kind] += 1
        return False


async def until(
    found: Callable[[], T | None], seconds: float = PATIENCE, busy: Callable[[], int] | None = None
) -> T | None:
    """What ``found`` returns once it is something, looking every quarter second (None after ``seconds``, or
    after ``seconds`` without ``busy`` changing when given: progress elsewhere)."""
    deadline = time.monotonic() + seconds
    progress = busy() if busy is not None else 0
    while (value := found()) is None or value == []:
        if busy is not None and (now := busy()) != progress:
            progress, deadline = now, time.monotonic() + seconds
        if time.monotonic() > deadline:
            return None
        await asyncio.sleep(0.25)
    return value


class Posts:
    """Every message the bots posted (``chat.postMessage`` as the fake received it: what was posted, whatever
    updates did to it since), by channel; read incrementally."""

    def __init__(self, fake: FakeSlack) -> None:
        self.fake = fake
        self.read = 0
        self.by_channel: dict[str, list[dict[str, Any]]] = {}

    def __call__(self, channel: str) -> list[dict[str, Any]]:
        calls = self.fake.calls
        for call in calls[self.read :]:
            if call.method == "chat.postMessage":
                self.by_channel.setdefault(str(call.args.get("channel")), []).append(call.args)
        self.read = len(calls)
        return self.by_channel.get(channel, [])

    def dms(self, user: str) -> list[dict[str, Any]]:
        return self(self.fake.dm_channel_id(user))

    def top_level(self, channel: str) -> list[dict[str, Any]]:
        return [m for m in self(channel) if not m.get("thread_ts")]

    def welcomes(self, user: str) -> list[dict[str, Any]]:
        """The welcome DMs ``user`` got: the charter with its accept button (not its reminder)."""
        return [m for m in self.dms(user) if accept_button(m) and SAYS[REMINDER] not in said(m)]


def said(message: dict[str, Any]) -> str:
    return f"{message.get('text', '')}\n{texts(message.get('blocks') or [])}"


def accept_button(message: dict[str, Any]) -> dict[str, Any] | None:
    found = [b for b in buttons(message.get("blocks") or []) if "charter:accept" in b["action_id"]]
    return found[0] if found else None


async def member(load: Load, number: int, user: str, takes: list[str], options: list[int]) -> None:
    """One member's events, each sent once the one before is acknowledged: join, accept the charter from the
    welcome DM (most do), take a position in the debate, answer each date of the poll."""
    rng, fake, posts = load.rng, load.fake, load.posts
    fake.add_user(user, f"member{number}", f"Member {number}", "en-US")  # joins the workspace
    if not await load.send("join", fake.event_callback(fake.team_join_event(user))):
        return
    load.joined.append(user)
    # Joins come faster than two processes handle them on a busy machine: the welcome may take a while, as long
    # as the bots keep doing something.
    welcome = await until(lambda: posts.welcomes(user), PATIENCE, busy=lambda: len(fake.calls))
    if welcome is None:
        return  # never welcomed: the outbox check says so
    button = accept_button(welcome[0])
    assert button is not None
    if rng.random() < ACCEPTING:
        payload = fake.block_actions(user, button["action_id"], channel=fake.dm_channel_id(user))
        if await load.send("accept", payload):
            load.accepted.append(user)
    position = rng.randrange(len(takes))
    if await load.send("position", fake.block_actions(user, takes[position], channel=DEBATES)):
        load.positions[user] = position
    # The ballot is the member's own (ephemeral) message: the press carries it as its container.
    ballot = {"type": "message", "ts": f"{time.time():.6f}", "blocks": []}
    container = {"type": "message", "message_ts": ballot["ts"], "channel_id": MEETINGS, "is_ephemeral": True}
    for option in options:
        choice = rng.choice(("yes", "maybe", "no"))
        action = f"agora:meeting:vote:{option}.{choice}"
        payload = fake.block_actions(user, action, message=ballot, channel=MEETINGS, container=container)
        if await load.send("answer", payload):
            load.answers[(user, option)] = choice


async def killer(replicas: list[Replica], load: Load, planned: int, kills: int, rng: random.Random) -> float:
    """SIGKILL one replica at random ``kills`` times, each once a number of events drawn at random over the run
    has been acknowledged, and start it again. Returns when the last one died (seconds since the start)."""
    started = time.monotonic()
    last = 0.0
    for threshold in sorted(rng.uniform(0.03, 0.97) * planned for _ in range(kills)):

        def reached(t: float = threshold) -> bool | None:
            return load.acknowledged >= t or load.finished or None

        await until(reached, 3600)
        victim = rng.choice(replicas)
        await victim.kill()
        last = time.monotonic() - started
        await asyncio.sleep(rng.uniform(0.1, 1.0))
        await victim.start()
    return last


async def fresh_database(base: str) -> tuple[str, str]:
    """A new database on the server ``base`` names: (its URL, its name)."""
    url = make_url(base)
    name = f"agora_faults_{os.getpid()}"
    admin = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False), name


async def drop_database(base: str, name: str) -> None:
    admin = create_async_engine(make_url(base), isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()


async def setup(load: Load, database: Database) -> tuple[list[str], list[int]]:
    """The animator joins and accepts the charter (a member who never answers: the poll stays open), starts a
    debate and opens a date poll. The debate's position buttons, the poll's option ids."""
    fake, posts = load.fake, load.posts
    fake.add_user(ANIMATOR, "animator", "Camille Animator", "en-US")
    assert await load.send("join", fake.event_callback(fake.team_join_event(ANIMATOR)))
    load.joined.append(ANIMATOR)
    welcome = await until(lambda: posts.welcomes(ANIMATOR))
    assert welcome, "the animator was never welcomed"
    button = accept_button(welcome[0])
    assert button is not None
    accept = fake.block_actions(ANIMATOR, button["action_id"], channel=fake.dm_channel_id(ANIMATOR))
    assert await load.send("accept", accept)
    load.accepted.append(ANIMATOR)
    start = "debate start motion=remote-networks duration=2d"
    await load.send("command", fake.slash_command(ANIMATOR, start, channel_id=DEBATES))
    debate = await until(lambda: [m for m in posts.top_level(DEBATES) if buttons(m.get("blocks") or [])])
    assert debate, "the debate was never posted"
    takes = [b["action_id"] for b in buttons(debate[0]["blocks"])]
    await load.send("command", fake.slash_command(ANIMATOR, "meeting poll", channel_id=MEETINGS))
    await fake.wait_for_call("views.open", timeout=PATIENCE)
    values = {
        "title": {"title": "Spring meetup"},
        "options": {"options": "\n".join(DATES)},
        "place": {"place": "La Cordée, Lyon"},
        "duration": {"duration": "2h"},
        "capacity": {"capacity": ""},
    }
    await load.send("form", fake.view_submission(ANIMATOR, "agora:meeting_poll:", values))
    poll = await until(lambda: [m for m in posts.top_level(MEETINGS) if buttons(m.get("blocks") or [])])
    assert poll, "the poll was never posted"
    async with database.transaction() as session:
        options = list((await session.scalars(select(PollOption.id).order_by(PollOption.position))).all())
    return takes, options


async def settle(database: Database, started: datetime) -> tuple[datetime, dict[str, Any]]:
    """Wait until every timer set during the run has fired (or was cancelled), the recurring rule has fired at
    least once, and the inbox and the outbox are empty; when it was, and the outbox's statuses."""
    clock = SystemClock()
    deadline = time.monotonic() + 2 * PATIENCE + 120
    while True:
        async with database.transaction() as session:
            waiting = await session.scalar(
                select(func.count(Timer.id)).where(
                    Timer.fired_at.is_(None), ~Timer.cancelled, Timer.due_at < started + timedelta(hours=1)
                )
            )
            fires = await session.scalar(
                select(func.count(ProcessedDelivery.id)).where(
                    ProcessedDelivery.delivery_id.like("schedule:%")
                )
            )
            inbox = await session.scalar(select(func.count(InboxEntry.id)))
            statuses = dict(
                (
                    await session.execute(
                        select(OutboxEntry.status, func.count()).group_by(OutboxEntry.status)
                    )
                ).all()
            )
        if (
            not waiting and fires and not inbox and not statuses.get(OutboxStatus.PENDING)
        ) or time.monotonic() > deadline:
            return clock.now(), {
                "waiting timers": waiting,
                "inbox": inbox,
                **{str(k): v for k, v in statuses.items()},
            }
        await asyncio.sleep(0.5)


@dataclass
class Check:
    """The figures, and what went wrong."""

    lines: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    duplicates: int = 0

    def line(self, text: str) -> None:
        self.lines.append(text)

    def require(self, ok: bool, what: str) -> None:
        if not ok:
            self.violations.append(what)

    def once(self, what: str, counts: dict[Any, int], expected: dict[Any, int]) -> None:
        """Messages of one kind: ``counts`` posted per key, ``expected`` per key (the rest expect none). Missing
        ones and any beyond one repeat are violations; one repeat is a duplicate (within the window, checked in
        total)."""
        missing = sum(max(n - counts.get(k, 0), 0) for k, n in expected.items())
        duplicates = sum(max(c - expected.get(k, 0), 0) for k, c in counts.items())
        beyond = sum(max(c - expected.get(k, 0) - 1, 0) for k, c in counts.items())
        self.duplicates += duplicates
        self.line(
            f"  {what}: expected {sum(expected.values())}, missing {missing}, posted twice {duplicates}"
        )
        self.require(missing == 0, f"{what}: {missing} never posted")
        self.require(beyond == 0, f"{what}: {beyond} posted three times or more")


async def check(database: Database, load: Load, checked: datetime, kills: int) -> Check:
    c = Check()
    posts = load.posts
    async with database.transaction() as session:
        members = Counter(await session.scalars(select(Member.external_id)))
        acceptances = Counter(
            await session.scalars(
                select(Member.external_id).join(Acknowledgement, Acknowledgement.member_id == Member.id)
            )
        )
        stances = (
            await session.execute(
                select(Member.external_id, DebateStance.position, DebateStance.changes).join(
                    Member, Member.id == DebateStance.member_id
                )
            )
        ).all()
        answers = (
            await session.execute(
                select(Member.external_id, PollAnswer.option_id, PollAnswer.choice).join(
                    Member, Member.id == PollAnswer.member_id
                )
            )
        ).all()
        timer_rows = (await session.scalars(select(Timer))).all()
        ids_by_member = {
            str(row.id): row.external_id
            for row in (await session.execute(select(Member.id, Member.external_id))).all()
        }
        processed = list(
            await session.scalars(
                select(ProcessedDelivery.delivery_id).where(
                    ProcessedDelivery.delivery_id.like("timer:%")
                    | ProcessedDelivery.delivery_id.like("schedule:%")
                )
            )
        )
        schedule = await session.scalar(select(Schedule).where(Schedule.kind == DIGEST_RULE))

    # Acknowledged actions, recorded exactly once.
    stance_counts = Counter(user for user, _, _ in stances)
    answer_counts = Counter((user, option) for user, option, _ in answers)
    recorded: dict[str, tuple[set[Any], Counter[Any]]] = {
        "join": (set(load.joined), members),
        "accept": (set(load.accepted), acceptances),
        "position": (set(load.positions), stance_counts),
        "answer": (set(load.answers), answer_counts),
    }
    c.line("acknowledged actions (sent, acknowledged: recorded once, lost, recorded twice):")
    for kind, (acknowledged, counts) in recorded.items():
        lost = [k for k in acknowledged if counts.get(k, 0) == 0]
        twice = [k for k in acknowledged if counts.get(k, 0) > 1]
        c.line(
            f"  {kind}: {load.sent[kind]} sent, {len(acknowledged)} acknowledged: "
            f"{len(acknowledged) - len(lost) - len(twice)} once, {len(lost)} lost, {len(twice)} twice"
        )
        c.require(not lost and not twice, f"{kind}: {len(lost)} lost, {len(twice)} recorded twice")
    wrong = [
        u
        for u, position, changes in stances
        if u in load.positions and (position, changes) != (load.positions[u], 0)
    ]
    wrong += [
        f"{u}:{o}"
        for u, o, choice in answers
        if (u, o) in load.answers and str(choice) != load.answers[(u, o)]
    ]
    c.require(not wrong, f"{len(wrong)} positions or answers recorded differently from the press")

    # Timers and the recurring rule.
    fired_deliveries = Counter(d.split(":")[1] for d in processed if d.startswith("timer:"))
    # The timers of the run: those that fired, or came due a while before this check.
    due = checked - timedelta(seconds=5)
    run_timers = [t for t in timer_rows if t.kind in SAYS and (t.fired_at is not None or t.due_at < due)]
    fired = [t for t in run_timers if t.fired_at is not None]
    cancelled = [t for t in run_timers if t.cancelled and t.fired_at is None]
    unfired = [t for t in run_timers if t.fired_at is None and not t.cancelled]
    once = [t for t in fired if fired_deliveries.get(str(t.id)) == 1]
    c.line("timers due during the run (fired once, cancelled first, never fired, fired twice):")
    for kind in SAYS:
        of = [t for t in run_timers if t.kind == kind]
        c.line(
            f"  {kind}: {len(of)} due: {len([t for t in once if t.kind == kind])} once, "
            f"{len([t for t in cancelled if t.kind == kind])} cancelled, "
            f"{len([t for t in unfired if t.kind == kind])} never, "
            f"{len([t for t in fired if fired_deliveries.get(str(t.id), 0) > 1])} twice"
        )
    c.require(not unfired, f"{len(unfired)} timers never fired")
    c.require(len(once) == len(fired), f"{len(fired) - len(once)} timers fired other than once")
    c.require(bool(fired), "no timer came due during the run")
    assert schedule is not None
    trigger = cron_trigger(schedule.cron, schedule.timezone)
    expected_fires: list[datetime] = []
    cutoff = checked - timedelta(seconds=10)  # a fire at the very end may be under way
    moment: datetime | None = schedule.created_at
    while moment is not None and (moment := next_fire_time(trigger, moment)) is not None and moment < cutoff:
        expected_fires.append(moment)
    fire_counts = Counter(d for d in processed if d.startswith(f"schedule:{schedule.id}:"))
    expected_ids = {f"schedule:{schedule.id}:{when.isoformat()}" for when in expected_fires}
    missed = expected_ids - set(fire_counts)
    c.line(
        f"recurring rule (the digest, every minute): {len(expected_fires)} fire times, fired "
        f"{len(expected_ids & set(fire_counts))} once, missed {len(missed)}"
    )
    c.require(
        bool(expected_fires) and not missed, f"the recurring rule missed {len(missed)} of its fire times"
    )

    # What members and channels got: each message once (a repeat within the window counted).
    c.line("messages (expected, missing, posted twice):")
    joined = set(load.joined)
    c.once("welcome DMs", {u: len(posts.welcomes(u)) for u in joined}, dict.fromkeys(joined, 1))
    for kind in (REMINDER, NUDGE):
        got = {u: n for u in joined if (n := sum(SAYS[kind] in said(m) for m in posts.dms(u)))}
        expected: dict[str, int] = {}
        for t in fired:
            user = ids_by_member.get(t.ref)
            # A charter reminder firing as its member accepts says nothing (they accepted): at most one then.
            if (
                t.kind == kind
                and user is not None
                and (kind != REMINDER or user not in acceptances or user in got)
            ):
                expected[user] = 1
        c.once(f"{kind} DMs", got, expected)
    nudged = {u: n for u in joined if (n := sum(SAYS[POLL_NUDGE] in said(m) for m in posts.dms(u)))}
    c.once(f"{POLL_NUDGE} DMs (at most one each)", nudged, dict.fromkeys(nudged, 1))
    c.once(
        "digest posts (one per fire)", {"digest": len(posts.top_level(DIGEST))}, {"digest": len(fire_counts)}
    )
    c.once(
        "debate and poll posts",
        {
            ch: len([m for m in posts.top_level(ch) if buttons(m.get("blocks") or [])])
            for ch in (DEBATES, MEETINGS)
        },
        {DEBATES: 1, MEETINGS: 1},
    )
    window = kills * MARK_EVERY
    c.line(
        f"duplicates: {c.duplicates} (the window: {MARK_EVERY} messages per kill, {window} for {kills} kills)"
    )
    c.require(c.duplicates <= window, f"{c.duplicates} duplicates, beyond the window of {window}")
    return c


async def run(base: str, events: int, kills: int, seed: int) -> int:
    rng = random.Random(seed)
    url, name = await fresh_database(base)
    replicas: list[Replica] = []
    members = math.ceil(events / PER_MEMBER)
    try:
        async with FakeSlack(signing_secret=SECRET) as fake:
            users = [f"U0F{n:07d}" for n in range(members)]
            # Someone was in the workspace before Agora came: its first read of the member list (at the first
            # start) finds a human, and everyone after it is a newcomer, who joins during the run.
            fake.add_user(OLD_TIMER, "oldtimer", "Old Timer", "en-US")
            for channel, channel_name in (
                (WELCOME, "welcome"),
                (INTROS, "introductions"),
                (DEBATES, "debates"),
                (MEETINGS, "meetings"),
                (DIGEST, "digest"),
            ):
                fake.add_channel(channel, channel_name, members=[OLD_TIMER])
            section = {
                "bot_token": "xoxb-test",
                "mode": "http",
                "signing_secret": SECRET,
                "api_base_url": fake.api_base,
                "http": {"host": "127.0.0.1", "port": 0},
            }
            database = Database(url)
            with tempfile.TemporaryDirectory() as tmp:
                config = run_config(Path(tmp) / "config.yaml", url, {"slack": section}, community=COMMUNITY)
                replicas = [Replica(n, config, fake) for n in ("one", "two")]
                await replicas[0].start()  # the first migrates the database; the second finds it done
                await replicas[1].start()
                began = time.monotonic()
                started = SystemClock().now()
                load = Load(replicas, rng, fake, Posts(fake))
                takes, options = await setup(load, database)
                planned = sum(load.sent.values()) + round(members * PER_MEMBER)
                killing = asyncio.create_task(killer(replicas, load, planned, kills, rng))
                rng.shuffle(users)
                await asyncio.gather(*(member(load, n, u, takes, options) for n, u in enumerate(users)))
                load.finished = True
                loaded = time.monotonic() - began
                last_kill = await killing
                checked, outbox = await settle(database, started)
                settled = time.monotonic() - began
                for replica in replicas:
                    await replica.process.stop()
                figures = await check(database, load, checked, kills)
                cpu = resource.getrusage(resource.RUSAGE_CHILDREN), resource.getrusage(resource.RUSAGE_SELF)
                await database.close()
    finally:
        for replica in replicas:
            await replica.process.kill()
        await drop_database(base, name)
    print(
        f"two processes, {kills} SIGKILLs (the last {last_kill:.0f} s in), {sum(load.sent.values())} events "
        f"({', '.join(f'{n} {k}' for k, n in load.sent.items())}) from {len(load.joined)} newcomers in {loaded:.0f} s; "
        f"timers and outbox settled at {settled:.0f} s; CPU: the agora processes "
        f"{cpu[0].ru_utime + cpu[0].ru_stime:.0f} s, this script {cpu[1].ru_utime + cpu[1].ru_stime:.0f} s"
    )
    print(
        f"outbox: {outbox.get('sent', 0)} sent, {outbox.get('pending', 0)} pending, "
        f"{outbox.get('failed', 0) + outbox.get('abandoned', 0)} failed; inbox left {outbox['inbox']}; "
        f"requests sent again: {load.resent} unanswered (a process killed under them), "
        f"{sum(load.refusals.values())} refused {dict(load.refusals)}"
    )
    for line in figures.lines:
        print(line)
    figures.require(
        not outbox.get("pending") and not outbox.get("failed") and not outbox.get("abandoned"),
        "outbox entries not delivered",
    )
    figures.require(not outbox["inbox"], "acknowledged events left in the inbox")
    if figures.violations:
        print("VIOLATIONS: " + "; ".join(figures.violations))
        return 1
    print("ok: nothing acknowledged lost or doubled, every entry delivered, every timer and fire time once")
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument(
        "--postgres", default=None, help="a PostgreSQL URL (a new database is made beside it)"
    )
    args = parser.parse_args()
    base = args.postgres or os.environ.get("AGORA_TEST_DATABASE_URL")
    if not base:
        print("bench/faults.py needs PostgreSQL: give --postgres URL or set AGORA_TEST_DATABASE_URL")
        sys.exit(2)
    seed = args.seed if args.seed is not None else random.randrange(1_000_000)
    print(f"seed {seed} (python bench/faults.py --seed {seed} runs it again)")
    sys.exit(asyncio.run(run(base, args.events, args.kills, seed)))


if __name__ == "__main__":
    main()
