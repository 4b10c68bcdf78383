"""One ``agora run`` per SQLite file: a lock file beside the database, held for the life of the process.

SQLite serves one Agora process: nothing coordinates two schedulers or two couriers on one file (PostgreSQL does, with
row locks and leases). A second ``agora run`` on the same file is refused at start with one line saying why, rather
than half-working (timers fired twice, posts sent twice). The lock is an ``flock`` on ``<database>.lock``: the
kernel releases it when the process ends, however it ends (a SIGKILL leaves no stale lock behind).
"""

from __future__ import annotations

import fcntl
import os
from contextlib import suppress
from types import TracebackType

from storage.problems import DatabaseProblem, sqlite_path

__all__ = ["SingleProcess"]


class SingleProcess:
    """Held while ``agora run`` runs on a SQLite file (nothing to hold for PostgreSQL or an in-memory database).
    Entering raises :class:`DatabaseProblem` when another process holds the file."""

    def __init__(self, url: str) -> None:
        path = sqlite_path(url)
        self.path = f"{path}.lock" if path is not None else None
        self._fd: int | None = None

    def __enter__(self) -> SingleProcess:
        if self.path is None:
            return self
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            return self  # the folder cannot be written: opening the database names that problem
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            database = self.path.removesuffix(".lock")
            raise DatabaseProblem(
                f"{database} is already served by another `agora run` (pid {holder}): SQLite serves one process. "
                "Stop the other one first, or move to PostgreSQL to run several (README, “More than one process”)"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._fd is not None:
            with suppress(OSError):
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
