"""Grouping rounds: cadence, group size, odd counts, follow-up.

Part of a community's settings (``community.rounds`` in the YAML, changed by animators in the database).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["RoundSettings"]


class RoundSettings(BaseModel):
    """Grouping rounds: cadence, group size, odd counts, follow-up."""

    model_config = ConfigDict(extra="forbid")
