"""What the tests share: a community's configuration, and the console harness."""

from __future__ import annotations

from typing import Any

from bot.config import Config, parse_config

CHARTERS: dict[str, dict[str, Any]] = {
    "fr": {
        "objective": "Faire grandir ensemble les indépendants du numérique de Lyon.",
        "animators": [
            {"name": "Camille", "motivation": "J'ai été seule en freelance trois ans ; plus jamais ça."}
        ],
        "rights": ["Proposer un sujet de rencontre", "Quitter le groupe à tout moment"],
        "duties": ["Pas de démarchage commercial non sollicité", "Bienveillance dans les échanges"],
    },
    "en": {
        "objective": "Help Lyon's digital freelancers grow together.",
        "animators": [{"name": "Camille", "motivation": "I freelanced alone for three years; never again."}],
        "rights": ["Suggest a meeting topic", "Leave the group at any time"],
        "duties": ["No unsolicited sales pitches", "Kindness in every exchange"],
    },
}


def make_config(
    locale: str = "en", database_url: str = "sqlite+aiosqlite:///:memory:", **community: Any
) -> Config:
    """A configuration for a test community in ``locale``."""
    data: dict[str, Any] = {
        "database": {"url": database_url},
        "health": {"enabled": False},
        "community": {
            "name": "Les Indés" if locale == "fr" else "The Indies",
            "locale": locale,
            "timezone": "Europe/Paris",
            "member_role": "member",
            "channels": {"welcome": "welcome", "announcements": "announcements"},
            "charter_reminder_after": "2d",
            "charter": CHARTERS[locale],
            **community,
        },
    }
    return parse_config(data, "test-config", env={})
