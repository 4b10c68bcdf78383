"""The meeting features' shared vocabulary: answers, action and timer names, and the domain events one meeting
feature sends another (a date was fixed; a meeting ended)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.events import Event
from storage.models import RsvpStatus

GOING, MAYBE, NOT_GOING, WAITLIST = (
    RsvpStatus.GOING,
    RsvpStatus.MAYBE,
    RsvpStatus.NOT_GOING,
    RsvpStatus.WAITLIST,
)
RSVP_ACTIONS = {"meeting:going": GOING, "meeting:maybe": MAYBE, "meeting:not-going": NOT_GOING}
VOTE = "meeting:vote"  # ref "<option id>.<yes|maybe|no>"
NONE_SUIT = "meeting:none"  # ref: the poll's id
BALLOT = "meeting:ballot"  # the poll feature's "Answer" button (ref: the poll's id)
RECAP = "meeting:recap"  # button opening the recap form (ref: the meeting's id)
RECAP_FORM = "meeting_recap"
DRAW = "meeting:draw"  # the mission card button (ref: the meeting's id)
REMINDER = "meeting:reminder"  # timer, ref "<meeting id>:<minutes before>"
ENDED = "meeting:ended"  # timer, ref: the meeting's id
RECAP_REMINDER = "meeting:recap-reminder"  # timer, ref: the meeting's id
# Origins of the outbox posts a failure must roll back (see handlers_undelivered).
POLL_POST = "poll"  # ref: the poll's id
MEETING_POST = "meeting"  # the announcement, the recap, the mission cards; ref: the meeting's id
MEETING_EVENT = (
    "meeting-event"  # its platform calendar event (a Discord Scheduled Event); ref: the meeting's id
)
# Mission cards (bot/content/<lang>/missions.yaml) this feature gives a role to.
NOTES_CARD = "take-notes"
DATE_CARD = "next-date"
NAMES_SHOWN = 15
MAX_TITLE = 200
MAX_PLACE = 300


# --- domain events -----------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class MeetingDateChosen(Event):
    """Domain event: a date was fixed (a poll's winner, a tie broken, the same slot again): make it a meeting."""

    title: str
    starts_at: datetime
    ends_at: datetime
    created_by: str
    place: str = ""
    capacity: int | None = None
    channel_id: str | None = None
    poll_id: int | None = None
    option_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class MeetingEnded(Event):
    """Domain event: meeting ``meeting_id`` just ended (mission cards, the next poll follow)."""

    meeting_id: int
