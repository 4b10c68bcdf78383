"""Hostile input never crashes a handler, on SQLite and on PostgreSQL.

Every command the router knows (so a new command is covered the day it is registered), every form and every
button is driven with hostile values: numbers beyond what a column holds, negative numbers, 10,000-character
texts, NUL and control characters, unicode oddities, mentions, malformed durations, cron rules, time zones and
dates, and references to rows of another community. As a member and as an animator, on a community with a poll,
a meeting, a debate, suggestions and a round under way.

A crash is an exception escaping ``Agora.dispatch`` (what the adapters turn into "Sorry, something went wrong");
a refusal is fine. Nothing already recorded is lost: the other community's rows are untouched, and every member
and acknowledgement recorded before the fuzz is still there. Seeded: the same events every run.
"""

from __future__ import annotations

import random
import shlex
from collections import Counter
from collections.abc import Callable
from typing import Any

from adapters.console import ConsoleCommunity
from bot.context import Outcome
from bot.events import ButtonPressed, CommandInvoked, Event, FormSubmitted
from bot.messages import Form
from bot.router import Option
from tests.fuzzing import (
    CRONS,
    DATES,
    DURATIONS,
    HUGE,
    REFS,
    TEXTS,
    TIMEZONES,
    busy_community,
    other_community,
    recorded,
    seed_another_community,
    snapshot,
)
from tests.support import community

SEED = 17


# What every option gets, whatever its kind: the values that crashed handlers once.
EVERYWHERE = [
    "x" * 10_000,
    "y" * 1_999,  # within an option's default limit, longer than any String(n) column
    "a\x00b",
    "bell\x07 escape\x1b[31m",
    "\ud800",
    "<@camille> @everyone",
    "2147483648",
]
FAMILIES = [HUGE, TEXTS, DURATIONS, CRONS, TIMEZONES, DATES, REFS]


def pool(option: Option, other_ids: list[str], rng: random.Random) -> list[Any]:
    """What the fuzz types for ``option``: the values that crashed handlers once, hostile values of its own kind
    (of every kind for a free text, which a handler may read as anything), its choices, and rows of another
    community by id."""
    values: list[Any] = [*EVERYWHERE, *option.choices, *rng.sample(other_ids, 1)]
    if option.kind == "integer":
        values += [*HUGE[:4], 2**31, 2**63, -(2**31) - 1, True]
    elif option.kind == "boolean":
        values += [True, False, "maybe"]
    elif option.kind in ("member", "channel", "role"):
        values += REFS
    else:
        values += [rng.choice(family) for family in FAMILIES]
    return values


