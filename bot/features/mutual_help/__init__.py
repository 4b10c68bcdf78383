"""Mutual help: members ask, the network answers, with warm double opt-in introductions.

``/agora ask`` (members who accepted the charter) opens a form: what I need, details, by when, public or
discreet. A public ask is posted in the help channel (purpose ``help``, else announcements) with **I can help**
and **I know someone**; a discreet one is posted nowhere. Agora asks up to three members whose directory profile
meets the need (``rules.helpers_for`` over the onboarding's matching: French and English words, stems,
synonyms), by DM, saying why them; only when one says **Happy to help** does Agora open a conversation with the
two (Slack group DM, Discord private thread in the help channel). Nobody is asked more than the community's
weekly number of times, and anyone can pause being asked. When nobody accepts within days the asker is told
kindly; after the date (or two weeks) Agora asks once whether it is solved. A solved ask can carry a thank-you,
posted naming the helper unless they decline. ``/agora asks`` lists what is open; animators also see figures.

Handlers live in ``handlers_ask`` (asking, answering, the introduction) and ``handlers_close`` (closing the loop),
mixed into the feature here; ``/agora asks settings`` is built by the core from ``settings.MutualHelpSettings``.
"""

from __future__ import annotations

from bot.feature import Feature, HealthStep, PersonalData
from bot.i18n import N_
from storage.tables.mutual_help import HelpAsk, HelpOffer, HelpPreference

from . import queries
from .handlers_ask import AskHandlers
from .handlers_close import CloseHandlers
from .settings import MutualHelpSettings

__all__ = ["MutualHelpFeature"]


class MutualHelpFeature(AskHandlers, CloseHandlers, Feature):
    """Asks for help, double opt-in introductions, closing the loop."""

    name = "mutual_help"
    title = N_("Mutual help")
    order = 60
    settings = MutualHelpSettings
    settings_command = "asks settings"
    settings_title = N_("Mutual help settings")
    settings_saved_title = N_("Mutual help settings saved.")
    settings_description = N_("See or change how members ask the network for help (animators)")
    personal_data = (
        PersonalData(
            HelpAsk,
            member="asker_id",
            columns=("need", "details", "by_when", "discreet", "status", "thanks", "created_at", "closed_at"),
            label=N_("What you asked the network for, and your thank-yous"),
            # The public ask and its thank-you present the member's need: erasing them deletes those posts.
            posts=("post_entry_id", "thanks_entry_id"),
        ),
        # The asker named them as who helped: the ask stays the asker's, unnamed.
        PersonalData(
            HelpAsk,
            member="helped_by",
            erase="anonymize",
            label=N_("The asks whose authors said you helped them"),
        ),
        # Whether they were asked to help and what they answered: kept unnamed for the figures.
        PersonalData(
            HelpOffer,
            member="helper_id",
            columns=("source", "status", "reasons", "asked_at", "answered_at"),
            erase="anonymize",
            label=N_("When you were asked to help, why, and what you answered"),
        ),
        PersonalData(
            HelpOffer,
            member="referred_by",
            erase="anonymize",
            label=N_("The members you named as able to help"),
        ),
        PersonalData(
            HelpPreference,
            member="member_id",
            columns=("paused", "unnamed", "updated_at"),
            label=N_("Your choices as a helper: paused, not named in thanks"),
        ),
    )
    health = (
        HealthStep("asked", N_("asks for help"), queries.count_asked, members=queries.members_who_asked),
        HealthStep(
            "helped", N_("offers of help accepted"), queries.count_helped, members=queries.members_who_helped
        ),
    )
