"""The animators' web dashboard: one-time sign-in links (their sessions hang on them), and the key that signs the
session cookies when the config gives none."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base

__all__ = ["CalendarFeed", "DashboardLogin", "WebSecret"]


class DashboardLogin(Base):
    """A sign-in link ``/agora dashboard`` gave an animator, and the session it opened.

    Only a hash of the link's token is kept: whoever reads the database can't sign in. ``used_at`` is set when the
    link opens a session (a link is usable once); the session's cookie names this row, so deleting the row (or the
    member no longer animating) ends the session. ``actor`` is the member as the platform described them when they
    asked (their roles, whether they administer the community), what the animator check reads on each request."""

    __tablename__ = "dashboard_logins"
    __table_args__ = (UniqueConstraint("token_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64))
    actor: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class WebSecret(Base):
    """A key the dashboard generated for itself (``session``: signs cookies), kept so sessions survive a restart."""

    __tablename__ = "web_secrets"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime]


class CalendarFeed(Base):
    """A community's calendar feed: the secret token of its ``.ics`` address, which members' calendars
    subscribe to without signing in. Random (32 bytes); an animator replaces it from the Meetings page when the
    address went where it should not (the old address then answers 404)."""

    __tablename__ = "calendar_feeds"
    __table_args__ = (UniqueConstraint("community_id"), UniqueConstraint("token"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
