"""Meeting posts that failed for good (``PostFailed``): a poll nobody can see is cancelled, so it does not close
on no answers and fix a date; a meeting's announcement, its recap or its mission cards that never went out are
forgotten, so nothing updates or points to a post that does not exist. Each says so in the animators' notice."""

from __future__ import annotations

from bot.context import Context
from bot.events import PostFailed
from bot.messages import untrusted
from bot.router import undelivered
from storage.models import MeetingPollStatus
from storage.tables.meetings import Meeting, MeetingPoll

from .events import MEETING_POST as MEETING
from .events import POLL_POST as POLL
from .handlers_polls import CLOSE, NUDGE

__all__ = ["UndeliveredHandlers"]


class UndeliveredHandlers:
    """What a meeting post failing for good changes (a mixin of ``MeetingsFeature``)."""

    @undelivered(POLL)
    async def poll_unposted(self, ctx: Context[PostFailed]) -> None:
        poll = await ctx.failed_row(MeetingPoll, "post_entry_id")
        if poll is None or poll.status != MeetingPollStatus.OPEN:
            return
        poll.status = MeetingPollStatus.CANCELLED
        await ctx.cancel_timer(CLOSE, str(poll.id))
        await ctx.cancel_timer(NUDGE, str(poll.id))
        await ctx.cancel_pending(POLL, str(poll.id))
        ctx.reply(
            ctx._(
                "The poll “{title}” is cancelled, since nobody can see it. "
                "Open it again with /agora meeting poll once I can post there.",
                title=untrusted(poll.title),
            )
        )

    @undelivered(MEETING)
    async def meeting_post_unposted(self, ctx: Context[PostFailed]) -> None:
        meeting = await ctx.failed_row(Meeting)
        if meeting is None:
            return
        entry, _ = ctx.event.entry, ctx._
        if meeting.announcement_entry_id == entry:
            meeting.announcement_entry_id = None
            ctx.reply(
                _(
                    "The announcement of “{title}” was not posted. Those who answered its poll got the date "
                    "by direct message, with the buttons to say whether they come.",
                    title=untrusted(meeting.title),
                )
            )
        elif meeting.recap_entry_id == entry:
            meeting.recap_entry_id = None
            ctx.reply(
                _(
                    "The recap of “{title}” is saved but was not posted; sharing it again posts it.",
                    title=untrusted(meeting.title),
                )
            )
        elif meeting.missions_entry_id == entry:
            meeting.missions_entry_id = meeting.missions_update_id = None
            ctx.reply(
                _(
                    "The mission cards of “{title}” were not posted: nobody could draw one.",
                    title=untrusted(meeting.title),
                )
            )
