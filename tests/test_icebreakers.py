"""Icebreaker questions through the console: asked on the community's schedule, in its time zone, never twice
before the bank is exhausted; the community's own questions, members' suggestions, and mistakes explained."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from adapters.console import ConsoleCommunity
from bot.clock import FakeClock
from bot.content import load_bank
from bot.events import ButtonPressed
from bot.messages import mention
from bot.scheduler import cron_trigger, next_fire_time
from storage.models import Community, Schedule
from storage.tables.icebreakers import IcebreakerQuestion
from tests.support import asked

CHANNELS = {"welcome": "welcome", "announcements": "announcements", "icebreakers": "icebreakers"}


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo("Europe/Paris")).astimezone(UTC)


def community(
    make_harness: Callable[..., ConsoleCommunity],
    locale: str = "en",
    *,
    start: datetime | None = None,
    **settings: Any,
) -> ConsoleCommunity:
    """A community with a channel for icebreakers; camille animates it. Starts on Monday 23 March 2026,
    8:00 in Paris, a week before the change to summer time, unless told otherwise."""
    settings.setdefault("channels", CHANNELS)
    h = make_harness(locale, **settings)
    h.clock = FakeClock(start or paris(2026, 3, 23, 8, 0))
    return h


def bank_keys(*tags: str, language: str = "en") -> set[str]:
    return {f"bank:{i.id}" for i in load_bank("icebreakers", language) if set(tags) & set(i.tags)}


async def questions(h: ConsoleCommunity) -> list[IcebreakerQuestion]:
    assert h.database is not None
    async with h.database.transaction() as session:
        return list((await session.scalars(select(IcebreakerQuestion).order_by(IcebreakerQuestion.id))).all())


async def stored_settings(h: ConsoleCommunity) -> dict[str, Any]:
    assert h.database is not None
    async with h.database.transaction() as session:
        return dict((await session.scalar(select(Community.settings))) or {})


def posted(h: ConsoleCommunity) -> list[str]:
    """The questions posted in the icebreakers channel (their first line), oldest first."""
    return [s.message.text.splitlines()[0] for s in h.chat.posts("icebreakers") if s.message]


# --- the schedule --------------------------------------------------------------------------------------------


async def test_questions_come_at_the_communitys_local_time_across_daylight_saving(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with community(make_harness) as h:
        await h.join("alice")  # the community has an icebreakers channel: its schedule starts by itself

        await h.advance(days=14)

        rows = await asked(h)
        assert [r.asked_at for r in rows] == [paris(2026, 3, 24, 9, 30), paris(2026, 3, 31, 9, 30)]
        assert [r.asked_at.hour for r in rows] == [8, 7]  # 9:30 in Paris: 8:30 UTC in winter, 7:30 in summer
        first, _ = h.chat.posts("icebreakers")
        assert first.message is not None and first.message.title == "Let's get to know each other"
        assert first.message.footer == (
            "Answer in the thread below, or simply react. Next question: Tuesday 31 March 2026 at 9:30 AM. "
            "Yours could be next: /agora icebreaker suggest."
        )
        threads = [s for s in h.chat.sent if s.kind == "thread"]
        assert len(threads) == 2 and first.ref is not None and first.ref.id in threads[0].detail
        assert posted(h)[0] != posted(h)[1]

        status = await h.command("alice", "icebreaker status")
        text = status.replies[0].plain()
        assert "Next question: Tuesday 7 April 2026 at 9:30 AM" in text
        assert "The one after: Tuesday 14 April 2026 at 9:30 AM" in text
        assert "2 questions asked out of 96" in text
        assert "/agora icebreaker suggest" in text
        assert "Rule" not in text  # the rule and the settings are for animators


async def test_the_schedule_survives_a_restart_and_never_repeats_a_question_before_the_bank_is_exhausted(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    pool = bank_keys("clients", "inspiration")
    assert len(pool) == 8
    icebreakers = {"schedule": "30 9 * * *", "tags": ["clients", "inspiration"]}
    async with community(make_harness, icebreakers=icebreakers) as h:
        await h.join("alice")
        await h.advance(days=3)
        await h.restart()
        await h.advance(days=3)
        await h.stop()
        h.clock.advance(timedelta(days=3))  # three fire times pass while the bot is down...
        await h.start()  # ...and are caught up once, not three times
        assert len(await asked(h)) == 7
        await h.advance(days=5)  # that day's own 9:30 is skipped: the catch-up was less than 12 hours before

        rows = await asked(h)
        assert len(rows) == 11 == len(h.chat.posts("icebreakers"))
        first_cycle, second_cycle = rows[:8], rows[8:]
        assert {r.question_key for r in first_cycle} == pool  # every question once, none twice
        assert {r.cycle for r in first_cycle} == {1}
        assert {r.cycle for r in second_cycle} == {2}  # then a new cycle starts
        assert len({r.question_key for r in second_cycle}) == 3
        assert posted(h) == [r.text for r in rows]


async def test_pause_stops_the_questions_and_resume_brings_them_back_without_catching_up(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with community(make_harness) as h:
        await h.join("alice")
        paused = await h.command("camille", "icebreaker pause")
        assert paused.replies[0].text == (
            "Icebreaker questions are paused. Resume them with /agora icebreaker resume."
        )
        await h.advance(days=21)
        assert h.chat.posts("icebreakers") == []
        status = await h.command("alice", "icebreaker status")
        assert "Next question: Paused by the animators for now." in status.replies[0].plain()

        resumed = await h.command("camille", "icebreaker resume")

        assert resumed.replies[0].text == (
            "Icebreaker questions are back, in <#icebreakers>: the next one comes on "
            "Tuesday 14 April 2026 at 9:30 AM."
        )
        assert h.chat.posts("icebreakers") == []  # the three Tuesdays skipped are not made up for
        await h.advance(days=7)
        assert len(h.chat.posts("icebreakers")) == 1
        assert (await stored_settings(h))["icebreakers"] == {"enabled": True}


async def test_an_animator_sets_the_schedule_and_sees_the_next_date_in_the_communitys_time_zone(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with community(make_harness, timezone="America/Montreal") as h:
        done = await h.command("camille", 'icebreaker schedule "0 12 * * 1"')

        # crontab's weekday numbers: 1 is Monday (APScheduler alone would read it as Tuesday).
        assert done.replies[0].text == (
            "Done: icebreaker questions follow the rule “0 12 * * 1” (America/Montreal time), in <#icebreakers>. "
            "The next one comes on Monday 23 March 2026 at 12:00 PM."
        )
        await h.advance(days=8)
        assert [r.asked_at for r in await asked(h)] == [
            datetime(2026, 3, 23, 16, 0, tzinfo=UTC),
            datetime(2026, 3, 30, 16, 0, tzinfo=UTC),
        ]


async def test_the_schedule_follows_a_new_time_zone(make_harness: Callable[..., ConsoleCommunity]) -> None:
    async with community(make_harness) as h:
        await h.join("alice")
        await h.command("camille", "setup timezone=America/Montreal")

        await h.advance(days=16)

        # From the change on, the questions come at 9:30 in Montreal, the next one included.
        assert [r.asked_at for r in await asked(h)] == [
            datetime(2026, 3, 24, 13, 30, tzinfo=UTC),
            datetime(2026, 3, 31, 13, 30, tzinfo=UTC),
            datetime(2026, 4, 7, 13, 30, tzinfo=UTC),
        ]


async def test_questions_start_by_themselves_only_where_there_is_a_channel_for_them(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with community(
        make_harness, channels={"welcome": "welcome", "announcements": "announcements"}
    ) as h:
        await h.join("alice")
        await h.advance(days=7)
        assert await asked(h) == []
        assert not [
            p for p in h.chat.posts() if p.message and p.message.title == "Let's get to know each other"
        ]
        status = await h.command("camille", "icebreaker status")
        assert status.replies[0].text.startswith("Icebreaker questions are not scheduled yet")

        # An animator can start them anyway: they go to the announcements channel.
        await h.command("camille", "icebreaker resume")
        await h.advance(days=7)
        assert len([p for p in h.chat.posts("announcements") if p.message and p.message.footer]) == 1


async def test_now_asks_at_once_and_counts_as_used(make_harness: Callable[..., ConsoleCommunity]) -> None:
    pool = bank_keys("clients")
    async with community(make_harness, icebreakers={"tags": ["clients"]}) as h:
        replies = [await h.command("camille", "icebreaker now") for _ in range(len(pool))]

        rows = await asked(h)
        assert {r.question_key for r in rows} == pool and {r.source for r in rows} == {"now"}
        assert replies[0].replies[0].text == f"Asked in <#icebreakers>: “{rows[0].text}”"
        assert posted(h) == [r.text for r in rows]

        await h.join("alice")
        await h.advance(days=1, hours=2)  # Tuesday 9:30: the schedule starts a new cycle
        rows = await asked(h)
        assert rows[-1].source == "schedule" and rows[-1].cycle == 2


async def test_a_question_asked_just_before_the_scheduled_time_takes_its_place(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with community(make_harness) as h:
        await h.join("alice")
        await h.advance(days=1, hours=1)  # Tuesday 9:00 in Paris, half an hour before the schedule
        now = await h.command("camille", "icebreaker now")
        assert now.replies[0].text.startswith("Asked in <#icebreakers>")

        status = await h.command("alice", "icebreaker status")
        assert "Next question: Tuesday 31 March 2026 at 9:30 AM" in status.replies[0].plain()
        await h.advance(days=1)
        assert len(await asked(h)) == 1  # not a second question at 9:30
        await h.advance(days=7)
        assert len(await asked(h)) == 2


async def test_only_animators_ask_now_or_change_the_schedule(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with community(make_harness) as h:
        for command in ("icebreaker now", "icebreaker pause", 'icebreaker schedule "0 9 * * mon"'):
            refused = await h.command("bob", command)
            assert refused.replies[0].text.startswith("Only the animators of this community can do that.")
        assert await asked(h) == [] and h.chat.posts("icebreakers") == []
        assert "icebreakers" not in await stored_settings(h)


# --- bad input -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "en", "fr"),
    [
        ("every tuesday", "“every tuesday” is not a schedule I can read.", "Je ne sais pas lire le rythme"),
        ("30 9 * * mardi", "is not a schedule I can read", "Écrivez-le comme une règle cron"),
        ("0 0 30 2 *", "never comes round", "ne tombe jamais"),
        (
            "*/10 * * * *",
            "less than 12 hours after the previous one",
            "moins de 12 heures après la précédente",
        ),
    ],
)
@pytest.mark.parametrize("locale", ["en", "fr"])
async def test_a_bad_rule_is_explained_and_the_schedule_is_kept(
    make_harness: Callable[..., ConsoleCommunity], locale: str, rule: str, en: str, fr: str
) -> None:
    async with community(make_harness, locale) as h:
        await h.command("camille", 'icebreaker schedule "0 18 * * thu"')

        refused = await h.command("camille", f'icebreaker schedule "{rule}"')

        assert (en if locale == "en" else fr) in refused.replies[0].text
        assert refused.replies[0].ephemeral
        assert (await stored_settings(h))["icebreakers"] == {"schedule": "0 18 * * thu", "enabled": True}
        assert h.database is not None
        async with h.database.transaction() as session:
            assert (
                await session.scalar(select(Schedule.cron).where(Schedule.kind == "icebreaker"))
                == "0 18 * * thu"
            )


async def test_bad_questions_are_explained_and_nothing_is_lost(h: ConsoleCommunity) -> None:
    await h.command("camille", 'icebreaker add "Which podcast taught you something useful lately?"')

    empty = await h.command("camille", 'icebreaker add ""')
    short = await h.command("camille", 'icebreaker add "Why?"')
    long = await h.command("camille", f'icebreaker add "{"Why " * 80}?"')
    mentions = await h.command("camille", 'icebreaker add "@everyone what is your favourite tool?"')
    twice = await h.command("camille", 'icebreaker add "which podcast taught you something useful lately"')
    from_bank = await h.command("bob", 'icebreaker suggest "What brought you to this group?"')

    assert empty.replies[0].text.startswith("The question is empty. Write it in one or two lines")
    assert short.replies[0].text == "“Why?” is too short to be a question: 10 characters at least."
    assert long.replies[0].text.startswith("This question is 321 characters long; 300 at most")
    assert "leave mentions (@someone, @everyone, #channel) out" in mentions.replies[0].text
    assert twice.replies[0].text == (
        "This question is already in the list: “Which podcast taught you something useful lately?”"
    )
    assert (
        from_bank.replies[0].text == "This question is already in the list: “What brought you to this group?”"
    )
    assert [(q.text, q.status) for q in await questions(h)] == [
        ("Which podcast taught you something useful lately?", "approved")
    ]


async def test_a_member_cannot_add_questions_directly(h: ConsoleCommunity) -> None:
    refused = await h.command("bob", 'icebreaker add "What is on your reading list?"')

    assert refused.replies[0].text.startswith("Only the animators of this community can do that.")
    assert await questions(h) == []


async def test_an_unknown_option_is_explained(h: ConsoleCommunity) -> None:
    refused = await h.command("camille", 'icebreaker add text="What is on your reading list?"')
    assert refused.replies[0].text.startswith("“text” is not an option of /agora icebreaker add.")


# --- the community's own questions and members' suggestions -----------------------------------------------


async def test_an_animators_question_is_asked_first_and_can_be_removed(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with community(make_harness) as h:
        added = await h.command("camille", 'icebreaker add "What is on your reading list this month?"')
        assert added.replies[0].text.startswith("Added: “What is on your reading list this month?”")
        await h.command("camille", 'icebreaker add "Which meetup taught you the most?"')
        await h.press("camille", "Remove it")  # the newest one

        await h.command("camille", "icebreaker now")
        await h.command("camille", "icebreaker now")

        first, second = posted(h)
        assert first == "What is on your reading list this month?"
        assert second != "Which meetup taught you the most?"
        assert [q.status for q in await questions(h)] == ["approved", "removed"]


async def test_a_suggestion_is_approved_by_an_animator_then_asked_and_credited(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with community(make_harness, animators=["camille"]) as h:
        await h.join("alex")
        sent = await h.command(
            "alex", 'icebreaker suggest "Which tool did you discover thanks to a colleague?"'
        )
        assert sent.replies[0].text == (
            "Thank you! Your question is with the animators; you will hear back once they have looked at it."
        )
        [review] = [d for d in h.chat.dms("camille") if d.message and d.message.buttons]
        assert review.message is not None
        assert review.message.title == "A question suggested for the icebreakers"
        assert "“Which tool did you discover thanks to a colleague?”" in review.message.text
        assert [b.label for b in review.message.buttons] == ["Approve", "Reject"]
        assert [q.status for q in await questions(h)] == ["pending"]

        approved = await h.press("camille", "Approve")

        assert approved.replies[0].text == "Approved: it will be among the next questions asked."
        assert approved.update is not None and not approved.update.buttons
        assert "✅ Approved by <@camille> on Monday 23 March 2026" in approved.update.text
        news = h.chat.dms("alex")[-1].text
        assert news.startswith(
            "Good news: your question “Which tool did you discover thanks to a colleague?”"
        )
        assert news.endswith("with your name.")

        again = await h.press("camille", "Approve")  # the second press changes nothing
        assert again.replies[0].text.startswith("✅ Approved by <@camille>")
        assert len([d for d in h.chat.dms("alex") if d.text.startswith("Good news")]) == 1

        await h.advance(days=1, hours=2)  # Tuesday 9:30

        [post] = h.chat.posts("icebreakers")
        assert post.message is not None
        assert post.message.text == (
            f"Which tool did you discover thanks to a colleague?\nQuestion suggested by {mention('alex')}"
        )


async def test_a_rejected_suggestion_is_never_asked(make_harness: Callable[..., ConsoleCommunity]) -> None:
    async with community(make_harness, animators=["camille"], icebreakers={"tags": ["clients"]}) as h:
        await h.join("alex")
        await h.command("alex", 'icebreaker suggest "What is the best deal you ever closed?"')

        rejected = await h.press("camille", "Reject")

        assert rejected.replies[0].text.startswith("Rejected: it will not be asked.")
        assert h.chat.dms("alex")[-1].text.startswith(
            "Thank you for suggesting “What is the best deal you ever closed?”. The animators chose not to ask it"
        )
        for _ in range(10):  # more than a whole cycle of the four "clients" questions
            await h.command("camille", "icebreaker now")
        assert "What is the best deal you ever closed?" not in posted(h)
        assert len(set(posted(h))) == 4


async def test_a_member_cannot_approve_a_suggestion(make_harness: Callable[..., ConsoleCommunity]) -> None:
    async with community(make_harness, animators=["camille"]) as h:
        await h.command("alex", 'icebreaker suggest "Which tool did you discover thanks to a colleague?"')
        [question] = await questions(h)

        refused = await h.deliver(
            ButtonPressed(
                community=h.ref,
                actor=h.member("bob"),
                action="icebreaker:approve",
                ref=str(question.id),
                delivery_id="console:bob-approves",
            ),
            actor="bob",
        )
        listing = await h.command("bob", "icebreaker suggestions")

        assert refused.replies[0].text.startswith("Only the animators of this community can do that.")
        assert listing.replies[0].text.startswith("Only the animators of this community can do that.")
        assert [q.status for q in await questions(h)] == ["pending"]


async def test_animators_review_waiting_suggestions_even_without_a_direct_message(
    h: ConsoleCommunity,
) -> None:
    # No animator is listed by id (camille animates as a platform admin): nobody can be written to, so the
    # suggestions wait in the status and in /agora icebreaker suggestions.
    await h.command(
        "alex", 'icebreaker suggest "Which tool did you discover thanks to a colleague?" anonymous=yes'
    )
    await h.command("bob", 'icebreaker suggest "What would you automate first in your work?"')
    assert h.chat.dms("camille") == []

    status = await h.command("camille", "icebreaker status")
    assert "2 suggestions are waiting: /agora icebreaker suggestions" in status.replies[0].plain()
    listing = await h.command("camille", "icebreaker suggestions")
    assert [m.text.splitlines()[0] for m in listing.replies] == [
        "“Which tool did you discover thanks to a colleague?”",
        "“What would you automate first in your work?”",
    ]
    assert "who prefers not to be named" in listing.replies[0].text

    await h.press("camille", "Approve")  # the newest button camille sees: bob's
    await h.command("camille", "icebreaker now")
    assert h.chat.posts("icebreakers") == []  # no icebreakers channel in this community: announcements
    [post] = [p for p in h.chat.posts("announcements") if p.message and p.message.footer]
    assert post.text.startswith("Let's get to know each other\nWhat would you automate first in your work?")
    assert f"Question suggested by {mention('bob')}" in post.text


async def test_anonymous_suggestions_and_uncredited_communities_name_nobody(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with community(make_harness) as h:
        await h.command(
            "alex", 'icebreaker suggest "Which tool did you discover thanks to a colleague?" anonymous=yes'
        )
        # Typed without quotes: the question takes every word.
        await h.command("bob", "icebreaker suggest What would you automate first in your work?")
        listing = await h.command("camille", "icebreaker suggestions")
        assert len(listing.replies) == 2
        await h.press("camille", "Approve")
        await h.command("camille", "icebreaker suggestions")
        await h.press("camille", "Approve")
        done = await h.command("camille", "icebreaker credit no")
        assert done.replies[0].text == "Done: questions are asked without naming who suggested them."

        await h.command("camille", "icebreaker now")
        await h.command("camille", "icebreaker now")

        assert sorted(posted(h)) == [
            "What would you automate first in your work?",
            "Which tool did you discover thanks to a colleague?",
        ]
        assert all("suggested by" not in p.text for p in h.chat.posts("icebreakers"))


async def test_suggesting_without_a_question_opens_a_form_that_explains_its_mistakes(
    h: ConsoleCommunity,
) -> None:
    opened = await h.command("alex", "icebreaker suggest")
    assert opened.form is not None and opened.form.id == "icebreaker:suggest"
    assert [f.name for f in opened.form.fields] == ["question"]

    wrong = await h.submit("alex", "icebreaker:suggest", {"question": "  "})
    assert wrong.form_errors is not None and wrong.form_errors["question"].startswith(
        "The question is empty."
    )

    right = await h.submit("alex", "icebreaker:suggest", {"question": "What would you automate first?"})
    assert right.replies[0].text.startswith("Thank you! Your question is with the animators")
    assert [(q.text, q.status) for q in await questions(h)] == [("What would you automate first?", "pending")]


# --- tags and language -----------------------------------------------------------------------------------------


async def test_the_community_chooses_which_tags_questions_are_drawn_from(h: ConsoleCommunity) -> None:
    shown = await h.command("camille", "icebreaker tags")
    assert shown.replies[0].text.startswith(
        "Questions are drawn from: every tag. Tags: light, professional, reflective, career, clients"
    )

    unknown = await h.command("camille", 'icebreaker tags "clients, gossip"')
    assert unknown.replies[0].text.startswith("“gossip” is not a tag of the questions.")
    assert "icebreakers" not in await stored_settings(h)

    done = await h.command("camille", 'icebreaker tags "clients"')
    assert done.replies[0].text == "Done: questions are drawn from clients (4 questions in the draw)."
    for _ in range(4):
        await h.command("camille", "icebreaker now")
    assert {r.question_key for r in await asked(h)} == bank_keys("clients")

    await h.command("camille", "icebreaker tags all")
    assert (await stored_settings(h))["icebreakers"] == {"tags": []}


async def test_a_french_community_gets_french_questions_and_french_tags(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with community(make_harness, "fr") as h:
        done = await h.command("camille", 'icebreaker tags "métier, réflexion"')
        assert done.replies[0].text.startswith(
            "C'est fait : les questions sont tirées de métier et réflexion"
        )
        await h.join("alice")

        await h.advance(days=1, hours=2)

        [post] = h.chat.posts("icebreakers")
        assert post.message is not None and post.message.title == "Faisons connaissance"
        french = {i.text for i in load_bank("icebreakers", "fr")}
        assert post.message.text in french
        assert post.message.footer == (
            "Répondez dans le fil ci-dessous, ou réagissez d'un simple emoji. "
            "Prochaine question : mardi 31 mars 2026 à 09:30. "
            "La prochaine sera peut-être la vôtre : /agora icebreaker suggest."
        )
        status = await h.command("alice", "icebreaker status")
        assert "1 question posée sur" in status.replies[0].plain()


@pytest.mark.parametrize(
    ("weekdays", "days"),
    [
        ("1-5", "Mon Tue Wed Thu Fri"),
        ("0", "Sun"),
        ("7", "Sun"),
        ("*/2", "Sun Tue Thu Sat"),
        ("sat,1", "Mon Sat"),
    ],
)
def test_cron_weekday_numbers_mean_what_they_mean_in_crontab(weekdays: str, days: str) -> None:
    trigger = cron_trigger(f"30 9 * * {weekdays}", "Europe/Paris")
    moment, seen = paris(2026, 3, 22, 0, 0), set()  # a Sunday
    for _ in range(7):
        found = next_fire_time(trigger, moment)
        assert found is not None
        seen.add(found.astimezone(ZoneInfo("Europe/Paris")).strftime("%a"))
        moment = found
    assert seen == set(days.split())


@pytest.mark.parametrize("weekdays", ["8", "5-1", "1-", "x"])
def test_impossible_weekdays_are_refused(weekdays: str) -> None:
    with pytest.raises(ValueError, match="is not a cron rule"):
        cron_trigger(f"30 9 * * {weekdays}", "Europe/Paris")


def test_the_banks_hold_at_least_80_tagged_questions_with_the_same_ids_in_both_languages() -> None:
    english, french = load_bank("icebreakers", "en"), load_bank("icebreakers", "fr")
    assert len(english) >= 80 and len(french) == len(english)
    assert [(q.id, q.tags) for q in english] == [(q.id, q.tags) for q in french]
    kinds = {q.tags[0] for q in english}
    assert kinds == {"light", "professional", "reflective"}
    assert all(sum(q.tags[0] == kind for q in english) >= 20 for kind in kinds)
    assert all(q.text.endswith(" ?") for q in french if q.text.endswith("?"))  # French typography
    assert len({q.text for q in english}) == len(english) and len({q.text for q in french}) == len(french)
