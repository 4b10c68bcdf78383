"""Meetings: a poll fixes the date, the date becomes a meeting members can count on, and mission cards share
the work until the next one.

Three features, each a class built from its handlers (mixins in ``handlers_*.py``; a mixin that calls another's
helpers derives from it) and the declarations below,
in the order they see a meeting's end: the meeting itself (announcement, RSVP, reminders, recap), the mission
cards, then the next date poll. The meeting's settings (``community.meetings``) serve all three; the settings
command (``/agora meeting settings``) is built by the core from :class:`MeetingSettings`.

Nothing here is a recurring rule: a meeting's reminders, end and recap reminder are timers set from its date, and
a poll's close and nudge from its opening, so no ``ScheduleSpec`` is declared.
"""

from __future__ import annotations

from typing import Any

from bot.context import Context
from bot.feature import Feature, HealthStep, PersonalData
from bot.features.meetings import queries, render
from bot.features.meetings.handlers_commands import MeetingCommands
from bot.features.meetings.handlers_missions import MissionHandlers
from bot.features.meetings.handlers_poll_answers import PollAnswerHandlers
from bot.features.meetings.handlers_recap import RecapHandlers
from bot.features.meetings.handlers_undelivered import UndeliveredHandlers
from bot.features.meetings.settings import MeetingSettings
from bot.i18n import N_
from bot.messages import Message
from storage.tables.meetings import Meeting, MeetingPoll, MeetingPreference, MissionDraw, PollAnswer, Rsvp

__all__ = ["MeetingPollsFeature", "MeetingsFeature", "MissionsFeature"]


class MeetingsFeature(UndeliveredHandlers, RecapHandlers, MeetingCommands, Feature):
    """Meetings: announcement with .ics, RSVP with capacity and waiting list, reminders, recap, next date."""

    name = "meetings"
    title = N_("Meetings")
    order = 60
    settings = MeetingSettings
    settings_command = "meeting settings"
    settings_title = N_("How meetings work here")
    settings_description = N_("See or change how meetings work here (animators)")
    personal_data = (
        # Erasing a member keeps their answer, unnamed: a meeting's attendance keeps its number.
        PersonalData(
            Rsvp,
            member="member_id",
            columns=("status",),
            erase="anonymize",
            label=N_("Your answers to meeting invitations (going, maybe, not going)"),
        ),
        PersonalData(
            MeetingPreference,
            member="member_id",
            columns=("timezone", "reminders"),
            label=N_("Your meeting preferences: time zone and reminders"),
        ),
        # Who announced a meeting and who wrote its recap: the meeting stays the group's, their part is emptied.
        PersonalData(Meeting, member="created_by", erase="anonymize", label=N_("The meetings you announced")),
        PersonalData(
            Meeting,
            member="recap_by",
            columns=("recap", "materials"),
            erase="anonymize",
            label=N_("The meeting recaps and materials you shared"),
        ),
    )
    health = (
        HealthStep(
            "came_to_a_meeting",
            N_("came to a meeting"),
            members=queries.came_to_a_meeting,
            kind="funnel",
            stage="meeting",
        ),
        HealthStep("meetings_held", N_("meetings held"), queries.count_meetings_held),
    )

    async def describe_settings(self, ctx: Context[Any], title: str) -> Message:
        return render.settings_page(ctx._, ctx.settings.meetings, title)


class MissionsFeature(MissionHandlers, Feature):
    """Mission cards drawn at the end of a meeting."""

    name = "missions"
    title = N_("Mission cards")
    order = 61
    personal_data = (
        PersonalData(
            MissionDraw, member="member_id", columns=("card_id",), label=N_("The mission cards you drew")
        ),
    )
    health = (
        HealthStep(
            "missions_drawn",
            N_("mission cards drawn"),
            queries.count_cards_drawn,
            members=queries.members_who_drew_a_card,
            stage="acted",
        ),
    )


class MeetingPollsFeature(PollAnswerHandlers, Feature):
    """Date polls: the form, the ballots, the live tally, the nudge, the close and the tie-break."""

    name = "meeting_polls"
    title = N_("Date polls")
    # After the missions: at a meeting's end, "draw your card" comes before the next poll.
    order = 62
    personal_data = (
        PersonalData(
            PollAnswer, member="member_id", columns=("choice",), label=N_("Your answers to date polls")
        ),
        PersonalData(
            MeetingPoll, member="created_by", erase="anonymize", label=N_("The date polls you opened")
        ),
    )
    health = (
        HealthStep(
            "polls_answered",
            N_("polls answered"),
            queries.count_polls_answered,
            members=queries.members_who_answered_a_poll,
        ),
    )
