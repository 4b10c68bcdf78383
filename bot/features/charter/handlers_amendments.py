"""Amendments: members co-construct the charter.

Where the community chose it (``charter_rules.mode``), the charter changes by amendment instead of by the
animators' pen. ``community``: any member who accepted the charter proposes a change to one section
(``/agora charter propose``), it is posted in the announcements channel with For / Against / Abstain buttons and
a live tally, and when the vote closes (a stored timer) the result is posted: adopted if the quorum took part
and the majority voted for. ``committee``: only the committee's members propose, and the committee approves.
An adopted amendment makes the next version of the charter and opens its re-acceptance round.
"""

from __future__ import annotations

from typing import Any

from bot.context import Context
from bot.errors import FormErrors, UserError
from bot.events import ButtonPressed, CommandInvoked, FormSubmitted, PostFailed, TimerFired
from bot.features.charter import queries, render
from bot.features.charter import render_amendments as votes
from bot.features.charter.common import NOTE_LIMIT, adopt_version, check_fields, latest
from bot.features.charter.render_amendments import VOTE
from bot.features.charter.rules import Tally, decide
from bot.features.charter.text import SECTIONS, CharterContent, diff, section_text
from bot.i18n import N_, Translator
from bot.messages import Button, Field, Form, FormField, Message, mention
from bot.router import Option, action, command, form, timer, undelivered
from storage.models import AmendmentChoice, AmendmentStatus, Charter, Member
from storage.tables.charter import Amendment, AmendmentVote

__all__ = ["AmendmentHandlers"]

PROPOSE = "charter:propose"
CLOSE = "charter:amendment:close"
# The origin of an amendment's vote post in the outbox (ref: the amendment's id); see ``unposted``.
ORIGIN = "amendment"
FORM_PREFIX = "charter:propose:"
GONE = N_("This button no longer matches an amendment of this community.")


