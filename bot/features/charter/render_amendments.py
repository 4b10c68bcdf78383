"""The amendments' messages: the vote post with its live tally, the rule it is decided by, its result. Translator
and plain data in, ``Message`` out; no database. Amendments are read through
:class:`~bot.features.charter.render.AmendmentLike`."""

from __future__ import annotations

from collections.abc import Sequence

from bot.features.charter.render import AmendmentLike, change_fields, section_label, share_text
from bot.features.charter.rules import CHOICES, Decision, Rule, Tally
from bot.features.charter.text import Change
from bot.i18n import N_, Translator
from bot.messages import Button, ButtonStyle, Field, Message, mention, untrusted

__all__ = [
    "VOTE",
    "amendment_rule",
    "amendments_page",
    "choice_label",
    "result_text",
    "rule_text",
    "status_sentence",
    "tally_line",
    "text_label",
    "vote_message",
]

VOTE = "charter:vote"

_CHOICE_LABELS = {"for": N_("For"), "against": N_("Against"), "abstain": N_("Abstain")}
_STYLES: dict[str, ButtonStyle] = {"for": "success", "against": "danger", "abstain": "secondary"}


def choice_label(_: Translator, choice: str) -> str:
    return _(_CHOICE_LABELS[choice])


def tally_line(_: Translator, tally: Tally) -> str:
    return _(
        "For: {yes} · Against: {no} · Abstain: {abstain}",
        yes=tally.for_,
        no=tally.against,
        abstain=tally.abstain,
    )


def text_label(_: Translator, section: str) -> str:
    """The label of an amendment form's text field, by section."""
    if section == "objective":
        return _("The new text")
    if section == "animators":
        return _("The new text: one per line, name — why")
    return _("The new text, one item per line")


def amendment_rule(amendment: AmendmentLike) -> Rule:
    """The rule an amendment is decided by, as it was fixed when it opened."""
    return Rule(
        mode="committee" if amendment.mode == "committee" else "community",
        electorate=amendment.electorate,
        quorum=amendment.quorum,
        majority=amendment.majority,
    )


def rule_text(_: Translator, amendment: AmendmentLike) -> str:
    rule = amendment_rule(amendment)
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


def vote_message(
    _: Translator,
    amendment: AmendmentLike,
    proposer: str,
    tally: Tally,
    changes: Sequence[Change],
    *,
    closes: str,
    result: str | None = None,
) -> Message:
    """The post members vote on: what changes and why, the tally, the rule; the result once closed."""
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
                    date=closes,
                ),
                who,
            )
        )
    else:
        text = result
    fields = [*change_fields(_, changes)] if changes else []
    fields.append(Field(_("Why"), untrusted(amendment.reason)))
    fields.append(
        Field(_("Votes so far") if result is None else _("Final votes"), tally_line(_, tally), inline=True)
    )
    buttons = (
        tuple(
            Button(f"{VOTE}:{choice}", choice_label(_, choice), ref=str(amendment.id), style=_STYLES[choice])
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
        footer=rule_text(_, amendment),
    )


def result_text(
    _: Translator, amendment: AmendmentLike, decision: Decision, tally: Tally, version: int | None
) -> str:
    """The result of a closed vote, in a sentence (``version``: the version it made, if adopted)."""
    number = amendment.number
    rule = amendment_rule(amendment)
    if amendment.status == "adopted" and version is not None:
        return _(
            "Amendment #{number} is adopted. The charter is now at version {version}: every member is asked "
            "to accept it.",
            number=number,
            version=version,
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
        return _("Amendment #{number} is rejected: it needed every vote cast to be for.", number=number)
    return _(
        "Amendment #{number} is rejected: it needed more than {majority} of the votes cast.",
        number=number,
        majority=share_text(_, amendment.majority),
    )


def status_sentence(_: Translator, status: str) -> str:
    """What became of a closed amendment, as the end of a sentence."""
    return {
        "adopted": _("it was adopted."),
        "rejected": _("it was not adopted."),
        "withdrawn": _("it was withdrawn."),
        "outdated": _("the charter changed under it."),
    }.get(status, "")


def amendments_page(
    _: Translator, mode: str, listed: Sequence[tuple[AmendmentLike, str, str, Tally | None]]
) -> Message:
    """The latest amendments, the newest first: ``listed`` holds (amendment, proposer's id, closing moment, its
    tally so far while it is being voted on, else None); ``mode``: how the charter changes here."""
    open_lines, closed_lines = [], []
    for amendment, proposer, closes, so_far in listed:
        section = section_label(_, amendment.section, short=True)
        if so_far is not None:
            open_lines.append(
                _.ngettext(
                    "#{number} {section}, by {author}: until {date} ({count} vote so far)",
                    "#{number} {section}, by {author}: until {date} ({count} votes so far)",
                    so_far.turnout,
                    number=amendment.number,
                    section=section,
                    author=mention(proposer),
                    date=closes,
                )
            )
        else:
            closed_lines.append(
                _(
                    "#{number} {section}, by {author}: {result}",
                    number=amendment.number,
                    section=section,
                    author=mention(proposer),
                    result=status_sentence(_, amendment.status),
                )
            )
    fields = []
    if open_lines:
        fields.append(Field(_("Being voted on"), "\n".join(open_lines)))
    if closed_lines:
        fields.append(Field(_("Decided"), "\n".join(closed_lines[:10])))
    if mode == "community":
        text = _("Any member who accepted the charter can propose one: /agora charter propose.")
    elif mode == "committee":
        text = _("The charter committee proposes and approves them.")
    else:
        text = _("In this community, the animators edit the charter.")
    if not listed:
        text = _("No amendment has been proposed yet.") + " " + text
    return Message(title=_("Amendments to the charter"), text=text, fields=tuple(fields), ephemeral=True)
