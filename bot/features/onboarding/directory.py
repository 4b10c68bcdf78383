"""The member directory: ``/agora members [interest or text]`` and ``/agora whois @member``.

Lists the members who introduced themselves (the onboarding's profiles), with their tags, offers and needs.
Only members still here, who accepted the charter and did not hide themselves appear. The search folds case and
accents ("écologie" finds "Ecologie"), every word must match, and it runs in SQL on the normalised text kept
with each profile; pages turn with Previous / Next, which update the message in place.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from bot.chat import Capability
from bot.context import Context
from bot.errors import UserError
from bot.events import ButtonPressed, CommandInvoked
from bot.i18n import N_
from bot.messages import Button, Field, Message, mention, untrusted
from bot.router import Feature, Option, action, command
from bot.settings.types import whole_number
from storage.models import Member
from storage.tables.profiles import Profile

from .matching import normalize
from .queries import listed_profiles
from .render import profile_fields

__all__ = ["MAX_SEARCH", "DirectoryFeature"]

PAGE = "directory:page"
# A search travels in the page buttons' ids, which platforms cap at 100 characters.
MAX_SEARCH = 60
# In a list, long offers and needs are cut (whois shows them whole), so a page stays readable everywhere.
CLIP = 160


class DirectoryFeature(Feature):
    """Who is here and what they do, offer and look for."""

    name = "directory"

    @command(
        "members",
        N_("Browse the members who introduced themselves, by interest or any word"),
        options=[Option("search", N_("An interest or any words, e.g. design or écologie"), rest=True)],
    )
    async def members(self, ctx: Context[CommandInvoked], search: str | None = None) -> None:
        search = " ".join(str(search or "").split())
        if len(search) > MAX_SEARCH:
            raise UserError(
                ctx._(
                    "That search is {length} characters long; {limit} at most, please: "
                    "one or two words are usually enough.",
                    length=len(search),
                    limit=MAX_SEARCH,
                )
            )
        ctx.reply(await self._page(ctx, search.replace(":", " ").strip(), 1))

    @action(PAGE)
    async def turn(self, ctx: Context[ButtonPressed]) -> None:
        event = ctx.event
        number, _sep, search = event.ref.partition(".")
        page = await self._page(ctx, search[:MAX_SEARCH], whole_number(number) or 1)
        if ctx.can(Capability.UPDATE) and event.message is not None:
            ctx.replace_pressed(page)
        else:
            ctx.reply(page)

    async def _page(self, ctx: Context[Any], search: str, number: int) -> Message:
        """Page ``number`` of the members matching ``search`` (all of them when it is empty)."""
        _ = ctx._
        size = ctx.settings.onboarding.directory_page_size
        query = listed_profiles(ctx.community.id)
        for word in normalize(search).split():
            query = query.where(Profile.search_text.contains(word, autoescape=True))
        total = int(await ctx.session.scalar(select(func.count()).select_from(query.subquery())) or 0)
        if total == 0:
            return Message(
                text=_(
                    "No member matches “{search}”. Try another word, or /agora members to see everyone.",
                    search=untrusted(search),
                )
                if search
                else _("Nobody has introduced themselves yet. Be the first: /agora profile opens the form."),
                ephemeral=True,
            )
        pages = (total + size - 1) // size
        number = min(max(number, 1), pages)
        rows = (
            await ctx.session.execute(
                query.order_by(Profile.sort_name, Profile.id).offset((number - 1) * size).limit(size)
            )
        ).all()
        fields = []
        for profile, member in rows:
            lines = [_("{member}: {what}", member=mention(member.external_id), what=untrusted(profile.what))]
            lines.extend(
                _("{label}: {value}", label=f.name, value=f.marked("value"))
                for f in profile_fields(_, profile, clip=CLIP)
            )
            fields.append(Field(untrusted(profile.name), "\n".join(lines)))
        buttons = []
        if number > 1:
            buttons.append(Button(PAGE, _("Previous"), ref=f"{number - 1}.{search}", style="secondary"))
        if number < pages:
            buttons.append(Button(PAGE, _("Next"), ref=f"{number + 1}.{search}", style="secondary"))
        return Message(
            title=_("Members matching “{search}”", search=untrusted(search)) if search else _("Members"),
            text=_.ngettext(
                "{count} member introduced themselves.", "{count} members introduced themselves.", total
            )
            if not search
            else _.ngettext("{count} member matches.", "{count} members match.", total),
            fields=tuple(fields),
            buttons=tuple(buttons),
            footer=_(
                "Page {page} of {pages} · /agora whois @member shows one profile", page=number, pages=pages
            ),
            ephemeral=True,
        )

    @command(
        "whois",
        N_("Show a member's profile: what they do, offer and look for"),
        options=[Option("member", N_("The member"), kind="member", required=True)],
    )
    async def whois(self, ctx: Context[CommandInvoked], member: str | None = None) -> None:
        _ = ctx._
        target = str(member or "").strip()
        assert ctx.actor is not None
        row = (
            await ctx.session.execute(listed_profiles(ctx.community.id).where(Member.external_id == target))
        ).first()
        mine = False
        if row is None and target == ctx.actor.id:
            # Your own profile, even hidden: you can always see what you shared.
            row = (
                await ctx.session.execute(
                    select(Profile, Member)
                    .join(Member, Member.id == Profile.member_id)
                    .where(Profile.community_id == ctx.community.id, Member.external_id == target)
                )
            ).first()
            mine = row is not None
        if row is None:
            ctx.reply(_("{member} has no profile in the directory yet.", member=mention(target)))
            return
        profile, person = row
        footer = _(
            "Introduced on {date}", date=_.datetime(profile.introduced_at, ctx.settings.timezone, "d MMMM y")
        )
        if mine and profile.hidden:
            footer += " · " + _("hidden from the directory (/agora profile show to appear again)")
        ctx.reply(
            Message(
                title=untrusted(profile.name),
                text=_("{member}: {what}", member=mention(person.external_id), what=untrusted(profile.what)),
                fields=profile_fields(_, profile),
                footer=footer,
                ephemeral=True,
            )
        )
