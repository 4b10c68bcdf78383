"""Onboarding on Feature API v2: the generated ``/agora onboarding`` command (its option names and refusals
kept), the declared digest schedule, personal data and the health funnel's "introduced themselves"; and the
package's rules and messages without a database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from adapters.console import ConsoleCommunity
from bot.features.onboarding import OnboardingFeature, render, rules
from bot.features.onboarding.matching import Suggestion
from bot.features.onboarding.settings import OnboardingSettings
from bot.i18n import translator
from storage.models import Community
from tests.support import health_figure

CHANNELS = {"welcome": "welcome", "announcements": "announcements", "introductions": "introductions"}


async def test_the_settings_command_is_generated_with_its_old_option_names(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with make_harness("en", channels=CHANNELS, animators=["camille"]) as h:
        assert h.app is not None
        spec = h.app.router.commands["onboarding"]
        assert spec.animator_only
        assert [o.name for o in spec.options] == [
            "enabled",
            "nudge_after",
            "suggestions",
            "digest",
            "digest_to",
            "digest_channel",
            "window",
            "page_size",
        ]
        saved = await h.command("camille", "onboarding digest_channel=#animators page_size=25")
        assert saved.replies[0].text == "“25” is out of range for page_size: choose between 1 and 20."
        saved = await h.command("camille", "onboarding digest_channel=#animators")
        fields = {f.name: f.value for f in saved.replies[0].fields}
        assert fields["Digest sent to"] == "<#animators>"  # a digest channel means the digest goes there


async def test_introduced_themselves_counts_on_the_database(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with make_harness("en", channels=CHANNELS, animators=["camille"]) as h:
        since = h.clock.now() - timedelta(days=1)
        for who in ("alice", "bob"):
            await h.join(who)
            await h.press(who, "I accept the charter")
        await h.submit("alice", "intro", {"what": "Designer"})
        assert h.database is not None
        async with h.database.transaction() as session:
            community_id = await session.scalar(select(Community.id))
            assert community_id is not None
            assert await health_figure(session, "introduced", community_id, since) == 1
            assert (
                await health_figure(session, "introduced", community_id, h.clock.now() + timedelta(hours=1))
                == 0
            )
    [step] = OnboardingFeature.health
    assert (step.key, step.label, step.kind) == ("introduced", "introduced themselves", "funnel")


def test_profiles_and_newcomers_are_declared_personal_data() -> None:
    declared = {(d.tablename, d.member) for d in OnboardingFeature.personal_data}
    # ... and the contacts suggested in others' introductions, a JSON list keyed by platform id.
    assert declared == {
        ("member_profiles", "member_id"),
        ("newcomers", "member_id"),
        ("member_profiles", "suggestions"),
    }


def test_the_digest_schedule_follows_the_setting() -> None:
    [spec] = OnboardingFeature.schedules

    class Settings:
        onboarding = OnboardingSettings()

    assert spec.kind == "onboarding:digest" and spec.rule(Settings) == "0 9 * * mon"  # type: ignore[arg-type]
    Settings.onboarding = OnboardingSettings(digest_cron="off")
    assert spec.rule(Settings) is None  # type: ignore[arg-type]


# --- without a database ------------------------------------------------------------------------------------------


def test_the_form_needs_what_you_do_and_answers_within_their_limits() -> None:
    assert rules.form_problems({"what": ""}) == {"what": "required"}
    assert rules.form_problems({"what": "x" * 201, "name": "Al"}) == {"what": "too_long"}
    assert rules.form_problems({"what": "Designer"}) == {}
    assert rules.unknown_fields({"what": "x", "age": "40"}) == ["age"]
    errors = render.form_errors(
        translator("en"), {"what": "too_long"}, {"what": "x" * 201}, rules.FIELD_LIMITS
    )
    assert errors == {
        "what": "“What I do” is limited to 200 characters and yours has 201: please shorten it."
    }


def test_a_newcomers_stage() -> None:
    now = datetime(2026, 1, 5, tzinfo=UTC)
    assert rules.stage(left=True, introduced=True, accepted_at=now) == "left"
    assert rules.stage(left=False, introduced=True, accepted_at=now) == "introduced"
    assert rules.stage(left=False, introduced=False, accepted_at=now) == "accepted"
    assert rules.stage(left=False, introduced=False, accepted_at=None) == "joined"


def test_the_digest_groups_newcomers_by_stage() -> None:
    lines = [
        render.DigestLine("alice", "introduced", "5 Jan", "6 Jan"),
        render.DigestLine("bob", "accepted", "5 Jan", "5 Jan", declined=True),
        render.DigestLine("carol", "joined", "6 Jan"),
    ]
    message = render.digest_message(translator("en"), lines, timedelta(days=30))
    assert message.title == "Newcomers of the last 30 days"
    fields = {f.name: f.value for f in message.fields}
    assert fields["Introduced (1)"] == "• <@alice> — joined 5 Jan, introduced 6 Jan"
    assert fields["Accepted the charter, not introduced yet (1)"].endswith("· said “not now”")
    assert "3 people joined." in message.text


def test_the_introduction_mentions_the_members_to_meet() -> None:
    class Profile:
        name, what, location, interests, offers, needs = "Alice", "Designer", "Lyon", ["design"], "", ""
        suggestions = [Suggestion(key="carol", name="Carol", score=1.0, shared=("design",)).to_dict()]

    message = render.introduction_message(translator("en"), Profile, "alice")
    assert message.title == "Say hello to Alice!"
    assert message.text.endswith("• <@carol> — You both care about: design")
    assert [f.name for f in message.fields] == ["Where", "Interests and skills"]
