"""How the charter changes (animator, committee or community vote) and re-acceptance.

Part of a community's settings (``community.charter_rules`` in the YAML, changed by animators in the database).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["CharterRulesSettings"]


class CharterRulesSettings(BaseModel):
    """How the charter changes (animator, committee or community vote) and re-acceptance."""

    model_config = ConfigDict(extra="forbid")
