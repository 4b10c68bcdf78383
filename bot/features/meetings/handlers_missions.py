"""Mission cards: at the end of a meeting, each member who came draws a small task for the time until the next
one (fix the next date, find the venue, welcome the newcomers, take the notes, bring a topic ...), so that the
group doesn't rest on its organisers alone.

The cards come from a bank per language (``bot/content/<lang>/missions.yaml``). At one meeting, cards are dealt
without repeats until the bank runs out. The cards drawn are shown on the end-of-meeting post, remembered, shown
again on the next meeting's announcement, and listed by ``/agora meeting missions``. Two cards give a role:
"fix the next date" lets its holder open the date poll, and "take the notes" makes its holder the one asked
for the next recap.
"""

from __future__ import annotations

import random
from typing import Any

from bot.content import ContentItem, load_bank
from bot.context import Context
from bot.errors import UserError
from bot.events import ButtonPressed
from bot.features.meetings import render
from bot.features.meetings.events import DRAW, GOING, MAYBE, MEETING_POST, MeetingEnded
from bot.features.meetings.handlers_meetings import refresh_post
from bot.features.meetings.queries import latest_ended_meeting, mission_draws, roster
from bot.features.meetings.render import card_name, long_time
from bot.i18n import N_
from bot.messages import Message, untrusted
from bot.router import action, command, on
from storage.models import MeetingStatus, Member
from storage.tables.meetings import Meeting, MissionDraw

__all__ = ["MissionHandlers"]


class MissionHandlers:
    """Mission cards drawn at the end of a meeting."""

    def _bank(self, ctx: Context[Any]) -> tuple[ContentItem, ...]:
        return load_bank("missions", ctx.settings.locale)

    def _post(self, ctx: Context[Any], meeting: Meeting, draws: list[tuple[MissionDraw, Member]]) -> Message:
        cards = {item.id: item for item in self._bank(ctx)}
        drawn = [(member.external_id, cards[draw.card_id]) for draw, member in draws if draw.card_id in cards]
        return render.missions_post(ctx.public, meeting.title, meeting.id, drawn)

    @on(MeetingEnded)
    async def invite(self, ctx: Context[MeetingEnded]) -> None:
        event = ctx.event
        meeting = await ctx.session.get(Meeting, event.meeting_id)
        if meeting is None or not meeting.channel_id or not self._bank(ctx):
            return
        entry = ctx.post(
            meeting.channel_id, self._post(ctx, meeting, []), origin=(MEETING_POST, str(meeting.id))
        )
        await ctx.session.flush()
        meeting.missions_entry_id = entry.id

    @action(DRAW)
    async def draw(self, ctx: Context[ButtonPressed]) -> None:
        event = ctx.event
        _ = ctx._
        gone = N_("This button no longer matches a meeting. Try /agora meeting missions.")
        meeting = await ctx.owned(Meeting, event.ref, gone=gone)
        if meeting.status != MeetingStatus.SCHEDULED:
            raise UserError(_(gone))
        if meeting.starts_at > ctx.now:
            raise UserError(_("Mission cards are drawn at the end of the meeting. See you there!"))
        member = await ctx.member()
        people = await roster(ctx, meeting)
        if people.status_of(member) not in (GOING, MAYBE, None):
            raise UserError(
                _(
                    "Mission cards are for those who came to “{title}”. See you at the next one!",
                    title=untrusted(meeting.title),
                )
            )
        bank = self._bank(ctx)
        cards = {item.id: item for item in bank}
        draws = await mission_draws(ctx, meeting)
        mine = next((draw for draw, who in draws if who.id == member.id), None)
        if mine is not None and mine.card_id in cards:
            raise UserError(
                _("You already drew your card: “{card}”. One each!", card=card_name(cards[mine.card_id]))
            )
        taken = {draw.card_id for draw, _who in draws}
        # Deal without repeats while the bank lasts; the seed makes a replayed press draw the same card.
        available = [item for item in bank if item.id not in taken] or list(bank)
        card = random.Random(f"{meeting.id}:{member.id}:{len(draws)}").choice(available)
        draw = MissionDraw(
            community_id=ctx.community.id,
            meeting_id=meeting.id,
            member_id=member.id,
            card_id=card.id,
            drawn_at=ctx.now,
        )
        ctx.session.add(draw)
        await ctx.session.flush()
        meeting.missions_update_id = await refresh_post(
            ctx,
            meeting.missions_entry_id,
            self._post(ctx, meeting, [*draws, (draw, member)]),
        )
        # The card in the drawer's own language where the bank has it (the same ids in every language).
        theirs = {item.id: item for item in load_bank("missions", _.locale)}
        ctx.reply(render.mission_drawn(_, theirs.get(card.id, card)))

    @command("meeting missions", N_("The mission cards drawn at the last meeting, and who has them"))
    async def missions(self, ctx: Context[Any]) -> None:
        _ = ctx._
        meeting = await latest_ended_meeting(ctx)
        if meeting is None:
            ctx.reply(_("No meeting has taken place yet: no mission card drawn."))
            return
        draws = await mission_draws(ctx, meeting)
        if not draws:
            ctx.reply(
                _(
                    "No mission card was drawn at “{title}” ({date}).",
                    title=untrusted(meeting.title),
                    date=long_time(_, meeting.starts_at, ctx.settings.timezone),
                )
            )
            return
        cards = {item.id: item for item in load_bank("missions", _.locale)}  # in the reader's language
        drawn = [
            (member.display_name or member.external_id, cards[draw.card_id])
            for draw, member in draws
            if draw.card_id in cards
        ]
        date = long_time(_, meeting.starts_at, ctx.settings.timezone)
        ctx.reply(render.missions_list(_, meeting.title, date, drawn))
