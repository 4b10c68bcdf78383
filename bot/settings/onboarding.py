"""Newcomer onboarding: introductions, suggested contacts, nudges, the animators' digest.

Part of a community's settings (``community.onboarding`` in the YAML, changed by animators in the database).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["OnboardingSettings"]


class OnboardingSettings(BaseModel):
    """Newcomer onboarding: introductions, suggested contacts, nudges, the animators' digest."""

    model_config = ConfigDict(extra="forbid")
