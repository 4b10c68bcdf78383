"""Start-up and storage: a migration killed or failing half-way leaves the file as it was; a database Agora cannot
use (from a newer version, half-migrated by an older one, read-only, on a full disk) gets one line saying what
happened and what to do, from ``agora run``, ``agora db upgrade`` and ``agora demo --db``; ``agora db downgrade``
goes back; and the SQLite files are readable by their owner only.

Each process is the real ``agora`` on a real SQLite file. The disk's faults are played at the edge, by a
``sitecustomize`` the subprocess loads: it kills the process at a chosen statement, or caps the file's size
(SQLite's ``max_page_count``: the database is full), or opens the file read-only (what SQLite does with a file
its user may not write; root may write any file, so the permissions alone would not do).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from storage.database import Database
from storage.migrate import head_revisions, upgrade
from tests.support import agora as run_agora

REPO = Path(__file__).resolve().parents[1]
SKELETON = REPO / "examples" / "walking-skeleton.agora"

KILL_AT_THE_THIRD_TABLE = """
import os, signal, sqlite3
_connect = sqlite3.connect
created = []
def _trace(statement):
    if statement.lstrip().upper().startswith("CREATE TABLE"):
        created.append(statement)
        if len(created) == 3:
            os.kill(os.getpid(), signal.SIGKILL)
def connect(*args, **kwargs):
    connection = _connect(*args, **kwargs)
    connection.set_trace_callback(_trace)
    return connection
sqlite3.connect = connect
"""

A_FULL_DISK = """
import sqlite3
_connect = sqlite3.connect
def connect(*args, **kwargs):
    connection = _connect(*args, **kwargs)
    connection.execute("PRAGMA max_page_count = 30")  # about a third of the schema fits
    return connection
sqlite3.connect = connect
"""

READ_ONLY_FOR_ROOT_TOO = """
import sqlite3
_connect = sqlite3.connect
def connect(database, *args, **kwargs):
    kwargs["uri"] = True
    return _connect(f"file:{database}?mode=ro", *args, **kwargs)
sqlite3.connect = connect
"""


def agora(*args: str | Path, cwd: Path, disk: str | None = None) -> subprocess.CompletedProcess[str]:
    """``agora ARGS`` in a subprocess; ``disk``: a sitecustomize playing the disk's fault."""
    if disk is None:
        return run_agora(*args, cwd=cwd)
    site = cwd / "disk"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(disk, encoding="utf-8")
    path = os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")]))
    return run_agora(*args, cwd=cwd, env={"PYTHONPATH": path})


def config_for(database: Path) -> Path:
    config = database.with_suffix(".yaml")
    config.write_text(
        f"database:\n  url: sqlite+aiosqlite:///{database}\nhealth:\n  port: 0\n", encoding="utf-8"
    )
    return config


def tables(database: Path) -> set[str]:
    with sqlite3.connect(database) as connection:
        names = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    connection.close()
    return names


def revisions(database: Path) -> list[str]:
    with sqlite3.connect(database) as connection:
        found = [row[0] for row in connection.execute("SELECT version_num FROM alembic_version")]
    connection.close()
    return found


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    """The failing command's whole error output, which must be one line starting with ``agora:``."""
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("agora: ")
    return lines[0]


def run_upgrade_demo(database: Path, tmp_path: Path, disk: str | None = None) -> dict[str, str]:
    """The error line of each command that opens the database: ``run``, ``db upgrade``, ``demo --db``."""
    config = config_for(database)
    return {
        "run": one_line(agora("run", "--config", config, cwd=tmp_path, disk=disk)),
        "db upgrade": one_line(agora("db", "upgrade", "--config", config, cwd=tmp_path, disk=disk)),
        "demo": one_line(agora("demo", "--db", database, "--script", SKELETON, cwd=tmp_path, disk=disk)),
    }


# --- a migration interrupted ----------------------------------------------------------------------------------


