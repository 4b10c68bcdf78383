"""Back-pressure: a bound on the events one process has taken on and not finished.

An event an adapter acknowledged is in the inbox (``bot.inbox``) before it is handled. When the process already
has ``limit`` events on its hands (handled, or waiting for what they touch), a new one is not taken on: the person
who acted is told the bot is busy and will do it in a moment, and the event stays in the inbox, where a retry
takes it once the backlog has come down to half the limit (``Agora.process``). Nothing acknowledged is dropped,
and memory does not grow with a burst the process cannot keep up with.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

__all__ = ["MAX_BACKLOG", "Backlog"]

# Events one process takes on at once (a second or two of work); above that, people are told to wait a moment.
MAX_BACKLOG = 50


class Backlog:
    """How many events are being handled or waiting to be (``size``), against ``limit``."""

    def __init__(self, limit: int = MAX_BACKLOG) -> None:
        self.limit = limit
        self.size = 0
        # Events told "busy" since the start (on /healthz).
        self.refused = 0
        self._room = asyncio.Event()
        self._room.set()

    @property
    def full(self) -> bool:
        return self.size >= self.limit

    @contextlib.contextmanager
    def taken(self) -> Iterator[None]:
        """Count one event for as long as it is handled."""
        self.size += 1
        if self.full:
            self._room.clear()
        try:
            yield
        finally:
            self.size -= 1
            if self.size <= self.limit // 2:
                self._room.set()

    async def room(self) -> None:
        """Wait until the backlog is down to half its limit (not just below it: a retry then has room to work
        through what waited, rather than filling it again at once)."""
        while self.full or not self._room.is_set():
            await self._room.wait()
