"""Icebreakers: the community's own questions (added by animators, suggested by members) and every question
asked, so that none is asked twice before the whole bank has been.

Uniqueness carries the idempotency: a question is asked at most once per cycle of a community.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, IcebreakerQuestionStatus, string_enum

__all__ = ["IcebreakerAsked", "IcebreakerQuestion", "IcebreakerReaction"]


class IcebreakerQuestion(Base):
    """A question of the community's own: added by an animator (approved at once) or suggested by a member
    (pending until an animator approves or rejects it)."""

    __tablename__ = "icebreaker_questions"
    __table_args__ = (Index("ix_icebreaker_questions_queue", "community_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    # pending -> approved | rejected; approved -> removed (an animator took it out of the draw)
    status: Mapped[IcebreakerQuestionStatus] = mapped_column(
        string_enum(IcebreakerQuestionStatus, 16), default=IcebreakerQuestionStatus.PENDING
    )
    # The member who suggested it (credited when it is asked), None when an animator added it.
    suggested_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    # True when the author asked not to be named.
    anonymous: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
    # The animator (platform id) who added, approved, rejected or removed it, and when.
    decided_by: Mapped[str] = mapped_column(String(64), default="")
    decided_at: Mapped[datetime | None]
    # Outbox entries of the review requests sent to animators, updated with the decision once it is made.
    review_entries: Mapped[list[Any]] = mapped_column(default=list)


class IcebreakerAsked(Base):
    """A question asked in a community. ``cycle`` counts passes through the community's questions: a question
    is asked again only in a later cycle, once every other one has been."""

    __tablename__ = "icebreakers_asked"
    __table_args__ = (
        UniqueConstraint("community_id", "cycle", "question_key"),
        Index("ix_icebreakers_asked_latest", "community_id", "asked_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    cycle: Mapped[int] = mapped_column(default=1)
    # "bank:<id>" for a question of the shipped bank (the same in every language), "own:<id>" for the
    # community's own.
    question_key: Mapped[str] = mapped_column(String(100))
    question_id: Mapped[int | None] = mapped_column(
        ForeignKey("icebreaker_questions.id", ondelete="SET NULL")
    )
    # The text as it was asked (in the community's language at the time).
    text: Mapped[str] = mapped_column(Text)
    # schedule | now (an animator asked for one at once)
    source: Mapped[str] = mapped_column(String(16), default="schedule")
    asked_at: Mapped[datetime]
    # The outbox entry of the post, whose result says where the post and its thread are.
    entry_id: Mapped[int | None] = mapped_column(Integer)


class IcebreakerReaction(Base):
    """A member's reaction to an asked question's post: reacting counts as answering (one row per emoji, so
    taking one reaction back leaves the member counted while another stays)."""

    __tablename__ = "icebreaker_reactions"
    __table_args__ = (UniqueConstraint("asked_id", "member_id", "emoji"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    asked_id: Mapped[int] = mapped_column(ForeignKey("icebreakers_asked.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    emoji: Mapped[str] = mapped_column(String(64))
    reacted_at: Mapped[datetime]
