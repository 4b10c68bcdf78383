"""The charter's pieces on their own: the pure rules and the messages without a database, then what the two
features declare (settings section, personal data, health) on a console community."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from adapters.console import ConsoleCommunity
from bot.features.charter import (
    AmendmentsFeature,
    CharterFeature,
    render,
    render_amendments,
    render_status,
    rules,
)
from bot.features.charter.rules import Decision, Tally
from bot.features.charter.settings import CharterRulesSettings
from bot.features.charter.text import Change
from bot.i18n import translator
from storage.models import Community
from tests.support import health_figure

_ = translator("en")
fr = translator("fr")


@dataclass
class Version:
    id: int = 7
    version: int = 2
    objective: str = "Grow together."
    animators: list[Any] = field(default_factory=lambda: [{"name": "Camille", "motivation": "I started it"}])
    rights: list[Any] = field(default_factory=lambda: ["Speak freely"])
    duties: list[Any] = field(default_factory=list)


@dataclass
class Proposal:
    id: int = 3
    number: int = 1
    section: str = "rights"
    text: str = "Speak freely\nLeave at any time"
    reason: str = "Freedom."
    mode: str = "community"
    quorum: float = 0.5
    majority: float = 0.5
    electorate: int = 4
    voters: list[Any] | None = None
    status: str = "open"


# --- rules, no database ------------------------------------------------------------------------------------------


def test_the_committee_grows_and_shrinks_one_member_at_a_time() -> None:
    assert rules.committee_after(["alice"], add="bob") == ["alice", "bob"]
    assert rules.committee_after(["alice", "bob"], add="bob") == ["alice", "bob"]
    assert rules.committee_after(["alice", "bob"], remove="alice") == ["bob"]
    assert rules.committee_after(["alice"]) == ["alice"]


def test_the_end_of_a_grace_period_is_told_to_the_animators_and_the_editor_once() -> None:
    assert rules.grace_recipients(["camille", "camille"], "dan", amended=False) == ["camille", "dan"]
    assert rules.grace_recipients(["camille"], "camille", amended=False) == ["camille"]
    assert rules.grace_recipients(["camille"], "alice", amended=True) == ["camille"]
    assert rules.grace_recipients([], "config", amended=False) == []


def test_shares_are_read_as_members_write_them() -> None:
    assert [rules.parse_share(v) for v in ("30%", "2/3", "0,5", "150%", "lots")] == [
        0.3,
        0.6667,
        0.5,
        None,
        None,
    ]


def test_a_vote_needs_its_quorum_and_more_than_its_majority() -> None:
    rule = rules.Rule(mode="community", electorate=4, quorum=0.5, majority=0.5)
    assert not rules.decide(rule, Tally(1, 0, 0)).adopted
    assert rules.decide(rule, Tally(2, 0, 0)).adopted
    assert not rules.decide(rule, Tally(1, 1, 0)).adopted


# --- render, no database -----------------------------------------------------------------------------------------


def test_a_charter_message_lists_its_sections_and_offers_the_button() -> None:
    message = render.charter_message(_, "Lyon Freelances", Version(), text="Read it.", title="Welcome!")
    assert [f.name for f in message.fields] == [
        "Our objective",
        "Who animates the group, and why",
        "Your rights",
    ]
    assert message.fields[1].value == "• Camille — I started it"
    assert [b.label for b in message.buttons] == ["I accept the charter"] and message.buttons[0].ref == "7"
    assert message.footer == "Charter of Lyon Freelances, version 2"
    bare = render.charter_message(_, "Lyon Freelances", Version(), text="", title="", button=False)
    assert bare.buttons == ()


def test_changes_are_grouped_by_section_in_the_charter_order() -> None:
    changes = [
        Change("duties", "added", "", "Be kind"),
        Change("rights", "changed", "Speak", "Speak freely"),
        Change("rights", "removed", "Shout", ""),
    ]
    fields = render.change_fields(_, changes)
    assert [(f.name, f.value) for f in fields] == [
        ("Your rights", "✏️ Speak freely (was: Speak)\n➖ Shout"),
        ("Your duties", "➕ Be kind"),
    ]


def test_a_version_says_where_it_comes_from() -> None:
    assert render.origin(_, 1, "config", "", None, "") == "The founding charter."
    assert render.origin(_, 2, "camille", "Clearer.", None, "") == "Changed by <@camille>: “Clearer.”"
    assert render.origin(_, 3, "alice", "Freedom.", Proposal(), "alice") == (
        "Amendment #1, proposed by <@alice>, adopted by vote: “Freedom.”"
    )


def test_the_reacceptance_message_offers_not_now_only_the_first_time() -> None:
    first = render.reacceptance_message(
        _, "Lyon", Version(), [], origin="The founding charter.", deadline="Monday", gating=True, later=True,
        read="/agora charter show",
    )  # fmt: skip
    assert [b.label for b in first.buttons] == ["I accept the charter", "Not now"]
    assert "your member access pauses" in first.text
    assert "the whole charter is one command away: /agora charter show." in first.text
    again = render.reacceptance_message(
        _,
        "Lyon",
        Version(),
        [],
        origin="",
        deadline="Monday",
        gating=False,
        later=False,
        read="/agora charter",
    )
    assert [b.label for b in again.buttons] == [
        "I accept the charter"
    ] and "No reminder will follow." in again.text


def test_the_vote_post_shows_the_tally_and_loses_its_buttons_once_decided() -> None:
    post = render_amendments.vote_message(_, Proposal(), "alice", Tally(1, 0, 1), [], closes="Thursday")
    assert post.title == "Amendment #1: Rights"
    assert [b.label for b in post.buttons] == ["For", "Against", "Abstain"]
    assert "For: 1 · Against: 0 · Abstain: 1" in post.plain()
    closed = render_amendments.vote_message(
        _, Proposal(), "alice", Tally(1, 0, 1), [], closes="Thursday", result="Done."
    )
    assert closed.buttons == () and closed.text == "Done."


def test_the_amendments_page_separates_votes_under_way_from_decided_ones() -> None:
    listed = [
        (Proposal(number=2), "bob", "Friday", Tally(1, 0, 0)),
        (Proposal(status="withdrawn"), "alice", "", None),
    ]
    page = render_amendments.amendments_page(_, "committee", listed)
    values = {f.name: f.value for f in page.fields}
    assert values["Being voted on"] == "#2 Rights, by <@bob>: until Friday (1 vote so far)"
    assert values["Decided"] == "#1 Rights, by <@alice>: it was withdrawn."
    assert page.text == "The charter committee proposes and approves them."
    assert render_amendments.amendments_page(_, "animator", []).text.startswith(
        "No amendment has been proposed yet."
    )


def test_results_say_why_an_amendment_is_not_adopted() -> None:
    no_quorum = Decision(adopted=False, quorum_reached=False, majority_reached=True)
    assert render_amendments.result_text(_, Proposal(status="rejected"), no_quorum, Tally(1, 0, 0), None) == (
        "Amendment #1 is not adopted: the quorum was not reached (1 member took part, 2 were needed)."
    )
    adopted = Decision(adopted=True, quorum_reached=True, majority_reached=True)
    assert render_amendments.result_text(
        _, Proposal(status="adopted"), adopted, Tally(2, 0, 0), 3
    ).startswith("Amendment #1 is adopted. The charter is now at version 3")
    assert render_amendments.status_sentence(fr, "withdrawn") != "it was withdrawn."


def test_a_form_refuses_empty_and_too_long_fields() -> None:
    errors = render.field_errors(_, {"a": " ", "b": "x" * 11}, {"a": "A", "b": "B"}, {"b": 10}, 2000)
    assert errors == {
        "a": "“A” is empty: write at least a line.",
        "b": "“B” is 11 characters long; keep it under 10.",
    }


def test_the_rules_page_names_the_mode_and_the_shares() -> None:
    page = render.rules_summary(
        _,
        "Rules",
        CharterRulesSettings(mode="committee", committee=["alice"], quorum=0.25, majority=0.6667),
        {"vote_duration": "7d", "grace_period": "14d", "reacceptance_reminder_after": "3d"},
    )
    assert page.text.startswith("The charter committee (<@alice>) proposes and approves")
    values = {f.name: f.value for f in page.fields}
    assert values["Quorum"] == "25%" and values["Majority (more than)"] == "67%"


def test_the_status_page_lists_who_waits_and_why() -> None:
    page = render_status.status_page(
        _,
        3,
        4,
        [("bob", "reminded on Monday"), ("chloe", "")],
        round_summary=None,
        votes=[(2, "duties", "Friday")],
    )
    assert page.title == "Charter status: version 3" and page.text.startswith(
        "2 of 4 members accepted version 3"
    )
    values = {f.name: f.value for f in page.fields}
    assert values["Not accepted yet (2)"] == "• <@bob> — reminded on Monday\n• <@chloe>"
    assert values["Amendments being voted on"] == "#2 Duties, until Friday"


def test_why_a_member_waits_prefers_the_paused_access() -> None:
    @dataclass
    class Request:
        kind: str = "welcome"
        asked_at: datetime = datetime(2026, 1, 5, tzinfo=UTC)
        snoozed_at: datetime | None = None
        reminded_at: datetime | None = None

    def when(moment: datetime) -> str:
        return f"{moment:%d/%m}"

    paused = datetime(2026, 1, 9, tzinfo=UTC)
    assert render_status.why_waiting(_, when, Request(), paused) == "member access paused since 09/01"
    assert render_status.why_waiting(_, when, Request(), None) == "newcomer, welcomed on 05/01"
    assert render_status.why_waiting(_, when, None, None) == ""


def test_the_history_marks_the_current_version_and_says_how_many_are_left_out() -> None:
    page = render_status.history_page(
        _, "Lyon", [(3, "9 January 2026", "Changed.", 1), (2, "1 January 2026", "X", 0)], 25
    )
    assert [f.name for f in page.fields] == [
        "Version 3 · 9 January 2026 · current",
        "Version 2 · 1 January 2026",
    ]
    assert page.fields[0].value == "Changed.\n(accepted by 1 member)"
    assert page.text.startswith("The 2 most recent versions of 25.")


# --- declarations, on a console community -------------------------------------------------------------------------


def test_the_features_keep_their_order_and_the_settings_section() -> None:
    assert (CharterFeature.order, AmendmentsFeature.order) == (10, 11)
    assert (
        CharterFeature.settings is CharterRulesSettings
        and CharterFeature.settings_section() == "charter_rules"
    )
    tables = {d.tablename for cls in (CharterFeature, AmendmentsFeature) for d in cls.personal_data}
    assert tables == {
        "acknowledgements",
        "charter_requests",
        "charters",
        "charter_campaigns",
        "charter_amendments",
        "charter_amendment_votes",
    }


async def test_health_counts_acceptances_and_proposals(make_harness: Callable[..., ConsoleCommunity]) -> None:
    async with make_harness("en", charter_rules={"mode": "community"}) as h:
        for name in ("alice", "bob"):
            await h.join(name)
            await h.press(name, "I accept the charter")
        await h.join("chloe")
        opened = await h.command("alice", "charter propose rights")
        assert opened.form is not None
        await h.submit(
            "alice", opened.form.id, {"text": "Speak freely", "reason": "Shorter."}, ref=opened.form.ref
        )
        assert h.database is not None
        async with h.database.transaction() as session:
            community = await session.scalar(select(Community))
            assert community is not None
            since = h.clock.now() - timedelta(days=1)
            assert await health_figure(session, "charter_accepted", community.id, since) == 2
            assert await health_figure(session, "amendments_proposed", community.id, since) == 1
            later = h.clock.now() + timedelta(days=1)
            assert await health_figure(session, "charter_accepted", community.id, later) == 0
            assert await health_figure(session, "amendments_proposed", community.id, later) == 0
