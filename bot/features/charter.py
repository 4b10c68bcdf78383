"""The charter: what the group is for, who animates it and why, the rights and duties of members.

The walking skeleton of Agora: a newcomer gets the welcome by direct message with an "I accept" button;
accepting records the acknowledgement once (whatever the number of presses), opens the member's access
(a role where the platform has roles, channel invitations elsewhere) and confirms. One gentle reminder goes
to whoever hasn't accepted after the community's delay, and survives restarts (it is a stored timer).
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import func, select

from bot.chat import Capability
from bot.context import Context
from bot.errors import UserError
from bot.events import ButtonPressed, CharterAccepted, MemberJoined, TimerFired
from bot.i18n import N_, Translator
from bot.messages import Button, Field, Message
from bot.router import Feature, action, command, on, timer
from storage.models import Acknowledgement, Charter, Member

__all__ = ["CharterFeature", "charter_message", "latest_charter"]

ACCEPT = "charter:accept"
REMINDER = "charter:reminder"


async def latest_charter(ctx: Context) -> Charter:
    """The community's current charter version."""
    charter = await ctx.session.scalar(
        select(Charter)
        .where(Charter.community_id == ctx.community.id)
        .order_by(Charter.version.desc())
        .limit(1)
    )
    if charter is None:  # pragma: no cover - every community is created with version 1
        raise RuntimeError("community without a charter")
    return charter


async def acknowledgement(ctx: Context, member: Member, charter: Charter) -> Acknowledgement | None:
    return await ctx.session.scalar(
        select(Acknowledgement).where(
            Acknowledgement.member_id == member.id, Acknowledgement.charter_id == charter.id
        )
    )


def charter_fields(_: Translator, charter: Charter) -> tuple[Field, ...]:
    """The charter's content, in the order a newcomer needs it: why, who and why them, rights, duties."""
    fields = []
    if charter.objective:
        fields.append(Field(_("Our objective"), charter.objective))
    if charter.animators:
        people = "\n".join(
            f"• {p['name']} — {p['motivation']}" if p.get("motivation") else f"• {p['name']}"
            for p in charter.animators
        )
        fields.append(Field(_("Who animates the group, and why"), people))
    if charter.rights:
        fields.append(Field(_("Your rights"), "\n".join(f"• {r}" for r in charter.rights)))
    if charter.duties:
        fields.append(Field(_("Your duties"), "\n".join(f"• {d}" for d in charter.duties)))
    return tuple(fields)


def charter_message(
    _: Translator, community: str, charter: Charter, *, text: str, title: str, button: bool = True
) -> Message:
    """A message presenting ``charter`` with its accept button."""
    buttons = (
        (Button(ACCEPT, _("I accept the charter"), ref=str(charter.id), style="success"),) if button else ()
    )
    return Message(
        title=title,
        text=text,
        fields=charter_fields(_, charter),
        buttons=buttons,
        footer=_("Charter of {community}, version {version}", community=community, version=charter.version),
    )


