"""Amendments: members co-construct the charter.

Where the community chose it (``charter_rules.mode``), the charter changes by amendment instead of by the
animators' pen. ``community``: any member who accepted the charter proposes a change to one section
(``/agora charter propose``), it is posted in the announcements channel with For / Against / Abstain buttons and
a live tally, and when the vote closes (a stored timer) the result is posted: adopted if the quorum took part
and the majority voted for. ``committee``: only the committee's members propose, and the committee approves.
An adopted amendment makes the next version of the charter and opens its re-acceptance round.
"""

from __future__ import annotations

from sqlalchemy import func, select

from bot.context import Context
from bot.errors import FormErrors, UserError
from bot.events import ButtonPressed, CommandInvoked, FormSubmitted, TimerFired
from bot.features.charter import (
    NOTE_LIMIT,
    accepted_since,
    adopt_version,
    change_fields,
    check_fields,
    latest_charter,
    section_label,
    share_text,
)
from bot.features.charter_tally import CHOICES, Decision, Rule, Tally, decide
from bot.features.charter_text import SECTIONS, CharterContent, diff, section_text
from bot.i18n import N_, Translator
from bot.messages import Button, ButtonStyle, Field, Form, FormField, Message, mention
from bot.router import Feature, Option, action, command, form, timer
from bot.settings.charter_rules import CharterRulesSettings
from storage.models import Acknowledgement, Charter, Member
from storage.tables.charter import Amendment, AmendmentVote

__all__ = ["AmendmentsFeature"]

PROPOSE = "charter:propose"
VOTE = "charter:vote"
CLOSE = "charter:amendment:close"
FORM_PREFIX = "charter:propose:"

_CHOICE_LABELS = {"for": N_("For"), "against": N_("Against"), "abstain": N_("Abstain")}
_STYLES: dict[str, ButtonStyle] = {"for": "success", "against": "danger", "abstain": "secondary"}


def _choice(_: Translator, choice: str) -> str:
    return _(_CHOICE_LABELS[choice])


def _tally_line(_: Translator, tally: Tally) -> str:
    return _(
        "For: {yes} · Against: {no} · Abstain: {abstain}",
        yes=tally.for_,
        no=tally.against,
        abstain=tally.abstain,
    )


def _text_label(_: Translator, section: str) -> str:
    if section == "objective":
        return _("The new text")
    if section == "animators":
        return _("The new text: one per line, name — why")
    return _("The new text, one item per line")


def _rule(amendment: Amendment) -> Rule:
    return Rule(
        mode="committee" if amendment.mode == "committee" else "community",
        electorate=amendment.electorate,
        quorum=amendment.quorum,
        majority=amendment.majority,
    )


def _rule_text(_: Translator, amendment: Amendment) -> str:
    rule = _rule(amendment)
    # Shares are formatted first: a translation call nested in ngettext's arguments confuses the extractor.
    quorum, majority = share_text(_, amendment.quorum), share_text(_, amendment.majority)
    if rule.mode == "committee":
        return _.ngettext(
            "Adopted if at least {count} of the {size} committee members approves it.",
            "Adopted if at least {count} of the {size} committee members approve it.",
            rule.approvals_needed,
            size=rule.electorate,
        )
    if amendment.majority >= 1:
        return _.ngettext(
            "Adopted if at least {count} of the {electorate} members who accepted the charter takes part "
            "(quorum: {quorum}) and every vote cast is for; abstentions count only for the quorum.",
            "Adopted if at least {count} of the {electorate} members who accepted the charter take part "
            "(quorum: {quorum}) and every vote cast is for; abstentions count only for the quorum.",
            rule.votes_needed,
            electorate=rule.electorate,
            quorum=quorum,
        )
    return _.ngettext(
        "Adopted if at least {count} of the {electorate} members who accepted the charter takes part "
        "(quorum: {quorum}) and more than {majority} of the votes cast are for; abstentions count only for "
        "the quorum.",
        "Adopted if at least {count} of the {electorate} members who accepted the charter take part "
        "(quorum: {quorum}) and more than {majority} of the votes cast are for; abstentions count only for "
        "the quorum.",
        rule.votes_needed,
        electorate=rule.electorate,
        quorum=quorum,
        majority=majority,
    )


