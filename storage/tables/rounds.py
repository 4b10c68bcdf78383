"""Grouping rounds: who takes part, who must never be grouped with whom, the rounds played, their groups and
whether the groups met."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, RoundAnswer, string_enum

__all__ = [
    "Round",
    "RoundExclusion",
    "RoundGroup",
    "RoundGroupMember",
    "RoundParticipant",
    "RoundPoll",
    "RoundPollAnswer",
    "RoundPollOption",
]


class RoundParticipant(Base):
    """A member's place in the rounds: in or out, how many coming rounds they skip, and their pauses: for a
    month (``paused_until``), or until they come back after leaving "Did you meet?" unanswered twice in a row
    and then the question about staying in (``paused_quiet``)."""

    __tablename__ = "round_participants"
    __table_args__ = (UniqueConstraint("member_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    active: Mapped[bool] = mapped_column(default=True)
    snooze_rounds: Mapped[int] = mapped_column(default=0)
    joined_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    paused_until: Mapped[datetime | None]
    paused_quiet: Mapped[bool] = mapped_column(default=False, server_default=false())
    # When they were last asked whether to stay in (once per quiet spell), and the outbox entry of that question.
    quiet_asked_at: Mapped[datetime | None]
    quiet_entry_id: Mapped[int | None]


class RoundExclusion(Base):
    """``member`` asked never to be grouped with ``excluded``. Private: only ``member`` ever hears of it."""

    __tablename__ = "round_exclusions"
    __table_args__ = (UniqueConstraint("member_id", "excluded_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    excluded_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    created_at: Mapped[datetime]


class Round(Base):
    """One round of a community: numbered, dated, with who sat it out and why (for the statistics)."""

    __tablename__ = "rounds"
    __table_args__ = (UniqueConstraint("community_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    number: Mapped[int]
    started_at: Mapped[datetime]
    group_size: Mapped[int]
    # "schedule" or the external id of the animator who started it by hand.
    started_by: Mapped[str] = mapped_column(String(64), default="schedule")
    method: Mapped[str] = mapped_column(String(16), default="search")
    # Member ids who could not be grouped this time (alone, or only with someone they must not meet).
    left_out: Mapped[list[Any]] = mapped_column(default=list)
    follow_up_at: Mapped[datetime | None]


class RoundGroup(Base):
    """A group of a round, and the outbox entry that opened its conversation."""

    __tablename__ = "round_groups"
    __table_args__ = (UniqueConstraint("round_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    position: Mapped[int]
    starter: Mapped[str] = mapped_column(String(64), default="")
    entry_id: Mapped[int | None]
    # The member asked to suggest a time (the one who had been captain least recently).
    captain_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))


class RoundGroupMember(Base):
    """A member in a group of a round, and their answer to "Did you meet?" (met, not_yet, wont, or none)."""

    __tablename__ = "round_group_members"
    __table_args__ = (
        UniqueConstraint("round_id", "member_id"),
        Index("ix_round_group_members_group_id", "group_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(ForeignKey("round_groups.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    answer: Mapped[RoundAnswer | None] = mapped_column(string_enum(RoundAnswer, 16))
    answered_at: Mapped[datetime | None]


class RoundPoll(Base):
    """A group's own date poll ("Find a time"): open, then closed on a time (``chosen_option_id``) or on none."""

    __tablename__ = "round_polls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("round_groups.id", ondelete="CASCADE"), index=True)
    # The external id of the member who suggested the times.
    created_by: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    chosen_option_id: Mapped[int | None]
    entry_id: Mapped[int | None]


class RoundPollOption(Base):
    """A time of a group's poll, numbered from 1 in the order it was written."""

    __tablename__ = "round_poll_options"
    __table_args__ = (UniqueConstraint("poll_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    poll_id: Mapped[int] = mapped_column(ForeignKey("round_polls.id", ondelete="CASCADE"))
    position: Mapped[int]
    text: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime | None]


class RoundPollAnswer(Base):
    """A group member's answer to one time: yes, maybe (if need be) or no; changed in place while the poll is
    open."""

    __tablename__ = "round_poll_answers"
    __table_args__ = (
        UniqueConstraint("option_id", "member_id"),
        Index("ix_round_poll_answers_poll_id", "poll_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    poll_id: Mapped[int] = mapped_column(ForeignKey("round_polls.id", ondelete="CASCADE"))
    option_id: Mapped[int] = mapped_column(ForeignKey("round_poll_options.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    choice: Mapped[str] = mapped_column(String(8))
    answered_at: Mapped[datetime]
