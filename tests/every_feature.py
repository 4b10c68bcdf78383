"""A community where a member uses every feature: the privacy tests export and erase what it leaves, the language
tests check what it says to a member reading another language than the community's."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from sqlalchemy import select

from adapters.console import ConsoleCommunity
from bot.clock import FakeClock
from bot.i18n import _load
from storage.tables.meetings import Meeting
from tests.support import ONBOARDING_CHANNELS, OPTIONS, introduce, open_poll, paris, until

__all__ = ["CHANNELS", "PROFILE", "catalog_phrases", "privacy_community", "uses_every_feature"]

SHORTEST = 14  # a catalog sentence's words shorter than this may be shared by both languages ("Agora", "✅")

CHANNELS = {**ONBOARDING_CHANNELS, "debates": "debates", "icebreakers": "icebreakers", "rounds": "rounds"}

PROFILE = {
    "name": "Alice Zebulon",
    "what": "Potière céramiste à Montreuil",
    "where": "Montreuil-sous-Bois",
    "interests": "raku, émaux",
    "offers": "ateliers de tournage",
    "needs": "un four partagé",
}


def privacy_community(
    make_harness: Callable[..., ConsoleCommunity], locale: str = "en", **settings: object
) -> ConsoleCommunity:
    """A community with every feature's channel, whose clock starts on Monday 23 November 2026 at 9:00 in Paris
    (the dates of ``OPTIONS`` are ahead)."""
    h = make_harness(
        locale,
        channels=CHANNELS,
        animators=["camille"],
        charter_rules={"mode": "community", "quorum": 0.5, "vote_duration": "3d"},
        **settings,
    )
    h.clock = FakeClock(paris(2026, 11, 23, 9, 0))
    return h


async def uses_every_feature(
    h: ConsoleCommunity, who: str, position: str = "Yes, distance thins the ties"
) -> None:
    """``who`` (with bob and chloe beside them) accepts the charter, introduces themselves, proposes an amendment
    and votes, takes a position in a debate, volunteers and proposes a motion, suggests an icebreaker and reacts
    to one, joins the rounds and privately avoids bob, is grouped and says they met, sets a time zone, answers a
    date poll, says they're going to the meeting and draws a mission card at its end. ``position``: the label of
    the debate's first position, in the community's language."""
    await introduce(h, "bob")
    await introduce(h, "chloe")
    await introduce(h, who, **PROFILE)
    opened = await h.command(who, "charter propose rights")
    assert opened.form is not None
    await h.submit(
        who,
        opened.form.id,
        {"text": "Everyone may bring a guest", "reason": "Open doors"},
        ref=opened.form.ref,
    )
    await h.press(who, "For")
    await h.command("camille", "debate start motion=remote-networks duration=2d")
    await h.press(who, position)
    await h.command(who, "debate volunteer")
    await h.command(who, 'debate propose "Clubs should meet outdoors"')
    await h.command(who, "icebreaker suggest What tool would you never give up?")
    await h.command("camille", "icebreaker now")
    question = next(s.ref for s in reversed(h.chat.posts("icebreakers")) if s.ref is not None)
    await h.react(who, question, "👍")
    await h.command(who, "meeting timezone America/Montreal")
    polled = await open_poll(h, OPTIONS)
    assert polled.error is None, polled.form_errors
    await h.press(who, "Answer")
    await h.press(who, "✅ 3")
    await h.command(who, "round join")
    await h.command("bob", "round join")
    await h.command(who, "round avoid @bob")
    await h.command("bob", f"round avoid @{who}")
    await h.command("chloe", "round join")
    await h.command("camille", "round start")
    await h.advance(days=4)  # the poll closes: a meeting; the round asks "did you meet?"
    await h.press(who, "Yes, we met")
    await h.press(who, "Going")
    assert h.database is not None
    async with h.database.transaction() as session:
        meeting = await session.scalar(select(Meeting))
        assert meeting is not None
    await until(h, meeting.ends_at)
    await h.press(who, "Draw a mission card")


@cache
def catalog_phrases() -> tuple[frozenset[str], frozenset[str]]:
    """(French phrases, English phrases): the pieces of each translated message, between its placeholders, that
    only one language has."""
    french: set[str] = set()
    english: set[str] = set()
    for msgid, msgstr in _load("fr").items():
        ids = msgid if isinstance(msgid, tuple) else (msgid,)
        strs = msgstr if isinstance(msgstr, tuple) else (msgstr,)
        for source, target in zip(ids, strs, strict=False):
            if source == target:
                continue
            french |= _pieces(target) - _pieces(source)
            english |= _pieces(source) - _pieces(target)
    return frozenset(french), frozenset(english)


def _pieces(text: str) -> set[str]:
    return {
        piece.strip(" .,:;!?()«»“”\"'")
        for piece in re.split(r"\{[^}]*\}|\n|<[^>]*>", text)
        if len(piece.strip(" .,:;!?()«»“”\"'")) >= SHORTEST
    }
