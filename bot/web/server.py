"""The dashboard's web server: aiohttp, run by ``agora run`` beside ``/healthz`` when ``web.enabled``.

    GET  /                      how to sign in
    GET  /login/<token>         "Sign in to <community>" (a button: link previews must not use the link up)
    POST /login/<token>         opens the session (the link is used), then the community's first page
    GET  /c/<id>/<page>         a page (``bot.web.pages``), for a signed-in animator of community <id>
    POST /c/<id>/<page>         its form (CSRF token checked first)
    POST /c/<id>/logout         ends the session
    GET  /static/<file>         the style sheet
    GET  /calendar/<token>.ics  a community's meetings for members' calendars (the secret token is the key)

Every response says not to be framed, cached or sent as a referrer to another site (a sign-in link's token must
not leak). Every request with a session, and the use of a sign-in link, asks the platform whether its animator
still animates the community (``Dashboard.animator``).
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import pkgutil
from collections import OrderedDict
from dataclasses import replace
from datetime import datetime, timedelta
from importlib import resources
from typing import TYPE_CHECKING, Any

import jinja2
from aiohttp import web
from sqlalchemy import select
from yarl import URL

from bot.chat import ChatError, TransientChatError
from bot.events import CommunityRef, MemberRef
from bot.health import serve_on
from bot.i18n import LOCALES, Translator, translator
from bot.web import pages as pages_package
from bot.web.auth import SESSION_LIFETIME, Keys, actor_of_login, cookie_name, load_keys, redeem, usable
from bot.web.calendar import feed_community, feed_ics
from bot.web.framework import Page, View
from storage.models import Community, Member
from storage.tables.dashboard import DashboardLogin

if TYPE_CHECKING:
    from bot.app import Agora
    from bot.config import WebConfig

__all__ = ["GRACE", "LANGUAGE_COOKIE", "Dashboard", "Unverified", "chosen_language", "discover_pages"]

log = logging.getLogger("agora.web")

# How long what the platform last said of an animator stands when it can't be asked again (not connected in this
# process, a rate limit, a network error): a hiccup does not interrupt someone's work, and a role taken away
# meanwhile is honoured for a minute at most. Past it, the page says it can't check (it lets nobody in on what it
# can't check, and tells nobody their session ended when it may not have).
GRACE = timedelta(seconds=60)
# How long a page waits for the platform's answer before taking it for a hiccup.
ASK_TIMEOUT = 5.0
# Logins whose last answer is kept (for GRACE); the oldest go first.
SAID_KEPT = 1000

LANGUAGE_COOKIE = "agora_lang"
_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # Same-origin: a sign-in link never travels to another site, and our own forms still say where they come
    # from (Origin), which the sign-in checks.
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def discover_pages() -> tuple[Page, ...]:
    """Every page of ``bot.web.pages`` (each module's ``PAGE``), in navigation order."""
    found = []
    for info in pkgutil.iter_modules(pages_package.__path__):
        module = importlib.import_module(f"{pages_package.__name__}.{info.name}")
        page = getattr(module, "PAGE", None)
        if isinstance(page, Page):
            found.append(page)
    return tuple(sorted(found, key=lambda p: (p.order, p.slug)))


def templates() -> jinja2.Environment:
    """The templates (package data), HTML always escaped."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("bot.web", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


class Unverified(Exception):
    """The platform can't say now whether someone animates a community, and what it said last is too old."""


class Dashboard:
    """The animators' dashboard for every community this Agora serves."""

    def __init__(self, app: Agora, config: WebConfig, pages: tuple[Page, ...] | None = None) -> None:
        self.app = app
        self.config = config
        self.pages = discover_pages() if pages is None else pages
        self.templates = templates()
        self.keys: Keys | None = None
        self.port = config.port
        self.memo: dict[Any, Any] = {}  # what pages keep between requests (View.recent)
        # What the platform last said of each login's animator (None: not in the community), and when.
        self._said: OrderedDict[int, tuple[datetime, MemberRef | None]] = OrderedDict()
        self._runner: web.AppRunner | None = None

    # --- life cycle --------------------------------------------------------------------------------------

    def web_app(self) -> web.Application:
        application = web.Application()
        # Set as each response is about to be sent, so a streamed one (the CSV download) has them too.
        application.on_response_prepare.append(_headers)
        application.router.add_get("/", self.home)
        application.router.add_get("/static/{name}", self.static)
        application.router.add_get("/calendar/{token}.ics", self.calendar)
        application.router.add_get("/login/{token}", self.login_page)
        application.router.add_post("/login/{token}", self.login)
        application.router.add_post("/c/{community}/logout", self.logout)
        application.router.add_get("/c/{community}/", self.first_page)
        application.router.add_route("*", "/c/{community}/{page}", self.community_page)
        return application

    async def start(self) -> int:
        """Start serving; returns the port (useful when configured as 0)."""
        async with self.app.database.transaction() as session:
            secret = self.config.secret.get_secret_value() if self.config.secret else None
            self.keys = await load_keys(session, secret, self.app.clock.now())
        self._runner, self.port = await serve_on(self.web_app(), self.config.host, self.config.port)
        return self.port

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # --- pages without a session -------------------------------------------------------------------------

    def _language(self, request: web.Request, default: str) -> Translator:
        """The page's language: ``?lang=`` (remembered in a cookie), the cookie, else ``default``."""
        return translator(chosen_language(request) or default)

    def _plain(
        self,
        request: web.Request,
        template: str,
        *,
        status: int = 200,
        speaking: Translator | None = None,
        **values: Any,
    ) -> web.Response:
        """A page outside a community's (``speaking``: its language when known, else the chosen one or Agora's)."""
        _ = speaking or self._language(request, self.app.base_settings().locale)
        body = self.templates.get_template(template).render(_=_, language=_.language, **values)
        response = web.Response(text=body, status=status, content_type="text/html", charset="utf-8")
        self._remember_language(request, response)
        return response

    def _remember_language(self, request: web.Request, response: web.StreamResponse) -> None:
        # A streamed response (the CSV download) has sent its cookies already: the page linking to it set this.
        if request.query.get("lang") in LOCALES and not response.prepared:
            response.set_cookie(
                LANGUAGE_COOKIE, request.query["lang"], max_age=365 * 86400, httponly=True, samesite="Lax"
            )

    def refused(
        self, request: web.Request, status: int = 403, speaking: Translator | None = None
    ) -> web.Response:
        """Not signed in to this community (or not any more): how to get a new link."""
        return self._plain(request, "signin.html", status=status, speaking=speaking)

    async def _speaking(self, request: web.Request, community: Community, member: MemberRef) -> Translator:
        """The language chosen on the page, else ``member``'s in ``community`` (as the chat answers them)."""
        chosen = chosen_language(request)
        if chosen:
            return translator(chosen)
        ref = CommunityRef(community.platform, community.external_id, community.name)
        return await self.app.translator_for(ref, member)

    async def home(self, request: web.Request) -> web.Response:
        return self._plain(request, "signin.html")

    async def static(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if name != "style.css":
            raise web.HTTPNotFound()
        css = resources.files("bot.web").joinpath("static", name).read_text(encoding="utf-8")
        response = web.Response(text=css, content_type="text/css", charset="utf-8")
        response.headers["Cache-Control"] = "public, max-age=3600"
        return response

    async def calendar(self, request: web.Request) -> web.StreamResponse:
        """A community's calendar feed, for whoever has its secret address (members' calendars): read-only."""
        async with self.app.database.sessions() as session:
            community = await feed_community(session, request.match_info["token"])
            if community is None:
                raise web.HTTPNotFound()
            name = self.app.settings_of(community).name or community.name
            text = await feed_ics(session, community, self.app.clock.now(), name)
        response = web.Response(text=text, content_type="text/calendar", charset="utf-8")
        response.headers["Content-Disposition"] = 'inline; filename="meetings.ics"'
        response.headers["Cache-Control"] = "private, max-age=900"
        return response

    async def login_page(self, request: web.Request) -> web.Response:
        return self._plain(request, "login.html", token=request.match_info["token"])

    async def login(self, request: web.Request) -> web.StreamResponse:
        """Use a sign-in link: once, within its ten minutes, by someone who still animates its community."""
        assert self.keys is not None
        if not _same_origin(request):
            # Another site's page posting someone's link would sign this browser in as that someone.
            return self._plain(request, "csrf.html", status=403)
        now = self.app.clock.now()
        token = request.match_info["token"][:100]
        # Checked before the link is used, out of any transaction (the platform may take seconds to answer): a
        # link that can't be checked now still works in a minute.
        async with self.app.database.sessions() as session:
            login = await usable(session, token, now)
            community = await session.get(Community, login.community_id) if login is not None else None
            member = await session.get(Member, login.member_id) if login is not None else None
            session.expunge_all()
        if login is None or community is None:
            return self._plain(request, "expired.html", status=403)
        admitted = await self._admitted(request, login, community, member, "expired.html")
        if isinstance(admitted, web.Response):
            return admitted
        async with self.app.database.transaction() as session:
            login = await redeem(session, token, now)  # once, whoever else posted it meanwhile
            if login is None:
                return self._plain(request, "expired.html", status=403)
            cookie, value = self.keys.cookie(login, now)
        response = web.HTTPSeeOther(f"/c/{cookie.community_id}/")
        response.set_cookie(
            cookie.name,
            value,
            max_age=int(SESSION_LIFETIME.total_seconds()),
            httponly=True,
            samesite="Lax",
            secure=self.config.public_url.startswith("https://"),
            path="/",
        )
        log.info("dashboard sign-in", extra={"agora": {"community": cookie.community_id}})
        raise response

    async def animator(
        self, login: DashboardLogin, community: Community, member: Member | None
    ) -> MemberRef | None:
        """The member of ``login`` as the platform describes them now, if they still animate ``community``: the
        chat's own check (``animator_only``: admin, listed, or holding the animator role or user group), with the
        community's settings now. None when they left, lost the role or group, are no longer an admin, or were
        taken off the animators.

        The platform is asked on every request (``Chat.describe_member``): what it said when the link was asked
        for is not trusted for the twelve hours a session lasts. When it can't answer (not connected in this
        process, a rate limit, a network error), what it said last stands for ``GRACE`` (asking for the link
        counts); past that, ``Unverified``. A permanent refusal (the bot was removed from the server) refuses."""
        if member is None or member.left_at is not None:
            return None
        stored = actor_of_login(login)
        settings = self.app.settings_of(community)
        chat = self.app.chats.get(community.platform)
        if chat is not None:
            ref = CommunityRef(community.platform, community.external_id, community.name)
            where = {"community": community.id, "login": login.id}
            try:
                current = await asyncio.wait_for(chat.describe_member(ref, stored.id), ASK_TIMEOUT)
            except (TransientChatError, TimeoutError) as exc:
                log.warning(
                    "dashboard: the platform can't say who animates",
                    extra={"agora": {**where, "error": str(exc)}},
                )
            except ChatError as exc:
                log.warning(
                    "dashboard: the platform refused to say who animates",
                    extra={"agora": {**where, "error": str(exc)}},
                )
                return None
            else:
                if current is not None:
                    # What an interaction carries and a lookup may not (Discord's client locale) stays.
                    current = replace(
                        current,
                        locale=current.locale or stored.locale,
                        timezone=current.timezone or stored.timezone,
                    )
                self._remember(login.id, current)
                return current if current is not None and self.app.is_animator(current, settings) else None
        said_at, said = self._said.get(login.id) or (login.created_at, stored)
        if self.app.clock.now() - said_at > GRACE:
            raise Unverified(f"nothing said of login {login.id} since {said_at.isoformat()}")
        return said if said is not None and self.app.is_animator(said, settings) else None

    async def _admitted(
        self,
        request: web.Request,
        login: DashboardLogin,
        community: Community,
        member: Member | None,
        refusal: str,
    ) -> MemberRef | web.Response:
        """The animator ``login`` is for (``animator``), or the page that says no (``refusal``, a template) or
        that Agora can't tell now, in the community's language or the member's."""
        try:
            actor = await self.animator(login, community, member)
        except Unverified:
            template, status = "unverified.html", 503
        else:
            if actor is not None:
                return actor
            template, status = refusal, 403
        speaking = await self._speaking(request, community, actor_of_login(login))
        return self._plain(request, template, status=status, speaking=speaking)

    def _remember(self, login_id: int, said: MemberRef | None) -> None:
        """Keep what the platform said of a login's member (for ``GRACE``), a refusal as much as a yes."""
        self._said[login_id] = (self.app.clock.now(), said)
        self._said.move_to_end(login_id)
        while len(self._said) > SAID_KEPT:
            self._said.popitem(last=False)

    # --- a community's pages -----------------------------------------------------------------------------

    async def _view(self, request: web.Request, page: Page) -> View | web.Response:
        """The signed-in animator's view of this community, or the refusal to show."""
        assert self.keys is not None
        try:
            community_id = int(request.match_info["community"])
        except ValueError:
            raise web.HTTPNotFound() from None
        now = self.app.clock.now()
        cookie = self.keys.read_cookie(request.cookies.get(cookie_name(community_id)), community_id, now)
        if cookie is None:
            return self.refused(request)
        async with self.app.database.sessions() as session:
            login = await session.scalar(
                select(DashboardLogin).where(
                    DashboardLogin.id == cookie.login_id, DashboardLogin.community_id == community_id
                )
            )
            community = await session.get(Community, community_id) if login is not None else None
            member = await session.get(Member, login.member_id) if login is not None else None
            session.expunge_all()
        if login is None or login.used_at is None or community is None:
            return self.refused(request)
        # Asked out of the read above: the platform may take a moment to answer.
        actor = await self._admitted(request, login, community, member, "signin.html")
        if isinstance(actor, web.Response):
            return actor
        settings = self.app.settings_of(community)
        # The page speaks the language chosen on it, else the animator's own (as the chat answers them).
        chosen = chosen_language(request)
        posted: dict[str, str] = {}
        if request.method == "POST":
            data = await request.post()
            posted = {key: value for key, value in data.items() if isinstance(value, str)}
            if not self.keys.csrf_ok(cookie, posted.get("csrf")):
                return self._plain(request, "csrf.html", status=403)
        return View(
            request=request,
            app=self.app,
            templates=self.templates,
            keys=self.keys,
            session=cookie,
            community=community,
            settings=settings,
            actor=actor,
            _=await self._speaking(request, community, actor),
            pages=self.pages,
            page=page,
            posted=posted,
            chosen=chosen,
            memo=self.memo,
        )

    async def first_page(self, request: web.Request) -> web.StreamResponse:
        if not self.pages:
            raise web.HTTPNotFound()
        view = await self._view(request, self.pages[0])
        if isinstance(view, web.Response):
            return view
        raise web.HTTPSeeOther(view.url())

    async def community_page(self, request: web.Request) -> web.StreamResponse:
        page = next((p for p in self.pages if p.slug == request.match_info["page"]), None)
        if page is None or request.method not in ("GET", "HEAD", "POST"):
            raise web.HTTPNotFound()
        if request.method == "POST" and page.save is None:
            raise web.HTTPMethodNotAllowed("POST", ["GET"])
        view = await self._view(request, page)
        if isinstance(view, web.Response):
            return view
        handler = page.save if request.method == "POST" and page.save is not None else page.show
        response = await handler(view)
        self._remember_language(request, response)
        return response

    async def logout(self, request: web.Request) -> web.StreamResponse:
        view = await self._view(request, self.pages[0] if self.pages else Page("", "", _nothing))
        if isinstance(view, web.Response):
            return view
        async with self.app.database.transaction() as session:
            login = await session.get(DashboardLogin, view.session.login_id)
            if login is not None:
                await session.delete(login)  # the session ends here, whoever holds the cookie
        response = web.HTTPSeeOther("/")
        response.del_cookie(view.session.name, path="/")
        raise response


def _same_origin(request: web.Request) -> bool:
    """Whether a POST comes from a page of this site, where the browser says (``Origin``; none: an old browser,
    or a form of our own in some browsers)."""
    origin = request.headers.get("Origin")
    if not origin or origin == "null":
        return origin is None
    return URL(origin).host == request.url.host


def chosen_language(request: web.Request) -> str | None:
    """The language picked on the page (``?lang=``, then remembered in a cookie), if any."""
    chosen = request.query.get("lang") or request.cookies.get(LANGUAGE_COOKIE)
    return chosen if chosen in LOCALES else None


async def _nothing(view: View) -> web.StreamResponse:
    raise web.HTTPNotFound()


async def _headers(request: web.Request, response: web.StreamResponse) -> None:
    """What every response says (redirects, refusals and downloads too): ``_HEADERS``."""
    for key, value in _HEADERS.items():
        response.headers.setdefault(key, value)
