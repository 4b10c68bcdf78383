"""Debates: the community's own motions (animators' and members' proposals), the debates themselves, each
member's first and final position, and the volunteers who take turns leading them.

Uniqueness carries the idempotency: one stance per member per debate, one volunteer row per member, one
request to lead per member per debate.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, DebateLeadAskStatus, DebateMotionStatus, DebateStatus, string_enum

__all__ = ["Debate", "DebateLeadAsk", "DebateMotion", "DebateStance", "DebateVolunteer"]


class DebateMotion(Base):
    """The community's own motion: an animator's, or a member's proposal (pending until approved)."""

    __tablename__ = "debate_motions"
    __table_args__ = (Index("ix_debate_motions_queue", "community_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    # Suggested positions (empty: the debate uses the usual for / against / nuanced).
    positions: Mapped[list[Any]] = mapped_column(default=list)
    tags: Mapped[list[Any]] = mapped_column(default=list)
    # pending (a member's proposal waiting for an animator) -> approved | declined
    status: Mapped[DebateMotionStatus] = mapped_column(
        string_enum(DebateMotionStatus, 16), default=DebateMotionStatus.PENDING
    )
    proposed_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    # False when the author asked not to be named when the motion is used.
    credited: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    reviewed_by: Mapped[str] = mapped_column(String(64), default="")
    reviewed_at: Mapped[datetime | None]
    used_at: Mapped[datetime | None]


class Debate(Base):
    """A debate: a motion posted with positions to take, open until its deadline or an animator closes it."""

    __tablename__ = "debates"
    __table_args__ = (
        UniqueConstraint("community_id", "number"),
        Index("ix_debates_open", "community_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    # Debates are numbered 1, 2, 3 ... in each community: what members type (/agora debate close debate=3).
    number: Mapped[int]
    # The bank id ("remote-networks") or the community motion's key ("c7"): how reuse is avoided.
    motion_key: Mapped[str] = mapped_column(String(64), default="")
    motion_id: Mapped[int | None] = mapped_column(ForeignKey("debate_motions.id", ondelete="SET NULL"))
    motion: Mapped[str] = mapped_column(Text)
    positions: Mapped[list[Any]] = mapped_column(default=list)
    # Who to thank for the motion, ready to show (a mention or a name); empty when nobody is credited.
    credit: Mapped[str] = mapped_column(String(200), default="")
    channel: Mapped[str] = mapped_column(String(64))
    status: Mapped[DebateStatus] = mapped_column(string_enum(DebateStatus, 16), default=DebateStatus.OPEN)
    anonymous: Mapped[bool] = mapped_column(default=True)
    opened_by: Mapped[str] = mapped_column(String(64), default="")  # a member id, or "schedule"
    opened_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str] = mapped_column(String(64), default="")  # a member id, or "deadline"
    # The outbox entry of the post carrying the buttons: updated as positions come in, closed at the end.
    post_entry_id: Mapped[int | None]
    # The latest update of that post still in the outbox: a newer one supersedes it, so only the newest shows.
    update_entry_id: Mapped[int | None]
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))


class DebateStance(Base):
    """A member's position in a debate: the first one they took and the one they hold now."""

    __tablename__ = "debate_stances"
    __table_args__ = (UniqueConstraint("debate_id", "member_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    debate_id: Mapped[int] = mapped_column(ForeignKey("debates.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    first_position: Mapped[int]
    position: Mapped[int]
    changes: Mapped[int] = mapped_column(default=0)
    taken_at: Mapped[datetime]
    changed_at: Mapped[datetime]


class DebateVolunteer(Base):
    """A member willing to lead debates in turn."""

    __tablename__ = "debate_volunteers"
    __table_args__ = (UniqueConstraint("community_id", "member_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    active: Mapped[bool] = mapped_column(default=True)
    volunteered_at: Mapped[datetime]
    last_led_at: Mapped[datetime | None]
    led_count: Mapped[int] = mapped_column(default=0)


class DebateLeadAsk(Base):
    """The bot asked a volunteer to lead a debate."""

    __tablename__ = "debate_lead_asks"
    __table_args__ = (UniqueConstraint("debate_id", "member_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    debate_id: Mapped[int] = mapped_column(ForeignKey("debates.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    status: Mapped[DebateLeadAskStatus] = mapped_column(
        string_enum(DebateLeadAskStatus, 16), default=DebateLeadAskStatus.PENDING
    )
    asked_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
    dm_entry_id: Mapped[int | None]
