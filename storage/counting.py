"""Counting what a piece of work costs the database: SQL statements sent and transactions committed.

    with Statements(database) as counted:
        await h.press("alice", "Yes")
    counted.statements, counted.commits

Read by ``bench/dispatch.py`` and by the tests that keep an event's round trips from creeping back up (a count,
unlike a timing, does not depend on the machine). Counted with SQLAlchemy's engine events, so every statement the
ORM or Core sends is seen, whichever code sends it."""

from __future__ import annotations

from types import TracebackType
from typing import Any

from sqlalchemy import event

from storage.database import Database

__all__ = ["Statements"]


class Statements:
    """Counts statements (``before_cursor_execute``) and commits on ``database``'s engine while entered;
    ``log`` keeps the statements' text, for a failing test to show."""

    def __init__(self, database: Database) -> None:
        self._engine = database.engine.sync_engine
        self.statements = 0
        self.commits = 0
        self.log: list[str] = []

    def _statement(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.statements += 1
        self.log.append(" ".join(statement.split())[:160])

    def _commit(self, conn: Any) -> None:
        self.commits += 1
        self.log.append("COMMIT")

    def reset(self) -> None:
        self.statements = self.commits = 0
        self.log.clear()

    def __enter__(self) -> Statements:
        event.listen(self._engine, "before_cursor_execute", self._statement)
        event.listen(self._engine, "commit", self._commit)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        event.remove(self._engine, "before_cursor_execute", self._statement)
        event.remove(self._engine, "commit", self._commit)
