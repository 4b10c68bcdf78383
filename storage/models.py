"""The tables. Every row belongs to a community; uniqueness constraints carry the idempotency
(one acknowledgement per member per charter version, one processed delivery id, one timer per purpose)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, Integer, MetaData, String, Text, UniqueConstraint, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.types import UTCDateTime

__all__ = [
    "Acknowledgement",
    "AmendmentChoice",
    "AmendmentStatus",
    "Base",
    "Charter",
    "Community",
    "DebateLeadAskStatus",
    "DebateMotionStatus",
    "DebateStatus",
    "Heartbeat",
    "IcebreakerQuestionStatus",
    "InboxEntry",
    "MeetingPollStatus",
    "MeetingStatus",
    "Member",
    "OutboxEntry",
    "OutboxStatus",
    "PollChoice",
    "ProcessedDelivery",
    "RoundAnswer",
    "RsvpStatus",
    "Schedule",
    "Timer",
    "string_enum",
]

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# --- statuses ------------------------------------------------------------------------------------------------
# The values a status-like column takes, for the foundation's tables and the features' (storage/tables/). Members
# are ``str``s: they compare equal to the plain strings and are stored as them.


class OutboxStatus(StrEnum):
    """``OutboxEntry.status``: pending, then sent, failed (never will succeed), abandoned (gave up after many
    transient errors), superseded (a newer update of the same post replaced it before it was delivered) or
    dropped (it was for, or about, a member who erased their data)."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    ABANDONED = "abandoned"
    SUPERSEDED = "superseded"
    DROPPED = "dropped"


class AmendmentStatus(StrEnum):
    """``Amendment.status``: open, then adopted, rejected, withdrawn or outdated (the section changed meanwhile)."""

    OPEN = "open"
    ADOPTED = "adopted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    OUTDATED = "outdated"


class AmendmentChoice(StrEnum):
    """``AmendmentVote.choice``."""

    FOR = "for"
    AGAINST = "against"
    ABSTAIN = "abstain"


class IcebreakerQuestionStatus(StrEnum):
    """``IcebreakerQuestion.status``: pending, then approved or rejected; approved, then removed."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    REMOVED = "removed"


class RoundAnswer(StrEnum):
    """``RoundGroupMember.answer`` to "Did you meet?" (None until they answer)."""

    MET = "met"
    NOT_YET = "not_yet"
    WONT = "wont"


class DebateMotionStatus(StrEnum):
    """``DebateMotion.status``: a member's proposal is pending, then approved or declined."""

    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


class DebateStatus(StrEnum):
    """``Debate.status``: open, then closed; unposted when its post failed for good (nobody ever saw it)."""

    OPEN = "open"
    CLOSED = "closed"
    UNPOSTED = "unposted"


