"""Icebreaker questions: a question for the whole community on a regular schedule, answered in a thread or by
a reaction.

Questions come from the bank shipped with Agora (``bot/content/<language>/icebreakers.yaml``, optionally only
some of its tags) and from the community's own: questions animators add, and questions members suggest, which
animators approve or reject with a button. None is asked twice before every question has been asked once
(a *cycle*); the community's new questions go first, credited to whoever suggested them.

The schedule is a cron rule in the community's time zone, declared here from the settings
(``community.icebreakers``) and kept as a stored ``Schedule`` by the core: animators change it with
``/agora icebreaker schedule|pause|resume``, and everyone sees the next date with ``/agora icebreaker status``.
A community starts receiving questions on its own once it has an icebreakers channel; an animator can also
start them anywhere (in the announcements channel) with ``schedule`` or ``resume``.

Handlers live in ``handlers_asking`` (the schedule, the draw, the status, reactions) and ``handlers_questions``
(the community's own questions), mixed into the feature here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.feature import Feature, HealthStep, PersonalData, ScheduleSpec
from bot.i18n import N_
from storage.tables.icebreakers import IcebreakerQuestion, IcebreakerReaction

from . import queries
from .handlers_asking import AskingHandlers
from .handlers_questions import QuestionHandlers
from .rules import normalized_question
from .settings import IcebreakerSettings

if TYPE_CHECKING:
    from bot.settings import CommunitySettings

__all__ = ["IcebreakersFeature", "normalized_question"]


def _rule(settings: CommunitySettings) -> str | None:
    """The icebreakers' cron rule while they are on: once the community has an icebreakers channel of its own,
    or once an animator started them (``started``, saved by ``schedule`` and ``resume``)."""
    s = settings.icebreakers
    if not s.enabled or not (s.started or settings.channels.get("icebreakers")):
        return None
    return str(s.schedule)


class IcebreakersFeature(QuestionHandlers, AskingHandlers, Feature):
    """Scheduled icebreaker questions, the community's own questions, members' suggestions and reactions."""

    name = "icebreakers"
    title = N_("Icebreakers")
    settings = IcebreakerSettings
    # ``schedule|pause|resume|tags|credit`` are thin commands over one save path (``AskingHandlers._save``):
    # their answers say more than a settings page would.
    settings_command = None
    schedules = (ScheduleSpec(queries.SCHEDULE, _rule),)
    personal_data = (
        # The questions a member suggested: their words. Erasing them deletes the suggestion (the text as it
        # was asked stays in ``icebreakers_asked``, which names nobody).
        PersonalData(
            IcebreakerQuestion,
            member="suggested_by",
            columns=("text", "anonymous", "created_at"),
            label=N_("The icebreaker questions you suggested"),
        ),
        # The animator (platform id) who decided on a question: the decision stays, unnamed.
        PersonalData(
            IcebreakerQuestion,
            member="decided_by",
            erase="anonymize",
            label=N_("The suggested questions you approved or declined (as an animator)"),
        ),
        # Their reactions to the questions asked, which count as answers.
        PersonalData(
            IcebreakerReaction,
            member="member_id",
            columns=("emoji", "reacted_at"),
            label=N_("Your reactions to icebreaker questions"),
        ),
    )
    health = (
        HealthStep("icebreakers_asked", N_("icebreaker questions asked"), queries.count_asked),
        HealthStep(
            "icebreakers_suggested",
            N_("questions suggested by members"),
            queries.count_suggested,
            members=queries.members_who_suggested,
            stage="acted",
        ),
        HealthStep(
            "icebreakers_reactions",
            N_("answers by reaction"),
            queries.count_reaction_answers,
            members=queries.members_who_reacted,
        ),
    )
