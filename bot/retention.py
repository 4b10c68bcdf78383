"""Pruning: what the database keeps only for delivery is kept for ``database.keep_for`` (30 days by default).

A scheduled job (``Agora.prune``, daily) deletes, when older than the window:

* processed delivery ids (``processed_deliveries``): platforms re-send an event for hours, not weeks;
* outbox entries done (sent, superseded, failed, abandoned), except those a feature's row still points at (a column
  named ``*entry_id``, or a JSON list named ``*_entries``): their ``result`` says where a post is, and a tally
  or a summary may update it months later;
* inbox entries that could not be handled in all that time.

Pending outbox entries are never pruned: they are still to be delivered; nor is the earlier entry a pending one
depends on (the post a ``ReplacePost`` updates, found at delivery from that entry's ``result``), so that a row may
let go of its post as soon as it enqueued the post's last update.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ColumnElement, Delete, delete, select
from sqlalchemy.sql import Select

from bot.operations import dependencies
from storage.database import Database
from storage.models import Base, InboxEntry, OutboxEntry, OutboxStatus, ProcessedDelivery

__all__ = ["prune", "referenced_entries"]

# Deleted in batches, so that a long-stopped bot's first prune never holds the database for long.
BATCH = 5000


def _entry_columns() -> tuple[list[Any], list[Any]]:
    """The columns that name outbox entries: integer ``*entry_id`` ones, and JSON lists ``*_entries``."""
    import storage.tables  # noqa: F401  (the features' tables, so the metadata knows them)

    ids, lists = [], []
    for table in Base.metadata.sorted_tables:
        if table.name == OutboxEntry.__tablename__:
            continue
        for column in table.columns:
            if column.name.endswith("entry_id"):
                ids.append(column)
            elif column.name.endswith("_entries") and isinstance(column.type, JSON):
                lists.append(column)
    return ids, lists


async def referenced_entries(database: Database) -> tuple[list[Select[Any]], set[int]]:
    """What keeps an outbox entry: subqueries over the ``*entry_id`` columns, and the ids in ``*_entries`` lists
    and in pending entries' dependencies."""
    ids, lists = _entry_columns()
    queries = [select(column).where(column.is_not(None)) for column in ids]
    listed: set[int] = set()
    dependent = dependencies()
    async with database.transaction() as session:
        for column in lists:
            for value in await session.scalars(select(column).where(column.is_not(None))):
                listed.update(int(item) for item in value or () if str(item).isdigit())
        pending = await session.execute(
            select(OutboxEntry.op, OutboxEntry.payload).where(
                OutboxEntry.status == OutboxStatus.PENDING, OutboxEntry.op.in_(list(dependent))
            )
        )
        for op, payload in pending:
            needed = (payload or {}).get(dependent[op])
            if isinstance(needed, int):
                listed.add(needed)
    return queries, listed


async def prune(database: Database, cutoff: datetime) -> dict[str, int]:
    """Delete delivery ids, done outbox entries and inbox entries older than ``cutoff``; rows deleted per table."""
    queries, listed = await referenced_entries(database)
    outbox_old: list[ColumnElement[bool]] = [
        OutboxEntry.status != OutboxStatus.PENDING,
        OutboxEntry.done_at < cutoff,
        *(OutboxEntry.id.not_in(query.scalar_subquery()) for query in queries),
    ]
    removed = {
        "processed_deliveries": await _delete_old(
            database, ProcessedDelivery.id, ProcessedDelivery.processed_at < cutoff
        ),
        "outbox": await _delete_old(database, OutboxEntry.id, *outbox_old, keep=listed),
        "inbox": await _delete_old(database, InboxEntry.id, InboxEntry.accepted_at < cutoff),
    }
    return removed


async def _delete_old(
    database: Database, id_column: Any, *where: ColumnElement[bool], keep: set[int] | None = None
) -> int:
    table = id_column.class_
    removed = 0
    while True:
        async with database.transaction() as session:
            batch = list(
                await session.scalars(select(id_column).where(*where).order_by(id_column).limit(BATCH))
            )
            doomed = [row_id for row_id in batch if not keep or row_id not in keep]
            if doomed:
                statement: Delete = delete(table).where(id_column.in_(doomed))
                await session.execute(statement)
            removed += len(doomed)
        if len(batch) < BATCH:
            return removed
        # On after this batch (the kept entries of it stay behind).
        where = (*where, id_column > batch[-1])
