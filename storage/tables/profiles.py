"""Onboarding and the member directory: each newcomer's path (joined, accepted, invited, introduced) and the
profiles members introduce themselves with."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base

__all__ = ["Newcomer", "Profile"]


class Profile(Base):
    """A member's introduction: what the introductions channel showed, what the directory lists.

    ``search_text`` and ``sort_name`` are the profile normalised (case and accents folded) when it is saved, so
    the directory filters and pages in SQL; ``match_keys`` is the same for suggested contacts. ``suggestions``
    keeps the contacts suggested when it was posted (and why), so an edit can update the post without changing
    whom it introduced."""

    __tablename__ = "member_profiles"
    __table_args__ = (
        UniqueConstraint("member_id"),
        Index("ix_member_profiles_listing", "community_id", "hidden", "sort_name"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200), default="")
    what: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str] = mapped_column(Text, default="")
    interests: Mapped[list[Any]] = mapped_column(default=list)
    offers: Mapped[str] = mapped_column(Text, default="")
    needs: Mapped[str] = mapped_column(Text, default="")
    hidden: Mapped[bool] = mapped_column(default=False)
    search_text: Mapped[str] = mapped_column(Text, default="")
    sort_name: Mapped[str] = mapped_column(String(200), default="")
    suggestions: Mapped[list[Any]] = mapped_column(default=list)
    # The profile as matching reads it (tags and keywords normalised), computed when it is saved.
    match_keys: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The outbox entry that posted the introduction (its result holds the platform's message id).
    post_entry_id: Mapped[int | None] = mapped_column(Integer)
    introduced_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Newcomer(Base):
    """Where a newcomer stands: joined, accepted the charter, invited to introduce themselves, said "not now",
    reminded once. Their introduction itself is their ``Profile``."""

    __tablename__ = "newcomers"
    __table_args__ = (
        UniqueConstraint("member_id"),
        Index("ix_newcomers_joined", "community_id", "joined_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    joined_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    invited_at: Mapped[datetime | None]
    declined_at: Mapped[datetime | None]
    nudged_at: Mapped[datetime | None]
    # The outbox entries of the invitation and the reminder, so their buttons can be retired once answered.
    invitation_entry_id: Mapped[int | None] = mapped_column(Integer)
    nudge_entry_id: Mapped[int | None] = mapped_column(Integer)
