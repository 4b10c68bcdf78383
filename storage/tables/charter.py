"""The charter's governance: who was asked to accept which version (and what came of it), the re-acceptance
round that follows each new version, and amendments with their votes.

The versions themselves (``Charter``) and each member's acknowledgement (``Acknowledgement``) live in
``storage.models``: they are the foundation's. Uniqueness carries the idempotency here too: one request per
member per version, one round per version, one vote per member per amendment (a changed vote updates it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import AmendmentChoice, AmendmentStatus, Base, string_enum

__all__ = ["Amendment", "AmendmentVote", "CharterCampaign", "CharterRequest", "CharterRound"]


class CharterRequest(Base):
    """A member was asked to accept a charter version: at their welcome, or when a new version was adopted.

    ``snoozed_at``: they said "not now" (no reminder follows). ``gated_at``: the grace period ended before they
    accepted and their member access was withdrawn; ``restored_at``: they accepted since and got it back.
    """

    __tablename__ = "charter_requests"
    __table_args__ = (UniqueConstraint("member_id", "charter_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    charter_id: Mapped[int] = mapped_column(ForeignKey("charters.id", ondelete="CASCADE"), index=True)
    # welcome | reacceptance | existing (a member who was there before Agora, invited by a campaign)
    kind: Mapped[str] = mapped_column(String(16))
    asked_at: Mapped[datetime]
    reminded_at: Mapped[datetime | None]
    snoozed_at: Mapped[datetime | None]
    gated_at: Mapped[datetime | None]
    restored_at: Mapped[datetime | None]
    # The campaign that sent the invitation (kind "existing").
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("charter_campaigns.id", ondelete="SET NULL"), index=True
    )


class CharterCampaign(Base):
    """An animator invited the members who were there before Agora to accept the charter (``/agora charter
    invite-existing``): the invitations go out ``batch`` at a time, one batch every ``interval_s`` seconds, and
    those members keep their member access until ``grace_ends_at``."""

    __tablename__ = "charter_campaigns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    # The animator who started it (a platform id).
    started_by: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime]
    batch: Mapped[int]
    interval_s: Mapped[int]
    grace_ends_at: Mapped[datetime]
    # How many members were to be invited when it started, and how many have been so far.
    total: Mapped[int]
    invited: Mapped[int] = mapped_column(default=0)
    finished_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]


class CharterRound(Base):
    """The re-acceptance round a new version opens: its reminder and the end of its grace period."""

    __tablename__ = "charter_rounds"
    __table_args__ = (UniqueConstraint("charter_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    charter_id: Mapped[int] = mapped_column(ForeignKey("charters.id", ondelete="CASCADE"))
    started_at: Mapped[datetime]
    remind_at: Mapped[datetime | None]
    grace_ends_at: Mapped[datetime]
    asked: Mapped[int] = mapped_column(default=0)
    reminded_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]


class Amendment(Base):
    """A proposed change to one section of the charter, put to a vote (community) or to the committee.

    The rule it is decided by (``mode``, ``quorum``, ``majority``, ``electorate``, ``voters``) is fixed when it
    opens, so changing the settings never changes a vote under way.
    """

    __tablename__ = "charter_amendments"
    __table_args__ = (UniqueConstraint("community_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    proposer_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    # objective | animators | rights | duties
    section: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    base_charter_id: Mapped[int] = mapped_column(ForeignKey("charters.id", ondelete="CASCADE"))
    # committee | community
    mode: Mapped[str] = mapped_column(String(16))
    quorum: Mapped[float] = mapped_column(Float)
    majority: Mapped[float] = mapped_column(Float)
    # How many could vote when it opened: members who had accepted the charter, or the committee's size.
    electorate: Mapped[int]
    # The committee's member ids when it opened (committee mode); None when every member votes.
    voters: Mapped[list[Any] | None] = mapped_column(JSON)
    status: Mapped[AmendmentStatus] = mapped_column(
        string_enum(AmendmentStatus, 16), default=AmendmentStatus.OPEN
    )
    opened_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    # The outbox entry of the post carrying the vote buttons (its tally is updated in place).
    post_entry_id: Mapped[int | None]
    adopted_charter_id: Mapped[int | None] = mapped_column(ForeignKey("charters.id", ondelete="SET NULL"))
    votes_for: Mapped[int] = mapped_column(default=0)
    votes_against: Mapped[int] = mapped_column(default=0)
    votes_abstain: Mapped[int] = mapped_column(default=0)


class AmendmentVote(Base):
    """A member's vote on an amendment: for, against or abstain; changeable until the vote closes."""

    __tablename__ = "charter_amendment_votes"
    __table_args__ = (UniqueConstraint("amendment_id", "member_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    amendment_id: Mapped[int] = mapped_column(ForeignKey("charter_amendments.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    choice: Mapped[AmendmentChoice] = mapped_column(string_enum(AmendmentChoice, 8))
    voted_at: Mapped[datetime]
    changed_at: Mapped[datetime | None]
