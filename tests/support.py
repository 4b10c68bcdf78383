"""What the tests share: a community's configuration, what a newcomer does on the console harness, a
community for the meetings on a clock that starts on a known Monday, a feature that keeps a community busy, and
the ``agora`` command run for real."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import random
import shutil
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from sqlalchemy import event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from adapters.console import ConsoleCommunity
from adapters.console.chat import PLATFORM, Sent
from bot.clock import FakeClock
from bot.commandline import parse_command_text
from bot.config import Config, parse_config
from bot.context import Context
from bot.events import ButtonPressed, ChannelRef, CommandInvoked
from bot.features.rounds.grouping import Plan, longest_schedule, plan_round_off_loop
from bot.features.rounds.grouping.worker import _executor
from bot.i18n import translator
from bot.messages import Message
from bot.router import Feature, command
from storage.database import Database
from storage.models import Community, InboxEntry, Member, OutboxEntry
from storage.tables.icebreakers import IcebreakerAsked
from storage.tables.profiles import Profile
from storage.tables.rounds import Round, RoundGroup

ONBOARDING_CHANNELS = {
    "welcome": "welcome",
    "announcements": "announcements",
    "introductions": "introductions",
}

CHARTERS: dict[str, dict[str, Any]] = {
    "fr": {
        "objective": "Faire grandir ensemble les indépendants du numérique de Lyon.",
        "animators": [
            {"name": "Camille", "motivation": "J'ai été seule en freelance trois ans ; plus jamais ça."}
        ],
        "rights": ["Proposer un sujet de rencontre", "Quitter le groupe à tout moment"],
        "duties": ["Pas de démarchage commercial non sollicité", "Bienveillance dans les échanges"],
    },
    "en": {
        "objective": "Help Lyon's digital freelancers grow together.",
        "animators": [{"name": "Camille", "motivation": "I freelanced alone for three years; never again."}],
        "rights": ["Suggest a meeting topic", "Leave the group at any time"],
        "duties": ["No unsolicited sales pitches", "Kindness in every exchange"],
    },
}


def make_config(
    locale: str = "en", database_url: str = "sqlite+aiosqlite:///:memory:", **community: Any
) -> Config:
    """A configuration for a test community in ``locale``."""
    data: dict[str, Any] = {
        "database": {"url": database_url},
        "health": {"enabled": False},
        "community": {
            "name": "Les Indés" if locale.startswith("fr") else "The Indies",
            "locale": locale,
            "timezone": "Europe/Paris",
            "member_role": "member",
            "channels": {"welcome": "welcome", "announcements": "announcements"},
            "charter_reminder_after": "2d",
            "charter": CHARTERS[locale.split("-")[0]],
            **community,
        },
    }
    return parse_config(data, "test-config", env={})


async def arrive(h: ConsoleCommunity, who: str) -> None:
    await h.join(who)
    await h.press(who, "I accept the charter")


async def introduce(h: ConsoleCommunity, who: str, **values: str) -> None:
    await arrive(h, who)
    outcome = await h.submit(who, "intro", {"what": f"{who.title()}'s trade", **values})
    assert outcome.error is None, outcome


# --- meetings: a community whose clock starts on a known Monday, its members, a poll -----------------------

PARIS = "Europe/Paris"
OPTIONS = "Tuesday 1 December 6:30pm\nnext thursday 6pm\n2026-12-03 18:00"


async def record_posts(h: ConsoleCommunity, count: int, **claim: object) -> list[OutboxEntry]:
    """``count`` pending posts ("post 0", "post 1"...) in the announcements channel, written straight into the
    outbox in one transaction, as a handler's (or a process that died right after its commit) leaves them;
    ``claim``: who holds them (``claimed_by``, ``lease_until``)."""
    assert h.database is not None
    async with h.database.transaction() as session:
        community = await session.scalar(select(Community))
        assert community is not None
        recorded = [
            OutboxEntry(
                community_id=community.id,
                op="post",
                payload={"channel": "announcements", "message": Message(f"post {n}").to_dict()},
                next_attempt_at=h.clock.now(),
                created_at=h.clock.now(),
                **claim,
            )
            for n in range(count)
        ]
        session.add_all(recorded)
    return recorded


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(PARIS)).astimezone(UTC)


def community(
    make_harness: Callable[..., ConsoleCommunity],
    locale: str = "en",
    start: datetime | None = None,
    **meetings: Any,
) -> ConsoleCommunity:
    """A console community whose clock starts on Monday 23 November 2026 at 9:00 in Paris."""
    h = make_harness(locale, **({"meetings": meetings} if meetings else {}))
    h.clock = FakeClock(start or paris(2026, 11, 23, 9, 0))
    return h


async def members(h: ConsoleCommunity, *names: str) -> None:
    """Newcomers who join and accept the charter: the members a poll waits for."""
    settings = await h.app.community_settings(h.ref)  # type: ignore[union-attr]
    button = "J'accepte la charte" if settings.locale.startswith("fr") else "I accept the charter"
    for name in names:
        await h.join(name)
        await h.press(name, button)


async def open_poll(h: ConsoleCommunity, options: str = OPTIONS, capacity: str = "", **values: str) -> Any:
    await h.command("camille", "meeting poll")
    return await h.submit(
        "camille",
        "meeting_poll",
        {
            "title": "Monthly meetup",
            "options": options,
            "place": "La Cordée, Lyon",
            "duration": "2h",
            "capacity": capacity,
            **values,
        },
    )


async def until(h: ConsoleCommunity, moment: datetime) -> None:
    await h.advance(moment - h.clock.now())


class BusyFeature(Feature):
    """A command that keeps its community busy until released: its handler holds the community's turn and the
    database (its delivery is recorded, which holds SQLite's write lock; the community's row is locked on
    PostgreSQL), as a slow handler or a burst of events would."""

    name = "busy-test"

    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.release = asyncio.Event()

    @command("test-busy", "Keeps the community busy")
    async def busy(self, ctx: Context[CommandInvoked]) -> None:
        await ctx.session.execute(select(Community).where(Community.id == ctx.community.id).with_for_update())
        self.started.set()
        await self.release.wait()
        ctx.reply("No longer busy.")


# --- databases: a fresh one of each kind, and one that refuses writes for a while ---------------------------------


async def fresh_database_url(kind: str, tmp_path: Path, migrated_sqlite: Path, name: str) -> str:
    """A database of ``kind`` for one test: a copy of the session's migrated SQLite file, or the PostgreSQL database
    ``<AGORA_TEST_DATABASE_URL's>_<name>``, emptied (skipped when PostgreSQL is not configured)."""
    if kind == "sqlite":
        path = tmp_path / "agora.db"
        shutil.copyfile(migrated_sqlite, path)
        return f"sqlite+aiosqlite:///{path}"
    base_url = os.environ.get("AGORA_TEST_DATABASE_URL")
    if not base_url:
        pytest.skip("PostgreSQL not configured: set AGORA_TEST_DATABASE_URL to run this test on it too")
    base = make_url(base_url)
    database_name = f"{base.database}_{name}"
    admin = create_async_engine(base, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        if not await conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": database_name}):
            await conn.execute(text(f'CREATE DATABASE "{database_name}"'))
    await admin.dispose()
    url = base.set(database=database_name).render_as_string(hide_password=False)
    database = Database(url)
    async with database.engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await database.close()
    return url


@contextlib.asynccontextmanager
async def refusing_writes(database: Database) -> AsyncIterator[None]:
    """The database refuses every write (as on a full disk or a read-only file) until the block ends: SQLite's
    ``query_only``, PostgreSQL's read-only transactions, on every connection opened meanwhile."""

    def read_only(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        if database.is_sqlite:
            cursor.execute("PRAGMA query_only = ON")
        else:
            cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
            dbapi_connection.commit()  # SET is transactional on PostgreSQL
        cursor.close()

    engine = database.engine.sync_engine
    event.listen(engine, "connect", read_only)
    await database.engine.dispose()  # the connections already open were writable
    try:
        yield
    finally:
        event.remove(engine, "connect", read_only)
        await database.engine.dispose()


# --- ``agora run`` as a real process: started, killed, started again -------------------------------------------


REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class AgoraProcess:
    """``agora run --config FILE`` in a subprocess (``python -m bot.cli``), as an operator starts it, with its JSON
    log lines collected from stderr (``lines``). ``start`` waits for a log line saying it is ready; ``kill``
    is a SIGKILL: no clean stop, no grace."""

    def __init__(self, config: Path) -> None:
        self.config = config
        self.process: asyncio.subprocess.Process | None = None
        self.lines: list[dict[str, Any]] = []
        self._reader: asyncio.Task[None] | None = None
        self._ready: tuple[str, asyncio.Future[dict[str, Any]]] | None = None

    async def start(self, ready: str, timeout: float = 30.0) -> dict[str, Any]:  # noqa: ASYNC109
        """Start it; return the first log record whose ``msg`` is ``ready`` (a failed start shows its log)."""
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._ready = (ready, future)
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            "run",
            "--config",
            str(self.config),
            cwd=self.config.parent,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": REPO},
        )
        self._reader = asyncio.create_task(self._read(self.process))
        done, _ = await asyncio.wait(
            {future, self._reader}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
        if future not in done:
            await self.kill()
            tail = "\n".join(str(line) for line in self.lines[-20:])
            raise AssertionError(f"agora run did not log {ready!r} within {timeout:g} s:\n{tail}")
        return future.result()

    async def _read(self, process: asyncio.subprocess.Process) -> None:
        assert process.stderr is not None
        async for raw in process.stderr:
            try:
                record = json.loads(raw)
            except ValueError:
                record = {"msg": raw.decode(errors="replace").rstrip()}
            self.lines.append(record)
            if self._ready is not None and record.get("msg") == self._ready[0] and not self._ready[1].done():
                self._ready[1].set_result(record)

    async def kill(self) -> None:
        """SIGKILL, and wait until it is gone."""
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()
        if self._reader is not None:
            await asyncio.wait({self._reader}, timeout=5.0)

    async def stop(self) -> None:
        """SIGTERM (a clean stop), and wait."""
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 20.0)
            except TimeoutError:
                await self.kill()
        await self.kill()


def run_config(
    path: Path,
    database_url: str,
    platforms: dict[str, Any],
    locale: str = "en",
    community: dict[str, Any] | None = None,
) -> Path:
    """Write a config file for ``agora run`` on ``platforms``: the test community (with ``community``'s settings
    on top), no health endpoint."""
    data = {
        "database": {"url": database_url},
        "health": {"enabled": False},
        "logging": {"level": "INFO", "format": "json"},
        "community": {
            "name": "Les Indés" if locale.startswith("fr") else "The Indies",
            "locale": locale,
            "timezone": "Europe/Paris",
            "charter": CHARTERS[locale.split("-")[0]],
            **(community or {}),
        },
        "platforms": platforms,
    }
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


async def kill_during(
    burst: Callable[[], Awaitable[None]], acknowledged: asyncio.Event, delay: float
) -> None:
    """Run ``burst``; return ``delay`` seconds after its first event was acknowledged (the caller kills then)."""
    task = asyncio.ensure_future(burst())
    await asyncio.wait_for(acknowledged.wait(), 20.0)
    await asyncio.wait({task}, timeout=delay)
    if not task.done():
        task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task


async def lost_after_restart(
    agora: AgoraProcess, ready: str, url: str, acknowledged: set[str], effects: Any
) -> list[str]:
    """Start ``agora`` again and wait (30 s at most) until every acknowledged event has its effect (``effects``: a
    query of the ids that have one) and the inbox is empty; the acknowledged ids left without effect."""
    await agora.start(ready)
    database = Database(url)
    try:
        for _ in range(150):
            async with database.transaction() as session:
                done = set(await session.scalars(effects))
                waiting = (await session.scalars(select(InboxEntry.id))).all()
            if acknowledged <= done and not waiting:
                break
            await asyncio.sleep(0.2)
        return sorted(acknowledged - done)
    finally:
        await database.close()
        await agora.stop()


KILL_DELAYS = (0.05, 0.6)


def kill_delay(seed: str) -> float:
    """A delay between 0.05 s and 0.6 s, different in each run (printed in the failure)."""
    return random.Random(f"{seed}:{time.time_ns()}").uniform(*KILL_DELAYS)


SECRET_VARIABLES = (
    "DISCORD_TOKEN",
    "SLACK_BOT_TOKEN",
    "SLACK_APP_TOKEN",
    "SLACK_SIGNING_SECRET",
    "AGORA_CONFIG",
)


def agora(
    *args: str | Path,
    cwd: Path,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``agora ARGS`` (as ``python -m bot.cli``) in ``cwd``, with no secret in its environment."""
    environment = {k: v for k, v in os.environ.items() if k not in SECRET_VARIABLES}
    environment.update(env or {})
    environment["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *map(str, args)],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=environment,
        timeout=120,
        check=False,
    )


async def traces_in(database: Database, needles: list[str]) -> list[tuple[str, str, str]]:
    """Where any of ``needles`` (case folded) is still stored: (table, column, needle), over every column of every
    table, read generically from the models' metadata. An erased member's platform id, name and profile texts
    must be found nowhere."""
    import json

    from sqlalchemy import select

    from storage.models import Base

    found = set()
    async with database.transaction() as session:
        for table in Base.metadata.sorted_tables:
            for row in (await session.execute(select(table))).mappings():
                for column, value in row.items():
                    text = json.dumps(value, ensure_ascii=False, default=str).lower()
                    found.update((table.name, column, n) for n in needles if n.lower() in text)
    return sorted(found)


# Helpers the feature stories share (moved here so no test module imports another).


def charter_dms(h: ConsoleCommunity, member: str) -> list[Message]:
    """The charter's direct messages to ``member`` (other features write to newcomers too)."""
    return [
        d.message
        for d in h.chat.dms(member)
        if d.message and (d.message.footer or "").startswith(("Charter of", "Les Indés — charte"))
    ]


def role_changes(h: ConsoleCommunity, member: str) -> list[str]:
    return [s.detail for s in h.chat.sent if s.kind == "role" and s.to == member]


async def asked(h: ConsoleCommunity) -> list[IcebreakerAsked]:
    assert h.database is not None
    async with h.database.transaction() as session:
        return list(
            (
                await session.scalars(
                    select(IcebreakerAsked).order_by(IcebreakerAsked.asked_at, IcebreakerAsked.id)
                )
            ).all()
        )


def onboarding_harness(
    make: Callable[..., ConsoleCommunity], locale: str = "en", **settings: object
) -> ConsoleCommunity:
    """A community with the onboarding channels; camille animates it."""
    return make(locale, channels=ONBOARDING_CHANNELS, animators=["camille"], **settings)


async def profile_of(h: ConsoleCommunity, name: str) -> Profile | None:
    assert h.database is not None
    async with h.database.transaction() as session:
        return await session.scalar(select(Profile).join(Member).where(Member.external_id == name))


def monday_morning(h: ConsoleCommunity) -> None:
    """Sunday 5 July 2026, 10:00 in Paris: the next weekly round is Monday at 9:00."""
    h.clock = FakeClock(datetime(2026, 7, 5, 10, 0, tzinfo=ZoneInfo("Europe/Paris")).astimezone(UTC))


# --- grouping rounds: the conversations the bot opened ------------------------------------------------------


def groups_opened(h: ConsoleCommunity) -> list[tuple[Sent, Sent]]:
    """Each group conversation the bot opened, with the first message posted in it."""
    out = []
    for opened in (s for s in h.chat.sent if s.kind == "group"):
        [first, *_] = h.chat.posts(opened.to)
        out.append((opened, first))
    return out


def members_of(opened: Sent) -> set[str]:
    return set(opened.visible_to)


async def everyone_joins(h: ConsoleCommunity, *names: str) -> None:
    for name in names:
        await h.command(name, "round join")


# The end of the periods the health tests read up to (a step's figure in [since, FAR)).
FAR = datetime(2100, 1, 1, tzinfo=UTC)


async def health_figure(
    session: Any, key: str, community_id: int, since: datetime, until: datetime = FAR
) -> int:
    """The figure of the health step ``key`` (declared by a feature) in ``[since, until)``."""
    from bot.feature import feature_classes

    step = next(step for cls in feature_classes() for step in cls.health if step.key == key)
    return await step.tally(session, community_id, since, until)


# Rounds planned off the loop. Every roster the planner searches (up to 40) now has a construction reaching its
# best known value, so a plan of a round takes milliseconds: to watch what happens while a plan takes seconds, the
# worker process is first kept busy by a real schedule search for a size with none (48 in fours, BUSY seconds),
# the round's plan queued behind it in the same worker, as the search for 36 in fours used to take.

_typed = itertools.count(1)
_busy = itertools.count(1)
HOLD_AT_MOST = 20.0
BUSY = 3.0


class Watched:
    """The planner, seen from the test: when a plan starts being computed and when it is done (each plan after
    ``BUSY`` seconds of a schedule search in the same worker process). ``hold()`` keeps the next plans from being
    handed back until ``release()`` (what the members do meanwhile is the point), for ``HOLD_AT_MOST`` seconds
    at most."""

    def __init__(self) -> None:
        self.computing, self.computed = asyncio.Event(), asyncio.Event()
        self.released = asyncio.Event()
        self.released.set()

    def hold(self) -> None:
        self.released.clear()

    def release(self) -> None:
        self.released.set()

    async def __call__(self, *args: Any, **kwargs: Any) -> Plan:
        self.computing.set()
        try:
            # A seed of its own each time: a search cached in the worker would return at once.
            search = partial(longest_schedule, 48, 4, budget=BUSY, seed=f"busy:{next(_busy)}")
            await asyncio.get_running_loop().run_in_executor(_executor(), search)
            plan = await plan_round_off_loop(*args, **kwargs)
            with contextlib.suppress(TimeoutError):
                # Bounded: a test failing while it holds the plan must still stop its community.
                await asyncio.wait_for(self.released.wait(), HOLD_AT_MOST)
            return plan
        finally:
            self.computed.set()


def typed(h: ConsoleCommunity, name: str, text: str) -> CommandInvoked:
    """``name`` types ``/agora <text>``: the event alone, to time its dispatch (``h.command`` also waits for the
    background work, the plan included)."""
    assert h.app is not None
    spec, args = parse_command_text(h.app.router, text, translator("en"))
    return CommandInvoked(
        community=h.ref,
        actor=h.member(name),
        name=spec.name,
        args=args,
        channel=ChannelRef(PLATFORM, h.channel),
        delivery_id=f"typed:{next(_typed)}",
    )


def pressed(h: ConsoleCommunity, name: str, action: str) -> ButtonPressed:
    """``name`` presses a button acting ``action`` (one that needs no ref): the event alone, as ``typed``."""
    return ButtonPressed(
        community=h.ref, actor=h.member(name), action=action, ref="", delivery_id=f"typed:{next(_typed)}"
    )


async def rounds_and_groups(h: ConsoleCommunity) -> tuple[int, int]:
    assert h.database is not None
    async with h.database.transaction() as session:
        rounds = await session.scalar(select(func.count()).select_from(Round))
        groups = await session.scalar(select(func.count()).select_from(RoundGroup))
    return rounds or 0, groups or 0


async def thirty_six_join(h: ConsoleCommunity) -> None:
    # 36 members in fours: the round's plan is a round of the construction (11 rounds), after the worker's
    # BUSY seconds.
    for number in range(36):
        await h.command(f"m{number:02d}", "round join")
