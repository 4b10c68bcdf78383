"""Privacy's handlers: a member's page, export and erase; the animators' status; erasing members who left, at
once or after the retention. Thin: typed event in, queries, a reply or a direct message out."""

from __future__ import annotations

from typing import Any

from bot.chat import Capability
from bot.context import Context
from bot.events import ButtonPressed, CommandInvoked, MemberLeft, TimerFired
from bot.features.privacy import queries, render, rules
from bot.features.privacy.rules import Who
from bot.i18n import N_
from bot.operations import DeletePost
from bot.router import action, command, on, timer
from storage.models import Member

__all__ = ["RETENTION", "PrivacyHandlers", "erase_member"]

# The daily look for members whose retention after leaving has passed.
RETENTION = "privacy:retention"


def _declared(ctx: Context[Any]) -> list[queries.Declared]:
    return queries.declared(ctx.app.router.features)


async def _mine(ctx: Context[Any], member: Member) -> list[tuple[str, str, int]]:
    """What is kept about ``member``: (feature title, label, entries), for what they can see."""
    who = Who(member.id, member.external_id)
    kept = []
    for d in _declared(ctx):
        if d.item.exported:
            count = len(await queries.rows_naming(ctx.session, ctx.community.id, d.item, who))
            if count:
                kept.append((d.title, d.item.label, count))
    return kept


async def erase_member(ctx: Context[Any], member: Member) -> queries.Erased:
    """Erase ``member`` in this community: their rows as declared, the outbox's copies of what named them, and
    the bot's posts presenting them (deleted from the platform where it can)."""
    declarations = _declared(ctx)
    who = Who(member.id, member.external_id)
    # Their words (introduction, asks, amendments…) must survive nowhere, the outbox's copies included; their
    # names only are taken out of the others' words that stay.
    own = await queries.own_texts(ctx.session, ctx.community.id, who, declarations)
    found = rules.needles(
        member.external_id, member.display_name, [*await queries.profile_texts(ctx.session, member.id), *own]
    )
    names = rules.needles(
        member.external_id, member.display_name, [await queries.profile_name(ctx.session, member.id)]
    )
    external_id = member.external_id
    done = await queries.erase(ctx.session, ctx.community.id, member, declarations, ctx.now, names)
    delivered = await queries.clean_outbox(
        ctx.session, ctx.community.id, external_id, found, done.posts, ctx.now
    )
    await queries.forget_deliveries(ctx.session, ctx.community.id, external_id, member.external_id)
    if ctx.can(Capability.DELETE):
        for entry in delivered:
            # Nobody to tell if it fails: the member who asked is no longer anyone Agora knows.
            ctx.enqueue(DeletePost(entry=entry)).actor_id = None
    return done


class PrivacyHandlers:
    """The members' and animators' side of privacy (a mixin of :class:`~bot.features.privacy.PrivacyFeature`)."""

    @command("privacy", N_("What Agora keeps about you here; export or erase it"))
    async def page(self, ctx: Context[CommandInvoked]) -> None:
        member = await ctx.member()
        ctx.reply(
            render.my_page(
                ctx._, ctx.settings.name or ctx.community.name, await _mine(ctx, member), _retention(ctx)
            )
        )

    @action(render.EXPORT)
    async def export(self, ctx: Context[ButtonPressed]) -> None:
        member = await ctx.member()
        who = Who(member.id, member.external_id)
        sections = await queries.export(ctx.session, ctx.community.id, who, _declared(ctx))
        community = ctx.settings.name or ctx.community.name
        files = ctx.can(Capability.FILES)
        # No fallback to the welcome channel: this is for the member's eyes only.
        await ctx.dm(
            member, lambda _: render.export_message(_, community, sections, ctx.now, files), private=True
        )
        ctx.reply(render.export_sent(ctx._))

    @action(render.ERASE)
    async def ask_erase(self, ctx: Context[ButtonPressed]) -> None:
        member = await ctx.member()
        ctx.reply(
            render.confirm_erase(ctx._, ctx.settings.name or ctx.community.name, await _mine(ctx, member))
        )

    @action(render.ERASE_CONFIRM)
    async def erase(self, ctx: Context[ButtonPressed]) -> None:
        done = await erase_member(ctx, await ctx.member())
        message = render.erased(ctx._, done.deleted, done.anonymized)
        ctx.replace_pressed(message)
        ctx.reply(message)

    @action(render.CANCEL)
    async def cancel(self, ctx: Context[ButtonPressed]) -> None:
        ctx.replace_pressed(render.cancelled(ctx._))
        ctx.reply(render.cancelled(ctx._))

    @command(
        "privacy status",
        N_("What Agora keeps in this community, for how long, and the erasures pending (animators)"),
        animator_only=True,
    )
    async def status(self, ctx: Context[CommandInvoked]) -> None:
        declarations = _declared(ctx)
        counts = await queries.kept_counts(ctx.session, ctx.community.id, declarations)
        kept = [(d.title, d.item.label, n) for d, n in zip(declarations, counts, strict=True)]
        members = counts[0]  # the core's member rows come first
        pending = await queries.pending_erasures(ctx.session, ctx.community.id)
        dashboard = ctx.app.config.web.enabled
        ctx.reply(render.status_page(ctx._, kept, _retention(ctx), pending, members - pending, dashboard))

    @on(MemberLeft)
    async def left(self, ctx: Context[MemberLeft]) -> None:
        retention = _retention(ctx)
        if retention is not None and not retention:
            await erase_member(ctx, await ctx.member(ctx.event.member))

    @timer(RETENTION)
    async def sweep(self, ctx: Context[TimerFired]) -> None:
        retention = _retention(ctx)
        if retention is None:
            return
        for member in await queries.due_for_erasure(ctx.session, ctx.community.id, retention, ctx.now):
            await erase_member(ctx, member)


def _retention(ctx: Context[Any]) -> Any:
    return ctx.settings.privacy.retention_after_leaving
