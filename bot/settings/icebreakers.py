"""Icebreaker questions: their schedule and how members answer.

Part of a community's settings (``community.icebreakers`` in the YAML, changed by animators in the database).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["IcebreakerSettings"]


class IcebreakerSettings(BaseModel):
    """Icebreaker questions: their schedule and how members answer."""

    model_config = ConfigDict(extra="forbid")
