"""Database problems an operator can fix, each told in one line: what happened and what to do.

``agora run``, ``agora db upgrade`` and ``agora demo`` print these instead of a traceback. The schema problems
found before migrating (a file from a newer Agora, a half-migrated file) are raised as :class:`DatabaseProblem`;
the driver's errors (a full disk, a read-only file, a locked file, an unreachable server) are recognised by
:func:`explain`. Anything else keeps its traceback: it is a bug to report, not a problem to fix.
"""

from __future__ import annotations

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError

__all__ = ["DatabaseProblem", "explain", "sqlite_path", "where"]


class DatabaseProblem(Exception):
    """A database Agora cannot use as it is; the message says why and what to do, in one line."""


def sqlite_path(url: str | URL) -> str | None:
    """The file of a SQLite URL (None for an in-memory database or another kind of database)."""
    url = make_url(url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    if url.query.get("uri") in ("true", "1") or url.database.startswith("file:"):
        return None  # a URI filename: SQLite resolves it itself (modes, shared caches)
    return url.database


def where(url: str | URL) -> str:
    """The database as its operator names it: the SQLite file, or the server and database (no password)."""
    url = make_url(url)
    path = sqlite_path(url)
    if path is not None:
        return path
    if url.get_backend_name() == "sqlite":
        return "the SQLite database"
    return f"{url.host or 'localhost'}:{url.port or 5432}/{url.database or ''}"


# (what the driver says, what it means for the operator). SQLite's messages are stable since 3.x; PostgreSQL's
# come as SQLSTATE classes through asyncpg's exception names.
_SQLITE = (
    (
        "database or disk is full",
        "the disk holding {where} is full: free some space, then start Agora again "
        "(what was recorded before is kept)",
    ),
    (
        "disk i/o error",
        "writing {where} failed (disk I/O error): the disk may be full or failing; check its free space "
        "and health, then start Agora again",
    ),
    (
        "readonly database",
        "{where} is read-only: let the user running Agora write the file and its folder "
        "(SQLite also writes the -wal and -shm files beside it)",
    ),
    (
        "unable to open database file",
        "cannot open {where}: check that its folder exists and that the user running Agora may write in it",
    ),
    (
        "database is locked",
        "{where} stayed locked by another process for 10 seconds: is another Agora using it? "
        "Stop it, or wait for it to finish, then try again",
    ),
)
_POSTGRESQL = (
    (
        "DiskFullError",
        "the PostgreSQL server's disk is full ({where}): free some space on it, then start Agora again",
    ),
    (
        "ReadOnlySQLTransactionError",
        "{where} accepts reads only (a standby, or default_transaction_read_only): point database.url at the "
        "primary server",
    ),
    (
        "InvalidCatalogNameError",
        "{where} does not exist on the PostgreSQL server: create the database (createdb), or fix its name in "
        "database.url",
    ),
    (
        "InvalidAuthorizationSpecificationError",  # a wrong password or an unknown role, too
        "the PostgreSQL server refused the user or password in database.url ({where}): check them",
    ),
    (
        "InsufficientPrivilegeError",
        "the PostgreSQL user in database.url may not change {where}: grant it the rights on the database "
        "(or use its owner)",
    ),
)


def explain(exc: BaseException, url: str | URL) -> str | None:
    """One line for a database error an operator can fix, naming the database; None for any other error."""
    if isinstance(exc, DatabaseProblem):
        return str(exc)
    place = where(url)
    if isinstance(exc, DBAPIError):
        driver = exc.orig if exc.orig is not None else exc
        said = str(driver).lower()
        for fragment, line in _SQLITE:
            if fragment in said:
                return line.format(where=place)
        # asyncpg's own exception (its class names the SQLSTATE) is the cause of SQLAlchemy's adapted one.
        kinds = {cls.__name__ for error in (driver, driver.__cause__) for cls in type(error).__mro__}
        for kind, line in _POSTGRESQL:
            if kind in kinds or kind.lower() in said:
                return line.format(where=place)
        return None
    if isinstance(exc, OSError) and make_url(url).get_backend_name() == "postgresql":
        reason = exc.strerror or str(exc)
        return f"cannot reach PostgreSQL at {place} ({reason}): check that the server runs and database.url"
    return None
