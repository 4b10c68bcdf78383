"""A refusal never echoes more than a short excerpt of what was typed: every command of every feature, each
option given a wall of characters without a space (what a member pasted by mistake: 6,000 characters, or just
under an option's length limit), answers in a few lines."""

from __future__ import annotations

import pytest

from adapters.console import ConsoleCommunity
from bot.events import ChannelRef, CommandInvoked
from bot.messages import Message

# What a refusal may quote of it (bot.settings.types.excerpt's limit), and a generous bound on the whole answer.
QUOTED = 60
LONGEST_ANSWER = 1500


def said(message: Message) -> str:
    return "\n".join([message.title or "", message.text, *(f"{f.name} {f.value}" for f in message.fields)])


@pytest.mark.parametrize("size", [6000, 1990])
async def test_no_answer_echoes_a_pasted_wall_of_text(h: ConsoleCommunity, size: int) -> None:
    pasted = "x" * size
    await h.join("alice")
    assert h.app is not None
    offenders: list[str] = []
    for spec in h.app.router.commands.values():
        for option in spec.options:
            value = pasted[: option.max_length] if size < 6000 else pasted
            for who in ("alice", "camille"):
                outcome = await h.deliver(
                    CommandInvoked(
                        community=h.ref,
                        actor=h.member(who),
                        name=spec.name,
                        args={option.name: value},
                        channel=ChannelRef("console", h.channel),
                    ),
                    actor=who,
                )
                # The same typed as text (Slack, the console), and as a name of its own.
                typed = await h.command(who, f"{spec.name} {option.name}={value}")
                named = await h.command(who, f"{spec.name} {value}=1")
                for answer in (outcome, typed, named):
                    if answer.error != "refused":
                        continue  # what was accepted is shown as saved (its own limits apply)
                    for reply in answer.replies:
                        text = said(reply)
                        if "x" * (QUOTED + 1) in text or len(text) > LONGEST_ANSWER:
                            offenders.append(f"/agora {spec.name} {option.name}=… ({who}): {text[:80]}")
    assert offenders == [], "\n".join(offenders)
