"""What the tests share: a community's configuration, what a newcomer does on the console harness, and a
community for the meetings on a clock that starts on a known Monday, and a feature that keeps a community busy."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from adapters.console import ConsoleCommunity
from bot.clock import FakeClock
from bot.config import Config, parse_config
from bot.context import Context
from bot.events import CommandInvoked
from bot.router import Feature, command
from storage.models import Community

ONBOARDING_CHANNELS = {
    "welcome": "welcome",
    "announcements": "announcements",
    "introductions": "introductions",
}

CHARTERS: dict[str, dict[str, Any]] = {
    "fr": {
        "objective": "Faire grandir ensemble les indépendants du numérique de Lyon.",
        "animators": [
            {"name": "Camille", "motivation": "J'ai été seule en freelance trois ans ; plus jamais ça."}
        ],
        "rights": ["Proposer un sujet de rencontre", "Quitter le groupe à tout moment"],
        "duties": ["Pas de démarchage commercial non sollicité", "Bienveillance dans les échanges"],
    },
    "en": {
        "objective": "Help Lyon's digital freelancers grow together.",
        "animators": [{"name": "Camille", "motivation": "I freelanced alone for three years; never again."}],
        "rights": ["Suggest a meeting topic", "Leave the group at any time"],
        "duties": ["No unsolicited sales pitches", "Kindness in every exchange"],
    },
}


def make_config(
    locale: str = "en", database_url: str = "sqlite+aiosqlite:///:memory:", **community: Any
) -> Config:
    """A configuration for a test community in ``locale``."""
    data: dict[str, Any] = {
        "database": {"url": database_url},
        "health": {"enabled": False},
        "community": {
            "name": "Les Indés" if locale == "fr" else "The Indies",
            "locale": locale,
            "timezone": "Europe/Paris",
            "member_role": "member",
            "channels": {"welcome": "welcome", "announcements": "announcements"},
            "charter_reminder_after": "2d",
            "charter": CHARTERS[locale],
            **community,
        },
    }
    return parse_config(data, "test-config", env={})


async def arrive(h: ConsoleCommunity, who: str) -> None:
    await h.join(who)
    await h.press(who, "I accept the charter")


async def introduce(h: ConsoleCommunity, who: str, **values: str) -> None:
    await arrive(h, who)
    outcome = await h.submit(who, "intro", {"what": f"{who.title()}'s trade", **values})
    assert outcome.error is None, outcome


# --- meetings: a community whose clock starts on a known Monday, its members, a poll -----------------------

PARIS = "Europe/Paris"
OPTIONS = "Tuesday 1 December 6:30pm\nnext thursday 6pm\n2026-12-03 18:00"


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(PARIS)).astimezone(UTC)


def community(
    make_harness: Callable[..., ConsoleCommunity],
    locale: str = "en",
    start: datetime | None = None,
    **meetings: Any,
) -> ConsoleCommunity:
    """A console community whose clock starts on Monday 23 November 2026 at 9:00 in Paris."""
    h = make_harness(locale, **({"meetings": meetings} if meetings else {}))
    h.clock = FakeClock(start or paris(2026, 11, 23, 9, 0))
    return h


async def members(h: ConsoleCommunity, *names: str) -> None:
    """Newcomers who join and accept the charter: the members a poll waits for."""
    settings = await h.app.community_settings(h.ref)  # type: ignore[union-attr]
    button = "J'accepte la charte" if settings.locale == "fr" else "I accept the charter"
    for name in names:
        await h.join(name)
        await h.press(name, button)


async def open_poll(h: ConsoleCommunity, options: str = OPTIONS, capacity: str = "", **values: str) -> Any:
    await h.command("camille", "meeting poll")
    return await h.submit(
        "camille",
        "meeting_poll",
        {
            "title": "Monthly meetup",
            "options": options,
            "place": "La Cordée, Lyon",
            "duration": "2h",
            "capacity": capacity,
            **values,
        },
    )


async def until(h: ConsoleCommunity, moment: datetime) -> None:
    await h.advance(moment - h.clock.now())


class BusyFeature(Feature):
    """A command that keeps its community busy until released: its handler holds the community's turn and the
    database (its delivery is recorded, which holds SQLite's write lock; the community's row is locked on
    PostgreSQL), as a slow handler or a burst of events would."""

    name = "busy-test"

    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.release = asyncio.Event()

    @command("test-busy", "Keeps the community busy")
    async def busy(self, ctx: Context[CommandInvoked]) -> None:
        await ctx.session.execute(select(Community).where(Community.id == ctx.community.id).with_for_update())
        self.started.set()
        await self.release.wait()
        ctx.reply("No longer busy.")
