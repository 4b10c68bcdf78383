"""The transactional inbox: an event acknowledged to its platform is on disk first, so a crash can't lose it.

    adapter: build the event -> Inbox.accept (one insert) -> acknowledge -> Agora.process -> handler's transaction
                                                                                        (which deletes the entry)

Platforms don't re-send what was acknowledged (a Slack event answered 200, a Discord interaction deferred). So an
adapter that acknowledges before the work is done first records the event here; the transaction that handles it
deletes the entry, and a start handles whatever is left (``Agora`` does it when a platform attaches). The core's
de-duplication by delivery id (``processed_deliveries``) stays the one guard against a second effect: an entry
handled twice (a platform's retry racing a restart) is a duplicate there.

Events are stored as the core's own dataclasses (``bot.events``), serialised by :func:`dump_event` and read back by
:func:`load_event`, field by field from their type hints; a value that would not come back the same raises
``TypeError`` rather than storing something else.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import types
import typing
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime
from functools import cache
from typing import Any, Union

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot import events as events_module
from bot.clock import Clock
from bot.events import Event
from storage.database import Database
from storage.models import InboxEntry

__all__ = ["Inbox", "dump_event", "event_classes", "load_event"]

log = logging.getLogger("agora.inbox")

# The dataclasses an event is made of (its refs), by name.
_REFS = {
    cls.__name__: cls
    for cls in (
        events_module.CommunityRef,
        events_module.MemberRef,
        events_module.ChannelRef,
        events_module.MessageRef,
    )
}


@cache
def event_classes() -> dict[str, type[Event]]:
    """Every event class of ``bot.events``, by name (what ``dump_event`` writes as ``type``)."""
    found: dict[str, type[Event]] = {}
    for value in vars(events_module).values():
        if isinstance(value, type) and issubclass(value, Event) and value is not Event:
            found[value.__name__] = value
    return found


@cache
def _hints(cls: Any) -> dict[str, Any]:
    return typing.get_type_hints(cls, vars(events_module))


def dump_event(event: Event) -> dict[str, Any]:
    """``event`` as plain JSON data: ``{"type": "MemberJoined", "fields": {...}}``."""
    name = type(event).__name__
    if event_classes().get(name) is not type(event):
        raise TypeError(f"{name} is not an event of bot.events")
    return {"type": name, "fields": _dump_fields(event)}


def load_event(data: dict[str, Any]) -> Event:
    """The event :func:`dump_event` wrote."""
    cls = event_classes().get(str(data.get("type")))
    if cls is None:
        raise ValueError(f"unknown event type {data.get('type')!r}")
    event: Event = _load_fields(cls, data.get("fields") or {})
    return event


def _dump_fields(value: Any) -> dict[str, Any]:
    cls: Any = type(value)
    hints = _hints(cls)
    return {f.name: _dump(hints[f.name], getattr(value, f.name), f.name) for f in dataclasses.fields(value)}


def _load_fields(cls: type, data: dict[str, Any]) -> Any:
    hints = _hints(cls)
    values = {f.name: _load(hints[f.name], data[f.name]) for f in dataclasses.fields(cls) if f.name in data}
    return cls(**values)


def _optional(hint: Any) -> Any | None:
    """``X`` for ``X | None``, else None."""
    if typing.get_origin(hint) in (Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return None


_PLAIN = (str, int, float, bool)


def _dump(hint: Any, value: Any, where: str) -> Any:
    inner = _optional(hint)
    if inner is not None:
        return None if value is None else _dump(inner, value, where)
    origin = typing.get_origin(hint)
    if hint in _PLAIN:
        if not isinstance(value, hint):
            raise TypeError(f"{where}: {value!r} is not a {hint.__name__}")
        return value
    if hint is datetime:
        return value.isoformat()
    if isinstance(hint, type) and hint.__name__ in _REFS:
        return _dump_fields(value)
    if origin is frozenset:
        return sorted(_dump(typing.get_args(hint)[0], item, where) for item in value)
    if origin is tuple and typing.get_args(hint)[1:] == (Ellipsis,):
        return [_dump(typing.get_args(hint)[0], item, where) for item in value]
    if origin is dict:
        return {str(key): _plain(item, f"{where}.{key}") for key, item in value.items()}
    raise TypeError(f"{where}: no serialisation for {hint!r}")


def _plain(value: Any, where: str) -> Any:
    """A JSON value that reads back equal (``dict[str, Any]`` fields: command options)."""
    if value is None or isinstance(value, _PLAIN):
        return value
    if isinstance(value, list):
        return [_plain(item, where) for item in value]
    if isinstance(value, dict) and all(isinstance(key, str) for key in value):
        return {key: _plain(item, f"{where}.{key}") for key, item in value.items()}
    raise TypeError(f"{where}: {type(value).__name__} does not read back from JSON")


def _load(hint: Any, value: Any) -> Any:
    inner = _optional(hint)
    if inner is not None:
        return None if value is None else _load(inner, value)
    if hint is datetime:
        return datetime.fromisoformat(value)
    if isinstance(hint, type) and hint.__name__ in _REFS:
        return _load_fields(_REFS[hint.__name__], value)
    if typing.get_origin(hint) is frozenset:
        return frozenset(_load(typing.get_args(hint)[0], item) for item in value)
    if typing.get_origin(hint) is tuple:
        return tuple(_load(typing.get_args(hint)[0], item) for item in value)
    return value


class Inbox:
    """The ``inbox`` table: accept an event before acknowledging it, list what a crash left.

    Accepting is on the platform's clock (Slack waits three seconds), so it goes before the handling of earlier
    events: events accepted together are written together (one insert, one commit: a burst costs a few commits,
    not one each), and :meth:`quiet` lets handlers wait until no event is waiting to be written (on SQLite, one
    writer at a time, a handler's transaction would otherwise hold the acknowledgements up)."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock
        self._waiting: list[tuple[dict[str, Any], asyncio.Future[bool]]] = []
        self._writer: asyncio.Task[None] | None = None
        self._idle = asyncio.Event()
        self._idle.set()
        # Handlers' transactions running now (``handling``); on SQLite the writer waits for them to end rather
        # than for SQLite's busy timeout to notice (which polls, every 100 ms after the first few tries).
        self._handling = 0
        self._no_handler = asyncio.Event()
        self._no_handler.set()

    async def accept(self, event: Event) -> bool:
        """Record ``event`` (committed when this returns). False when it is already there: a platform's
        re-delivery of an event not handled yet. Raises when the database refuses: then the event must not be
        acknowledged."""
        if not event.delivery_id:
            raise ValueError(f"{event.event_type} has no delivery id: the inbox keys events by it")
        row = {
            "delivery_id": event.delivery_id,
            "platform": event.community.platform,
            "event": dump_event(event),
            "accepted_at": self.clock.now(),
        }
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiting.append((row, future))
        self._idle.clear()
        if self._writer is None or self._writer.done():
            self._writer = asyncio.ensure_future(self._write())
        return await future

    async def quiet(self) -> None:
        """Wait until no accepted event is waiting to be written."""
        await self._idle.wait()

    @contextlib.contextmanager
    def handling(self) -> Iterator[None]:
        """Mark a handler's transaction as running (see ``quiet``: the next one waits for the events waiting)."""
        self._handling += 1
        self._no_handler.clear()
        try:
            yield
        finally:
            self._handling -= 1
            if not self._handling:
                self._no_handler.set()

    @contextlib.asynccontextmanager
    async def after_acknowledgements(self) -> AsyncIterator[None]:
        """For a write that can wait (the outbox marking entries sent): the events waiting to be recorded go
        first, and the inbox's writer waits for it to end (``quiet``, ``handling``)."""
        await self.quiet()
        with self.handling():
            yield

    async def _write(self) -> None:
        try:
            while self._waiting:
                if self.database.is_sqlite:
                    await self._no_handler.wait()
                batch, self._waiting = self._waiting, []
                try:
                    written = await self._insert([row for row, _ in batch])
                except Exception as exc:
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                for row, future in batch:
                    if not future.done():
                        future.set_result(row["delivery_id"] in written)
                        written.discard(row["delivery_id"])  # a twin in the same batch is a re-delivery
        finally:
            if not self._waiting:
                self._idle.set()

    async def _insert(self, rows: list[dict[str, Any]]) -> set[str]:
        """Insert ``rows``, skipping delivery ids already there; the delivery ids inserted."""
        insert = sqlite_insert if self.database.is_sqlite else postgresql_insert
        statement = (
            insert(InboxEntry)
            .on_conflict_do_nothing(index_elements=[InboxEntry.delivery_id])
            .returning(InboxEntry.delivery_id)
        )
        async with self.database.transaction() as session:
            # The rows as parameters, not in the statement: compiled once for every batch size (SQLAlchemy's
            # insertmanyvalues still sends one multi-row INSERT), about half the CPU of a statement built per batch.
            return set((await session.scalars(statement, rows)).all())

    @staticmethod
    async def remove(session: AsyncSession, delivery_id: str) -> None:
        """Delete the entry of ``delivery_id``, in the transaction that handled it."""
        await session.execute(delete(InboxEntry).where(InboxEntry.delivery_id == delivery_id))

    async def discard(self, delivery_id: str) -> None:
        """Delete the entry of an event whose handling was refused or failed (its own transaction rolled back)."""
        async with self.database.transaction() as session:
            await self.remove(session, delivery_id)

    async def left(self, platform: str, after: int = 0, limit: int = 100) -> list[tuple[int, Event]]:
        """Entries of ``platform`` still waiting, oldest first (id > ``after``), as events."""
        async with self.database.transaction() as session:
            rows = (
                await session.execute(
                    select(InboxEntry.id, InboxEntry.event)
                    .where(InboxEntry.platform == platform, InboxEntry.id > after)
                    .order_by(InboxEntry.id)
                    .limit(limit)
                )
            ).all()
        return [(entry_id, load_event(data)) for entry_id, data in rows]

    async def drain(self, platform: str, handle: Callable[[Event], typing.Awaitable[object]]) -> int:
        """Handle every entry of ``platform`` left by an earlier run, in the order they were accepted; one that
        fails again is logged and stays (tried at the next start). Returns how many were handled."""
        handled, last = 0, 0
        try:
            while True:
                batch = await self.left(platform, after=last)
                for entry_id, event in batch:
                    last = entry_id
                    try:
                        await handle(event)
                        handled += 1
                    except Exception:
                        log.exception(
                            "an event left in the inbox failed again",
                            extra={"agora": {"event": event.event_type, "delivery": event.delivery_id}},
                        )
                if len(batch) < 100:
                    break
        except Exception:
            log.exception("the inbox could not be read", extra={"agora": {"platform": platform}})
        if handled:
            log.info("inbox handled", extra={"agora": {"platform": platform, "events": handled}})
        return handled
