"""Debate prompts: schedule, positions, closing and the rotating lead.

Part of a community's settings (``community.debates`` in the YAML, changed by animators in the database).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["DebateSettings"]


class DebateSettings(BaseModel):
    """Debate prompts: schedule, positions, closing and the rotating lead."""

    model_config = ConfigDict(extra="forbid")
