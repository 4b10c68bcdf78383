"""Privacy settings: how long the data of a member who left is kept (``community.privacy`` in the YAML, changed by
animators with ``/agora privacy settings``, the command the core builds from this model)."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field

from bot.i18n import N_
from bot.settings.types import OffOrDuration

__all__ = ["PrivacySettings"]


class PrivacySettings(BaseModel):
    """How long Agora keeps the data of members who left."""

    model_config = ConfigDict(extra="forbid")

    # None ("off"): kept until the member erases it; 0d: erased as soon as they leave.
    retention_after_leaving: OffOrDuration = Field(
        default=timedelta(days=90),
        description=N_(
            "How long the data of a member who left is kept before it is erased: 90d, 0d at once, or off"
        ),
    )