class AmendmentHandlers:
    """The amendments feature's handlers: proposals, votes and their results."""

    # --- who may propose --------------------------------------------------------------------------------

    async def _proposer(self, ctx: Context[Any]) -> tuple[Member, Charter]:
        """The actor as a member allowed to propose an amendment now, and the charter they would amend;
        otherwise a clear refusal."""
        _ = ctx._
        rules = ctx.settings.charter_rules
        if rules.mode == "animator":
            raise UserError(
                _(
                    "In this community, the animators edit the charter. Share your idea with them: "
                    "every change becomes a new version that members are asked to accept."
                )
            )
        member = await ctx.member()
        charter = await latest(ctx)
        if member.left_at is not None or not await queries.accepted_since(
            ctx.session, ctx.community.id, member, charter.version
        ):
            raise UserError(
                _(
                    "Only members who accepted the charter (version {version}) can propose an amendment. "
                    "Read it and accept it first: {command}.",
                    version=charter.version,
                    command=ctx.command_text("charter"),
                )
            )
        if rules.mode == "committee" and member.external_id not in rules.committee:
            raise UserError(
                _(
                    "In this community, the charter committee proposes changes to the charter: share your idea "
                    "with one of its members ({members}).",
                    members=_.list([mention(m) for m in rules.committee]) or _("not set"),
                )
                if rules.committee
                else _("The charter committee has no members yet: ask an animator to name them.")
            )
        if not ctx.settings.channel("announcements"):
            raise UserError(
                _(
                    "There is no channel to hold the vote yet: an animator can choose one with "
                    "/agora setup announcements_channel=#channel."
                )
            )
        return member, charter

    def _busy(self, ctx: Context[Any], amendment: Amendment) -> str:
        return ctx._(
            "Amendment #{number} on “{section}” is being voted on until {date}: vote on it, and propose "
            "yours once it is decided.",
            number=amendment.number,
            section=render.section_label(ctx._, amendment.section, short=True),
            date=ctx.format_time(amendment.closes_at),
        )

    # --- proposing ---------------------------------------------------------------------------------------

    @command(
        "charter propose",
        N_("Propose a change to the charter, which members vote on"),
        options=[Option("section", N_("The part to change"), choices=SECTIONS)],
        opens_form=True,
    )
    async def propose(self, ctx: Context[CommandInvoked]) -> None:
        _ = ctx._
        await self._proposer(ctx)
        section = ctx.event.args.get("section")
        if section in SECTIONS:
            await self._open_form(ctx, str(section))
            return
        ctx.reply(
            Message(
                text=_("Which part of the charter do you want to change?"),
                buttons=tuple(
                    Button(PROPOSE, render.section_label(_, s, short=True), ref=s, style="secondary")
                    for s in SECTIONS
                ),
                ephemeral=True,
            )
        )

    @action(PROPOSE, opens_form=True)
    async def propose_pressed(self, ctx: Context[ButtonPressed]) -> None:
        await self._proposer(ctx)
        if ctx.event.ref not in SECTIONS:
            raise UserError(
                ctx._("This button no longer matches a part of the charter. Try /agora charter propose.")
            )
        await self._open_form(ctx, ctx.event.ref)

    async def _open_form(self, ctx: Context[Any], section: str) -> None:
        _ = ctx._
        busy = await queries.open_amendment_on(ctx.session, ctx.community.id, section)
        if busy is not None:
            raise UserError(self._busy(ctx, busy))
        charter = await latest(ctx)
        ctx.open_form(
            Form(
                id=FORM_PREFIX + section,
                title=_("Amendment — {section}", section=render.section_label(_, section, short=True)),
                ref=str(charter.version),
                submit_label=_("Propose"),
                fields=(
                    FormField(
                        "text",
                        votes.text_label(_, section),
                        required=True,
                        multiline=True,
                        max_length=2000,
                        default=section_text(CharterContent.of(charter), section),
                    ),
                    FormField(
                        "reason",
                        _("Why this change?"),
                        required=True,
                        multiline=True,
                        max_length=NOTE_LIMIT,
                        placeholder=_("A line or two for the members who will vote"),
                    ),
                ),
            )
        )

    @form(FORM_PREFIX + "objective")
    @form(FORM_PREFIX + "animators")
    @form(FORM_PREFIX + "rights")
    @form(FORM_PREFIX + "duties")
    async def proposed(self, ctx: Context[FormSubmitted]) -> None:
        _ = ctx._
        section = ctx.event.form.removeprefix(FORM_PREFIX)
        member, charter = await self._proposer(ctx)
        values = {"text": ctx.event.values.get("text", ""), "reason": ctx.event.values.get("reason", "")}
        check_fields(
            _,
            values,
            {"text": votes.text_label(_, section), "reason": _("Why this change?")},
            {"reason": NOTE_LIMIT},
        )
        current = CharterContent.of(charter)
        proposal = current.with_section(section, values["text"])
        if proposal == current:
            raise FormErrors({"text": _("This is the current text: change something before proposing it.")})
        busy = await queries.open_amendment_on(ctx.session, ctx.community.id, section)
        if busy is not None:
            # Opened by someone else while this one was being written: keep the text for later.
            raise UserError(
                self._busy(ctx, busy)
                + "\n\n"
                + _("Here is what you wrote, so that nothing is lost:")
                + f"\n{values['text']}\n\n{values['reason']}"
            )
        rules = ctx.settings.charter_rules
        if rules.mode == "committee":
            voters: list[str] | None = list(rules.committee)
            electorate = len(rules.committee)
        else:
            voters = None
            electorate = await queries.accepted_count(ctx.session, charter)
        number = await queries.next_amendment_number(ctx.session, ctx.community.id)
        amendment = Amendment(
            community_id=ctx.community.id,
            number=number,
            proposer_id=member.id,
            section=section,
            text=values["text"].strip(),
            reason=values["reason"].strip(),
            base_charter_id=charter.id,
            mode=rules.mode,
            quorum=rules.quorum,
            majority=rules.majority,
            electorate=electorate,
            voters=voters,
            status=AmendmentStatus.OPEN,
            opened_at=ctx.now,
            closes_at=ctx.now + rules.vote_duration,
        )
        ctx.session.add(amendment)
        await ctx.session.flush()
        entry = ctx.post_to(
            "announcements",
            self._vote_message(ctx, amendment, member.external_id, Tally(), base=current),
            thread_title=ctx.public("Amendment #{number}: discussion", number=number),
            origin=(ORIGIN, str(amendment.id)),
        )
        assert entry is not None  # _proposer checked there is a channel
        await ctx.session.flush()
        amendment.post_entry_id = entry.id
        await ctx.set_timer(CLOSE, str(amendment.id), amendment.closes_at)
        await ctx.reply_once_posted(
            entry,
            _(
                "Thank you! Amendment #{number} is open for votes until {date} in {channel}.",
                number=number,
                date=ctx.format_time(amendment.closes_at),
                channel=f"<#{ctx.settings.channel('announcements')}>",
            ),
        )

    @undelivered(ORIGIN)
    async def unposted(self, ctx: Context[PostFailed]) -> None:
        """The vote's post failed for good: nobody can vote, so the amendment is withdrawn rather than left to
        close on no votes; its author may propose it again."""
        amendment = await ctx.failed_row(Amendment, "post_entry_id")
        if amendment is None or amendment.status != AmendmentStatus.OPEN:
            return
        amendment.status, amendment.closed_at = AmendmentStatus.WITHDRAWN, ctx.now
        await ctx.cancel_timer(CLOSE, str(amendment.id))
        await ctx.cancel_pending(ORIGIN, str(amendment.id))
        ctx.reply(
            ctx._(
                "Amendment #{number} is withdrawn, since nobody could vote on it. "
                "Its author can propose it again once I can post there.",
                number=amendment.number,
            )
        )

    # --- the vote ------------------------------------------------------------------------------------------

    def _vote_message(
        self,
        ctx: Context[Any],
        amendment: Amendment,
        proposer: str,
        tally: Tally,
        *,
        result: str | None = None,
        base: CharterContent | None = None,
    ) -> Message:
        """The post members vote on (in the community's words): what changes and why, the tally, the rule; the
        result once closed."""
        changes = diff(base, base.with_section(amendment.section, amendment.text)) if base is not None else []
        return votes.vote_message(
            ctx.public,
            amendment,
            proposer,
            tally,
            changes,
            closes=ctx.format_time(amendment.closes_at, ctx.public),
            result=result,
        )

    async def _base(self, ctx: Context[Any], amendment: Amendment) -> CharterContent:
        charter = await ctx.session.get(Charter, amendment.base_charter_id)
        assert charter is not None
        return CharterContent.of(charter)

    async def _proposer_id(self, ctx: Context[Any], amendment: Amendment) -> str:
        proposer = await ctx.session.get(Member, amendment.proposer_id)
        return proposer.external_id if proposer else ""

    @action(f"{VOTE}:for")
    async def vote_for(self, ctx: Context[ButtonPressed]) -> None:
        await self._vote(ctx, AmendmentChoice.FOR)

    @action(f"{VOTE}:against")
    async def vote_against(self, ctx: Context[ButtonPressed]) -> None:
        await self._vote(ctx, AmendmentChoice.AGAINST)

    @action(f"{VOTE}:abstain")
    async def vote_abstain(self, ctx: Context[ButtonPressed]) -> None:
        await self._vote(ctx, AmendmentChoice.ABSTAIN)

    async def _vote(self, ctx: Context[ButtonPressed], choice: AmendmentChoice) -> None:
        _ = ctx._
        amendment = await ctx.owned(Amendment, ctx.event.ref, gone=GONE)
        if amendment.status != AmendmentStatus.OPEN:
            raise UserError(
                _(
                    "The vote on amendment #{number} is closed: {result}",
                    number=amendment.number,
                    result=votes.status_sentence(_, amendment.status),
                )
            )
        if ctx.now >= amendment.closes_at:
            # The deadline passed while its timer had not run yet (the bot was catching up): close it now.
            await self._close(ctx, amendment, await queries.amendment_tally(ctx.session, amendment))
            ctx.reply(
                _(
                    "The vote on amendment #{number} closed on {date}: {result}",
                    number=amendment.number,
                    date=ctx.format_time(amendment.closes_at),
                    result=votes.status_sentence(_, amendment.status),
                )
            )
            return
        member = await ctx.member()
        if amendment.voters is not None and member.external_id not in amendment.voters:
            raise UserError(
                _(
                    "Only the charter committee votes on this amendment ({members}). "
                    "Share your view in its discussion thread.",
                    members=_.list([mention(v) for v in amendment.voters]),
                )
            )
        base = await ctx.session.get(Charter, amendment.base_charter_id)
        assert base is not None
        if member.left_at is not None or not await queries.accepted_since(
            ctx.session, ctx.community.id, member, base.version
        ):
            raise UserError(
                _(
                    "Only members who accepted the charter (version {version}) can vote. "
                    "Read it and accept it first: {command}.",
                    version=(await latest(ctx)).version,
                    command=ctx.command_text("charter"),
                )
            )
        vote = await queries.vote_of(ctx.session, amendment, member)
        deadline = ctx.format_time(amendment.closes_at)
        if vote is not None and vote.choice == choice:
            ctx.reply(
                _(
                    "Your vote is already “{choice}”. You can change it until {date}.",
                    choice=votes.choice_label(_, choice),
                    date=deadline,
                )
            )
            return
        if vote is None:
            ctx.session.add(
                AmendmentVote(
                    community_id=ctx.community.id,
                    amendment_id=amendment.id,
                    member_id=member.id,
                    choice=choice,
                    voted_at=ctx.now,
                )
            )
            said = _("Your vote is recorded: “{choice}”.", choice=votes.choice_label(_, choice))
        else:
            vote.choice, vote.changed_at = choice, ctx.now
            said = _("Your vote is now “{choice}”.", choice=votes.choice_label(_, choice))
        await ctx.session.flush()
        tally = await queries.amendment_tally(ctx.session, amendment)
        if amendment.voters is not None and tally.turnout >= len(amendment.voters):
            # The whole committee has spoken: no need to wait for the deadline.
            ctx.reply(said)
            await self._close(ctx, amendment, tally)
            return
        ctx.reply(said + " " + _("You can change it until {date}.", date=deadline))
        await ctx.replace_post(
            amendment.post_entry_id,
            self._vote_message(
                ctx, amendment, await self._proposer_id(ctx, amendment), tally, base=CharterContent.of(base)
            ),
        )

    # --- closing -------------------------------------------------------------------------------------------

    @timer(CLOSE)
    async def deadline(self, ctx: Context[TimerFired]) -> None:
        ref = ctx.event.ref
        amendment = await ctx.row(Amendment, ref)
        if (
            amendment is None
            or amendment.community_id != ctx.community.id
            or amendment.status != AmendmentStatus.OPEN
        ):
            return
        await self._close(ctx, amendment, await queries.amendment_tally(ctx.session, amendment))

    async def _close(self, ctx: Context[Any], amendment: Amendment, tally: Tally) -> None:
        """Decide, record, apply an adopted amendment (a new version and its round), and say so (in the
        channel: in the community's words)."""
        _ = ctx.public
        decision = decide(votes.amendment_rule(amendment), tally)
        amendment.votes_for, amendment.votes_against, amendment.votes_abstain = (
            tally.for_,
            tally.against,
            tally.abstain,
        )
        amendment.closed_at = ctx.now
        await ctx.cancel_timer(CLOSE, str(amendment.id))
        base = await self._base(ctx, amendment)
        proposer = await self._proposer_id(ctx, amendment)
        version: Charter | None = None
        if decision.adopted:
            current_charter = await latest(ctx)
            current = CharterContent.of(current_charter)
            section = amendment.section
            new = current.with_section(section, amendment.text)
            if section_text(current, section) != section_text(base, section) or new == current:
                # The section changed under the vote (another version came in between): applying it now
                # would silently undo that change, so it is not applied.
                amendment.status = AmendmentStatus.OUTDATED
            else:
                amendment.status = AmendmentStatus.ADOPTED
                version = await adopt_version(
                    ctx, current_charter, new, note=amendment.reason, author=proposer, amendment=amendment
                )
        else:
            amendment.status = AmendmentStatus.REJECTED
        result = votes.result_text(_, amendment, decision, tally, version.version if version else None)
        await ctx.replace_post(
            amendment.post_entry_id,
            self._vote_message(ctx, amendment, proposer, tally, result=result, base=base),
        )
        ctx.post_to(
            "announcements",
            Message(
                title=_("Result of the vote on amendment #{number}", number=amendment.number),
                text=result,
                fields=(
                    Field(_("Proposed by"), mention(proposer), inline=True),
                    Field(_("Final votes"), votes.tally_line(_, tally), inline=True),
                ),
                footer=votes.rule_text(_, amendment),
            ),
        )

    # --- following and withdrawing -----------------------------------------------------------------------

    @command(
        "charter amendments", N_("Amendments to the charter: those being voted on and the latest results")
    )
    async def amendments(self, ctx: Context[CommandInvoked]) -> None:
        _ = ctx._
        rows = await queries.recent_amendments(ctx.session, ctx.community.id)
        listed = []
        for amendment, proposer in rows:
            being_voted = amendment.status == AmendmentStatus.OPEN
            so_far = await queries.amendment_tally(ctx.session, amendment) if being_voted else None
            listed.append((amendment, proposer, ctx.format_time(amendment.closes_at), so_far))
        ctx.reply(votes.amendments_page(_, ctx.settings.charter_rules.mode, listed))

    @command(
        "charter withdraw",
        N_("Withdraw an amendment being voted on (its author or an animator)"),
        options=[Option("number", N_("The amendment's number"), kind="integer", required=True)],
    )
    async def withdraw(self, ctx: Context[CommandInvoked]) -> None:
        _ = ctx._
        number = ctx.event.args.get("number")
        amendment = (
            await queries.amendment_by_number(ctx.session, ctx.community.id, number)
            if isinstance(number, int)
            else None
        )
        if amendment is None:
            raise UserError(
                _("There is no amendment #{number}. See them with /agora charter amendments.", number=number)
            )
        if amendment.status != AmendmentStatus.OPEN:
            raise UserError(
                _(
                    "Amendment #{number} is no longer being voted on: {result}",
                    number=amendment.number,
                    result=votes.status_sentence(_, amendment.status),
                )
            )
        member = await ctx.member()
        if member.id != amendment.proposer_id and not ctx.is_animator:
            raise UserError(
                _("Only its author or an animator can withdraw amendment #{number}.", number=number)
            )
        tally = await queries.amendment_tally(ctx.session, amendment)
        amendment.status, amendment.closed_at = AmendmentStatus.WITHDRAWN, ctx.now
        amendment.votes_for, amendment.votes_against, amendment.votes_abstain = (
            tally.for_,
            tally.against,
            tally.abstain,
        )
        await ctx.cancel_timer(CLOSE, str(amendment.id))

        def said(_: Translator) -> str:
            return _(
                "Amendment #{number} was withdrawn by {who}; the vote is closed.",
                number=amendment.number,
                who=mention(member.external_id),
            )

        await ctx.replace_post(
            amendment.post_entry_id,
            self._vote_message(
                ctx,
                amendment,
                await self._proposer_id(ctx, amendment),
                tally,
                result=said(ctx.public),
                base=await self._base(ctx, amendment),
            ),
        )
        ctx.reply(said(_))
