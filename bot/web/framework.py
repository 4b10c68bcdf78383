"""The dashboard's pages: how one is declared, and what its handlers receive (``View``).

A page is a module of ``bot.web.pages`` defining ``PAGE = Page(slug, title, show, save)``; the server finds them
all (like features) and serves ``/c/<community>/<slug>``: ``show`` for GET, ``save`` for POST. Both receive a
:class:`View`, built once the request is known to come from someone who animates that community (a valid session
cookie for it, the login still there, the same animator check as the chat's ``animator_only``), and a POST only
once its CSRF token matched. A page never writes to the database itself: what it changes goes through the core,
as the chat would (:meth:`View.command`, :meth:`View.submit`): the same handlers, transaction, outbox, permissions
and events.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar, cast
from urllib.parse import urlencode

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Outcome
from bot.events import ButtonPressed, CommandInvoked, CommunityRef, FormSubmitted, MemberRef
from bot.i18n import Translator
from bot.messages import Message, unmarked
from bot.settings import CommunitySettings
from bot.web.auth import Keys, SessionCookie
from storage.models import Community

if TYPE_CHECKING:
    import jinja2

    from bot.app import Agora

__all__ = ["Answer", "Page", "View", "answers"]

Handler = Callable[["View"], Awaitable[web.StreamResponse]]
M = TypeVar("M")


@dataclass(frozen=True)
class Page:
    """One page of the dashboard. ``title`` is an English message id (the navigation's label); ``order`` places
    it in the navigation; ``save`` handles the page's forms (None: the page has none)."""

    slug: str
    title: str
    show: Handler
    save: Handler | None = None
    order: int = 100


@dataclass(frozen=True)
class Answer:
    """What the core answered an action, ready for a template: a refusal or a confirmation."""

    title: str
    text: str
    fields: tuple[tuple[str, str], ...] = ()
    refused: bool = False


_MARKUP = re.compile(r"<(#|@&?)([^<>\s|]+)(?:\|[^<>]*)?>")


def readable(text: str) -> str:
    """A chat message's text for a web page: mentions and channels as ``@id`` / ``#id`` (the template escapes
    the rest: member text stays text)."""
    return _MARKUP.sub(lambda m: ("#" if m.group(1) == "#" else "@") + m.group(2), unmarked(text))


def answers(outcome: Outcome) -> list[Answer]:
    """The replies and form errors of ``outcome`` as page notices."""
    refused = outcome.error is not None
    out = [
        Answer(
            readable(message.title or ""),
            readable(message.text),
            tuple((readable(f.name), readable(f.value)) for f in message.fields),
            refused,
        )
        for message in outcome.replies
        if isinstance(message, Message)
    ]
    for name, error in (outcome.form_errors or {}).items():
        out.append(Answer(name, readable(error), refused=True))
    return out


@dataclass
class View:
    """One request of a signed-in animator to one community's page."""

    request: web.Request
    app: Agora
    templates: jinja2.Environment
    keys: Keys
    session: SessionCookie
    community: Community
    settings: CommunitySettings
    actor: MemberRef
    _: Translator
    pages: tuple[Page, ...]
    page: Page
    posted: Mapping[str, str] = field(default_factory=dict)
    # The language picked on the page (None: the animator's own, as the chat answers them).
    chosen: str | None = None
    # What pages keep between requests (the server's, shared by every request): see ``recent``.
    memo: dict[Any, tuple[datetime, Any]] = field(default_factory=dict)

    # --- who and where -------------------------------------------------------------------------------------

    @property
    def ref(self) -> CommunityRef:
        return CommunityRef(self.community.platform, self.community.external_id, self.community.name)

    @property
    def locale(self) -> str:
        return self._.locale

    def url(self, slug: str | None = None, **query: Any) -> str:
        """The address of one of this community's pages (this one by default)."""
        path = f"/c/{self.community.id}/{slug or self.page.slug}"
        return f"{path}?{urlencode(query)}" if query else path

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        """A database session to read what a page shows (reads only: changes go through the core)."""
        async with self.app.database.sessions() as session:
            yield session

    async def recent(self, key: Hashable, fresh: timedelta, compute: Callable[[], Awaitable[M]]) -> M:
        """``compute()``'s value for ``key`` in this community, computed again once older than ``fresh`` (by the
        app's clock): for figures worth a second to compute that a reload or a second animator asks again."""
        now = self.app.clock.now()
        slot = (self.community.id, key)
        kept = self.memo.get(slot)
        if kept is not None and now - kept[0] < fresh:
            return cast(M, kept[1])
        value = await compute()
        if len(self.memo) > 256:
            self.memo.clear()
        self.memo[slot] = (now, value)
        return value

    # --- acting through the core ---------------------------------------------------------------------------

    def _delivery(self) -> str:
        # A form's nonce: the same form posted twice (a reload, a double click) has one effect.
        nonce = self.posted.get("nonce") or secrets.token_urlsafe(12)
        return f"web:{self.session.login_id}:{nonce[:40]}"

    async def command(self, name: str, args: Mapping[str, Any]) -> Outcome:
        """Run ``/agora <name>`` with ``args`` as this animator, exactly as if typed in the chat."""
        event = CommandInvoked(
            community=self.ref, actor=self.actor, name=name, args=dict(args), delivery_id=self._delivery()
        )
        return await self.app.dispatch(event)

    async def press(self, action: str, ref: str = "") -> Outcome:
        """Press the chat's button ``action`` (on the row ``ref``) as this animator: approve, reject..."""
        event = ButtonPressed(
            community=self.ref, actor=self.actor, action=action, ref=ref, delivery_id=self._delivery()
        )
        return await self.app.dispatch(event)

    async def submit(self, form: str, values: Mapping[str, str], ref: str = "") -> Outcome:
        """Submit the chat's form ``form`` with ``values`` as this animator (a Discord modal, a Slack view)."""
        event = FormSubmitted(
            community=self.ref,
            actor=self.actor,
            form=form,
            ref=ref,
            values=dict(values),
            delivery_id=self._delivery(),
        )
        return await self.app.dispatch(event)

    async def reload(self) -> None:
        """Read the community and its settings again (after an action changed them), and the page's language
        if it followed the community's."""
        async with self.reading() as session:
            community = await session.get(Community, self.community.id)
            assert community is not None
            session.expunge(community)
        self.community, self.settings = community, self.app.settings_of(community)
        if not self.chosen:  # the animator's language may follow the community's, which may have changed
            self._ = await self.app.translator_for(self.ref, self.actor)

    # --- answering -----------------------------------------------------------------------------------------

    def render(self, template: str, *, status: int = 200, **values: Any) -> web.Response:
        """``template`` (autoescaped) with the page's frame: navigation, language switch, CSRF token."""
        context = {
            "_": self._,
            "locale": self.locale,
            "language": self._.language,
            # The page's French is the community's: « tu » where it says « tu ».
            "french": self.settings.locale if self.settings.locale.startswith("fr") else "fr",
            "view": self,
            "community_name": self.settings.name or self.community.name,
            "pages": self.pages,
            "page": self.page,
            "csrf": self.keys.csrf(self.session),
            "nonce": secrets.token_urlsafe(12),
            **values,
        }
        body = self.templates.get_template(template).render(context)
        return web.Response(text=body, status=status, content_type="text/html", charset="utf-8")