def test_a_first_start_killed_half_way_leaves_no_table_and_the_next_start_migrates(tmp_path: Path) -> None:
    database = tmp_path / "agora.db"
    config = config_for(database)

    killed = agora("db", "upgrade", "--config", config, cwd=tmp_path, disk=KILL_AT_THE_THIRD_TABLE)

    assert killed.returncode == -signal.SIGKILL
    assert tables(database) == set(), "the tables created before the kill stayed"
    again = agora("db", "upgrade", "--config", config, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert set(revisions(database)) == head_revisions()


def test_two_processes_starting_on_a_new_file_migrate_it_once(tmp_path: Path) -> None:
    database = tmp_path / "agora.db"
    config = config_for(database)
    command = [sys.executable, "-m", "bot.cli", "db", "upgrade", "--config", str(config)]

    both = [subprocess.Popen(command, cwd=tmp_path, stderr=subprocess.PIPE, text=True) for _ in range(2)]

    for process in both:
        _, errors = process.communicate(timeout=120)
        assert process.returncode == 0, errors
    assert set(revisions(database)) == head_revisions()


def test_a_full_disk_during_the_first_start_is_one_line_and_the_file_stays_empty(tmp_path: Path) -> None:
    database = tmp_path / "agora.db"

    for command, line in run_upgrade_demo(database, tmp_path, disk=A_FULL_DISK).items():
        assert (
            line == f"agora: the disk holding {database} is full: free some space, then start Agora again "
            "(what was recorded before is kept)"
        ), command
        assert tables(database) == set(), command

    played = agora("demo", "--db", database, "--script", SKELETON, cwd=tmp_path)
    assert played.returncode == 0, played.stderr


@pytest.mark.parametrize(
    ("damage", "explanation"),
    [
        pytest.param(
            "UPDATE alembic_version SET version_num = '9999'",
            "{database} was last migrated by a newer version of Agora (schema revision 9999; this version knows "
            "up to {head}): run that newer version, or restore a backup made before it upgraded this database",
            id="from-a-newer-version",
        ),
        pytest.param(
            # What Agora before atomic migrations left after a kill: tables, and no version recorded.
            "DELETE FROM alembic_version",
            "{database} holds Agora's tables but no record of their schema version: an upgrade by an older "
            "version of Agora was interrupted half-way. Restore the backup made before that upgrade, or, if the "
            "database held no data yet, delete it (with its -wal and -shm files) and start again",
            id="half-migrated-by-an-older-version",
        ),
    ],
)
def test_a_database_this_version_cannot_migrate_is_one_line_and_stays_untouched(
    tmp_path: Path, damage: str, explanation: str
) -> None:
    database = tmp_path / "agora.db"
    assert agora("db", "upgrade", "--config", config_for(database), cwd=tmp_path).returncode == 0
    with sqlite3.connect(database) as connection:
        connection.execute(damage)
    connection.close()
    before = database.read_bytes()

    for command, line in run_upgrade_demo(database, tmp_path).items():
        head = ", ".join(sorted(head_revisions()))
        assert line == "agora: " + explanation.format(database=database, head=head), command
    assert database.read_bytes() == before


def test_a_read_only_database_is_one_line(tmp_path: Path) -> None:
    database = tmp_path / "agora.db"
    assert agora("db", "upgrade", "--config", config_for(database), cwd=tmp_path).returncode == 0
    database.chmod(0o444)

    # SQLite opened read-only, as it opens a file its user may not write: the same error for root and a user.
    for command, line in run_upgrade_demo(database, tmp_path, disk=READ_ONLY_FOR_ROOT_TOO).items():
        assert (
            line == f"agora: {database} is read-only: let the user running Agora write the file and its "
            "folder (SQLite also writes the -wal and -shm files beside it)"
        ), command


@pytest.mark.parametrize(
    ("url", "explanation"),
    [
        pytest.param(
            "postgresql+asyncpg://agora@127.0.0.1:9/agora",
            "cannot reach PostgreSQL at 127.0.0.1:9/agora (Connect call failed ('127.0.0.1', 9)): check that the "
            "server runs and database.url",
            id="no-server",
        ),
        pytest.param(
            "{server}/{database}_nothing_here",
            "{where} does not exist on the PostgreSQL server: create the database (createdb), or fix its name in "
            "database.url",
            id="no-such-database",
        ),
    ],
)
def test_a_postgresql_server_agora_cannot_use_is_one_line(tmp_path: Path, url: str, explanation: str) -> None:
    if "{server}" in url:
        server = os.environ.get("AGORA_TEST_DATABASE_URL")
        if not server:
            pytest.skip("PostgreSQL not configured: set AGORA_TEST_DATABASE_URL")
        base = make_url(server)
        url = url.format(server=server.rsplit("/", 1)[0], database=base.database)
        explanation = explanation.format(
            where=f"{base.host}:{base.port or 5432}/{base.database}_nothing_here"
        )
    config = tmp_path / "agora.yaml"
    config.write_text(f"database:\n  url: {url}\n", encoding="utf-8")

    line = one_line(agora("db", "upgrade", "--config", config, cwd=tmp_path))

    assert line == f"agora: {explanation}"


# --- db downgrade ---------------------------------------------------------------------------------------------


def test_db_downgrade_goes_back_to_a_revision_and_upgrade_comes_back(tmp_path: Path) -> None:
    database = tmp_path / "agora.db"
    config = config_for(database)
    assert agora("db", "upgrade", "--config", config, cwd=tmp_path).returncode == 0

    down = agora("db", "downgrade", "0900", "--config", config, cwd=tmp_path)

    assert down.returncode == 0, down.stderr
    assert down.stdout == "database is at 0900\n"
    assert revisions(database) == ["0900"]
    assert agora("db", "upgrade", "--config", config, cwd=tmp_path).returncode == 0
    assert set(revisions(database)) == head_revisions()


def test_db_downgrade_to_an_unknown_revision_says_so_and_changes_nothing(tmp_path: Path) -> None:
    database = tmp_path / "agora.db"
    config = config_for(database)
    assert agora("db", "upgrade", "--config", config, cwd=tmp_path).returncode == 0

    line = one_line(agora("db", "downgrade", "0042", "--config", config, cwd=tmp_path))

    assert line == f"agora: cannot take {database} to 0042: Can't locate revision identified by '0042'"
    assert set(revisions(database)) == head_revisions()


def test_db_downgrade_help_warns_that_dropped_data_is_lost(tmp_path: Path) -> None:
    shown = agora("db", "downgrade", "--help", cwd=tmp_path)

    assert "data in the tables and columns they drop is lost: back up the database first" in " ".join(
        shown.stdout.split()
    )


# --- the files' permissions -----------------------------------------------------------------------------------


@pytest.fixture
def usual_umask() -> object:
    """The usual umask (files readable by all), so that only Agora can make its files private."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("usual_umask")
async def test_the_database_and_its_wal_and_shm_are_readable_by_the_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "agora.db"
    database = Database(f"sqlite+aiosqlite:///{path}")
    try:
        await upgrade(database.engine)
        async with database.transaction() as session:
            await session.connection()  # open while the files are looked at
            found = {name: mode(tmp_path / name) for name in ("agora.db", "agora.db-wal", "agora.db-shm")}
    finally:
        await database.close()

    assert found == {"agora.db": 0o600, "agora.db-wal": 0o600, "agora.db-shm": 0o600}


@pytest.mark.usefixtures("usual_umask")
def test_the_demo_database_is_readable_by_the_owner_only(tmp_path: Path) -> None:
    database = tmp_path / "demo.db"

    played = agora("demo", "--db", database, "--script", SKELETON, cwd=tmp_path)

    assert played.returncode == 0, played.stderr
    assert mode(database) == 0o600


@pytest.mark.usefixtures("usual_umask")
def test_an_existing_file_keeps_the_permissions_its_operator_chose(tmp_path: Path) -> None:
    database = tmp_path / "agora.db"
    assert agora("db", "upgrade", "--config", config_for(database), cwd=tmp_path).returncode == 0
    database.chmod(0o640)

    assert agora("db", "upgrade", "--config", config_for(database), cwd=tmp_path).returncode == 0
    assert mode(database) == 0o640
