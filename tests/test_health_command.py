"""``/agora health`` on the console community, and the animators' monthly digest: camille, who animates, asks how
the community is doing and gets the report privately with its chart (a PNG whose path the console prints), in
her language; she may post it for everyone (without naming anyone); a bad period is refused politely; members
can't ask; on the first of the month she gets the digest by DM, until she turns it off."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from adapters.console import ConsoleCommunity
from bot.messages import Message
from tests.support import arrive, introduce

CHANNELS = {"welcome": "welcome", "announcements": "announcements", "introductions": "introductions"}


def harness(make_harness: Callable[..., ConsoleCommunity], locale: str = "en") -> ConsoleCommunity:
    return make_harness(locale, channels=CHANNELS, animators=["camille"])


async def three_members(h: ConsoleCommunity, accept: str = "I accept the charter") -> None:
    """camille joins (and accepts nothing yet); alice introduces herself; bob only accepts the charter."""
    await h.join("camille")
    await h.join("alice")
    await h.press("alice", accept)
    await h.submit("alice", "intro", {"what": "Designer"})
    await h.join("bob")
    await h.press("bob", accept)


def saved(path: Path) -> bytes:
    return path.read_bytes()


def digests(h: ConsoleCommunity, member: str, title: str = "Your community this month") -> list[Message]:
    """The health digests ``member`` got (the onboarding's weekly digest comes to animators too)."""
    return [s.message for s in h.chat.dms(member) if s.message is not None and s.message.title == title]


def field_of(message: Message, name: str) -> str:
    return next(f.value for f in message.fields if f.name == name)


async def test_an_animator_gets_the_report_privately_with_its_chart(
    make_harness: Callable[..., ConsoleCommunity], transcript: list[str]
) -> None:
    async with harness(make_harness) as h:
        await three_members(h)
        outcome = await h.command("camille", "health")
        [report] = outcome.replies
        assert report.ephemeral
        assert report.title == "Community health, last 90 days"
        assert field_of(report, "Members who joined in the period, step by step").splitlines()[:3] == [
            "• Joined: 3 (+3)",
            "• Accepted the charter: 2, 67% of the step before (+2)",
            "• Introduced themselves: 1, 50% of the step before (+1)",
        ]
        [chart] = report.attachments
        assert chart.mime_type == "image/png" and chart.filename.endswith(".png")
        assert chart.data.startswith(b"\x89PNG")
        # The console prints where the chart is, so the animator can open it.
        [line] = [line for line in transcript if "📎" in line]
        assert saved(Path(line.split(": ", 1)[1])) == chart.data
        assert h.chat.posts("general") == []  # nothing was posted for everyone


async def test_the_report_in_french_with_french_labels(make_harness: Callable[..., ConsoleCommunity]) -> None:
    async with harness(make_harness, "fr") as h:
        await three_members(h, "J'accepte la charte")
        [report] = (await h.command("camille", "health period=30d")).replies
        assert report.title == "Santé de la communauté, 30 derniers jours"
        funnel = field_of(report, "Les membres arrivés sur la période, étape par étape")
        assert "• Ont accepté la charte : 2, soit 67\u00a0% de l'étape d'avant (+2)" in funnel
        assert report.attachments[0].filename.startswith("sante-")


@pytest.mark.parametrize(
    ("period", "refusal"),
    [
        ("3d", "Choose a period between 7 days and 2 years (for example 30d, 12w or 90d), not 3d."),
        ("800d", "Choose a period between 7 days and 2 years (for example 30d, 12w or 90d), not 800d."),
        ("soon", "“soon” is not a duration I understand (option period). Examples: 3d, 36h, 1h30m."),
    ],
)
async def test_a_bad_period_is_refused_clearly(
    make_harness: Callable[..., ConsoleCommunity], period: str, refusal: str
) -> None:
    async with harness(make_harness) as h:
        outcome = await h.command("camille", f"health period={period}")
        assert [m.text for m in outcome.replies] == [refusal]


async def test_members_cannot_ask_for_the_report(make_harness: Callable[..., ConsoleCommunity]) -> None:
    async with harness(make_harness) as h:
        await arrive(h, "alice")
        outcome = await h.command("alice", "health")
        assert outcome.replies[0].text.startswith("Only the animators of this community can do that.")


async def test_posted_for_everyone_it_names_nobody_at_risk(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with harness(make_harness) as h:
        await three_members(h)
        await h.advance(days=31)  # bob accepted the charter a month ago and did nothing since: at risk
        private = (await h.command("camille", "health")).replies[0]
        assert "<@bob>" in field_of(private, "Members at risk")
        assert "<@alice>" not in field_of(private, "Members at risk")

        outcome = await h.command("camille", "health post=yes")
        assert [m.text for m in outcome.replies] == ["The health report is posted."]
        [post] = h.chat.posts("general")
        assert post.message is not None and not post.message.ephemeral
        at_risk = field_of(post.message, "Members at risk")
        assert at_risk.startswith("2 members joined more than 30 days ago") and "<@" not in at_risk
        assert post.message.attachments[0].data.startswith(b"\x89PNG")


async def test_the_monthly_digest_reaches_the_animators_until_they_turn_it_off(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with harness(make_harness) as h:
        for name in ("alice", "bob", "chloe"):
            await introduce(h, name)
        await h.advance(days=26)
        assert digests(h, "camille") == []
        await h.advance(days=1)  # Sunday 1 February 2026, 9:00 in Paris
        [digest] = digests(h, "camille")
        changed = field_of(digest, "What changed most")
        assert "• Introduced themselves: 3 (was 0, +3)" in changed
        assert field_of(digest, "One thing to do") == "No meeting fixed yet: /agora meeting poll"
        assert digest.footer == "Stop this monthly digest with /agora health settings digest=off."
        assert digests(h, "alice") == []  # members get nothing

        saved = await h.command("camille", "health settings digest=off")
        assert saved.replies[0].title == "Health report settings saved."
        await h.advance(days=31)
        assert len(digests(h, "camille")) == 1

        # Back on, they come again from the next first of the month: nothing for the months it was off.
        await h.command("camille", "health settings digest=on")
        await h.advance(days=31)
        assert len(digests(h, "camille")) == 2


async def test_a_digest_switched_back_on_sends_nothing_at_once_and_then_one_a_month(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with harness(make_harness) as h:
        await introduce(h, "alice")
        await h.advance(days=27)  # 1 February
        await h.command("camille", "health settings digest=off")
        await h.advance(days=70)  # 12 April: March and April went by without a digest

        await h.command("camille", "health settings digest=on")
        await h.advance(hours=1)
        assert len(digests(h, "camille")) == 1  # February's, nothing missed sent now

        await h.advance(days=19)  # 1 May, 10:00
        [_, may] = digests(h, "camille")
        assert may.text.startswith("2 members, 0 active in the last 30 days.")
        await h.advance(days=31)
        assert len(digests(h, "camille")) == 3  # and June's


async def test_after_the_bot_was_down_on_the_first_one_digest_of_that_month_comes_unless_it_is_stale(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with harness(make_harness) as h:
        await h.advance(days=26)  # 31 January
        await introduce(h, "alice")  # she counts in the 30 days before 1 March, not in the 30 before 3 March
        await h.advance(days=1)  # 1 February
        assert len(digests(h, "camille")) == 1
        await h.advance(days=25)
        await h.stop()
        h.clock.advance(timedelta(days=5))  # down from 26 February to 3 March, 9:00: 1 March went by
        await h.start()
        await h.advance(hours=1)

        [_, march] = digests(h, "camille")  # once, covering the 30 days that ended on 1 March
        assert march.text.startswith("1 member, 1 active in the last 30 days.")

        await h.stop()
        h.clock.advance(timedelta(days=62))  # down from 3 March to 4 May: April's and May's firsts went by
        await h.start()
        await h.advance(hours=1)
        assert len(digests(h, "camille")) == 2  # May's would come three days late: stale, not sent
        await h.advance(days=28)  # 1 June
        assert len(digests(h, "camille")) == 3


async def test_the_digest_speaks_the_animators_language(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with harness(make_harness, "fr") as h:
        await h.join("alice")
        await h.advance(days=27)
        [digest] = digests(h, "camille", "Votre communauté ce mois-ci")
        assert field_of(digest, "Une chose à faire") == (
            "Aucune rencontre fixée pour l'instant : /agora meeting poll"
        )
