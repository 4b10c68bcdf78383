"""Agora arrived in a community of 30 members, who keep their member role: an animator invites them all to accept
the charter (``/agora charter invite-existing``). The invitations go out a few at a time, their progress shows in
``/agora charter status``, nobody is invited twice, those who accept are invited to introduce themselves, and when
the campaign's grace period ends whoever hasn't accepted loses the member role until they do."""

from __future__ import annotations

from datetime import timedelta

from adapters.console import ConsoleCommunity
from bot.features.charter.rules import campaign_length, campaign_pace
from tests.support import role_changes

NAMES = ["camille", "alice", "bob", *(f"member{n:02d}" for n in range(27))]
INVITATION = "The Indies and its charter"


def invited(h: ConsoleCommunity) -> list[str]:
    """Who got the campaign's invitation, in order."""
    return [s.to for s in h.chat.sent if s.kind == "dm" and s.message and s.message.title == INVITATION]


async def status(h: ConsoleCommunity) -> str:
    outcome = await h.command("camille", "charter status")
    return outcome.replies[0].plain()


async def existing_community(h: ConsoleCommunity) -> None:
    for name in NAMES:
        h.arrive_unseen(name)
        h.chat.roles[name] = {"member"}  # they had the member role before Agora came
    await h.reconcile()


async def test_existing_members_are_invited_at_a_pace_once_and_gated_after_the_grace_period(
    h: ConsoleCommunity,
) -> None:
    await existing_community(h)
    assert "0 of 30 members accepted version 1" in await status(h)
    assert "here before Agora, not invited yet" in await status(h)

    started = await h.command("camille", "charter invite-existing per_hour=12")

    answer = started.replies[0].plain()
    assert answer.startswith("30 members who were here before Agora are invited to accept the charter")
    assert "1 invitation every 300 seconds" in answer
    assert "Those who have the member role keep it until" in answer
    assert invited(h) == ["camille"]  # one now, not thirty

    await h.advance(minutes=30)
    assert invited(h) == NAMES[:7]
    shown = await status(h)
    assert "Invitations to the members who were here before Agora: 7 of 30 sent so far" in shown
    assert "here before Agora, invited on" in shown

    # Running it again invites nobody twice.
    again = await h.command("camille", "charter invite-existing")
    assert again.error == "refused"
    assert "already under way: 7 of 30 sent" in again.replies[0].plain()

    # alice accepts: her role stays as it was, and she is invited to introduce herself.
    await h.press("alice", "I accept the charter")
    assert role_changes(h, "alice") == []
    assert any("introduce" in (s.text or "").lower() for s in h.chat.dms("alice")[1:])
    # bob says "not now": nothing changes for him until the grace period ends.
    later = await h.press("bob", "Not now")
    assert "Until" in later.replies[0].plain() and "your member access waits" in later.replies[0].plain()

    await h.advance(hours=3)
    assert sorted(invited(h)) == sorted(NAMES) and len(invited(h)) == 30
    assert "all sent (30)" in await status(h)
    assert "1 of them accepted" in await status(h)
    done = await h.command("camille", "charter invite-existing")
    assert "there is nobody to invite" in done.replies[0].plain()

    # The grace period (14 days by default) ends: who hasn't accepted loses the member role, alice keeps it.
    await h.advance(days=14)
    assert role_changes(h, "bob") == ["-member"]
    assert role_changes(h, "member00") == ["-member"]
    assert role_changes(h, "alice") == []
    [report] = [s for s in h.chat.dms("camille") if s.message and "is over" in (s.message.title or "")]
    assert "Of the 30 members who were here before Agora" in report.text
    assert "1 accepted the charter" in report.text

    # bob accepts at last: the role comes back.
    await h.press("bob", "I accept the charter")
    assert role_changes(h, "bob") == ["-member", "+member"]


async def test_a_pace_too_slow_for_the_grace_period_is_refused(h: ConsoleCommunity) -> None:
    await existing_community(h)

    refused = await h.command("camille", "charter invite-existing per_hour=1 grace=1d")

    assert refused.error == "refused"
    assert "At 1 an hour, inviting 30 members takes until" in refused.replies[0].plain()
    assert invited(h) == []
    assert (
        "per_hour" in (await h.command("camille", "charter invite-existing per_hour=700")).replies[0].plain()
    )


def test_the_pace_spreads_the_invitations() -> None:
    assert campaign_pace(60) == (1, timedelta(minutes=1))
    assert campaign_pace(90) == (2, timedelta(seconds=80))
    assert campaign_pace(600) == (10, timedelta(minutes=1))
    assert campaign_length(300, 1, timedelta(minutes=1)) == timedelta(minutes=299)
    assert campaign_length(1, 1, timedelta(minutes=1)) == timedelta(0)


async def test_members_who_were_here_before_agora_are_no_newcomers_when_they_accept(
    h: ConsoleCommunity,
) -> None:
    await existing_community(h)
    await h.command("camille", "charter invite-existing per_hour=600")
    await h.advance(minutes=5)
    await h.press("alice", "I accept the charter")
    await h.join("zoe")
    await h.press("zoe", "I accept the charter")

    digest = await h.command("camille", "newcomers")

    shown = digest.replies[0].plain()
    assert "zoe" in shown and "alice" not in shown
