"""Storage, on SQLite and on PostgreSQL (when AGORA_TEST_DATABASE_URL points at one): migrations, types,
the uniqueness that carries idempotency, and the whole walking skeleton."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

import storage.tables  # noqa: F401
from adapters.console import ConsoleCommunity
from storage.database import Database
from storage.migrate import current_revisions, head_revisions
from storage.models import Acknowledgement, Base, Charter, Community, Member, ProcessedDelivery
from tests.support import make_config

PG_URL = os.environ.get("AGORA_TEST_DATABASE_URL")


@pytest.fixture(params=["sqlite", "postgresql"])
async def url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, empty database of each kind."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'agora.db'}"
        return
    if not PG_URL:
        pytest.skip(
            "PostgreSQL not configured: set AGORA_TEST_DATABASE_URL (CI sets it when 127.0.0.1:5432 answers)"
        )
    database = Database(PG_URL)
    async with database.engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await database.close()
    yield PG_URL


@pytest.fixture
async def db(url: str) -> AsyncIterator[Database]:
    database = Database(url)
    await database.upgrade()
    yield database
    await database.close()


async def test_migrations_reach_head_and_match_the_models(db: Database) -> None:
    assert await current_revisions(db.engine) == head_revisions()
    async with db.engine.connect() as conn:
        diff = await conn.run_sync(lambda c: compare_metadata(MigrationContext.configure(c), Base.metadata))
    assert diff == []


async def test_upgrading_twice_is_harmless(db: Database) -> None:
    await db.upgrade()
    assert await current_revisions(db.engine) == head_revisions()


async def make_member(db: Database) -> tuple[int, int, int]:
    now = datetime.now(UTC)
    async with db.transaction() as session:
        community = Community(platform="console", external_id="c1", name="C", settings={}, created_at=now)
        session.add(community)
        await session.flush()
        member = Member(community_id=community.id, external_id="alice", display_name="Alice", joined_at=now)
        charter = Charter(community_id=community.id, version=1, created_at=now)
        session.add_all([member, charter])
        await session.flush()
        return community.id, member.id, charter.id


async def test_moments_come_back_aware_and_in_utc(db: Database) -> None:
    _, member_id, _ = await make_member(db)
    async with db.transaction() as session:
        member = await session.get(Member, member_id)
        assert member is not None
        member.left_at = datetime(2026, 7, 1, 12, 0, tzinfo=UTC) + timedelta(hours=2)
    async with db.transaction() as session:
        session.expunge_all()
        member = await session.get(Member, member_id)
        assert member is not None and member.left_at == datetime(2026, 7, 1, 14, 0, tzinfo=UTC)
        assert member.left_at.tzinfo is not None


async def test_one_acknowledgement_per_member_and_charter_version(db: Database) -> None:
    community_id, member_id, charter_id = await make_member(db)
    now = datetime.now(UTC)
    async with db.transaction() as session:
        session.add(
            Acknowledgement(
                community_id=community_id, member_id=member_id, charter_id=charter_id, accepted_at=now
            )
        )
    with pytest.raises(IntegrityError):
        async with db.transaction() as session:
            session.add(
                Acknowledgement(
                    community_id=community_id, member_id=member_id, charter_id=charter_id, accepted_at=now
                )
            )


async def test_a_delivery_id_is_processed_once(db: Database) -> None:
    community_id, _, _ = await make_member(db)
    now = datetime.now(UTC)
    async with db.transaction() as session:
        session.add(
            ProcessedDelivery(community_id=community_id, delivery_id="slack:event:Ev1", processed_at=now)
        )
    with pytest.raises(IntegrityError):
        async with db.transaction() as session:
            session.add(
                ProcessedDelivery(community_id=community_id, delivery_id="slack:event:Ev1", processed_at=now)
            )


async def test_foreign_keys_are_enforced(db: Database) -> None:
    with pytest.raises(IntegrityError):
        async with db.transaction() as session:
            session.add(Member(community_id=9999, external_id="ghost", joined_at=datetime.now(UTC)))


async def test_the_walking_skeleton_on_this_database(url: str) -> None:
    h = ConsoleCommunity(make_config("fr", url), animators={"camille"})
    async with h:
        await h.join("alice")
        await h.join("bob")
        await h.press("alice", "J'accepte la charte", delivery_id="p1")
        await h.press("alice", "J'accepte la charte", delivery_id="p1")
        await h.restart()
        await h.advance(days=3)
        assert "Petit rappel de la part de Les Indés" not in [
            d.message.title for d in h.chat.dms("alice") if d.message
        ]
        assert len(h.chat.dms("bob")) == 2
        assert h.chat.roles == {"alice": {"member"}}
