"""An English speaker in a French community: everything Agora says to her alone (answers, direct messages, the
reminders its scheduled jobs send, the updates of her messages) is in English, in her time zone; what everybody
reads (channel posts, group conversations) stays French. Checked against the catalogs themselves: no French
sentence of the catalog reaches her privately, no English one reaches the channels."""

from __future__ import annotations

from collections.abc import Callable

from adapters.console import ConsoleCommunity
from adapters.console.chat import Sent
from tests.every_feature import catalog_phrases, privacy_community, uses_every_feature
from tests.support import OPTIONS, introduce, open_poll

FRENCH_POSITION = "Oui, la distance distend les liens"


def leaks(sent: list[Sent], phrases: frozenset[str]) -> list[tuple[str, str]]:
    """(phrase, text) for each message that says one of ``phrases``."""
    return [(phrase, s.text) for s in sent for phrase in phrases if phrase in s.text]


def private_to(h: ConsoleCommunity, who: str) -> list[Sent]:
    return [s for s in h.chat.sent if s.message is not None and s.visible_to == frozenset({who})]


def shared(h: ConsoleCommunity) -> list[Sent]:
    """Channel posts and their updates, group conversations: what more than one member reads."""
    return [
        s
        for s in h.chat.sent
        if s.message is not None and s.kind in ("post", "update") and len(s.visible_to) != 1
    ]


async def test_an_english_speaker_reads_every_feature_in_english_and_the_channels_stay_french(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    h = privacy_community(make_harness, "fr")
    h.locales["alice"] = "en-US"
    async with h:
        await uses_every_feature(h, "alice", position=FRENCH_POSITION)
        await h.command("alice", "privacy")
        await h.press("alice", "Export my data")
        await h.command("alice", "help")

        french, english = catalog_phrases()
        mine = private_to(h, "alice")
        kinds = {s.kind for s in mine}
        assert {"dm", "reply", "update"} <= kinds  # she got answers, direct messages and updates of them
        assert len(mine) > 25
        assert leaks(mine, french) == []
        assert any("Before you meet the members" in s.text for s in mine)  # the charter welcome DM
        assert any(s.kind == "dm" and "Reminder:" in s.text for s in mine)  # sent by a scheduled job

        # The others (bob, chloe) speak the community's language; the channels too, whoever acted.
        assert leaks(private_to(h, "bob"), english) == []
        everyone = shared(h)
        assert len(everyone) > 10
        assert leaks(everyone, english) == []
        texts = " ".join(s.text for s in everyone)
        assert (
            "Dites bonjour à Alice Zebulon" in texts and "Amendement n° 1" in texts
        )  # what alice did, in French


async def test_a_reminder_sent_by_a_scheduled_job_is_in_the_members_language_and_platform_time_zone(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    h = privacy_community(make_harness, "fr")
    h.locales["alice"] = "en-GB"
    h.timezones["alice"] = "America/Montreal"  # her platform says so (Slack's tz); she chose none
    async with h:
        await introduce(h, "alice")
        await introduce(h, "bob")
        await open_poll(h, OPTIONS)
        for who in ("alice", "bob"):
            await h.press(who, "Answer")
            await h.press(who, "✅ 3")  # Thursday 3 December, 18:00 in Paris
        await h.advance(days=4)  # the poll closes: the meeting is set
        for who in ("alice", "bob"):
            await h.press(who, "Going")
        await h.advance(days=6)  # Thursday morning: the day-before reminder went out
        [reminder] = [s for s in h.chat.dms("alice") if "Reminder:" in s.text][:1]
        assert "12:00 PM" in reminder.text and "Thursday 3 December" in reminder.text  # in Montreal
        assert reminder.message is not None and "Can't come" in [b.label for b in reminder.message.buttons]
        [rappel] = [s for s in h.chat.dms("bob") if "Rappel" in s.text][:1]
        assert "jeudi 3 décembre 2026 à 18:00" in rappel.text  # bob: the community's language and zone
