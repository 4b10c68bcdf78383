"""The dashboard under test: a console community with the web dashboard on, and a browser-like client (cookies
kept, forms read from the pages) that signs in with the link ``/agora dashboard`` answers."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import Any

import aiohttp

from adapters.console import ConsoleCommunity
from bot.config import WebConfig
from bot.web import Dashboard
from tests.support import make_config

# Plain http: the test client, like a browser, sends no Secure cookie over http (https sets Secure).
PUBLIC_URL = "http://agora.test"
LINK = re.compile(re.escape(PUBLIC_URL) + r"(/login/[A-Za-z0-9_-]+)")


def web_harness(db_url: str, transcript: list[str], locale: str = "en", **community: Any) -> ConsoleCommunity:
    """A console community whose config turns the dashboard on; camille animates it."""
    config = make_config(locale, db_url, **community).model_copy(
        update={"web": WebConfig(enabled=True, host="127.0.0.1", port=0, public_url=PUBLIC_URL)}
    )
    return ConsoleCommunity(config, animators={"camille"}, out=transcript.append)


async def serve(h: ConsoleCommunity) -> Dashboard:
    assert h.app is not None
    dashboard = Dashboard(h.app, h.config.web)
    await dashboard.start()
    return dashboard


def link_in(h: ConsoleCommunity, who: str) -> str:
    """The path of the newest sign-in link ``who`` was answered with."""
    for sent in reversed(h.chat.visible_to(who)):
        assert sent.message is not None
        found = LINK.search(sent.message.text)
        if found:
            return found.group(1)
    raise AssertionError(f"{who} got no sign-in link")


class _Forms(HTMLParser):
    """What a browser would send with the page's forms: their hidden inputs (the CSRF token, the nonce) and the
    text of their text areas (the charter's editor). Other inputs are left to the test to give."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden: dict[str, str] = {}
        self._area: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "input" and values.get("type") == "hidden" and values.get("name"):
            self.hidden.setdefault(str(values["name"]), values.get("value") or "")
        elif tag == "textarea" and values.get("name"):
            self._area = str(values["name"])
            self.hidden.setdefault(self._area, "")

    def handle_data(self, data: str) -> None:
        if self._area is not None:
            self.hidden[self._area] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._area = None


class Browser:
    """An animator's browser: cookies kept between requests, pages read as text."""

    def __init__(self, dashboard: Dashboard) -> None:
        self.base = f"http://127.0.0.1:{dashboard.port}"
        self.session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.status = 0
        self.html = ""  # the page as served
        self.text = ""  # the same, entities read (what a reader sees, tags included)
        self.url = ""

    async def close(self) -> None:
        await self.session.close()

    async def get(self, path: str) -> str:
        async with self.session.get(self.base + path) as response:
            self._read(response.status, await response.text(), str(response.url))
        return self.text

    def _read(self, status: int, page: str, url: str) -> None:
        self.status, self.html, self.text, self.url = status, page, html.unescape(page), url

    async def post(self, path: str, data: dict[str, str], *, csrf: bool = True) -> str:
        """Post ``data`` to ``path``, with the hidden fields of the page last read (its CSRF token)."""
        parser = _Forms()
        parser.feed(self.html)
        fields = {**parser.hidden, **data} if csrf else dict(data)
        if not csrf:
            fields.pop("csrf", None)
        async with self.session.post(self.base + path, data=fields) as response:
            self._read(response.status, await response.text(), str(response.url))
        return self.text

    async def sign_in(self, link: str) -> str:
        """Open the link, then press "Sign in"."""
        await self.get(link)
        return await self.post(link, {}, csrf=False)

    @property
    def path(self) -> str:
        return self.url.removeprefix(self.base)


async def open_page(h: ConsoleCommunity, browser: Browser, slug: str, query: str = "") -> str:
    """Sign camille in with a fresh link and open the page ``slug`` (with ``query``); returns its path."""
    await h.command("camille", "dashboard")
    await browser.sign_in(link_in(h, "camille"))
    page = browser.path.rsplit("/", 1)[0] + "/" + slug
    await browser.get(page + query)
    assert browser.status == 200, browser.text
    return page
