"""Meetings: a poll fixes the date, the date becomes a meeting members can count on, and mission cards share
the work until the next one. Three features, in the order they see a meeting's end: the meeting itself
(announcement, RSVP, reminders, recap), the mission cards, then the next date poll."""

from __future__ import annotations

from bot.features.meetings.handlers_meetings import MeetingsFeature
from bot.features.meetings.handlers_missions import MissionsFeature
from bot.features.meetings.handlers_polls import MeetingPollsFeature

__all__ = ["MeetingPollsFeature", "MeetingsFeature", "MissionsFeature"]
