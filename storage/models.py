"""The tables. Every row belongs to a community; uniqueness constraints carry the idempotency
(one acknowledgement per member per charter version, one processed delivery id, one timer per purpose)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.types import UTCDateTime

__all__ = [
    "Acknowledgement",
    "Base",
    "Charter",
    "Community",
    "Member",
    "OutboxEntry",
    "ProcessedDelivery",
    "Schedule",
    "Timer",
]

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with stable constraint names (so migrations name them the same everywhere)."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), list[Any]: JSON()}


class Community(Base):
    """A community: a Discord guild, a Slack workspace (or channel), a console room."""

    __tablename__ = "communities"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200), default="")
    # Only the settings this community changed with /agora setup; the YAML gives the rest.
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]


class Member(Base):
    """Someone who is (or was) part of a community."""

    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("community_id", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    external_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    joined_at: Mapped[datetime]
    left_at: Mapped[datetime | None]


class Charter(Base):
    """One version of a community's charter. A change makes a new version; old ones stay readable."""

    __tablename__ = "charters"
    __table_args__ = (UniqueConstraint("community_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    version: Mapped[int]
    objective: Mapped[str] = mapped_column(Text, default="")
    # [{"name": ..., "motivation": ...}]
    animators: Mapped[list[Any]] = mapped_column(default=list)
    rights: Mapped[list[Any]] = mapped_column(default=list)
    duties: Mapped[list[Any]] = mapped_column(default=list)
    change_note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime]


class Acknowledgement(Base):
    """A member accepted a charter version."""

    __tablename__ = "acknowledgements"
    __table_args__ = (UniqueConstraint("member_id", "charter_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    charter_id: Mapped[int] = mapped_column(ForeignKey("charters.id", ondelete="CASCADE"))
    accepted_at: Mapped[datetime]

    charter: Mapped[Charter] = relationship(lazy="joined")


class ProcessedDelivery(Base):
    """A platform delivery id already handled: a repeat has no second effect."""

    __tablename__ = "processed_deliveries"
    __table_args__ = (UniqueConstraint("delivery_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    delivery_id: Mapped[str] = mapped_column(String(200))
    processed_at: Mapped[datetime] = mapped_column(index=True)


class OutboxEntry(Base):
    """Something the bot must do on a platform after a commit and must not lose (a post, a DM, a role)."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    op: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]]
    # pending -> sent | failed (never will succeed) | abandoned (gave up after many transient errors)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime]
    done_at: Mapped[datetime | None]


class Timer(Base):
    """A one-off deadline a feature set (a reminder, a poll's close). The scheduler's jobs are rebuilt from these."""

    __tablename__ = "timers"
    __table_args__ = (
        UniqueConstraint("community_id", "kind", "ref"),
        Index("ix_timers_pending", "fired_at", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(64))
    ref: Mapped[str] = mapped_column(String(64), default="")
    due_at: Mapped[datetime]
    fired_at: Mapped[datetime | None]
    cancelled: Mapped[bool] = mapped_column(default=False)


class Schedule(Base):
    """A recurring rule of a community (a cron rule in its time zone): icebreakers, rounds, digests."""

    __tablename__ = "schedules"
    __table_args__ = (UniqueConstraint("community_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(64))
    cron: Mapped[str] = mapped_column(String(100))
    timezone: Mapped[str] = mapped_column(String(64))
    paused: Mapped[bool] = mapped_column(default=False)
    last_fired_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
