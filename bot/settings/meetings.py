"""Meeting polls and meetings: deadlines, nudges, reminders, recaps, the next date.

Part of a community's settings (``community.meetings`` in the YAML, changed by animators in the database).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["MeetingSettings"]


class MeetingSettings(BaseModel):
    """Meeting polls and meetings: deadlines, nudges, reminders, recaps, the next date."""

    model_config = ConfigDict(extra="forbid")
