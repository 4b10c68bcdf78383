"""Privacy: members own their data. Each feature declares where a member's data lives
(``Feature.personal_data``); this package reads those declarations and needs no code of any feature.

- ``/agora privacy``: what Agora keeps about you here, in plain words, by feature, with the retention rule, and
  two buttons: **Export my data** (a JSON file and a readable summary, by direct message) and **Erase my data**
  (after a confirmation saying what goes and what stays).
- A member who leaves is erased after ``privacy.retention_after_leaving`` (90 days by default, ``0d`` at once,
  ``off`` to keep), by a daily schedule.
- ``/agora privacy status`` (animators): what is kept, counts, the retention, pending erasures, the CSV exports.

The package: ``handlers`` (thin), ``queries`` (the generic SQL over the declarations), ``rules`` (pure: what names
a member, what an emptied column holds), ``render`` (messages), ``settings``.
"""

from __future__ import annotations

from bot.feature import ScheduleSpec
from bot.features.privacy.handlers import RETENTION, PrivacyHandlers, erase_member
from bot.features.privacy.settings import PrivacySettings
from bot.i18n import N_
from bot.router import Feature

__all__ = ["RETENTION", "PrivacyFeature", "erase_member"]

# Every night at 03:30, in the community's time zone.
SWEEP_CRON = "30 3 * * *"


class PrivacyFeature(PrivacyHandlers, Feature):
    """Export, erase, retention after leaving, and the animators' view of what is kept."""

    name = "privacy"
    title = N_("Privacy")
    order = 200  # a member leaving: the others see it first, then their data goes
    settings = PrivacySettings
    settings_command = "privacy settings"
    settings_title = N_("Privacy settings")
    settings_saved_title = N_("Privacy settings saved.")
    settings_description = N_("How long the data of members who left is kept (animators)")
    schedules = (
        ScheduleSpec(
            RETENTION,
            lambda settings: SWEEP_CRON if settings.privacy.retention_after_leaving is not None else None,
        ),
    )
