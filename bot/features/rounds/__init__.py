"""Grouping rounds ("coffee roulette", lunch tables): at each round, every member taking part meets a small group
of members they have not met yet.

Members opt in or out at any time (a button or ``/agora round join|leave``), skip a few rounds
(``/agora round snooze``) and may privately ask never to be grouped with someone (``/agora round avoid``), which
nobody else ever learns. Rounds follow the community's cadence (weekly, every two weeks, monthly, in its time
zone) or start by hand (``/agora round start``). The optimizer (:mod:`bot.features.rounds.grouping`) makes the
groups from the stored history; each group gets a conversation (a group DM on Slack, a private thread in the
rounds channel on Discord) introducing its members from their profiles, saying what they share and offering a
conversation starter. A few days later each member is asked "Did you meet?"; the answers feed
``/agora round status`` and the next round (a group that did not meet may be formed again).

Each group has a captain, asked to suggest a time with **Find a time** (a small date poll for the group, with the
meeting poll's date reading and tally; the time set comes with an .ics). Members whose working hours never overlap
are kept apart when the roster allows (``zones``). A member who leaves "Did you meet?" unanswered two rounds in a
row is asked once whether to stay in, and paused without an answer.

The package: ``handlers`` (taking part), ``handlers_rounds`` (running rounds), ``handlers_quiet`` (quiet members)
and ``handlers_time`` (the groups' date polls) are the feature's mixins, ``queries`` its SQL, ``rules`` and
``zones`` its pure decisions, ``planning`` a round planned outside the community's lock, ``render``,
``render_quiet`` and ``render_time`` its messages, ``settings`` its settings model.
"""

from __future__ import annotations

from typing import Any

from bot.context import Context
from bot.feature import HealthStep, PersonalData, ScheduleSpec
from bot.features.rounds import queries, render
from bot.features.rounds.handlers import Participation
from bot.features.rounds.handlers_rounds import FOLLOW_UP, ROUND, Running
from bot.features.rounds.handlers_time import FindTime
from bot.features.rounds.settings import RoundSettings
from bot.i18n import N_
from bot.messages import Message
from bot.router import Feature
from storage.tables.rounds import (
    Round,
    RoundExclusion,
    RoundGroup,
    RoundGroupMember,
    RoundParticipant,
    RoundPoll,
    RoundPollAnswer,
)

__all__ = ["FOLLOW_UP", "ROUND", "RoundsFeature"]


class RoundsFeature(Participation, Running, FindTime, Feature):
    """Opt in and out, snooze, private exclusions, rounds on a cadence, group conversations with a captain and
    their date poll, "Did you meet?", quiet members, and the animators' statistics and settings."""

    name = "rounds"
    title = N_("Grouping rounds")
    order = 60
    settings = RoundSettings
    settings_command = "round settings"
    settings_title = N_("Rounds settings")
    settings_saved_title = N_("Rounds settings saved.")
    settings_description = N_(
        "Set the rounds' cadence, day, time, group size, odd counts and follow-up (animators)"
    )
    # The round's recurring rule, in the community's time zone (every two weeks and monthly skip in the handler).
    schedules = (
        ScheduleSpec(ROUND, lambda settings: settings.rounds.cron() if settings.rounds.enabled else None),
    )
    personal_data = (
        # In or out, and how many rounds they skip.
        PersonalData(
            RoundParticipant,
            member="member_id",
            columns=("active", "snooze_rounds", "joined_at", "paused_until", "paused_quiet"),
            label=N_("Whether you take part in the grouping rounds, your snoozes and pauses"),
        ),
        # Whom the member asked never to meet: theirs alone. ``excluded_id`` is exported with the data of the member
        # who asked, never with the excluded member's (who must never learn of it); erasing either deletes the row.
        PersonalData(
            RoundExclusion,
            member="member_id",
            columns=("excluded_id", "created_at"),
            label=N_("The members you asked never to be grouped with (private: only you see them)"),
        ),
        PersonalData(
            RoundExclusion,
            member="excluded_id",
            exported=False,
            label=N_("Other members' private requests not to be grouped with you (never shown to you)"),
        ),
        # Their seats in the groups and their answers to "Did you meet?".
        PersonalData(
            RoundGroupMember,
            member="member_id",
            columns=("answer", "answered_at"),
            label=N_("Your groups in the rounds and your answers to “Did you meet?”"),
        ),
        # The group they were asked to find a time for, and the times they suggested and answered: the group's
        # history stays (its poll keeps its tally's count), without them.
        PersonalData(
            RoundGroup,
            member="captain_id",
            erase="anonymize",
            label=N_("The round groups you were captain of"),
        ),
        PersonalData(
            RoundPoll,
            member="created_by",
            erase="anonymize",
            label=N_("The times you suggested to your round groups"),
        ),
        PersonalData(
            RoundPollAnswer,
            member="member_id",
            columns=("choice", "answered_at"),
            label=N_("Your answers to your round groups' time polls"),
        ),
        # The animator who started a round by hand (an external id, or "schedule"): the round stays, for everyone
        # else's history. ``Round.left_out`` lists member ids too, as the optimizer's record of the round.
        PersonalData(
            Round, member="started_by", erase="anonymize", label=N_("The rounds you started by hand")
        ),
        PersonalData(
            Round,
            member="left_out",
            refers="list",
            erase="anonymize",
            label=N_("The rounds in which you could not be grouped"),
        ),
    )
    health = (
        HealthStep(
            "rounds_grouped",
            N_("took part in a round"),
            members=queries.members_grouped,
            kind="funnel",
            stage="round",
        ),
        HealthStep(
            "rounds_met", N_("met in a round"), members=queries.members_met, kind="funnel", stage="met"
        ),
        HealthStep("rounds_held", N_("rounds held"), queries.rounds_held, kind="counter"),
    )

    async def describe_settings(self, ctx: Context[Any], title: str) -> Message:
        """The rounds' own settings page (its titles predate the generated command's)."""
        _ = ctx._
        return render.settings_page(_, title, ctx.settings.rounds)
