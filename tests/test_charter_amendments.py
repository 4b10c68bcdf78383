"""Co-constructing the charter: in `community` mode any member who accepted it proposes an amendment and the members
vote (quorum and majority from the settings, before a deadline); in `committee` mode the committee proposes and
approves. An adopted amendment makes the next version and its re-acceptance round; bad input is refused clearly and
loses nothing."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select

from adapters.console import ConsoleCommunity
from bot.messages import Message
from storage.models import Charter
from storage.tables.charter import Amendment, AmendmentVote

NEW_RIGHTS = "Suggest a meeting topic\nLeave the group at any time\nPropose an amendment to this charter"
REASON = "So that the charter belongs to all of us."


async def community_of(h: ConsoleCommunity, *names: str) -> None:
    for name in names:
        await h.join(name)
        await h.press(name, "I accept the charter")


async def propose(h: ConsoleCommunity, who: str, section: str, text: str, reason: str = REASON) -> Message:
    """``who`` opens the amendment form for ``section`` and submits it; returns the vote as posted."""
    opened = await h.command(who, f"charter propose {section}")
    assert opened.form is not None, opened.replies
    submitted = await h.submit(who, opened.form.id, {"text": text, "reason": reason}, ref=opened.form.ref)
    assert submitted.error is None, submitted
    post = h.chat.posts("announcements")[-1].message
    assert post is not None
    return post


def current(h: ConsoleCommunity, post_title: str) -> Message:
    """What the vote's post says now (after its tally updates)."""
    [sent] = [s for s in h.chat.posts("announcements") if s.message and s.message.title == post_title]
    assert sent.ref is not None
    return h.chat.current[sent.ref.id]


async def count(h: ConsoleCommunity, model: type) -> int:
    assert h.database is not None
    async with h.database.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def latest_version(h: ConsoleCommunity) -> int:
    assert h.database is not None
    async with h.database.transaction() as session:
        return int(await session.scalar(select(func.max(Charter.version))) or 0)


