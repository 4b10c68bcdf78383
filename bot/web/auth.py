"""Signing in to the dashboard without a password: one-time links, signed session cookies, CSRF tokens.

``/agora dashboard`` asks :func:`issue_link` for a link bound to the animator and the community: a random token
whose hash is stored (``DashboardLogin``), valid ``LINK_LIFETIME`` and usable once (:func:`redeem`). Opening it
starts a session: a cookie naming the login row, signed with the dashboard's key (HMAC-SHA256), valid
``SESSION_LIFETIME``. Every request checks the signature, the row, and that the member still animates the
community as the platform describes them now (``Dashboard.animator`` in ``bot.web.server``). A form carries a CSRF token derived from the session, so another
site can't make a signed-in browser post to the dashboard.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.events import MemberRef
from storage.models import Community, Member
from storage.tables.dashboard import DashboardLogin, WebSecret

__all__ = [
    "LINK_LIFETIME",
    "SESSION_LIFETIME",
    "Keys",
    "SessionCookie",
    "actor_of_login",
    "issue_link",
    "load_keys",
    "redeem",
    "usable",
]

LINK_LIFETIME = timedelta(minutes=10)
SESSION_LIFETIME = timedelta(hours=12)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _actor_dict(actor: MemberRef) -> dict[str, Any]:
    data = asdict(actor)
    data["roles"] = sorted(actor.roles)
    return data


def actor_of_login(login: DashboardLogin) -> MemberRef:
    """The member a login was given to, as the platform described them when they asked for the link."""
    data = dict(login.actor)
    data["roles"] = frozenset(data.get("roles") or ())
    return MemberRef(**data)


async def issue_link(
    session: AsyncSession, community: Community, member: Member, actor: MemberRef, now: datetime
) -> str:
    """A new sign-in token for ``actor`` (stored as ``member``) in ``community``; only its hash is kept. The
    community's logins whose sessions ended are deleted on the way, so the table stays small."""
    await session.execute(
        delete(DashboardLogin).where(
            DashboardLogin.community_id == community.id,
            DashboardLogin.expires_at < now - SESSION_LIFETIME,
        )
    )
    token = secrets.token_urlsafe(32)
    session.add(
        DashboardLogin(
            community_id=community.id,
            member_id=member.id,
            token_hash=_hash(token),
            actor=_actor_dict(actor),
            created_at=now,
            expires_at=now + LINK_LIFETIME,
        )
    )
    await session.flush()
    return token


async def usable(session: AsyncSession, token: str, now: datetime) -> DashboardLogin | None:
    """The login ``token`` would open, left unused; None when it is unknown, used already or expired."""
    login = await session.scalar(select(DashboardLogin).where(DashboardLogin.token_hash == _hash(token)))
    if login is None or login.used_at is not None or login.expires_at <= now:
        return None
    return login


async def redeem(session: AsyncSession, token: str, now: datetime) -> DashboardLogin | None:
    """The login ``token`` opens, marked used; None when it is unknown, used already or expired."""
    login = await usable(session, token, now)
    if login is None:
        return None
    login.used_at = now
    await session.flush()
    return login


@dataclass(frozen=True)
class SessionCookie:
    """What a session cookie says: the login it came from, its community, and when it ends."""

    login_id: int
    community_id: int
    expires: int  # Unix seconds

    @property
    def name(self) -> str:
        """One cookie per community: an animator of two communities can have both open."""
        return cookie_name(self.community_id)


def cookie_name(community_id: int) -> str:
    return f"agora_c{community_id}"


class Keys:
    """The dashboard's key: signs session cookies and derives CSRF tokens."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def _sign(self, payload: str) -> str:
        return hmac.new(self._key, payload.encode(), hashlib.sha256).hexdigest()

    def cookie(self, login: DashboardLogin, now: datetime) -> tuple[SessionCookie, str]:
        """A session for ``login`` from ``now``, and the cookie's value."""
        session = SessionCookie(login.id, login.community_id, int((now + SESSION_LIFETIME).timestamp()))
        payload = f"{session.login_id}.{session.community_id}.{session.expires}"
        return session, f"{payload}.{self._sign(payload)}"

    def read_cookie(self, value: str | None, community_id: int, now: datetime) -> SessionCookie | None:
        """The session ``value`` holds, if its signature is ours, it is for ``community_id`` and not over."""
        if not value:
            return None
        payload, _, signature = value.rpartition(".")
        if not hmac.compare_digest(self._sign(payload), signature):
            return None
        try:
            login_id, community, expires = (int(part) for part in payload.split("."))
        except ValueError:
            return None
        if community != community_id or expires <= now.timestamp():
            return None
        return SessionCookie(login_id, community, expires)

    def csrf(self, session: SessionCookie) -> str:
        """The token every form of this session carries."""
        return self._sign(f"csrf.{session.login_id}.{session.expires}")

    def csrf_ok(self, session: SessionCookie, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(self.csrf(session), str(token))


async def load_keys(session: AsyncSession, configured: str | None, now: datetime) -> Keys:
    """The configured secret, or the one generated at first start and kept in the database."""
    if configured:
        return Keys(configured.encode())
    row = await session.get(WebSecret, "session")
    if row is None:
        row = WebSecret(name="session", value=secrets.token_hex(32), created_at=now)
        session.add(row)
        await session.flush()
    return Keys(row.value.encode())
