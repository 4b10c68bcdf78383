"""The health report reads what features declare (``Feature.health``): every step counts on a real database,
from a community's first day, and the funnel follows a member from the charter to meeting people."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from adapters.console import ConsoleCommunity
from bot.feature import FUNNEL_STAGES, feature_classes
from bot.i18n import translator
from storage.models import Community


def steps() -> list:
    return [step for cls in feature_classes() for step in cls.health]


def test_steps_have_unique_keys_and_translated_labels() -> None:
    keys = [step.key for step in steps()]
    assert len(keys) == len(set(keys))
    french = translator("fr")
    for step in steps():
        assert french(step.label) != step.label, f"no French for {step.key}: run python -m bot.i18n.catalogs"


def test_the_funnel_spans_the_features() -> None:
    funnel = {cls.name for cls in feature_classes() for step in cls.health if step.kind == "funnel"}
    assert len(funnel) >= 3, funnel


def test_every_stage_of_the_funnel_is_declared_by_a_feature() -> None:
    declared = {step.stage for step in steps() if step.stage}
    assert declared == set(FUNNEL_STAGES)
    acted = {step.key for step in steps() if step.stage == "acted"}
    assert acted == {"amendments_proposed", "icebreakers_suggested", "debates.motions", "missions_drawn"}


async def test_every_step_counts_on_a_real_database(h: ConsoleCommunity) -> None:
    await h.join("alex")
    assert h.app is not None
    async with h.app.database.transaction() as session:
        community = await session.scalar(select(Community))
        assert community is not None
        since = h.clock.now() - timedelta(days=30)
        counts = {step.key: await step.tally(session, community.id, since, h.clock.now()) for step in steps()}
    assert all(isinstance(value, int) and value >= 0 for value in counts.values()), counts