async def test_an_amendment_without_its_quorum_is_not_adopted(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with make_harness(
        "en", charter_rules={"mode": "community", "quorum": 0.5, "vote_duration": "3d"}
    ) as h:
        await community_of(h, "alice", "bob", "chloe", "dan")

        post = await propose(h, "alice", "rights", NEW_RIGHTS)

        assert post.title == "Amendment #1: Rights"
        assert post.text.startswith(
            "<@alice> proposes to change “Rights”. Vote until Thursday 8 January 2026"
        )
        assert ("Your rights", "➕ Propose an amendment to this charter") in [
            (f.name, f.value) for f in post.fields
        ]
        assert [b.label for b in post.buttons] == ["For", "Against", "Abstain"]
        assert post.footer is not None and post.footer.startswith("Adopted if at least 2 of the 4 members")

        await h.press("bob", "For")
        assert "For: 1 · Against: 0 · Abstain: 0" in current(h, "Amendment #1: Rights").plain()

        await h.advance(days=3)

        result = h.chat.posts("announcements")[-1].message
        assert result is not None and result.title == "Result of the vote on amendment #1"
        assert result.text == (
            "Amendment #1 is not adopted: the quorum was not reached (1 member took part, 2 were needed)."
        )
        closed = current(h, "Amendment #1: Rights")
        assert not closed.buttons and "Final votes" in closed.plain()
        assert await latest_version(h) == 1
        late = await h.press("chloe", "For")
        assert late.replies[0].text == "The vote on amendment #1 is closed: it was not adopted."


async def test_an_amendment_reaching_quorum_and_majority_makes_a_new_version_and_asks_everyone_again(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with make_harness("en", charter_rules={"mode": "community", "quorum": 0.5, "majority": 0.5}) as h:
        await community_of(h, "alice", "bob", "chloe", "dan")
        await propose(h, "alice", "rights", NEW_RIGHTS)

        await h.press("alice", "For")
        await h.press("bob", "Against")
        changed = await h.press("bob", "For")  # votes can change until the deadline
        assert changed.replies[0].text.startswith("Your vote is now “For”. You can change it until")
        await h.press("chloe", "Abstain")
        again = await h.press("chloe", "Abstain")
        assert again.replies[0].text.startswith("Your vote is already “Abstain”.")
        assert await count(h, AmendmentVote) == 3
        assert "For: 2 · Against: 0 · Abstain: 1" in current(h, "Amendment #1: Rights").plain()

        await h.advance(days=7)

        result = h.chat.posts("announcements")[-1].message
        assert result is not None
        assert result.text == (
            "Amendment #1 is adopted. The charter is now at version 2: every member is asked to accept it."
        )
        assert await latest_version(h) == 2
        shown = await h.command("dan", "charter")
        assert "Propose an amendment to this charter" in shown.replies[0].plain()

        # The re-acceptance round starts: each member who accepted version 1 is asked, with the change.
        for name in ("alice", "bob", "chloe", "dan"):
            asked = h.chat.dms(name)[-1].message
            assert asked is not None and asked.title == "The charter of The Indies has changed"
            assert "Amendment #1, proposed by <@alice>, adopted by vote: “So that the charter" in asked.text
            assert asked.fields[0].value == "➕ Propose an amendment to this charter"
        history = await h.command("dan", "charter history")
        assert (
            history.replies[0]
            .fields[0]
            .value.startswith("Amendment #1, proposed by <@alice>, adopted by vote")
        )


async def test_a_majority_against_rejects_the_amendment(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with make_harness("en", charter_rules={"mode": "community", "quorum": 0.5, "majority": 0.5}) as h:
        await community_of(h, "alice", "bob", "chloe", "dan")
        await propose(h, "alice", "objective", "Help freelancers everywhere grow together.")
        await h.press("alice", "For")
        await h.press("bob", "Against")
        await h.press("chloe", "Against")
        await h.advance(days=7)

        result = h.chat.posts("announcements")[-1].message
        assert result is not None
        assert result.text == "Amendment #1 is rejected: it needed more than 50% of the votes cast."
        assert await latest_version(h) == 1


async def test_only_members_who_accepted_the_charter_propose_and_vote(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with make_harness("en", charter_rules={"mode": "community"}) as h:
        await community_of(h, "alice", "bob")
        await h.join("eve")  # welcomed, never accepted

        for outsider in ("eve", "mallory"):  # mallory never even joined
            refused = await h.command(outsider, "charter propose rights")
            assert refused.error == "refused"
            assert refused.replies[0].text == (
                "Only members who accepted the charter (version 1) can propose an amendment. "
                "Read it and accept it first: /agora charter."
            )
            sneaky = await h.submit(
                outsider, "charter:propose:rights", {"text": NEW_RIGHTS, "reason": REASON}
            )
            assert (
                sneaky.error == "refused"
                and "Only members who accepted the charter" in sneaky.replies[0].text
            )
        assert await count(h, Amendment) == 0

        await propose(h, "alice", "rights", NEW_RIGHTS)
        await h.press("bob", "For")
        refused_vote = await h.press("eve", "For")
        assert refused_vote.replies[0].text.startswith(
            "Only members who accepted the charter (version 1) can vote."
        )
        assert await count(h, AmendmentVote) == 1  # bob's vote is still there


async def test_an_empty_or_huge_field_is_explained_and_nothing_is_recorded(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with make_harness("en", charter_rules={"mode": "community"}) as h:
        await community_of(h, "alice")
        opened = await h.command("alice", "charter propose duties")
        assert opened.form is not None
        assert opened.form.fields[0].default == "No unsolicited sales pitches\nKindness in every exchange"

        empty = await h.submit("alice", "charter:propose:duties", {"text": "  \n ", "reason": REASON})
        assert empty.form_errors == {
            "text": "“The new text, one item per line” is empty: write at least a line."
        }
        huge = await h.submit("alice", "charter:propose:duties", {"text": "x" * 5000, "reason": REASON})
        assert huge.form_errors == {
            "text": "“The new text, one item per line” is 5000 characters long; keep it under 2000."
        }
        long_reason = await h.submit(
            "alice", "charter:propose:duties", {"text": "Be kind", "reason": "y" * 5000}
        )
        assert long_reason.form_errors == {
            "reason": "“Why this change?” is 5000 characters long; keep it under 1000."
        }
        unchanged = await h.submit(
            "alice", "charter:propose:duties", {"text": opened.form.fields[0].default, "reason": REASON}
        )
        assert unchanged.form_errors == {
            "text": "This is the current text: change something before proposing it."
        }

        assert await count(h, Amendment) == 0
        assert h.chat.posts("announcements") == []


async def test_one_amendment_per_section_at_a_time(make_harness: Callable[..., ConsoleCommunity]) -> None:
    async with make_harness("en", charter_rules={"mode": "community"}) as h:
        await community_of(h, "alice", "bob")
        await propose(h, "alice", "rights", NEW_RIGHTS)
        busy = await h.command("bob", "charter propose rights")
        assert busy.replies[0].text.startswith("Amendment #1 on “Rights” is being voted on until")
        # Another section is free.
        await propose(h, "bob", "objective", "Help freelancers grow together, in Lyon and beyond.")
        listed = await h.command("bob", "charter amendments")
        assert [line.split(",")[0] for line in listed.replies[0].fields[0].value.splitlines()] == [
            "#2 Objective",
            "#1 Rights",
        ]


async def test_proposing_without_a_section_offers_the_four_parts(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with make_harness("en", charter_rules={"mode": "community"}) as h:
        await community_of(h, "alice")
        asked = await h.command("alice", "charter propose")
        assert [b.label for b in asked.replies[0].buttons] == ["Objective", "Animators", "Rights", "Duties"]
        opened = await h.press("alice", "Animators")
        assert opened.form is not None and opened.form.id == "charter:propose:animators"
        assert opened.form.fields[0].default == "Camille — I freelanced alone for three years; never again."
        await h.submit(
            "alice",
            "charter:propose:animators",
            {
                "text": "Camille — I freelanced alone for three years; never again.\nAlice: I love meeting people",
                "reason": "Two heads.",
            },
        )
        post = h.chat.posts("announcements")[-1].message
        assert post is not None and (
            "Who animates the group, and why",
            "➕ Alice — I love meeting people",
        ) in [(f.name, f.value) for f in post.fields]


async def test_in_animator_mode_members_are_pointed_to_the_animators(h: ConsoleCommunity) -> None:
    await community_of(h, "alice")
    refused = await h.command("alice", "charter propose rights")
    assert refused.replies[0].text.startswith("In this community, the animators edit the charter.")


async def test_the_author_or_an_animator_can_withdraw_an_amendment(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with make_harness("en", charter_rules={"mode": "community"}) as h:
        await community_of(h, "alice", "bob")
        await propose(h, "alice", "rights", NEW_RIGHTS)
        refused = await h.command("bob", "charter withdraw 1")
        assert refused.replies[0].text == "Only its author or an animator can withdraw amendment #1."
        done = await h.command("alice", "charter withdraw 1")
        assert done.replies[0].text == "Amendment #1 was withdrawn by <@alice>; the vote is closed."
        assert not current(h, "Amendment #1: Rights").buttons
        await h.advance(days=8)
        assert await latest_version(h) == 1
        assert [p.message.title for p in h.chat.posts("announcements") if p.message] == [
            "Amendment #1: Rights"
        ]
        missing = await h.command("alice", "charter withdraw 9")
        assert missing.replies[0].text == "There is no amendment #9. See them with /agora charter amendments."


async def test_committee_mode_only_the_committee_proposes_and_approves(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with make_harness("en") as h:
        await community_of(h, "alice", "bob", "chloe", "dan")
        saved = await h.command("camille", "charter rules mode=committee add_committee=@alice")
        assert saved.replies[0].title == "Rules saved."
        await h.command("camille", "charter rules add_committee=@bob")
        await h.command("camille", "charter rules add_committee=@chloe")
        rule = h.chat.posts("announcements")[-1].message
        assert rule is not None and rule.text.startswith(
            "The charter committee (<@alice>, <@bob>, and <@chloe>)"
        )

        outsider = await h.command("dan", "charter propose objective")
        assert outsider.replies[0].text.startswith(
            "In this community, the charter committee proposes changes"
        )
        assert await count(h, Amendment) == 0

        post = await propose(h, "alice", "objective", "Help freelancers grow together, in Lyon and beyond.")
        assert "The charter committee decides: <@alice>, <@bob>, and <@chloe>." in post.text
        assert post.footer == "Adopted if at least 2 of the 3 committee members approve it."

        not_committee = await h.press("dan", "For")
        assert not_committee.replies[0].text.startswith("Only the charter committee votes on this amendment")
        await h.press("alice", "For")
        await h.press("bob", "Against")
        assert await latest_version(h) == 1
        await h.press("chloe", "For")  # the whole committee has spoken: decided at once

        result = h.chat.posts("announcements")[-1].message
        assert result is not None and result.text.startswith("Amendment #1 is adopted.")
        assert await latest_version(h) == 2
        asked = h.chat.dms("dan")[-1].message
        assert asked is not None
        assert "Amendment #1, proposed by <@alice>, approved by the charter committee" in asked.text


async def test_committee_without_enough_approvals_by_the_deadline(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with make_harness(
        "en",
        charter_rules={"mode": "committee", "committee": ["alice", "bob", "chloe"], "vote_duration": "2d"},
    ) as h:
        await community_of(h, "alice", "bob", "chloe")
        await propose(
            h, "bob", "duties", "No unsolicited sales pitches\nKindness in every exchange\nCome on time"
        )
        await h.press("bob", "For")
        await h.advance(days=2)
        result = h.chat.posts("announcements")[-1].message
        assert result is not None
        assert result.text == (
            "Amendment #1 is not adopted: it needed the approval of 2 committee members and got 1."
        )


async def test_the_rules_are_checked_before_they_are_saved(h: ConsoleCommunity) -> None:
    cases = [
        ("charter rules mode=committee", "The charter committee has no members yet"),
        ("charter rules mode=anarchy", "“anarchy” is not a choice for mode."),
        ("charter rules quorum=lots", "“lots” is not a quorum I can use"),
        ("charter rules quorum=150%", "“150%” is not a quorum I can use"),
        ("charter rules majority=1/3", "“1/3” is not a majority I can use"),
        ("charter rules vote_duration=soon", "“soon” is not a delay I understand."),
        ("charter rules vote_duration=10m", "vote_duration must last at least one hour."),
        (
            "charter rules grace_period=2d",
            "The reminder (3d) must come before the end of the grace period (2d).",
        ),
    ]
    for command, expected in cases:
        outcome = await h.command("camille", command)
        assert outcome.replies[0].text.startswith(expected), (command, outcome.replies[0].text)
    assert h.app is not None
    settings = await h.app.community_settings(h.ref)
    assert settings.charter_rules.mode == "animator" and settings.charter_rules.quorum == 0.3

    saved = await h.command(
        "camille", "charter rules mode=community quorum=25% majority=2/3 vote_duration=5d"
    )
    assert saved.replies[0].title == "Rules saved."
    settings = await h.app.community_settings(h.ref)
    rules = settings.charter_rules
    assert (rules.mode, rules.quorum, rules.majority, rules.vote_duration.days) == (
        "community",
        0.25,
        0.6667,
        5,
    )
    member = await h.command("alice", "charter rules mode=animator")
    assert "Only the animators" in member.replies[0].text


async def test_a_vote_under_way_survives_a_restart(make_harness: Callable[..., ConsoleCommunity]) -> None:
    async with make_harness("en", charter_rules={"mode": "community", "quorum": 0.5}) as h:
        await community_of(h, "alice", "bob")
        await propose(h, "alice", "rights", NEW_RIGHTS)
        await h.press("alice", "For")
        await h.restart()
        await h.press("bob", "For")
        await h.restart()
        await h.advance(days=7)
        assert await latest_version(h) == 2
        results = [
            p
            for p in h.chat.posts("announcements")
            if p.message and p.message.title and "Result" in p.message.title
        ]
        assert len(results) == 1


async def test_in_french(make_harness: Callable[..., ConsoleCommunity]) -> None:
    async with make_harness("fr", charter_rules={"mode": "community", "quorum": 0.5}) as h:
        await community_of(h, "alice", "bob")
        post = await propose(
            h, "alice", "objective", "Faire grandir ensemble les indépendants, à Lyon et ailleurs."
        )
        assert post.title == "Amendement n° 1 : Objectif"
        assert [b.label for b in post.buttons] == ["Pour", "Contre", "Abstention"]
        await h.press("bob", "Pour")
        await h.advance(days=7)
        result = h.chat.posts("announcements")[-1].message
        assert result is not None
        assert result.text == (
            "L'amendement n° 1 est adopté. La charte passe à la version 2 : "
            "chaque membre est invité à l'accepter."
        )


async def test_an_amendment_whose_section_changed_meanwhile_is_not_applied_over_it(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with make_harness("en", charter_rules={"mode": "community", "quorum": 0.3}) as h:
        await community_of(h, "alice", "bob")
        await propose(h, "alice", "objective", "Help freelancers grow together, in Lyon and beyond.")
        await h.press("alice", "For")
        # The animators take the pen back and change the same section while the vote runs.
        await h.command("camille", "charter rules mode=animator")
        opened = await h.command("camille", "charter edit")
        assert opened.form is not None
        await h.submit(
            "camille",
            "charter:edit",
            {"objective": "Grow together.", "note": "Shorter."},
            ref=opened.form.ref,
        )
        await h.press("bob", "For")
        await h.advance(days=7)

        result = h.chat.posts("announcements")[-1].message
        assert result is not None and result.text.startswith(
            "Amendment #1 was approved, but “Objective” changed while it was being voted on"
        )
        shown = await h.command("bob", "charter version 2")
        assert "Grow together." in shown.replies[0].plain()
        assert await latest_version(h) == 2  # the animators' version stands


async def test_a_vote_arriving_after_the_deadline_closes_it_instead(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with make_harness("en", charter_rules={"mode": "community", "quorum": 0.5}) as h:
        await community_of(h, "alice", "bob")
        await propose(h, "alice", "rights", NEW_RIGHTS)
        await h.press("alice", "For")
        assert h.database is not None
        async with h.database.transaction() as session:
            amendment = await session.scalar(select(Amendment))
            assert amendment is not None
            amendment.closes_at = h.clock.now()  # due, but its timer has not run yet
        late = await h.press("bob", "Against")
        assert late.replies[0].text.startswith("The vote on amendment #1 closed on")
        assert await count(h, AmendmentVote) == 1
        assert await latest_version(h) == 2
