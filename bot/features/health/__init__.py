"""The community's health: ``/agora health`` (the members' path from joining to acting, members at risk,
meetings, rounds and debates, with a chart) and a monthly digest to the animators.

The figures come from the steps every feature declares (``Feature.health``), read from their own tables: no
separate store to keep in sync. The web dashboard reuses the same pieces: :func:`health_report` (plain data),
``charts`` (PNG and SVG), :func:`member_stages` and :func:`stage_flags` (each member's stages)."""

from __future__ import annotations

from bot.feature import Feature, HealthStep, ScheduleSpec
from bot.i18n import N_

from . import queries
from .handlers import DIGEST, HealthHandlers
from .report import HealthReport, health_report, member_stages, stage_flags
from .settings import DIGEST_CRON, HealthSettings

__all__ = ["HealthFeature", "HealthReport", "health_report", "member_stages", "stage_flags"]


class HealthFeature(HealthHandlers, Feature):
    """The health report and the animators' monthly digest."""

    name = "health"
    title = N_("Community health")
    order = 150
    settings = HealthSettings
    settings_command = "health settings"
    settings_title = N_("Health report settings")
    settings_saved_title = N_("Health report settings saved.")
    settings_description = N_("Whether animators get the monthly health digest (animators)")
    schedules = (ScheduleSpec(DIGEST, lambda settings: DIGEST_CRON if settings.health.digest else None),)
    # Joining is the funnel's first stage: the core's own table, declared here.
    health = (HealthStep("joined", N_("joined"), members=queries.joined, kind="funnel", stage="joined"),)