class AmendmentsFeature(Feature):
    """Proposals, votes and their results."""

    name = "amendments"
    order = 11
    settings = CharterRulesSettings
    section = "charter_rules"

    # --- who may propose --------------------------------------------------------------------------------

    async def _proposer(self, ctx: Context) -> tuple[Member, Charter]:
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
        charter = await latest_charter(ctx)
        if member.left_at is not None or not await accepted_since(ctx, member, charter.version):
            raise UserError(
                _(
                    "Only members who accepted the charter (version {version}) can propose an amendment. "
                    "Read it and accept it first: /agora charter.",
                    version=charter.version,
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

    async def _open_on(self, ctx: Context, section: str) -> Amendment | None:
        return await ctx.session.scalar(
            select(Amendment).where(
                Amendment.community_id == ctx.community.id,
                Amendment.section == section,
                Amendment.status == "open",
            )
        )

    def _busy(self, ctx: Context, amendment: Amendment) -> str:
        return ctx._(
            "Amendment #{number} on “{section}” is being voted on until {date}: vote on it, and propose "
            "yours once it is decided.",
            number=amendment.number,
            section=section_label(ctx._, amendment.section, short=True),
            date=ctx.format_time(amendment.closes_at),
        )

    # --- proposing ---------------------------------------------------------------------------------------

    @command(
        "charter propose",
        N_("Propose a change to the charter, which members vote on"),
        options=[Option("section", N_("The part to change"), choices=SECTIONS)],
    )
    async def propose(self, ctx: Context) -> None:
        event = ctx.event
        assert isinstance(event, CommandInvoked)
        _ = ctx._
        await self._proposer(ctx)
        section = event.args.get("section")
        if section in SECTIONS:
            await self._open_form(ctx, str(section))
            return
        ctx.reply(
            Message(
                text=_("Which part of the charter do you want to change?"),
                buttons=tuple(
                    Button(PROPOSE, section_label(_, s, short=True), ref=s, style="secondary")
                    for s in SECTIONS
                ),
                ephemeral=True,
            )
        )

    @action(PROPOSE)
    async def propose_pressed(self, ctx: Context) -> None:
        event = ctx.event
        assert isinstance(event, ButtonPressed)
        await self._proposer(ctx)
        if event.ref not in SECTIONS:
            raise UserError(
                ctx._("This button no longer matches a part of the charter. Try /agora charter propose.")
            )
        await self._open_form(ctx, event.ref)

    async def _open_form(self, ctx: Context, section: str) -> None:
        _ = ctx._
        busy = await self._open_on(ctx, section)
        if busy is not None:
            raise UserError(self._busy(ctx, busy))
        charter = await latest_charter(ctx)
        label = _text_label(_, section)
        ctx.open_form(
            Form(
                id=FORM_PREFIX + section,
                title=_("Amendment — {section}", section=section_label(_, section, short=True)),
                ref=str(charter.version),
                submit_label=_("Propose"),
                fields=(
                    FormField(
                        "text",
                        label,
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
    async def proposed(self, ctx: Context) -> None:
        event = ctx.event
        assert isinstance(event, FormSubmitted)
        _ = ctx._
        section = event.form.removeprefix(FORM_PREFIX)
        member, charter = await self._proposer(ctx)
        values = {"text": event.values.get("text", ""), "reason": event.values.get("reason", "")}
        check_fields(
            _,
            values,
            {"text": _text_label(_, section), "reason": _("Why this change?")},
            {"reason": NOTE_LIMIT},
        )
        current = CharterContent.of(charter)
        proposed = current.with_section(section, values["text"])
        if proposed == current:
            raise FormErrors({"text": _("This is the current text: change something before proposing it.")})
        busy = await self._open_on(ctx, section)
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
            electorate = await self._accepted_members(ctx, charter)
        number = (
            await ctx.session.scalar(
                select(func.max(Amendment.number)).where(Amendment.community_id == ctx.community.id)
            )
            or 0
        ) + 1
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
            status="open",
            opened_at=ctx.now,
            closes_at=ctx.now + rules.vote_duration,
        )
        ctx.session.add(amendment)
        await ctx.session.flush()
        entry = ctx.post_to(
            "announcements",
            self._vote_message(ctx, amendment, member.external_id, Tally(), base=current),
            thread_title=_("Amendment #{number}: discussion", number=number),
        )
        assert entry is not None  # _proposer checked there is a channel
        await ctx.session.flush()
        amendment.post_entry_id = entry.id
        await ctx.set_timer(CLOSE, str(amendment.id), amendment.closes_at)
        ctx.reply(
            _(
                "Thank you! Amendment #{number} is open for votes until {date} in {channel}.",
                number=number,
                date=ctx.format_time(amendment.closes_at),
                channel=f"<#{ctx.settings.channel('announcements')}>",
            )
        )

    async def _accepted_members(self, ctx: Context, charter: Charter) -> int:
        return int(
            await ctx.session.scalar(
                select(func.count(Acknowledgement.id))
                .join(Member, Member.id == Acknowledgement.member_id)
                .where(Acknowledgement.charter_id == charter.id, Member.left_at.is_(None))
            )
            or 0
        )

    # --- the vote ------------------------------------------------------------------------------------------

    def _vote_message(
        self,
        ctx: Context,
        amendment: Amendment,
        proposer: str,
        tally: Tally,
        *,
        result: str | None = None,
        base: CharterContent | None = None,
    ) -> Message:
        """The post members vote on: what changes and why, the tally, the rule; the result once closed."""
        _ = ctx._
        section = section_label(_, amendment.section, short=True)
        if result is None:
            if amendment.mode == "committee":
                who = _(
                    "The charter committee decides: {members}.",
                    members=_.list([mention(v) for v in amendment.voters or []]),
                )
            else:
                who = _("Every member who accepted the charter can vote.")
            text = " ".join(
                (
                    _(
                        "{author} proposes to change “{section}”. Vote until {date}; you can change your vote "
                        "until then.",
                        author=mention(proposer),
                        section=section,
                        date=ctx.format_time(amendment.closes_at),
                    ),
                    who,
                )
            )
        else:
            text = result
        changes = []
        if base is not None:
            changes = diff(base, base.with_section(amendment.section, amendment.text))
        fields = [*change_fields(_, changes)] if changes else []
        fields.append(Field(_("Why"), amendment.reason))
        fields.append(
            Field(
                _("Votes so far") if result is None else _("Final votes"), _tally_line(_, tally), inline=True
            )
        )
        buttons = (
            tuple(
                Button(f"{VOTE}:{choice}", _choice(_, choice), ref=str(amendment.id), style=_STYLES[choice])
                for choice in CHOICES
            )
            if result is None
            else ()
        )
        return Message(
            title=_("Amendment #{number}: {section}", number=amendment.number, section=section),
            text=text,
            fields=tuple(fields),
            buttons=buttons,
            footer=_rule_text(_, amendment),
        )

    async def _base(self, ctx: Context, amendment: Amendment) -> CharterContent:
        charter = await ctx.session.get(Charter, amendment.base_charter_id)
        assert charter is not None
        return CharterContent.of(charter)

    async def _tally(self, ctx: Context, amendment: Amendment) -> Tally:
        counts = dict(
            (
                await ctx.session.execute(
                    select(AmendmentVote.choice, func.count(AmendmentVote.id))
                    .where(AmendmentVote.amendment_id == amendment.id)
                    .group_by(AmendmentVote.choice)
                )
            ).all()
        )
        return Tally(counts.get("for", 0), counts.get("against", 0), counts.get("abstain", 0))

    async def _proposer_id(self, ctx: Context, amendment: Amendment) -> str:
        proposer = await ctx.session.get(Member, amendment.proposer_id)
        return proposer.external_id if proposer else ""

    async def _amendment(self, ctx: Context, ref: str) -> Amendment:
        amendment = await ctx.session.get(Amendment, int(ref)) if ref.isdigit() else None
        if amendment is None or amendment.community_id != ctx.community.id:
            raise UserError(ctx._("This button no longer matches an amendment of this community."))
        return amendment

    @action(f"{VOTE}:for")
    async def vote_for(self, ctx: Context) -> None:
        await self._vote(ctx, "for")

    @action(f"{VOTE}:against")
    async def vote_against(self, ctx: Context) -> None:
        await self._vote(ctx, "against")

    @action(f"{VOTE}:abstain")
    async def vote_abstain(self, ctx: Context) -> None:
        await self._vote(ctx, "abstain")

    async def _vote(self, ctx: Context, choice: str) -> None:
        event = ctx.event
        assert isinstance(event, ButtonPressed)
        _ = ctx._
        amendment = await self._amendment(ctx, event.ref)
        if amendment.status != "open":
            raise UserError(
                _(
                    "The vote on amendment #{number} is closed: {result}",
                    number=amendment.number,
                    result=self._status_sentence(_, amendment),
                )
            )
        if ctx.now >= amendment.closes_at:
            # The deadline passed while its timer had not run yet (the bot was catching up): close it now.
            await self._close(ctx, amendment, await self._tally(ctx, amendment))
            ctx.reply(
                _(
                    "The vote on amendment #{number} closed on {date}: {result}",
                    number=amendment.number,
                    date=ctx.format_time(amendment.closes_at),
                    result=self._status_sentence(_, amendment),
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
        if member.left_at is not None or not await accepted_since(ctx, member, base.version):
            raise UserError(
                _(
                    "Only members who accepted the charter (version {version}) can vote. "
                    "Read it and accept it first: /agora charter.",
                    version=(await latest_charter(ctx)).version,
                )
            )
        vote = await ctx.session.scalar(
            select(AmendmentVote).where(
                AmendmentVote.amendment_id == amendment.id, AmendmentVote.member_id == member.id
            )
        )
        deadline = ctx.format_time(amendment.closes_at)
        if vote is not None and vote.choice == choice:
            ctx.reply(
                _(
                    "Your vote is already “{choice}”. You can change it until {date}.",
                    choice=_choice(_, choice),
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
            said = _("Your vote is recorded: “{choice}”.", choice=_choice(_, choice))
        else:
            vote.choice, vote.changed_at = choice, ctx.now
            said = _("Your vote is now “{choice}”.", choice=_choice(_, choice))
        await ctx.session.flush()
        tally = await self._tally(ctx, amendment)
        if amendment.voters is not None and tally.turnout >= len(amendment.voters):
            # The whole committee has spoken: no need to wait for the deadline.
            ctx.reply(said)
            await self._close(ctx, amendment, tally)
            return
        ctx.reply(said + " " + _("You can change it until {date}.", date=deadline))
        if amendment.post_entry_id is not None:
            ctx.update_posted(
                amendment.post_entry_id,
                self._vote_message(
                    ctx,
                    amendment,
                    await self._proposer_id(ctx, amendment),
                    tally,
                    base=CharterContent.of(base),
                ),
            )

    # --- closing -------------------------------------------------------------------------------------------

    @timer(CLOSE)
    async def deadline(self, ctx: Context) -> None:
        event = ctx.event
        assert isinstance(event, TimerFired)
        amendment = await ctx.session.get(Amendment, int(event.ref)) if event.ref.isdigit() else None
        if amendment is None or amendment.community_id != ctx.community.id or amendment.status != "open":
            return
        await self._close(ctx, amendment, await self._tally(ctx, amendment))

    async def _close(self, ctx: Context, amendment: Amendment, tally: Tally) -> None:
        """Decide, record, apply an adopted amendment (a new version and its round), and say so."""
        _ = ctx._
        decision = decide(_rule(amendment), tally)
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
            latest = await latest_charter(ctx)
            current = CharterContent.of(latest)
            section = amendment.section
            new = current.with_section(section, amendment.text)
            if section_text(current, section) != section_text(base, section) or new == current:
                # The section changed under the vote (another version came in between): applying it now
                # would silently undo that change, so it is not applied.
                amendment.status = "outdated"
            else:
                amendment.status = "adopted"
                version = await adopt_version(
                    ctx,
                    latest,
                    new,
                    note=amendment.reason,
                    author=proposer,
                    amendment=amendment,
                )
        else:
            amendment.status = "rejected"
        result = self._result(_, amendment, decision, tally, version)
        if amendment.post_entry_id is not None:
            ctx.update_posted(
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
                    Field(_("Final votes"), _tally_line(_, tally), inline=True),
                ),
                footer=_rule_text(_, amendment),
            ),
        )

    def _result(
        self, _: Translator, amendment: Amendment, decision: Decision, tally: Tally, version: Charter | None
    ) -> str:
        number = amendment.number
        rule = _rule(amendment)
        if amendment.status == "adopted" and version is not None:
            return _(
                "Amendment #{number} is adopted. The charter is now at version {version}: every member is asked "
                "to accept it.",
                number=number,
                version=version.version,
            )
        if amendment.status == "outdated":
            return _(
                "Amendment #{number} was approved, but “{section}” changed while it was being voted on, so it "
                "cannot be applied as it is. It can be proposed again on the new text.",
                number=number,
                section=section_label(_, amendment.section, short=True),
            )
        if rule.mode == "committee":
            return _.ngettext(
                "Amendment #{number} is not adopted: it needed the approval of {needed} committee members and "
                "got {count}.",
                "Amendment #{number} is not adopted: it needed the approval of {needed} committee members and "
                "got {count}.",
                tally.for_,
                number=number,
                needed=rule.approvals_needed,
            )
        if not decision.quorum_reached:
            return _.ngettext(
                "Amendment #{number} is not adopted: the quorum was not reached ({count} member took part, "
                "{needed} were needed).",
                "Amendment #{number} is not adopted: the quorum was not reached ({count} members took part, "
                "{needed} were needed).",
                tally.turnout,
                number=number,
                needed=rule.votes_needed,
            )
        if amendment.majority >= 1:
            return _(
                "Amendment #{number} is rejected: it needed every vote cast to be for.",
                number=number,
            )
        return _(
            "Amendment #{number} is rejected: it needed more than {majority} of the votes cast.",
            number=number,
            majority=share_text(_, amendment.majority),
        )

    def _status_sentence(self, _: Translator, amendment: Amendment) -> str:
        return {
            "adopted": _("it was adopted."),
            "rejected": _("it was not adopted."),
            "withdrawn": _("it was withdrawn."),
            "outdated": _("the charter changed under it."),
        }.get(amendment.status, "")

    # --- following and withdrawing -----------------------------------------------------------------------

    @command(
        "charter amendments", N_("Amendments to the charter: those being voted on and the latest results")
    )
    async def amendments(self, ctx: Context) -> None:
        _ = ctx._
        rows = (
            await ctx.session.execute(
                select(Amendment, Member.external_id)
                .join(Member, Member.id == Amendment.proposer_id)
                .where(Amendment.community_id == ctx.community.id)
                .order_by(Amendment.number.desc())
                .limit(15)
            )
        ).all()
        open_lines, closed_lines = [], []
        for amendment, proposer in rows:
            section = section_label(_, amendment.section, short=True)
            if amendment.status == "open":
                votes = await self._tally(ctx, amendment)
                open_lines.append(
                    _.ngettext(
                        "#{number} {section}, by {author}: until {date} ({count} vote so far)",
                        "#{number} {section}, by {author}: until {date} ({count} votes so far)",
                        votes.turnout,
                        number=amendment.number,
                        section=section,
                        author=mention(proposer),
                        date=ctx.format_time(amendment.closes_at),
                    )
                )
            else:
                closed_lines.append(
                    _(
                        "#{number} {section}, by {author}: {result}",
                        number=amendment.number,
                        section=section,
                        author=mention(proposer),
                        result=self._status_sentence(_, amendment),
                    )
                )
        fields = []
        if open_lines:
            fields.append(Field(_("Being voted on"), "\n".join(open_lines)))
        if closed_lines:
            fields.append(Field(_("Decided"), "\n".join(closed_lines[:10])))
        mode = ctx.settings.charter_rules.mode
        if mode == "community":
            text = _("Any member who accepted the charter can propose one: /agora charter propose.")
        elif mode == "committee":
            text = _("The charter committee proposes and approves them.")
        else:
            text = _("In this community, the animators edit the charter.")
        if not rows:
            text = _("No amendment has been proposed yet.") + " " + text
        ctx.reply(
            Message(title=_("Amendments to the charter"), text=text, fields=tuple(fields), ephemeral=True)
        )

    @command(
        "charter withdraw",
        N_("Withdraw an amendment being voted on (its author or an animator)"),
        options=[Option("number", N_("The amendment's number"), kind="integer", required=True)],
    )
    async def withdraw(self, ctx: Context) -> None:
        event = ctx.event
        assert isinstance(event, CommandInvoked)
        _ = ctx._
        number = event.args.get("number")
        amendment = await ctx.session.scalar(
            select(Amendment).where(Amendment.community_id == ctx.community.id, Amendment.number == number)
        )
        if amendment is None:
            raise UserError(
                _("There is no amendment #{number}. See them with /agora charter amendments.", number=number)
            )
        if amendment.status != "open":
            raise UserError(
                _(
                    "Amendment #{number} is no longer being voted on: {result}",
                    number=amendment.number,
                    result=self._status_sentence(_, amendment),
                )
            )
        member = await ctx.member()
        if member.id != amendment.proposer_id and not ctx.is_animator:
            raise UserError(
                _("Only its author or an animator can withdraw amendment #{number}.", number=number)
            )
        tally = await self._tally(ctx, amendment)
        amendment.status, amendment.closed_at = "withdrawn", ctx.now
        amendment.votes_for, amendment.votes_against, amendment.votes_abstain = (
            tally.for_,
            tally.against,
            tally.abstain,
        )
        await ctx.cancel_timer(CLOSE, str(amendment.id))
        result = _(
            "Amendment #{number} was withdrawn by {who}; the vote is closed.",
            number=amendment.number,
            who=mention(member.external_id),
        )
        if amendment.post_entry_id is not None:
            ctx.update_posted(
                amendment.post_entry_id,
                self._vote_message(
                    ctx,
                    amendment,
                    await self._proposer_id(ctx, amendment),
                    tally,
                    result=result,
                    base=await self._base(ctx, amendment),
                ),
            )
        ctx.reply(result)
