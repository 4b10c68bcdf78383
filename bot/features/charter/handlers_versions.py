"""Reading and changing the charter: the charter, its history and one version for every member; the animators'
edit form, the acceptance status and the acceptance log."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from typing import Any

from bot.chat import Capability
from bot.context import Context
from bot.errors import FormErrors, UserError
from bot.events import CommandInvoked, FormSubmitted
from bot.features.charter import queries, render, render_campaign
from bot.features.charter import render_status as pages
from bot.features.charter.common import (
    NOTE_LIMIT,
    SECTION_LIMIT,
    adopt_version,
    check_fields,
    community_name,
    latest,
    origin,
    origins,
    previous,
)
from bot.features.charter.text import SECTIONS, CharterContent, diff, section_text
from bot.i18n import N_
from bot.messages import Attachment, Field, Form, FormField, Message, untrusted
from bot.router import Option, command, form
from bot.settings.types import whole_number

__all__ = ["VersionHandlers"]

EDIT_FORM = "charter:edit"


class VersionHandlers:
    """The charter feature's handlers for reading, editing and following the charter."""

    # --- reading: the charter, its history, one version -----------------------------------------------

    @command("charter", N_("Read the community's charter (its objective, animators, rights and duties)"))
    async def show(self, ctx: Context[CommandInvoked]) -> None:
        _ = ctx._
        charter = await latest(ctx)
        member = await ctx.member()
        community = community_name(ctx)
        existing = await queries.acknowledgement(ctx.session, member, charter)
        count = await queries.acknowledgement_count(ctx.session, charter)
        accepted = (
            _("You accepted it on {date}.", date=ctx.format_time(existing.accepted_at)) if existing else ""
        )
        text = " ".join(
            part
            for part in (
                _.ngettext(
                    "{count} member has accepted this version.",
                    "{count} members have accepted this version.",
                    count,
                ),
                accepted,
            )
            if part
        )
        hints = []
        if charter.version > 1:
            hints.append(_("Earlier versions: /agora charter history."))
        voting = await queries.open_amendment_count(ctx.session, ctx.community.id)
        if voting:
            hints.append(
                _.ngettext(
                    "{count} amendment is being voted on: /agora charter amendments.",
                    "{count} amendments are being voted on: /agora charter amendments.",
                    voting,
                )
            )
        elif ctx.settings.charter_rules.mode == "community":
            hints.append(_("Something to change? Propose an amendment: /agora charter propose."))
        if hints:
            text += "\n" + " ".join(hints)
        message = render.charter_message(
            _,
            community,
            charter,
            title=_("The charter of {community}", community=community),
            text=text,
            button=existing is None,
        )
        ctx.reply(replace(message, ephemeral=True))

    @command("charter history", N_("Every version of the charter: when, by whom and why it changed"))
    async def history(self, ctx: Context[CommandInvoked]) -> None:
        _ = ctx._
        charters = await queries.charters(ctx.session, ctx.community.id)
        shown = charters[:20]
        made = await origins(ctx, shown)
        counts = await queries.acceptance_counts(ctx.session, [c.id for c in shown])
        day = _.datetime
        rows = [
            (
                c.version,
                day(c.created_at, ctx.settings.timezone, "d MMMM y"),
                made[c.id],
                counts.get(c.id, 0),
            )
            for c in shown
        ]
        ctx.reply(pages.history_page(_, community_name(ctx), rows, len(charters)))

    @command(
        "charter version",
        N_("Read one version of the charter, and what changed in it"),
        options=[Option("number", N_("The version's number"), kind="integer", required=True)],
    )
    async def version(self, ctx: Context[CommandInvoked]) -> None:
        _ = ctx._
        number = ctx.event.args.get("number")
        current = await latest(ctx)
        charter = (
            await queries.charter_version(ctx.session, ctx.community.id, number)
            if isinstance(number, int)
            else None
        )
        if charter is None:
            raise UserError(
                _(
                    "There is no version {number} of the charter: it has versions 1 to {latest}.",
                    number=number,
                    latest=current.version,
                )
                if current.version > 1
                else _("There is no version {number} of the charter: it has only version 1.", number=number)
            )
        community = community_name(ctx)
        parts = [
            _(
                "Adopted on {date}. {origin}",
                date=ctx.format_time(charter.created_at),
                origin=await origin(ctx, charter),
            )
        ]
        if charter.version < current.version:
            successor = await queries.charter_version(ctx.session, ctx.community.id, charter.version + 1)
            assert successor is not None
            parts.append(
                _(
                    "Replaced by version {next} on {date}. The current version is {latest}: {command}.",
                    command=ctx.command_text("charter"),
                    next=successor.version,
                    date=ctx.format_time(successor.created_at),
                    latest=current.version,
                )
            )
        fields = list(render.charter_fields(_, charter))
        before = await previous(ctx, charter)
        if before is not None:
            changes = render.change_fields(_, diff(CharterContent.of(before), CharterContent.of(charter)))
            if changes:
                fields.append(
                    Field(
                        _("What changed from version {version}", version=before.version),
                        "\n".join(f"{f.marked('name')}:\n{f.marked('value')}" for f in changes),
                    )
                )
        ctx.reply(
            Message(
                title=_(
                    "Version {version} of the charter of {community}",
                    version=charter.version,
                    community=community,
                ),
                text="\n".join(parts),
                fields=tuple(fields),
                footer=render.footer(_, community, charter.version),
                ephemeral=True,
            )
        )

    # --- animators: edit ---------------------------------------------------------------------------------

    def _require_animator_mode(self, ctx: Context[Any]) -> None:
        _ = ctx._
        mode = ctx.settings.charter_rules.mode
        if mode == "committee":
            raise UserError(
                _(
                    "In this community, the charter committee proposes and approves changes to the charter: "
                    "a committee member can open one with /agora charter propose."
                )
            )
        if mode == "community":
            raise UserError(
                _(
                    "In this community, the members vote on changes to the charter: propose yours with "
                    "/agora charter propose."
                )
            )

    @command(
        "charter edit",
        N_("Change the charter: a new version that members are asked to accept"),
        animator_only=True,
        opens_form=True,
    )
    async def edit(self, ctx: Context[CommandInvoked]) -> None:
        self._require_animator_mode(ctx)
        _ = ctx._
        charter = await latest(ctx)
        content = CharterContent.of(charter)
        one_per_line = _("One per line")

        def section(name: str, label: str, placeholder: str = "") -> FormField:
            return FormField(
                name,
                label,
                required=True,
                multiline=True,
                max_length=SECTION_LIMIT,
                placeholder=placeholder,
                default=section_text(content, name),
            )

        ctx.open_form(
            Form(
                id=EDIT_FORM,
                title=_("Charter, version {version}", version=charter.version + 1),
                ref=str(charter.version),
                submit_label=_("Save the new version"),
                fields=(
                    section("objective", _("Our objective")),
                    section(
                        "animators",
                        _("Who animates the group, and why"),
                        _("One per line: name — why they animate the group"),
                    ),
                    section("rights", _("Your rights"), one_per_line),
                    section("duties", _("Your duties"), one_per_line),
                    FormField(
                        "note",
                        _("What changed, and why"),
                        required=True,
                        multiline=True,
                        max_length=NOTE_LIMIT,
                        placeholder=_("Members read this with the changes"),
                    ),
                ),
            )
        )

    @form(EDIT_FORM)
    async def edit_submitted(self, ctx: Context[FormSubmitted]) -> None:
        _ = ctx._
        ctx.require_animator()
        self._require_animator_mode(ctx)
        before = await latest(ctx)
        values = ctx.event.values
        if (version := whole_number(ctx.event.ref)) is not None and version != before.version:
            raise UserError(
                _(
                    "Someone saved version {version} while you were writing, so yours was not saved. "
                    "Open /agora charter edit again to start from it; here is what you wrote:",
                    version=before.version,
                )
                + "\n\n"
                + "\n\n".join(f"{name}:\n{text}" for name, text in values.items() if text.strip())
            )
        current = CharterContent.of(before)
        labels = {
            "objective": _("Our objective"),
            "animators": _("Who animates the group, and why"),
            "rights": _("Your rights"),
            "duties": _("Your duties"),
            "note": _("What changed, and why"),
        }
        # A field left out keeps the current text (a modal always sends every field; a script may not).
        texts = {name: values[name] if name in values else section_text(current, name) for name in SECTIONS}
        texts["note"] = values.get("note", "")
        check_fields(_, texts, labels, {"note": NOTE_LIMIT})
        content = current
        for name in SECTIONS:
            content = content.with_section(name, texts[name])
        if content == current:
            raise FormErrors(
                {
                    "objective": _(
                        "This is word for word version {version}: change a section to make a new version.",
                        version=before.version,
                    )
                }
            )
        actor = ctx.actor
        assert actor is not None
        charter = await adopt_version(ctx, before, content, note=texts["note"].strip(), author=actor.id)
        round_ = await queries.round_of(ctx.session, charter)
        assert round_ is not None
        community = community_name(ctx)
        public = ctx.public
        ctx.post_to(
            "announcements",
            Message(
                title=public("The charter of {community} has changed", community=community),
                text=public(
                    "Version {version} replaces version {previous}. {origin}",
                    version=charter.version,
                    previous=before.version,
                    origin=await origin(ctx, charter, public),
                )
                + "\n"
                + public(
                    "Every member is asked to accept it by direct message. Read it with {command}.",
                    command=ctx.command_text("charter"),
                ),
                fields=render.change_fields(public, diff(current, content)),
                footer=render.footer(public, community, charter.version),
            ),
        )
        ctx.reply(
            _.ngettext(
                "Version {version} is saved. {count} member is asked to accept it, until {date}.",
                "Version {version} is saved. {count} members are asked to accept it, until {date}.",
                round_.asked,
                version=charter.version,
                date=ctx.format_time(round_.grace_ends_at),
            )
        )

    # --- animators: status and export ----------------------------------------------------------------------

    @command(
        "charter status", N_("Who has accepted the current charter, and who hasn't yet"), animator_only=True
    )
    async def status(self, ctx: Context[CommandInvoked]) -> None:
        _ = ctx._
        charter = await latest(ctx)
        members = await queries.current_members(ctx.session, ctx.community.id)
        accepted = await queries.accepted_member_ids(ctx.session, charter)
        requests = await queries.latest_requests(ctx.session, ctx.community.id)
        gated = await queries.gated_since(ctx.session, ctx.community.id)
        when = ctx.format_time
        waiting = [
            (
                m.external_id,
                pages.why_waiting(
                    _, when, requests.get(m.id), gated.get(m.id), existing=m.existing_at is not None
                ),
            )
            for m in members
            if m.id not in accepted
        ]
        campaign = await queries.latest_campaign(ctx.session, ctx.community.id)
        campaign_summary = (
            render_campaign.campaign_summary(
                _, when, campaign, await queries.campaign_accepted(ctx.session, campaign)
            )
            if campaign is not None
            else None
        )
        round_ = await queries.round_of(ctx.session, charter)
        votes = [
            (a.number, a.section, when(a.closes_at))
            for a in await queries.open_amendments(ctx.session, ctx.community.id)
        ]
        ctx.reply(
            pages.status_page(
                _,
                charter.version,
                len(members),
                waiting,
                round_summary=pages.round_summary(_, when, round_) if round_ is not None else None,
                votes=votes,
                campaign_summary=campaign_summary,
            )
        )

    @command("charter export", N_("Download the log of charter acceptances (CSV)"), animator_only=True)
    async def export(self, ctx: Context[CommandInvoked]) -> None:
        _ = ctx._
        zone = ctx.settings.zone
        rows = await queries.acceptance_log(ctx.session, ctx.community.id)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(
            [
                _("member id"),
                _("display name"),
                _("version"),
                _("accepted at (UTC)"),
                _("accepted at ({timezone})", timezone=ctx.settings.timezone),
            ]
        )
        for external_id, display_name, version, accepted_at in rows:
            writer.writerow(
                [
                    external_id,
                    display_name,
                    version,
                    accepted_at.isoformat(timespec="seconds"),
                    accepted_at.astimezone(zone).isoformat(timespec="seconds"),
                ]
            )
        # A byte-order mark so that spreadsheets open accented names as UTF-8.
        content = "\ufeff" + buffer.getvalue()
        charter = await latest(ctx)
        members = await queries.current_count(ctx.session, ctx.community.id)
        accepted = await queries.accepted_count(ctx.session, charter)
        text = " ".join(
            (
                _.ngettext(
                    "{count} acceptance recorded, all versions together.",
                    "{count} acceptances recorded, all versions together.",
                    len(rows),
                ),
                render.acceptance_rate(_, accepted, members, charter.version),
            )
        )
        filename = f"charter-log-{ctx.now.astimezone(zone):%Y-%m-%d}.csv"
        if ctx.can(Capability.FILES):
            log = Message(
                title=_("Charter acceptance log"),
                text=text,
                attachments=(Attachment(filename, content, "text/csv"),),
            )
        else:
            # No files on this platform: the log itself, as long as a message can carry it.
            body = content.lstrip("\ufeff")
            if len(body) > 3500:
                body = _("The log is too long to show here; this platform cannot receive files from Agora.")
            log = Message(title=_("Charter acceptance log"), text=f"{text}\n\n{untrusted(body)}")
        # By direct message: a file stays there for later, where an ephemeral answer can't carry one on every
        # platform. Never the welcome channel as a fallback: the log names members.
        assert ctx.actor is not None
        await ctx.dm(ctx.actor, lambda _: log, private=True)  # built in the actor's words, theirs alone
        ctx.reply(text + " " + _("The log is on its way to your direct messages."))
