"""The community's health settings (``community.health`` in the YAML, changed by animators with
``/agora health settings``): whether the animators get the monthly digest."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from bot.i18n import N_

__all__ = ["DIGEST_CRON", "HealthSettings"]

# When the monthly digest goes out: the first day of each month at 9:00, in the community's time zone.
DIGEST_CRON = "0 9 1 * *"


class HealthSettings(BaseModel):
    """The community's health report and its monthly digest."""

    model_config = ConfigDict(extra="forbid")

    digest: bool = Field(
        default=True,
        description=N_("Yes for a monthly health digest to each animator by direct message; off to stop it"),
    )