class CharterFeature(Feature):
    """Welcome, acknowledgement, reminder, and ``/agora charter``."""

    name = "charter"
    order = 10

    @on(MemberJoined)
    async def welcome(self, ctx: Context) -> None:
        event = ctx.event
        assert isinstance(event, MemberJoined)
        if event.member.is_bot:
            return
        _ = ctx._
        member = await ctx.member(event.member)
        charter = await latest_charter(ctx)
        community = ctx.settings.name or ctx.community.name
        if await acknowledgement(ctx, member, charter) is not None:
            # Back after leaving: they already agreed to this version, so open the doors again.
            self._open_access(ctx, member)
            ctx.dm(member.external_id, Message(_("Welcome back to {community}!", community=community)))
            return
        ctx.dm(
            member.external_id,
            charter_message(
                _,
                community,
                charter,
                title=_("Welcome to {community}!", community=community),
                text=_(
                    "Before you meet the members, here is what this group is for, who animates it and why, "
                    "and the few rules we share, so that you know where you are. "
                    "When you have read it, press the button below."
                ),
            ),
        )
        await ctx.set_timer(REMINDER, str(member.id), ctx.now + ctx.settings.charter_reminder_after)

    @action(ACCEPT)
    async def accept(self, ctx: Context) -> None:
        event = ctx.event
        assert isinstance(event, ButtonPressed)
        _ = ctx._
        charter = await ctx.session.get(Charter, int(event.ref)) if event.ref.isdigit() else None
        if charter is None or charter.community_id != ctx.community.id:
            raise UserError(
                _("This button no longer matches a charter of this community. Try /agora charter.")
            )
        member = await ctx.member()
        community = ctx.settings.name or ctx.community.name
        latest = await latest_charter(ctx)
        if latest.id != charter.id:
            ctx.reply(
                charter_message(
                    _,
                    community,
                    latest,
                    title=_("The charter has changed"),
                    text=_("Version {version} replaces the one you saw. Here it is:", version=latest.version),
                )
            )
            return
        existing = await acknowledgement(ctx, member, charter)
        if existing is not None:
            ctx.reply(
                _(
                    "You already accepted this charter (version {version}) on {date}. Nothing more to do!",
                    version=charter.version,
                    date=ctx.format_time(existing.accepted_at),
                )
            )
            return
        first_time = not await ctx.session.scalar(
            select(func.count(Acknowledgement.id)).where(Acknowledgement.member_id == member.id)
        )
        ctx.session.add(
            Acknowledgement(
                community_id=ctx.community.id, member_id=member.id, charter_id=charter.id, accepted_at=ctx.now
            )
        )
        await ctx.cancel_timer(REMINDER, str(member.id))
        self._open_access(ctx, member)
        ctx.reply(
            _(
                "Thank you! You accepted the charter of {community} (version {version}). Welcome aboard.",
                community=community,
                version=charter.version,
            )
        )
        assert ctx.actor is not None
        await ctx.emit(
            CharterAccepted(
                community=ctx.community_ref, member=ctx.actor, version=charter.version, first_time=first_time
            )
        )
        if ctx.can(Capability.UPDATE):
            ctx.update_pressed(
                charter_message(
                    _,
                    community,
                    charter,
                    title=_("Welcome to {community}!", community=community),
                    text=_("✅ You accepted this charter on {date}.", date=ctx.format_time(ctx.now)),
                    button=False,
                ),
            )

    def _open_access(self, ctx: Context, member: Member) -> None:
        """Gating: the member role where there are roles, the member channels where there are invitations."""
        if ctx.settings.member_role and ctx.can(Capability.ROLES):
            ctx.grant_role(member.external_id, ctx.settings.member_role)
        if ctx.settings.member_channels and ctx.can(Capability.CHANNEL_INVITE):
            ctx.invite(member.external_id, list(ctx.settings.member_channels))

    @timer(REMINDER)
    async def remind(self, ctx: Context) -> None:
        event = ctx.event
        assert isinstance(event, TimerFired)
        member = await ctx.session.get(Member, int(event.ref))
        if member is None or member.community_id != ctx.community.id or member.left_at is not None:
            return
        charter = await latest_charter(ctx)
        if await acknowledgement(ctx, member, charter) is not None:
            return
        _ = ctx._
        community = ctx.settings.name or ctx.community.name
        ctx.dm(
            member.external_id,
            charter_message(
                _,
                community,
                charter,
                title=_("A gentle reminder from {community}", community=community),
                text=_(
                    "The charter is still waiting for your agreement: it takes a minute to read, and it opens "
                    "the rest of the community to you. This is the only reminder you will get."
                ),
            ),
        )

    @command("charter", N_("Read the community's charter (its objective, animators, rights and duties)"))
    async def show(self, ctx: Context) -> None:
        _ = ctx._
        charter = await latest_charter(ctx)
        member = await ctx.member()
        community = ctx.settings.name or ctx.community.name
        existing = await acknowledgement(ctx, member, charter)
        count = await ctx.session.scalar(
            select(func.count(Acknowledgement.id)).where(Acknowledgement.charter_id == charter.id)
        )
        accepted = (
            _("You accepted it on {date}.", date=ctx.format_time(existing.accepted_at)) if existing else ""
        )
        text = " ".join(
            part
            for part in (
                _.ngettext(
                    "{count} member has accepted this version.",
                    "{count} members have accepted this version.",
                    count or 0,
                ),
                accepted,
            )
            if part
        )
        message = charter_message(
            _,
            community,
            charter,
            title=_("The charter of {community}", community=community),
            text=text,
            button=existing is None,
        )
        ctx.reply(replace(message, ephemeral=True))