class DebateLeadAskStatus(StrEnum):
    """``DebateLeadAsk.status``: pending, then accepted, declined, expired (no answer in time) or void (the debate
    closed first)."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    VOID = "void"


class MeetingPollStatus(StrEnum):
    """``MeetingPoll.status``: open, then closed (a date was chosen), tie (an animator picks) or cancelled."""

    OPEN = "open"
    CLOSED = "closed"
    TIE = "tie"
    CANCELLED = "cancelled"


class PollChoice(StrEnum):
    """``PollAnswer.choice`` for one date option (maybe: if need be)."""

    YES = "yes"
    MAYBE = "maybe"
    NO = "no"


class MeetingStatus(StrEnum):
    """``Meeting.status``: scheduled, then cancelled (a scheduled meeting whose end passed has ``ended_at``)."""

    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class RsvpStatus(StrEnum):
    """``Rsvp.status``: going, maybe, not_going, or waitlist (going, once a place opens)."""

    GOING = "going"
    MAYBE = "maybe"
    NOT_GOING = "not_going"
    WAITLIST = "waitlist"


def _values(enum: type[StrEnum]) -> list[str]:
    return [member.value for member in enum]


def string_enum(enum: type[StrEnum], length: int) -> Enum:
    """The column type of a status: a plain ``VARCHAR(length)`` in the database (no enum type, no CHECK
    constraint: a new value needs no migration), read back as ``enum``'s members. A value outside ``enum`` is
    refused before it is written (``LookupError``)."""
    return Enum(
        enum,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=_values,
        validate_strings=True,
    )


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
    # When Agora first read the platform's list of members (see bot.membership): before it, a member it did not
    # know was already there; after it, one it does not know joined while it was not listening.
    members_imported_at: Mapped[datetime | None]


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
    # Set for a member who was already in the community when Agora arrived (learnt from the platform's member
    # list, never welcomed as a newcomer); None for a member Agora saw join.
    existing_at: Mapped[datetime | None]
    # The language the member chose with ``/agora language`` (``fr``, ``en``); None follows their platform.
    locale_chosen: Mapped[str | None] = mapped_column(String(16))
    # Their platform's locale as last seen on one of their events (Discord client, Slack profile).
    locale_seen: Mapped[str | None] = mapped_column(String(16))
    # Their time zone as their platform gives it (Slack profile); the one they choose for meetings goes first.
    timezone_seen: Mapped[str | None] = mapped_column(String(64))


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


class InboxEntry(Base):
    """An event a platform delivered and Agora acknowledged, kept until it is handled (the transactional inbox).

    Written before the acknowledgement, deleted in the transaction that handles the event: what is left at start
    was acknowledged but never handled, and is handled then. ``event`` is the core's event, serialised
    (``bot.inbox``). Not tied to a community: the event may be the one that creates it."""

    __tablename__ = "inbox"
    __table_args__ = (UniqueConstraint("delivery_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delivery_id: Mapped[str] = mapped_column(String(200))
    platform: Mapped[str] = mapped_column(String(20))
    event: Mapped[dict[str, Any]]
    accepted_at: Mapped[datetime] = mapped_column(index=True)


class Heartbeat(Base):
    """One row per process name, rewritten by ``/healthz``: a write the database must accept to be healthy."""

    __tablename__ = "heartbeat"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    beat_at: Mapped[datetime]


class OutboxEntry(Base):
    """Something the bot must do on a platform after a commit and must not lose (a post, a DM, a role).

    Entries done (sent, superseded, failed, abandoned) are pruned after ``database.keep_for`` (``bot.retention``),
    except those a feature's row still points at: a column named ``*entry_id`` (or a JSON list named ``*_entries``)
    keeps its entry, whose ``result`` says where the post is, for as long as the row lives."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_done", "status", "done_at"),
        # One update per post waits at a time: a newer state is written into the waiting one (``replace_post``).
        Index(
            "uq_outbox_waiting_update",
            "replaces",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    op: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]]
    status: Mapped[OutboxStatus] = mapped_column(string_enum(OutboxStatus, 16), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime]
    done_at: Mapped[datetime | None]
    # What the entry is for, so that a post failing for good reaches the feature that asked for it (``PostFailed``):
    # the feature's name for its row (``debate``) and the row (its id), and the member who acted, if one did.
    origin: Mapped[str | None] = mapped_column(String(32))
    origin_ref: Mapped[str | None] = mapped_column(String(64))
    actor_id: Mapped[str | None] = mapped_column(String(64))
    # Why it failed for good, in the core's words (``bot.chat.Problem`` values, comma-separated), when known.
    problem: Mapped[str | None] = mapped_column(String(128))
    # On PostgreSQL, the process delivering it and until when (``bot.outbox``): another process takes a pending
    # entry over only once the lease has run out (its holder died mid-delivery). Unused on SQLite (one process).
    claimed_by: Mapped[str | None] = mapped_column(String(96))
    lease_until: Mapped[datetime | None]
    # An update of an earlier post (``ReplacePost``): that post's entry. While the update waits, a newer state of
    # the same post is written into it (one statement, ``Context.replace_post``) and ``revision`` counts up, so
    # that a delivery of the state it replaced does not mark it sent (``Courier._mark_sent``).
    replaces: Mapped[int | None]
    revision: Mapped[int] = mapped_column(default=0, server_default="0")


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
