"""Mutual help: what members ask the network for, the members Agora asks on their behalf (and how each
answered), and each member's choices as a helper (pause being asked, not being named in thanks).

An ask is ``open`` until its author marks it ``solved`` or ``withdrawn``. Each member asked to help is one
``HelpOffer`` row: ``suggested`` by Agora (asked by DM, double opt-in), ``volunteered`` (pressed "I can help" on a
public ask) or ``referred`` (someone pressed "I know someone" and named them); it is ``asked`` until they answer
``accepted`` or ``declined``, or until Agora cannot reach them (``unreachable``).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, string_enum

__all__ = ["AskStatus", "HelpAsk", "HelpOffer", "HelpPreference", "OfferSource", "OfferStatus"]


class AskStatus(StrEnum):
    """``HelpAsk.status``."""

    OPEN = "open"
    SOLVED = "solved"
    WITHDRAWN = "withdrawn"


class OfferSource(StrEnum):
    """How a member came to be asked: Agora suggested them, they volunteered, or someone named them."""

    SUGGESTED = "suggested"
    VOLUNTEERED = "volunteered"
    REFERRED = "referred"


class OfferStatus(StrEnum):
    """``HelpOffer.status``."""

    ASKED = "asked"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    UNREACHABLE = "unreachable"


class HelpAsk(Base):
    """What a member asks the network for. ``discreet`` asks are never posted: only the members Agora asks see
    them."""

    __tablename__ = "help_asks"
    __table_args__ = (Index("ix_help_asks_listing", "community_id", "status", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    asker_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    need: Mapped[str] = mapped_column(Text)
    details: Mapped[str] = mapped_column(Text, default="")
    by_when: Mapped[datetime | None]
    discreet: Mapped[bool] = mapped_column(default=False)
    status: Mapped[AskStatus] = mapped_column(string_enum(AskStatus, 16), default=AskStatus.OPEN)
    created_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    # The member the asker said helped (optional), and the thank-you they wrote.
    helped_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    thanks: Mapped[str] = mapped_column(Text, default="")
    # The outbox entries of the public post and of the thank-you's post (their results say where they are).
    post_entry_id: Mapped[int | None] = mapped_column(Integer)
    thanks_entry_id: Mapped[int | None] = mapped_column(Integer)
    # When the asker was told nobody had accepted yet, asked whether it is solved, took it to the animators.
    quiet_told_at: Mapped[datetime | None]
    followed_up_at: Mapped[datetime | None]
    animators_asked_at: Mapped[datetime | None]


class HelpOffer(Base):
    """A member asked to help with an ask, and their answer."""

    __tablename__ = "help_offers"
    __table_args__ = (
        UniqueConstraint("ask_id", "helper_id"),
        Index("ix_help_offers_helper", "community_id", "helper_id", "asked_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    ask_id: Mapped[int] = mapped_column(ForeignKey("help_asks.id", ondelete="CASCADE"))
    helper_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    source: Mapped[OfferSource] = mapped_column(string_enum(OfferSource, 16))
    status: Mapped[OfferStatus] = mapped_column(string_enum(OfferStatus, 16), default=OfferStatus.ASKED)
    # Why Agora thought of them, one "field<TAB>words" line per reason ("offers\tcontract law").
    reasons: Mapped[str] = mapped_column(Text, default="")
    # The member who named them ("I know someone"), if someone did.
    referred_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    asked_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
    # The outbox entries of the DM asking them and of the conversation opened once they accepted.
    dm_entry_id: Mapped[int | None] = mapped_column(Integer)
    group_entry_id: Mapped[int | None] = mapped_column(Integer)


class HelpPreference(Base):
    """A member's choices as a helper: not to be asked for a while (``paused``), not to be named when thanked."""

    __tablename__ = "help_preferences"
    __table_args__ = (UniqueConstraint("member_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    paused: Mapped[bool] = mapped_column(default=False)
    unnamed: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime]
