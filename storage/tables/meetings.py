"""Tables of meeting polls and meetings: polls and their date options, answers, meetings, RSVPs, mission cards
drawn, and each member's meeting preferences. Uniqueness carries the idempotency: one answer per member per
option, one RSVP per member per meeting, one mission card per member per meeting."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, MeetingPollStatus, MeetingStatus, PollChoice, RsvpStatus, string_enum

__all__ = [
    "Meeting",
    "MeetingPoll",
    "MeetingPreference",
    "MissionDraw",
    "PollAnswer",
    "PollOption",
    "Rsvp",
]


class MeetingPoll(Base):
    """A date poll for a meeting (Doodle- or Rallly-like): open until its deadline or until everyone answered."""

    __tablename__ = "meeting_polls"
    __table_args__ = (Index("ix_meeting_polls_community_status", "community_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    place: Mapped[str] = mapped_column(String(300), default="")
    duration_minutes: Mapped[int] = mapped_column(default=120)
    capacity: Mapped[int | None]
    # Where the poll and its meeting are posted (the meetings channel, or where the poll was asked for).
    channel_id: Mapped[str | None] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    # open -> closed (a date was chosen) | tie (an animator picks) | cancelled
    status: Mapped[MeetingPollStatus] = mapped_column(
        string_enum(MeetingPollStatus, 16), default=MeetingPollStatus.OPEN
    )
    closed_at: Mapped[datetime | None]
    chosen_option_id: Mapped[int | None]
    # True when the bot opened it after a meeting (the next date is fixed systematically).
    automatic: Mapped[bool] = mapped_column(default=False)
    # The outbox entry of the poll's post (for live tally updates).
    post_entry_id: Mapped[int | None]
    # No longer written: the live tally's updates are found by the post they replace (``OutboxEntry.replaces``).
    tally_entry_id: Mapped[int | None]


class PollOption(Base):
    """One date option of a poll, as the animator typed it and as it was read."""

    __tablename__ = "meeting_poll_options"
    __table_args__ = (UniqueConstraint("poll_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    poll_id: Mapped[int] = mapped_column(ForeignKey("meeting_polls.id", ondelete="CASCADE"))
    position: Mapped[int]
    text: Mapped[str] = mapped_column(String(200), default="")
    starts_at: Mapped[datetime]
    # Only when the line gave a range ("18h-20h"); otherwise the poll's duration applies.
    ends_at: Mapped[datetime | None]


class PollAnswer(Base):
    """A member's answer to one option: yes, maybe (if need be) or no. Changed in place until the poll closes."""

    __tablename__ = "meeting_poll_answers"
    __table_args__ = (
        UniqueConstraint("option_id", "member_id"),
        Index("ix_meeting_poll_answers_poll_id", "poll_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    poll_id: Mapped[int] = mapped_column(ForeignKey("meeting_polls.id", ondelete="CASCADE"))
    option_id: Mapped[int] = mapped_column(ForeignKey("meeting_poll_options.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    choice: Mapped[PollChoice] = mapped_column(string_enum(PollChoice, 8))
    answered_at: Mapped[datetime]


class Meeting(Base):
    """A meeting: its date, place, capacity, the announcement members RSVP on, and what it left (the recap)."""

    __tablename__ = "meetings"
    __table_args__ = (Index("ix_meetings_community_starts", "community_id", "starts_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    poll_id: Mapped[int | None] = mapped_column(ForeignKey("meeting_polls.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    place: Mapped[str] = mapped_column(String(300), default="")
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    capacity: Mapped[int | None]
    channel_id: Mapped[str | None] = mapped_column(String(64))
    # scheduled -> cancelled; a scheduled meeting whose end passed has ``ended_at``.
    status: Mapped[MeetingStatus] = mapped_column(
        string_enum(MeetingStatus, 16), default=MeetingStatus.SCHEDULED
    )
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    announcement_entry_id: Mapped[int | None]
    list_entry_id: Mapped[int | None]
    ended_at: Mapped[datetime | None]
    recap: Mapped[str | None] = mapped_column(Text)
    materials: Mapped[str | None] = mapped_column(Text)
    recap_by: Mapped[str | None] = mapped_column(String(64))
    recap_at: Mapped[datetime | None]
    recap_entry_id: Mapped[int | None]
    # The end-of-meeting post where members draw mission cards, and its latest pending update.
    missions_entry_id: Mapped[int | None]
    missions_update_id: Mapped[int | None]


class Rsvp(Base):
    """A member's answer to a meeting: going, maybe, not_going, or waitlist (going, once a place opens)."""

    __tablename__ = "meeting_rsvps"
    __table_args__ = (
        UniqueConstraint("meeting_id", "member_id"),
        Index("ix_meeting_rsvps_meeting_status", "meeting_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    status: Mapped[RsvpStatus] = mapped_column(string_enum(RsvpStatus, 16))
    updated_at: Mapped[datetime]
    # When the member joined the waiting list: its order.
    waitlisted_at: Mapped[datetime | None]


class MissionDraw(Base):
    """A mission card a member drew at the end of a meeting (for the time until the next one)."""

    __tablename__ = "meeting_mission_draws"
    __table_args__ = (UniqueConstraint("meeting_id", "member_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    card_id: Mapped[str] = mapped_column(String(64))
    drawn_at: Mapped[datetime]


class MeetingPreference(Base):
    """A member's own meeting settings: their time zone (dates shown in it), and whether they get reminders."""

    __tablename__ = "meeting_preferences"
    __table_args__ = (UniqueConstraint("member_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    timezone: Mapped[str | None] = mapped_column(String(64))
    reminders: Mapped[bool] = mapped_column(default=True)
