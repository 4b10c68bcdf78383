"""What both halves of mutual help's handlers share: an ask as messages show it, the charter gate, DMs that
never fall back to a public channel, and the conversation opened for two members."""

from __future__ import annotations

from typing import Any

from bot.chat import Capability
from bot.context import Context
from bot.errors import UserError
from bot.events import ButtonPressed
from bot.features.onboarding.queries import has_accepted
from bot.i18n import N_, Translator
from bot.messages import Message, unmarked
from bot.operations import DirectMessage, OpenGroup
from storage.models import Member, OutboxEntry
from storage.tables.mutual_help import AskStatus, HelpAsk

from .render import AskView

__all__ = [
    "ASK",
    "GONE",
    "OFFER",
    "ask_view",
    "closed_refusal",
    "open_conversation",
    "private_dm",
    "require_charter",
]

# Outbox origins: the public ask's post (ref: the ask's id) and what is sent about an offer (ref: the offer's id).
ASK = "help_ask"
OFFER = "help_offer"
GONE = N_("This button no longer matches an ask of this community.")


async def ask_view(ctx: Context[Any], ask: HelpAsk, _: Translator | None = None) -> AskView:
    """``ask`` as messages show it, its date in ``_``'s words (the actor's by default)."""
    asker = await ctx.session.get(Member, ask.asker_id)
    return AskView(
        id=ask.id,
        asker=asker.external_id if asker is not None else "",
        need=ask.need,
        details=ask.details,
        when=ctx.format_time(ask.by_when, _) if ask.by_when else "",
        discreet=ask.discreet,
    )


async def require_charter(ctx: Context[Any], member: Member) -> None:
    """Only members who accepted the charter ask the network."""
    if not await has_accepted(ctx.session, member):
        raise UserError(
            ctx._(
                "Asking the network is for members who accepted the charter: {command} shows it.",
                command=ctx.command_text("charter"),
            )
        )


def answer_pressed(ctx: Context[ButtonPressed], message: Message | str) -> None:
    """The answer to a button takes the place of the message that carried it (its buttons gone), where the
    platform can edit it; else it is a reply."""
    if isinstance(message, str):
        message = Message(text=message)
    if ctx.can(Capability.UPDATE) and ctx.event.message is not None:
        ctx.replace_pressed(message)
    else:
        ctx.reply(message.text)


def closed_refusal(ctx: Context[Any], ask: HelpAsk) -> None:
    if ask.status != AskStatus.OPEN:
        raise UserError(
            ctx._("This ask is solved: thank you all the same!")
            if ask.status == AskStatus.SOLVED
            else ctx._("This ask was withdrawn.")
        )


def private_dm(
    ctx: Context[Any], member_id: str, message: Message, origin: tuple[str, str] | None = None
) -> OutboxEntry:
    """A DM that never falls back to a channel: what an ask says may be discreet, so a member who refuses DMs is
    simply not reached (the ``@undelivered`` handler hears of it)."""
    return ctx.enqueue(DirectMessage(member_id, message), origin=origin)


def open_conversation(
    ctx: Context[Any], members: list[str], title: str, message: Message, origin: tuple[str, str]
) -> OutboxEntry:
    """A conversation for the asker and a helper: a group DM, or a private thread in the help channel."""
    return ctx.enqueue(
        OpenGroup(tuple(members), unmarked(title), message, ctx.settings.channel("help")), origin=origin
    )
