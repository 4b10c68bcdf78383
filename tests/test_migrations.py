"""Alembic: one linear history from the merge of the features' branches on, every downgrade runs (head → base →
head leaves nothing behind and brings the same schema back), and the migrated schema is what the models
describe. On SQLite, and on PostgreSQL when AGORA_TEST_DATABASE_URL points at one (in a schema of its own,
dropped afterwards, so the other tests never see it)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import insert, inspect, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

import storage.tables  # noqa: F401  (every feature's tables join Base.metadata)
from storage.database import Database
from storage.migrate import alembic_config, current_revisions, downgrade, head_revisions, upgrade
from storage.models import Base, Community, Member, Timer
from tests.conftest import postgres_url

# The revision that merged the features' branches: from it on, the history is one line.
MERGE = "0900"


def script() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def test_the_history_has_a_single_head_and_a_single_base() -> None:
    assert len(script().get_heads()) == 1
    assert len(script().get_bases()) == 1


def test_the_history_is_linear_from_the_merge_on() -> None:
    """Each migration after the merge has exactly one parent and one child at most, and none uses branch labels
    or depends_on (see storage/migrations/README.md)."""
    revisions = list(script().walk_revisions(base=MERGE, head="heads"))
    assert revisions[-1].revision == MERGE
    for rev in revisions:
        assert not rev.is_branch_point, f"{rev.revision} has several children: chain on the head instead"
        assert not rev.branch_labels, f"{rev.revision} has a branch label"
        assert not rev.dependencies, f"{rev.revision} uses depends_on"
        if rev.revision != MERGE:
            assert isinstance(rev.down_revision, str), f"{rev.revision} must revise exactly one revision"


@pytest.fixture(params=["sqlite", "postgresql"])
async def engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """An empty database of each kind: a SQLite file, or a fresh PostgreSQL schema dropped afterwards."""
    if request.param == "sqlite":
        database = Database(f"sqlite+aiosqlite:///{tmp_path / 'agora.db'}")
        yield database.engine
        await database.close()
        return
    url = postgres_url()
    if not url:
        pytest.skip(
            "PostgreSQL not configured: set AGORA_TEST_DATABASE_URL (CI sets it when 127.0.0.1:5432 answers)"
        )
    schema = f"test_migrations_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(url)
    async with admin.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    scoped = create_async_engine(url, connect_args={"server_settings": {"search_path": schema}})
    try:
        async with scoped.connect() as conn:
            assert await conn.scalar(text("SELECT current_schema()")) == schema
        yield scoped
    finally:
        await scoped.dispose()
        async with admin.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


def what_is_left(connection: Any) -> dict[str, list[str]]:
    """The tables of the (current) schema, Alembic's own aside, and on PostgreSQL its sequences and enum types."""
    inspector = inspect(connection)
    left = {"tables": sorted(set(inspector.get_table_names()) - {"alembic_version"})}
    if connection.dialect.name == "postgresql":
        left["sequences"] = sorted(inspector.get_sequence_names())
        left["enum types"] = sorted(e["name"] for e in inspector.get_enums())
    return left


def differences(connection: Any) -> list[Any]:
    return list(compare_metadata(MigrationContext.configure(connection), Base.metadata))


async def test_every_downgrade_runs_and_the_schema_comes_back(engine: AsyncEngine) -> None:
    await upgrade(engine)
    assert await current_revisions(engine) == head_revisions()
    async with engine.connect() as conn:
        assert await conn.run_sync(differences) == [], "the models and the migrations disagree"

    await downgrade(engine, "base")
    assert await current_revisions(engine) == set()
    async with engine.connect() as conn:
        left = await conn.run_sync(what_is_left)
    assert left == {kind: [] for kind in left}, "a downgrade left this behind"

    await upgrade(engine)
    assert await current_revisions(engine) == head_revisions()
    async with engine.connect() as conn:
        assert await conn.run_sync(differences) == [], "a downgrade left something the upgrade did not redo"


async def test_the_planning_timers_name_the_animator_by_member_id_from_0912_on(engine: AsyncEngine) -> None:
    """A round planned for an animator kept their platform id in its timer's ref, fired or not: 0912 puts their
    ``members.id`` there instead, and a platform id no member has any more (erased) becomes nobody ("0")."""
    await upgrade(engine, "0911")
    now = datetime(2026, 12, 3, 19, 0, tzinfo=UTC)
    async with engine.begin() as conn:
        community = (
            await conn.execute(
                insert(Community.__table__)
                .values(platform="console", external_id="c", name="c", settings={}, created_at=now)
                .returning(Community.__table__.c.id)
            )
        ).scalar_one()
        ysolde = (
            await conn.execute(
                insert(Member.__table__)
                .values(community_id=community, external_id="U-ysolde", display_name="Ysolde", joined_at=now)
                .returning(Member.__table__.c.id)
            )
        ).scalar_one()
        refs = ["1:U-ysolde", "2:U-erased-meanwhile", "3:schedule"]
        rows = [{"community_id": community, "kind": "rounds:plan", "ref": ref, "due_at": now} for ref in refs]
        rows.append({"community_id": community, "kind": "onboarding:nudge", "ref": "U-ysolde", "due_at": now})
        await conn.execute(insert(Timer.__table__), rows)

    async def stored() -> list[str]:
        async with engine.connect() as conn:
            return list((await conn.execute(select(Timer.ref).order_by(Timer.id))).scalars())

    await upgrade(engine)
    assert await stored() == [f"1:{ysolde}", "2:0", "3:schedule", "U-ysolde"]
    await downgrade(engine, "0911")
    assert await stored() == ["1:U-ysolde", "2:schedule", "3:schedule", "U-ysolde"]