class Fuzz:
    """Sends hostile events and keeps what crashed, by kind."""

    def __init__(self, h: ConsoleCommunity, other_ids: list[str]) -> None:
        self.h = h
        self.other_ids = other_ids
        self.random = random.Random(SEED)
        self.crashes: Counter[str] = Counter()
        self.examples: dict[str, str] = {}
        self.forms: dict[str, Form] = {}
        self.sent = 0

    async def send(self, event: Event, actor: str, what: str) -> None:
        self.sent += 1
        try:
            outcome = await self.h.deliver(event, actor=actor)
        except Exception as exc:  # the point of the fuzz: nothing escapes a handler
            kind = f"{type(exc).__name__} in {what}"
            self.crashes[kind] += 1
            self.examples.setdefault(kind, f"{event!r}: {exc}"[:600])
            return
        self.seen(outcome)

    def seen(self, outcome: Outcome) -> None:
        """Keep the forms the bot opened: their fields are what the form fuzz fills in."""
        if outcome.form is not None:
            self.forms.setdefault(outcome.form.id, outcome.form)

    def actors(self, animator_only: bool) -> list[str]:
        # A member's try at an animator's command stops at the gate: once is enough.
        return ["camille"] if animator_only else ["alice", "camille"]

    async def commands(self) -> None:
        assert self.h.app is not None
        for spec in sorted(self.h.app.router.commands.values(), key=lambda s: s.name):
            for actor in self.actors(spec.animator_only):  # bare: this is how most forms open
                await self.send(self.command_event(spec.name, actor, {}), actor, spec.name)
            for option in spec.options:
                for value in pool(option, self.other_ids, self.random):
                    actor = self.random.choice(self.actors(spec.animator_only))
                    await self.send(
                        self.command_event(spec.name, actor, {option.name: value}), actor, spec.name
                    )
            for _ in range(1 if spec.options else 0):
                actor = self.random.choice(self.actors(spec.animator_only))
                args = {
                    o.name: self.random.choice(pool(o, self.other_ids, self.random)) for o in spec.options
                }
                await self.send(self.command_event(spec.name, actor, args), actor, spec.name)
                # The same, typed as text (Slack, the console): the words are parsed before the options are.
                typed = " ".join(f"{k}={shlex.quote(str(v))}" for k, v in args.items())
                try:
                    await self.h.command(actor, f"{spec.name} {typed}")
                except Exception as exc:
                    self.crashes[f"{type(exc).__name__} in typed {spec.name}"] += 1
                    self.examples.setdefault(
                        f"{type(exc).__name__} in typed {spec.name}", f"{typed[:300]}: {exc}"
                    )

    def command_event(self, name: str, actor: str, args: dict[str, Any]) -> CommandInvoked:
        return CommandInvoked(
            community=self.h.ref,
            actor=self.h.member(actor),
            name=name,
            args=args,
            delivery_id=self.h._delivery(),
        )

    def form_event(self, actor: str, form_id: str, ref: str, values: dict[str, str]) -> FormSubmitted:
        return FormSubmitted(
            community=self.h.ref,
            actor=self.h.member(actor),
            form=form_id,
            ref=ref,
            values=values,
            delivery_id=self.h._delivery(),
        )

    async def submissions(self) -> None:
        assert self.h.app is not None
        registered = sorted(self.h.app.router._forms)
        never_opened = [f for f in registered if f not in self.forms]
        assert not never_opened, f"no command or button of the fuzz opened these forms: {never_opened}"
        for form_id in registered:
            form = self.forms[form_id]
            names = [f.name for f in form.fields]
            for ref in [form.ref, *self.random.sample(self.other_ids, 1), "9" * 30, "a\x00b"]:
                for actor in ("alice", "camille"):
                    values = {
                        n: str(self.random.choice([*TEXTS, *HUGE, *DATES, *DURATIONS, *TIMEZONES]))
                        for n in names
                    }
                    event = self.form_event(actor, form_id, ref, values)
                    await self.send(event, actor, f"form {form_id}")
            for name in names:  # each field alone at its worst, the others valid
                for value in ("x" * 10_000, "y" * 1_999, "a\x00b", "\ud800"):
                    values = {f.name: f.default or "ok" for f in form.fields} | {name: value}
                    event = self.form_event("camille", form_id, form.ref, values)
                    await self.send(event, "camille", f"form {form_id}")

    async def buttons(self) -> None:
        assert self.h.app is not None
        for action in sorted(self.h.app.router._actions):
            for ref in [
                "",
                "2147483648",
                "²",
                "9" * 40,
                "a\x00b",
                *self.random.sample(self.other_ids, 2),
            ]:
                actor = self.random.choice(["alice", "camille"])
                event = ButtonPressed(
                    community=self.h.ref,
                    actor=self.h.member(actor),
                    action=action,
                    ref=ref,
                    delivery_id=self.h._delivery(),
                )
                await self.send(event, actor, f"button {action}")


async def test_no_hostile_command_form_or_button_crashes_a_handler_or_loses_anything(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    async with community(make_harness) as h:
        other_ids = await seed_another_community(h)
        fuzz = Fuzz(h, other_ids)
        await busy_community(h, fuzz.seen)
        other_before = await snapshot(h, other_community(h))
        names_before, acks_before = await recorded(h)

        await fuzz.commands()
        await fuzz.buttons()
        await fuzz.submissions()
        other_after = await snapshot(h, other_community(h))
        await h.advance(days=8)  # what the fuzz scheduled comes due

        crashes = "\n".join(f"{n} × {kind}: {fuzz.examples[kind]}" for kind, n in fuzz.crashes.most_common())
        assert not fuzz.crashes, f"{sum(fuzz.crashes.values())} crashes in {fuzz.sent} events:\n{crashes}"
        assert other_after == other_before, "the other community's rows changed"
        names_after, acks_after = await recorded(h)
        assert names_before <= names_after and acks_before <= acks_after
        assert fuzz.sent > 1_200
