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

from sqlalchemy import select

from bot.content import ContentItem, load_bank
from bot.context import Context
from bot.errors import UserError
from bot.events import ButtonPressed
from bot.features.meetings.events import DATE_CARD, GOING, MAYBE, NOTES_CARD, MeetingEnded
from bot.features.meetings.handlers_meetings import refresh_post
from bot.features.meetings.queries import latest_ended_meeting, roster
from bot.features.meetings.render import long_time
from bot.i18n import N_
from bot.messages import Button, Field, Message, mention
from bot.router import action, command, on
from storage.models import MeetingStatus, Member
from storage.tables.meetings import Meeting, MissionDraw

__all__ = ["MissionHandlers", "card_name"]

DRAW = "meeting:draw"  # ref: the meeting's id


def card_name(item: ContentItem) -> str:
    """A card's name: its text up to the colon ("Find the venue")."""
    return item.text.split(":", 1)[0].strip()


class MissionHandlers:
    """Mission cards drawn at the end of a meeting."""

    def _bank(self, ctx: Context) -> tuple[ContentItem, ...]:
        return load_bank("missions", ctx.settings.locale)

    async def _draws(self, ctx: Context, meeting: Meeting) -> list[tuple[MissionDraw, Member]]:
        rows = await ctx.session.execute(
            select(MissionDraw, Member)
            .join(Member, Member.id == MissionDraw.member_id)
            .where(MissionDraw.meeting_id == meeting.id)
            .order_by(MissionDraw.drawn_at, MissionDraw.id)
        )
        return [(draw, member) for draw, member in rows.all()]

    def _listing(self, ctx: Context, draws: list[tuple[MissionDraw, Member]]) -> str:
        cards = {item.id: item for item in self._bank(ctx)}
        return "\n".join(
            f"• {mention(member.external_id)} — {card_name(cards[draw.card_id])}"
            for draw, member in draws
            if draw.card_id in cards
        )

    def _post(self, ctx: Context, meeting: Meeting, draws: list[tuple[MissionDraw, Member]]) -> Message:
        _ = ctx._
        fields = (Field(_("Missions drawn"), self._listing(ctx, draws)),) if draws else ()
        return Message(
            title=_("Thank you for coming to “{title}”!", title=meeting.title),
            text=_(
                "Before you go, draw a mission card: a small task until the next meeting, so that the group "
                "doesn't rest on the organisers alone. One card each."
            ),
            fields=fields,
            buttons=(Button(DRAW, _("Draw a mission card"), ref=str(meeting.id), style="success"),),
        )

    @on(MeetingEnded)
    async def invite(self, ctx: Context[MeetingEnded]) -> None:
        event = ctx.event
        meeting = await ctx.session.get(Meeting, event.meeting_id)
        if meeting is None or not meeting.channel_id or not self._bank(ctx):
            return
        entry = ctx.post(meeting.channel_id, self._post(ctx, meeting, []))
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
                    title=meeting.title,
                )
            )
        bank = self._bank(ctx)
        cards = {item.id: item for item in bank}
        draws = await self._draws(ctx, meeting)
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
        hint = {
            DATE_CARD: _("You can open the date poll yourself: /agora meeting poll."),
            NOTES_CARD: _("After the next meeting, I'll ask you for the recap."),
        }.get(card.id, _("Your card is shown to everyone on the post, so you can find help if you need it."))
        ctx.reply(
            Message(
                title=_("Your mission: {card}", card=card_name(card)),
                text=f"{card.text}\n{hint}",
                footer=_("Card suggested by {author}", author=card.author) if card.author else None,
                ephemeral=True,
            )
        )

    @command("meeting missions", N_("The mission cards drawn at the last meeting, and who has them"))
    async def missions(self, ctx: Context) -> None:
        _ = ctx._
        meeting = await latest_ended_meeting(ctx)
        if meeting is None:
            ctx.reply(_("No meeting has taken place yet: no mission card drawn."))
            return
        draws = await self._draws(ctx, meeting)
        if not draws:
            ctx.reply(
                _(
                    "No mission card was drawn at “{title}” ({date}).",
                    title=meeting.title,
                    date=long_time(_, meeting.starts_at, ctx.settings.timezone),
                )
            )
            return
        cards = {item.id: item for item in self._bank(ctx)}
        ctx.reply(
            Message(
                title=_("Missions until the next meeting"),
                text=_(
                    "Drawn at “{title}” ({date}).",
                    title=meeting.title,
                    date=long_time(_, meeting.starts_at, ctx.settings.timezone),
                ),
                fields=tuple(
                    Field(f"{member.display_name or member.external_id}", cards[draw.card_id].text)
                    for draw, member in draws
                    if draw.card_id in cards
                ),
                ephemeral=True,
            )
        )
