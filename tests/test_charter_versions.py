"""The versioned charter: animators make a new version, every member is asked to accept it again with the changes
highlighted, reminded once, and loses the member role after the grace period until they accept; the old versions
stay readable and the acknowledgement log is exported with every version."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from sqlalchemy import func, select

from adapters.console import ConsoleCommunity
from storage.models import Acknowledgement, Charter, Member
from storage.tables.charter import CharterRequest
from tests.support import charter_dms, role_changes

NEW_RIGHTS = "Suggest a meeting topic\nPropose an amendment to this charter\nLeave the group at any time"


async def members_who_accepted(h: ConsoleCommunity) -> None:
    for name in ("alice", "bob"):
        await h.join(name)
        await h.press(name, "I accept the charter")


async def new_version(h: ConsoleCommunity, **values: str) -> None:
    """camille opens the edit form and saves a new version."""
    opened = await h.command("camille", "charter edit")
    assert opened.form is not None
    fields = {f.name: f.default for f in opened.form.fields}
    fields.update(values)
    saved = await h.submit("camille", "charter:edit", fields, ref=opened.form.ref)
    assert saved.error is None, saved


def titles(h: ConsoleCommunity, member: str) -> list[str]:
    return [m.title or "" for m in charter_dms(h, member)]


async def versions(h: ConsoleCommunity) -> int:
    assert h.database is not None
    async with h.database.transaction() as session:
        return int(await session.scalar(select(func.count(Charter.id))) or 0)


async def test_a_new_version_is_asked_again_reminded_once_gated_after_the_grace_period_and_logged(
    h: ConsoleCommunity,
) -> None:
    await members_who_accepted(h)

    await new_version(h, rights=NEW_RIGHTS, note="Members can now amend the charter.")

    # Each member who had accepted version 1 is asked again by direct message, with the change highlighted.
    for name in ("alice", "bob"):
        asked = charter_dms(h, name)[-1]
        assert asked.title == "The charter of The Indies has changed"
        assert "Changed by <@camille>: “Members can now amend the charter.”" in asked.text
        assert "Please accept it by Monday 19 January 2026" in asked.text
        assert [(f.name, f.value) for f in asked.fields] == [
            ("Your rights", "➕ Propose an amendment to this charter")
        ]
        assert [b.label for b in asked.buttons] == ["I accept the charter", "Not now"]
        assert asked.footer == "Charter of The Indies, version 2"
    [announcement] = h.chat.posts("announcements")
    assert announcement.message is not None and "Version 2 replaces version 1" in announcement.message.text

    # alice accepts at once: she keeps her role, nothing to grant again.
    accepted = await h.press("alice", "I accept the charter")
    assert accepted.replies[0].text == "Thank you! You accepted version 2 of the charter of The Indies."
    assert accepted.update is not None and not accepted.update.buttons

    # bob is reminded once, after three days; alice is not.
    await h.advance(days=3)
    assert titles(h, "bob")[2:] == ["A gentle reminder from The Indies"]
    reminder = charter_dms(h, "bob")[-1]
    assert "This is the only reminder you will get." in reminder.text
    assert not any("reminder" in t for t in titles(h, "alice")[2:])

    # The grace period (14 days) ends: bob loses the member role, alice keeps hers; no second reminder.
    await h.advance(days=10.9)
    assert h.chat.roles["bob"] == {"member"}
    await h.advance(days=0.2)
    assert h.chat.roles["bob"] == set()
    assert h.chat.roles["alice"] == {"member"}
    assert role_changes(h, "bob") == ["+member", "-member"]
    await h.advance(days=30)
    assert [t for t in titles(h, "bob") if "reminder" in t] == ["A gentle reminder from The Indies"]

    # The animator who made the version hears who hasn't accepted.
    [summary] = [
        d.message for d in h.chat.dms("camille") if d.message and "grace period" in (d.message.title or "")
    ]
    assert summary.title == "Charter version 2: the grace period is over"
    assert summary.fields[0].value == "<@bob>"

    # bob accepts at last: the role comes back.
    back = await h.press("bob", "I accept the charter")
    assert back.replies[0].text.endswith("Your member access is back.")
    assert h.chat.roles["bob"] == {"member"}
    assert role_changes(h, "bob") == ["+member", "-member", "+member"]

    # The log has every acknowledgement of both versions, in UTC and in the community's time zone.
    exported = await h.command("camille", "charter export")
    assert exported.replies[0].text.endswith("The log is on its way to your direct messages.")
    log = h.chat.dms("camille")[-1].message
    assert log is not None and log.title == "Charter acceptance log"
    [attachment] = log.attachments
    assert attachment.filename.endswith(".csv") and attachment.mime_type == "text/csv"
    rows = list(csv.reader(io.StringIO(attachment.content.lstrip("\ufeff"))))
    assert rows[0] == [
        "member id",
        "display name",
        "version",
        "accepted at (UTC)",
        "accepted at (Europe/Paris)",
    ]
    assert [(r[0], r[2]) for r in rows[1:]] == [("alice", "1"), ("bob", "1"), ("alice", "2"), ("bob", "2")]
    assert rows[1][3] == "2026-01-05T09:00:00+00:00" and rows[1][4] == "2026-01-05T10:00:00+01:00"
    assert "4 acceptances recorded, all versions together." in exported.replies[0].text


async def test_not_now_stops_the_reminder_but_not_the_grace_period(h: ConsoleCommunity) -> None:
    await members_who_accepted(h)
    await new_version(h, duties="No unsolicited sales pitches", note="Kindness goes without saying.")

    later = await h.press("bob", "charter:later")
    assert later.replies[0].text.startswith("No problem: I won't remind you.")
    assert "Until Monday 19 January 2026" in later.replies[0].text
    assert later.update is not None and [b.label for b in later.update.buttons] == ["I accept the charter"]
    again = await h.press("bob", "charter:later")
    assert again.replies[0].text.startswith("Already noted")

    await h.advance(days=15)
    assert not any("reminder" in t for t in titles(h, "bob"))
    assert h.chat.roles["bob"] == set()  # "not now" is not "never": access still follows the charter

    status = await h.command("camille", "charter status")
    assert "<@bob> — member access paused since Monday 19 January 2026" in status.replies[0].plain()


async def test_a_newcomer_can_say_not_now_to_the_welcome_reminder(h: ConsoleCommunity) -> None:
    await h.join("dana")
    [welcome] = charter_dms(h, "dana")
    assert "/agora charter later" in welcome.text

    said = await h.command("dana", "charter later")
    assert said.replies[0].text.startswith("No problem: I won't remind you.")
    await h.advance(days=5)
    assert len(charter_dms(h, "dana")) == 1

    status = await h.command("camille", "charter status")
    assert "<@dana> — said “not now” on Monday 5 January 2026" in status.replies[0].plain()

    # Accepting later works as on the first day.
    await h.press("dana", "I accept the charter")
    assert h.chat.roles["dana"] == {"member"}
    done = await h.command("dana", "charter later")
    assert "You already accepted the current charter (version 1)" in done.replies[0].text


async def test_status_shows_the_acceptance_rate_and_who_has_not_accepted(h: ConsoleCommunity) -> None:
    await members_who_accepted(h)
    await h.join("chloe")
    await new_version(h, objective="Help the digital freelancers of Lyon grow together.", note="Clearer.")
    await h.press("alice", "I accept the charter")

    status = await h.command("camille", "charter status")

    [reply] = status.replies
    assert reply.ephemeral and reply.title == "Charter status: version 2"
    # alice, bob, chloe and camille (who ran commands) are members; alice accepted version 2.
    assert reply.text.startswith("1 of 4 members accepted version 2 (25%).")
    assert "2 members were asked to accept it on Monday 5 January 2026" in reply.text
    assert "The reminder goes out on Thursday 8 January 2026" in reply.text
    waiting = reply.fields[0]
    assert waiting.name == "Not accepted yet (3)"
    assert "<@bob> — asked on Monday 5 January 2026" in waiting.value
    assert "<@chloe> — newcomer, welcomed on Monday 5 January 2026" in waiting.value

    refused = await h.command("bob", "charter status")
    assert refused.error == "refused" and "Only the animators" in refused.replies[0].text


async def test_old_versions_stay_readable_with_what_changed(h: ConsoleCommunity) -> None:
    await members_who_accepted(h)
    await new_version(h, rights=NEW_RIGHTS, note="Members can now amend the charter.")

    history = await h.command("bob", "charter history")
    [reply] = history.replies
    assert [f.name for f in reply.fields] == [
        "Version 2 · 5 January 2026 · current",
        "Version 1 · 5 January 2026",
    ]
    assert reply.fields[0].value.startswith("Changed by <@camille>: “Members can now amend the charter.”")
    assert reply.fields[1].value == "The founding charter.\n(accepted by 2 members)"

    old = await h.command("bob", "charter version 1")
    text = old.replies[0].plain()
    assert old.replies[0].title == "Version 1 of the charter of The Indies"
    assert "Replaced by version 2 on Monday 5 January 2026" in text
    assert "Propose an amendment" not in text and "Leave the group at any time" in text

    current = await h.command("bob", "charter version 2")
    assert "What changed from version 1" in current.replies[0].plain()
    assert "➕ Propose an amendment to this charter" in current.replies[0].plain()

    missing = await h.command("bob", "charter version 7")
    assert missing.replies[0].text == "There is no version 7 of the charter: it has versions 1 to 2."
    typo = await h.command("bob", "charter version two")
    assert "is not a whole number" in typo.replies[0].text

    shown = await h.command("bob", "charter")
    assert "Earlier versions: /agora charter history." in shown.replies[0].text


async def test_the_edit_form_refuses_empty_or_huge_fields_and_keeps_the_charter(h: ConsoleCommunity) -> None:
    await members_who_accepted(h)
    opened = await h.command("camille", "charter edit")
    assert opened.form is not None and len(opened.form.fields) == 5  # a Discord modal holds five inputs
    fields = {f.name: f.default for f in opened.form.fields}
    assert fields["rights"] == "Suggest a meeting topic\nLeave the group at any time"
    assert fields["animators"] == "Camille — I freelanced alone for three years; never again."

    empty = await h.submit("camille", "charter:edit", {**fields, "duties": "  ", "note": "x"}, ref="1")
    assert empty.form_errors == {"duties": "“Your duties” is empty: write at least a line."}
    huge = await h.submit(
        "camille", "charter:edit", {**fields, "objective": "y" * 5000, "note": "x"}, ref="1"
    )
    assert huge.form_errors == {"objective": "“Our objective” is 5000 characters long; keep it under 2000."}
    no_note = await h.submit("camille", "charter:edit", {**fields, "objective": "New."}, ref="1")
    assert no_note.form_errors == {"note": "“What changed, and why” is empty: write at least a line."}
    same = await h.submit("camille", "charter:edit", {**fields, "note": "Nothing really."}, ref="1")
    assert same.form_errors is not None and "word for word version 1" in same.form_errors["objective"]

    assert await versions(h) == 1
    assert len(charter_dms(h, "alice")) == 1

    not_animator = await h.submit("bob", "charter:edit", {**fields, "objective": "Mine now.", "note": "x"})
    assert "Only the animators" in not_animator.replies[0].text
    assert await versions(h) == 1


async def test_an_edit_based_on_an_outdated_version_is_refused_with_what_was_written(
    h: ConsoleCommunity,
) -> None:
    first = await h.command("camille", "charter edit")
    second = await h.command("camille", "charter edit")
    assert first.form is not None and second.form is not None
    await h.submit(
        "camille", "charter:edit", {"objective": "First edit.", "note": "One."}, ref=first.form.ref
    )

    late = await h.submit(
        "camille", "charter:edit", {"objective": "Second edit.", "note": "Two."}, ref=second.form.ref
    )

    assert late.error == "refused"
    assert "Someone saved version 2 while you were writing" in late.replies[0].text
    assert "Second edit." in late.replies[0].text and "Two." in late.replies[0].text
    assert await versions(h) == 2


async def test_a_member_who_left_is_not_asked_and_gets_the_doors_back_when_returning(
    h: ConsoleCommunity,
) -> None:
    await members_who_accepted(h)
    await h.leave("bob")
    await new_version(h, objective="Help the digital freelancers of Lyon grow together.", note="Clearer.")
    assert len(charter_dms(h, "bob")) == 1

    await h.join("bob")  # back: welcomed with the current version
    assert charter_dms(h, "bob")[-1].title == "Welcome to The Indies!"
    assert charter_dms(h, "bob")[-1].footer == "Charter of The Indies, version 2"
    await h.press("bob", "I accept the charter")
    assert role_changes(h, "bob") == ["+member", "+member"]


async def test_a_newer_version_replaces_the_round_of_the_previous_one(h: ConsoleCommunity) -> None:
    await members_who_accepted(h)
    await new_version(h, objective="Version two.", note="Two.")
    await h.advance(days=1)
    await new_version(h, objective="Version three.", note="Three.")

    # Pressing the button of version 2 now shows version 3.
    old_button = charter_dms(h, "alice")[-2]
    assert old_button.footer == "Charter of The Indies, version 2"
    outcome = await h.press("alice", old_button.buttons[0].custom_id)
    assert outcome.replies[0].title == "The charter has changed"

    # Version 2's reminder and grace period do nothing: version 3's round runs its own course.
    await h.advance(days=3)
    reminders = [t for t in titles(h, "bob") if "reminder" in t]
    assert reminders == ["A gentle reminder from The Indies"]
    await h.advance(days=11)
    assert h.chat.roles["bob"] == set()
    assert role_changes(h, "bob") == ["+member", "-member"]


async def test_the_round_survives_a_restart(h: ConsoleCommunity) -> None:
    await members_who_accepted(h)
    await new_version(h, objective="Sturdier.", note="Restart-proof.")
    await h.restart()
    await h.advance(days=3)
    assert [t for t in titles(h, "bob") if "reminder" in t] == ["A gentle reminder from The Indies"]
    await h.restart()
    await h.advance(days=12)
    assert h.chat.roles["bob"] == set()


async def test_the_requests_are_recorded_once_per_member_and_version(h: ConsoleCommunity) -> None:
    await members_who_accepted(h)
    await new_version(h, objective="Recorded.", note="Once.")
    assert h.database is not None
    async with h.database.transaction() as session:
        rows = (
            await session.execute(
                select(Member.external_id, CharterRequest.kind, Charter.version)
                .join(Member, Member.id == CharterRequest.member_id)
                .join(Charter, Charter.id == CharterRequest.charter_id)
                .order_by(Charter.version, Member.external_id)
            )
        ).all()
        acks = int(await session.scalar(select(func.count(Acknowledgement.id))) or 0)
    assert [tuple(r) for r in rows] == [
        ("alice", "welcome", 1),
        ("bob", "welcome", 1),
        ("alice", "reacceptance", 2),
        ("bob", "reacceptance", 2),
    ]
    assert acks == 2


async def test_on_slack_like_platforms_nothing_is_revoked_and_the_animators_get_the_list(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    from bot.chat import Capability

    async with make_harness("en", animators=["camille"], member_channels=["members"]) as h:
        # Slack's capabilities: channel invitations, no roles.
        h.chat.capabilities = frozenset(
            h.chat.capabilities - {Capability.ROLES} | {Capability.CHANNEL_INVITE}
        )
        await members_who_accepted(h)
        await new_version(h, objective="Slack-friendly.", note="Because.")
        asked = charter_dms(h, "bob")[-1]
        assert "member access pauses" not in asked.text
        await h.advance(days=15)

        assert not [s for s in h.chat.sent if s.kind == "role"]
        [summary] = [
            d.message
            for d in h.chat.dms("camille")
            if d.message and "grace period" in (d.message.title or "")
        ]
        assert "removes no one from channels" in summary.text
        assert "<@bob>" in summary.fields[0].value


async def test_the_french_community_reads_it_all_in_french(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with make_harness("fr") as h:
        await members_who_accepted(h)
        await new_version(
            h,
            rights="Proposer un sujet de rencontre\nQuitter le groupe à tout moment\nAmender la charte",
            note="La charte devient la nôtre.",
        )
        asked = charter_dms(h, "alice")[-1]
        assert asked.title == "La charte de Les Indés a changé"
        assert [b.label for b in asked.buttons] == ["J'accepte la charte", "Pas maintenant"]
        assert asked.fields[0].name == "Vos droits" and asked.fields[0].value == "➕ Amender la charte"
        status = await h.command("camille", "charter status")
        assert status.replies[0].text.startswith("0 membre sur 3 a accepté la version 2 (0 %).")


async def test_a_member_who_leaves_during_the_round_and_comes_back_gets_the_doors_back(
    h: ConsoleCommunity,
) -> None:
    await members_who_accepted(h)
    await new_version(h, objective="Help the digital freelancers of Lyon grow together.", note="Clearer.")
    await h.leave("bob")
    await h.join("bob")
    assert charter_dms(h, "bob")[-1].title == "Welcome to The Indies!"
    await h.press("bob", "I accept the charter")
    assert role_changes(h, "bob") == ["+member", "+member"]
    await h.advance(days=15)
    assert role_changes(h, "bob") == ["+member", "+member"]
