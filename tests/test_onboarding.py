"""Newcomer onboarding on the console: the introduction by DM after the charter, the post with suggested members,
one nudge (or none after "not now"), the animators' digest, editing and hiding, and bad input."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from adapters.console import ConsoleCommunity
from storage.models import Schedule
from storage.tables.profiles import Newcomer
from tests.support import ONBOARDING_CHANNELS, arrive, introduce, onboarding_harness, profile_of

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "onboarding.agora"


def titles(sent: list) -> list[str | None]:
    return [s.message.title for s in sent if s.message]


async def test_the_whole_newcomer_path_join_accept_introduce_posted_with_suggestions(
    o: ConsoleCommunity,
) -> None:
    await introduce(o, "bob", name="Bob Martin", interests="écologie, vélo", offers="mentoring for designers")
    await introduce(o, "carol", name="Carol", interests="Design; photo", needs="illustrations")
    await introduce(o, "dan", name="Dan", interests="jardinage")

    await o.join("alice")
    [welcome] = o.chat.dms("alice")
    assert welcome.message is not None and welcome.message.title == "Welcome to The Indies!"

    await o.press("alice", "I accept the charter")
    invitation = o.chat.dms("alice")[-1].message
    assert invitation is not None and invitation.title == "Introduce yourself in two lines"
    assert [b.label for b in invitation.buttons] == ["Introduce myself", "Not now"]
    assert "won't ask again" in (invitation.footer or "")

    opened = await o.press("alice", "Introduce myself")
    assert opened.form is not None and opened.form.id == "intro"
    assert [f.name for f in opened.form.fields] == ["name", "what", "where", "interests", "offers", "needs"]
    assert [f.name for f in opened.form.fields if f.required] == ["what"]
    assert opened.form.fields[0].default == "alice"

    done = await o.submit(
        "alice",
        "intro",
        {
            "name": "Alice Durand",
            "what": "UX designer for small businesses",
            "where": "Lyon",
            "interests": "Ecologie, design",
            "offers": "illustration",
            "needs": "a mentor",
        },
    )

    post = o.chat.posts("introductions")[-1]
    message = post.message
    assert message is not None
    assert message.title == "Say hello to Alice Durand!"
    # The newcomer and her suggested contacts are mentioned in the text, where every platform notifies them.
    # Both score a shared interest and an offer meeting a need: the tie goes to the most recent introduction.
    assert message.text.splitlines() == [
        "<@alice>: UX designer for small businesses",
        "",
        "Alice Durand, a few members you should meet:",
        "• <@carol> — You both care about: design · You offer what Carol looks for: illustration",
        "• <@bob> — You both care about: Ecologie · Bob Martin offers what you look for: mentor",
    ]
    fields = {f.name: f.value for f in message.fields}
    assert fields == {
        "Where": "Lyon",
        "Interests and skills": "Ecologie, design",
        "Can offer": "illustration",
        "Looking for": "a mentor",
    }
    assert "<@dan>" not in message.plain()  # nothing in common, and two members already do
    assert done.replies[0].text.startswith("Thank you! Your introduction is now in <#introductions>")
    # The invitation's buttons are retired once it is answered.
    updates = [s for s in o.chat.sent if s.kind == "update" and s.ref and s.ref.channel_id == "alice"]
    assert updates[-1].message is not None and not updates[-1].message.buttons

    stored = await profile_of(o, "alice")
    assert stored is not None and stored.interests == ["Ecologie", "design"]
    assert [s["key"] for s in stored.suggestions] == ["carol", "bob"]


async def test_a_newcomer_with_nothing_in_common_meets_the_other_newcomers(o: ConsoleCommunity) -> None:
    await introduce(o, "bob", interests="cuisine")
    await introduce(o, "alice", interests="astronomie")
    post = o.chat.posts("introductions")[-1].message
    assert post is not None
    assert "<@bob> — Just arrived too: you can discover the group together." in post.plain()


async def test_the_first_to_introduce_themselves_is_told_the_next_ones_will_come(o: ConsoleCommunity) -> None:
    await arrive(o, "alice")
    done = await o.submit("alice", "intro", {"what": "Baker"})
    [post] = o.chat.posts("introductions")
    assert post.message is not None and post.message.text == "<@alice>: Baker"
    assert "the next newcomers will be pointed your way" in done.replies[0].text


async def test_one_nudge_after_the_communitys_delay_then_never_again(o: ConsoleCommunity) -> None:
    await arrive(o, "alice")
    await o.advance(days=2.9)
    assert titles(o.chat.dms("alice")) == ["Welcome to The Indies!", "Introduce yourself in two lines"]

    await o.advance(days=0.2)
    nudge = o.chat.dms("alice")[-1].message
    assert nudge is not None and nudge.title == "Would you like to introduce yourself?"
    assert "only reminder" in nudge.text and "won't ask again" in (nudge.footer or "")

    await o.advance(days=30)
    assert len(o.chat.dms("alice")) == 3


async def test_not_now_means_no_nudge_at_all(o: ConsoleCommunity) -> None:
    await arrive(o, "alice")
    later = await o.press("alice", "Not now")
    assert later.update is not None and not later.update.buttons
    assert "won't ask again" in later.update.text

    await o.advance(days=10)
    assert titles(o.chat.dms("alice")) == ["Welcome to The Indies!", "Introduce yourself in two lines"]
    # The door stays open.
    assert (await o.command("alice", "profile")).form is not None


async def test_no_nudge_for_who_introduced_themselves_or_left(o: ConsoleCommunity) -> None:
    await introduce(o, "alice")
    await arrive(o, "bob")
    await o.leave("bob")
    await o.advance(days=5)
    assert len(o.chat.dms("alice")) == 2
    assert len(o.chat.dms("bob")) == 2


async def test_the_nudge_delay_is_the_communitys(make_harness: Callable[..., ConsoleCommunity]) -> None:
    async with onboarding_harness(make_harness, onboarding={"nudge_after": "12h"}) as h:
        await arrive(h, "alice")
        await h.advance(hours=13)
        assert len(h.chat.dms("alice")) == 3


async def test_the_nudge_can_be_off(make_harness: Callable[..., ConsoleCommunity]) -> None:
    async with onboarding_harness(make_harness, onboarding={"nudge_after": "off"}) as h:
        await arrive(h, "zoe")
        await h.advance(days=30)
        assert len(h.chat.dms("zoe")) == 2


async def test_the_nudge_survives_a_restart(o: ConsoleCommunity) -> None:
    await arrive(o, "alice")
    await o.restart()
    await o.advance(days=4)
    assert titles(o.chat.dms("alice"))[-1] == "Would you like to introduce yourself?"


async def test_accepting_a_new_charter_version_does_not_invite_again(o: ConsoleCommunity) -> None:
    from bot.events import CharterAccepted

    await introduce(o, "alice")
    assert o.app is not None
    await o.app.dispatch(
        CharterAccepted(community=o.ref, member=o.member("alice"), version=2, first_time=False)
    )
    await o.app.settle()
    assert titles(o.chat.dms("alice")) == ["Welcome to The Indies!", "Introduce yourself in two lines"]


async def test_a_member_edits_their_introduction_and_the_post_follows(o: ConsoleCommunity) -> None:
    await introduce(o, "alice", interests="design")
    opened = await o.command("alice", "profile")
    assert opened.form is not None
    assert {f.name: f.default for f in opened.form.fields}["what"] == "Alice's trade"
    assert {f.name: f.default for f in opened.form.fields}["interests"] == "design"

    edited = await o.submit(
        "alice", "intro", {"name": "Alice", "what": "Illustrator", "interests": "design, BD"}
    )

    assert edited.replies[0].text.startswith("Your introduction is updated")
    assert len(o.chat.posts("introductions")) == 1  # not posted twice
    [post] = o.chat.posts("introductions")
    assert post.ref is not None and o.chat.current[post.ref.id].text == "<@alice>: Illustrator"
    profile = await profile_of(o, "alice")
    assert profile is not None and profile.interests == ["design", "BD"]


async def test_hide_and_show_in_the_directory(o: ConsoleCommunity) -> None:
    hidden = await o.command("alice", "profile hide")
    assert "nothing to hide" in hidden.replies[0].text

    await introduce(o, "alice", interests="design")
    hidden = await o.command("alice", "profile hide")
    assert "no longer appear" in hidden.replies[0].text
    assert (await profile_of(o, "alice")).hidden  # type: ignore[union-attr]

    shown = await o.command("alice", "profile show")
    assert "find you again" in shown.replies[0].text
    assert not (await profile_of(o, "alice")).hidden  # type: ignore[union-attr]


# --- bad input -------------------------------------------------------------------------------------------------


async def test_an_introduction_without_what_i_do_is_refused_next_to_the_field(o: ConsoleCommunity) -> None:
    await arrive(o, "alice")
    refused = await o.submit("alice", "intro", {"name": "Alice", "what": "   ", "interests": "design"})

    assert refused.error == "form"
    assert refused.form_errors == {"what": "Say in a few words what you do: it is the only answer needed."}
    assert await profile_of(o, "alice") is None
    assert o.chat.posts("introductions") == []


async def test_a_5000_character_answer_is_refused_naming_the_field_and_the_limit_and_nothing_is_lost(
    o: ConsoleCommunity,
) -> None:
    await introduce(o, "alice", offers="Design reviews")
    refused = await o.submit("alice", "intro", {"what": "Designer", "offers": "x" * 5000, "needs": "y" * 601})

    assert refused.error == "form" and refused.form_errors is not None
    assert refused.form_errors["offers"] == (
        "“What I can offer” is limited to 600 characters and yours has 5000: please shorten it."
    )
    assert "“What I am looking for” is limited to 600 characters" in refused.form_errors["needs"]
    profile = await profile_of(o, "alice")
    assert profile is not None and profile.what == "Alice's trade" and profile.offers == "Design reviews"
    assert len(o.chat.posts("introductions")) == 1


async def test_errors_speak_the_communitys_language(make_harness: Callable[..., ConsoleCommunity]) -> None:
    async with onboarding_harness(make_harness, "fr") as h:
        await h.join("alice")
        await h.press("alice", "J'accepte la charte")
        invitation = h.chat.dms("alice")[-1].message
        assert invitation is not None and invitation.title == "Présentez-vous en deux lignes"
        assert [b.label for b in invitation.buttons] == ["Me présenter", "Pas maintenant"]

        refused = await h.submit("alice", "intro", {"what": "", "offers": "x" * 5000})
        assert refused.form_errors == {
            "offers": "« Ce que je peux apporter » est limité à 600 caractères et votre réponse en compte 5000 : "
            "merci de la raccourcir.",
            "what": "Dites en quelques mots ce que vous faites : c'est la seule réponse obligatoire.",
        }

        await h.submit("alice", "intro", {"what": "Graphiste", "interests": "écologie"})
        [post] = h.chat.posts("introductions")
        assert post.message is not None and post.message.title == "Dites bonjour à alice !"
        assert post.message.text == "<@alice> : Graphiste"


async def test_an_unknown_field_is_named(o: ConsoleCommunity) -> None:
    await arrive(o, "alice")
    refused = await o.submit("alice", "intro", {"what": "Designer", "wat": "typo"})
    assert refused.error == "refused"
    assert "no field “wat”" in refused.replies[0].text and "what" in refused.replies[0].text
    assert await profile_of(o, "alice") is None


async def test_introducing_oneself_needs_the_charter_first(o: ConsoleCommunity) -> None:
    await o.join("alice")
    refused = await o.command("alice", "profile")
    assert refused.form is None
    assert "accept the charter" in refused.replies[0].text
    refused = await o.submit("alice", "intro", {"what": "Designer"})
    assert refused.error == "refused" and await profile_of(o, "alice") is None


# --- the animators' digest -------------------------------------------------------------------------------------


async def test_animators_see_where_each_newcomer_stands_on_demand(o: ConsoleCommunity) -> None:
    await introduce(o, "alice")
    await arrive(o, "bob")
    await o.press("bob", "Not now")
    await arrive(o, "carol")
    await o.join("dan")
    await introduce(o, "eve")
    await o.leave("eve")
    await o.advance(days=4)

    digest = (await o.command("camille", "newcomers")).replies[0]

    assert digest.title == "Newcomers of the last 30 days"
    assert digest.text.startswith("5 people joined.")
    fields = {f.name: f.value for f in digest.fields}
    assert fields["Introduced (1)"] == "• <@alice> — joined 5 Jan, introduced 5 Jan"
    assert fields["Accepted the charter, not introduced yet (2)"].splitlines() == [
        "• <@bob> — joined 5 Jan, accepted the charter 5 Jan · said “not now”",
        "• <@carol> — joined 5 Jan, accepted the charter 5 Jan · reminded 8 Jan",
    ]
    assert fields["Charter not accepted yet (1)"] == "• <@dan> — joined 5 Jan"
    assert fields["Left since (1)"] == "• <@eve> — joined 5 Jan, left 5 Jan"


async def test_only_animators_see_the_newcomers(o: ConsoleCommunity) -> None:
    await o.join("alice")
    refused = await o.command("alice", "newcomers")
    assert refused.error == "refused" and "Only the animators" in refused.replies[0].text
    assert (await o.command("camille", "newcomers days=0")).replies[0].text.startswith("“0” is not a number")


async def test_the_weekly_digest_goes_to_each_animator_and_says_nothing_when_nobody_came(
    o: ConsoleCommunity,
) -> None:
    # 5 January 2026 is a Monday, 10:00 in Paris: the next digest is Monday 12 at 9:00.
    await introduce(o, "alice")
    await arrive(o, "bob")
    await o.advance(days=6, hours=22)
    assert o.chat.dms("camille") == []

    await o.advance(hours=1)
    [digest] = o.chat.dms("camille")
    assert digest.message is not None and digest.message.title == "Newcomers of the last 30 days"
    assert "digest=off" in (digest.message.footer or "")

    await o.advance(days=35)
    # Mondays 19 and 26 January and 2 February still see them within 30 days; from 9 February the window has
    # passed, and a digest with nothing to say is not sent. (The health feature's monthly digest, on the 1st of
    # February, is another DM: only the newcomers' digests count here.)
    newcomers = [
        d for d in o.chat.dms("camille") if d.message and d.message.title == "Newcomers of the last 30 days"
    ]
    assert len(newcomers) == 4


async def test_the_digest_can_go_to_a_channel_or_stop(o: ConsoleCommunity) -> None:
    saved = await o.command("camille", 'onboarding digest="30 8 * * fri" digest_channel=#animators')
    assert saved.replies[0].title == "Onboarding settings saved."
    await introduce(o, "alice")
    await o.advance(days=5)
    assert len(o.chat.posts("animators")) == 1 and o.chat.dms("camille") == []

    await o.command("camille", "onboarding digest=off")
    await o.advance(days=14)
    assert len(o.chat.posts("animators")) == 1
    assert o.database is not None
    async with o.database.transaction() as session:
        schedule = await session.scalar(select(Schedule).where(Schedule.kind == "onboarding:digest"))
        assert schedule is not None and schedule.paused


async def test_onboarding_settings_are_checked_and_explained(o: ConsoleCommunity) -> None:
    bad_delay = await o.command("camille", "onboarding nudge_after=soon")
    assert bad_delay.replies[0].text == "“soon” is not a delay I understand. Examples: 3d, 36h, 1w, or off."
    bad_cron = await o.command("camille", 'onboarding digest="every monday"')
    assert "is not a schedule I understand" in bad_cron.replies[0].text
    bad_count = await o.command("camille", "onboarding suggestions=9")
    assert "choose between 0 and 5" in bad_count.replies[0].text
    refused = await o.command("alice", "onboarding nudge_after=1d")
    assert "Only the animators" in refused.replies[0].text

    saved = await o.command("camille", "onboarding nudge_after=1d suggestions=2 window=14d page_size=10")
    fields = {f.name: f.value for f in saved.replies[0].fields}
    assert fields["Reminder after"] == "1d" and fields["Suggested members per introduction"] == "2"
    assert fields["Newcomer window"] == "14d" and fields["Members per directory page"] == "10"
    await arrive(o, "alice")
    await o.advance(days=1, minutes=1)
    assert titles(o.chat.dms("alice"))[-1] == "Would you like to introduce yourself?"


async def test_onboarding_can_be_switched_off(o: ConsoleCommunity) -> None:
    await o.command("camille", "onboarding enabled=no")
    await arrive(o, "alice")
    await o.advance(days=5)
    assert titles(o.chat.dms("alice")) == ["Welcome to The Indies!"]
    # Introducing oneself stays possible.
    assert (await o.command("alice", "profile")).form is not None


async def test_the_journey_is_recorded_once(o: ConsoleCommunity) -> None:
    await o.join("alice", delivery_id="j1")
    await o.join("alice", delivery_id="j1")
    await o.press("alice", "I accept the charter")
    await o.press("alice", "I accept the charter")
    assert o.database is not None
    async with o.database.transaction() as session:
        rows = (await session.scalars(select(Newcomer))).all()
    assert len(rows) == 1 and rows[0].accepted_at is not None and rows[0].invited_at is not None
    assert titles(o.chat.dms("alice")) == ["Welcome to The Indies!", "Introduce yourself in two lines"]
    assert timedelta(0) <= rows[0].invited_at - rows[0].joined_at < timedelta(minutes=1)


async def test_the_digest_follows_a_new_default_from_the_config_after_a_restart(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with onboarding_harness(make_harness) as h:
        await h.join("alice")
        await h.stop()
        h.config = onboarding_harness(make_harness, onboarding={"digest_cron": "0 18 * * fri"}).config
        await h.start()
        assert h.database is not None
        async with h.database.transaction() as session:
            schedule = await session.scalar(select(Schedule).where(Schedule.kind == "onboarding:digest"))
        assert schedule is not None and (schedule.cron, schedule.paused) == ("0 18 * * fri", False)


async def test_the_settings_summary_says_where_the_digest_goes(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with make_harness("en", channels=ONBOARDING_CHANNELS) as h:  # no animator listed by id
        summary = (await h.command("camille", "onboarding")).replies[0]
        fields = {f.name: f.value for f in summary.fields}
        assert summary.title == "Onboarding settings"
        assert fields["Reminder after"] == "3d" and fields["Digest schedule"] == "0 9 * * mon"
        assert fields["Digest sent to"].startswith("nobody yet: add animators with /agora setup")
        await h.command("camille", "setup add_animator=@camille")
        fields = {f.name: f.value for f in (await h.command("camille", "onboarding")).replies[0].fields}
        assert fields["Digest sent to"] == "<@camille>"


async def test_not_now_after_introducing_oneself_changes_nothing(o: ConsoleCommunity) -> None:
    await introduce(o, "alice")
    late = await o.press("alice", "Not now")
    assert late.replies[0].text == "You have already introduced yourself. /agora profile lets you change it."
    assert (await profile_of(o, "alice")) is not None


@pytest.mark.parametrize(
    ("locale", "hello", "why"),
    [
        ("en", "Say hello to Alice Durand!", "• @carol — You both care about: design"),
        ("fr", "Dites bonjour à Alice Durand !", "• @carol — Vous avez en commun : design"),
    ],
)
async def test_the_example_script_replays_in_both_languages(locale: str, hello: str, why: str) -> None:
    from adapters.console.demo import run_demo

    lines: list[str] = []
    code = await run_demo(script=EXAMPLE, locale=locale, out=lines.append)

    assert code == 0
    transcript = "\n".join(lines)
    assert transcript.count(hello) == 2  # posted, then updated in place when alice edits it
    assert why in transcript
    assert transcript.count("✉ DM to eve") == 3  # welcome, invitation, one reminder
    assert transcript.count("✉ DM to dan") == 2  # welcome, invitation: "not now" means no reminder
    assert transcript.count("✉ DM to camille") == 1  # Monday's digest
