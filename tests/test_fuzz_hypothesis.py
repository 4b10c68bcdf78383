"""Every command, form and button fuzzed with hypothesis through the console community, on SQLite (and on
PostgreSQL when it is configured).

The strategies are built from what the router declares: each command's options by kind (text, member, channel,
role, duration, delay, cron, time zone, time of day, choice, yes/no/off, whole number), each form's fields (from
the forms the busy community opened), each button's action. Each value is valid or hostile: random text with
control characters, NUL, lone surrogates, right-to-left overrides, emoji, combining marks; 10,000-character
texts; bad durations, cron rules, time zones and times; negative and huge numbers; ids of another community's
rows. Actors speak English or French (per-member language), are members or animators.

Properties, checked after every event:

- no exception escapes ``Agora.dispatch`` (an adapter would say "Sorry, something went wrong");
- every refusal is a clear message: not empty, at most 2,000 characters, no traceback or exception text, no
  message id left unformatted ("{value}"), in the actor's language (no sentence of the other language's catalog);
- a refused event leaves the database as it was (every table's rows, hashed);
- an accepted one leaves it consistent: foreign keys hold, every text fits its column and holds no NUL, every
  whole number fits PostgreSQL's ``integer`` (SQLite holds what PostgreSQL refuses); no member and no
  acknowledgement recorded earlier is lost; and at the end, the other community's rows are as they were.

One community for the whole run (building it is the slow part), a derandomized profile with a fixed budget of
examples (``AGORA_FUZZ_EXAMPLES`` raises it for a longer local run, ``AGORA_FUZZ_SEED`` picks other events),
no deadline, no shrinking (the state moves on between examples: the first failing event is the story, printed
with the property it broke).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import shlex
import sqlite3
import zoneinfo
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from sqlalchemy import Integer, String, Text, select, text
from sqlalchemy.engine import make_url

from adapters.console import ConsoleCommunity
from bot.context import Outcome
from bot.events import ButtonPressed, CommandInvoked, Event, FormSubmitted
from bot.features.privacy.render import ERASE_CONFIRM
from bot.i18n import language_of, member_locale
from bot.messages import Form, Message, Untrusted
from bot.router import Option
from bot.settings.types import INT_MAX
from storage.models import Base, Community, Member
from tests.every_feature import catalog_phrases
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
from tests.support import OPTIONS, community

# ``AGORA_FUZZ_SEED=N`` explores other events than CI's (then derandomized no more, seeded with N).
SEED = os.environ.get("AGORA_FUZZ_SEED")
settings.register_profile(
    "agora-fuzz",
    max_examples=int(os.environ.get("AGORA_FUZZ_EXAMPLES", "400")),
    derandomize=SEED is None,
    deadline=None,
    database=None,
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=(HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example),
    print_blob=False,
)

# Who acts: members and animators, whose apps speak the community's language (English) or French.
ACTORS = {"alice": "en", "bob": "fr", "camille": "en", "dan": "fr"}
ANIMATORS = {"camille", "dan"}

# --- values ------------------------------------------------------------------------------------------------

ODD = [
    "\x00",
    "\ud800",
    "\u202e",  # right-to-left override
    "\u200f",
    "\u2066",
    "\u0301",  # combining acute accent
    "\u0489\u0489\u0489",
    "\ufeff",
    "\u200d",
    "👩\u200d👩\u200d👧",
    "🏳️\u200d🌈",
    "\x1b[31m",
    "\x07",
    "\x7f",
    "\x85",
    "\r\n",
    "\t",
    "{value}",
    "%(name)s",
    "<@alice>",
    "@everyone",
    "ﬁ",
    "İ",
]
odd_text = st.lists(
    st.one_of(st.sampled_from(ODD), st.text(st.characters(codec=None, exclude_categories=()), max_size=8)),
    max_size=8,
).map("".join)
huge_text = st.tuples(
    st.sampled_from(["x", "é", "👩\u200d👩", "\u202e", "a\u0301", " "]), st.integers(1_999, 10_001)
)
hostile_text = st.one_of(
    odd_text,
    st.text(max_size=40),
    huge_text.map(lambda pair: (pair[0] * pair[1])[: pair[1]]),
    st.sampled_from(TEXTS),
)
numbers = st.one_of(
    st.integers(-(2**70), 2**70),
    st.sampled_from([0, -1, INT_MAX, INT_MAX + 1, -INT_MAX - 1, 2**63]),
)
number_text = st.one_of(numbers.map(str), st.sampled_from(HUGE))
UNITS = ["s", "m", "h", "d", "w", "y", "", "mo", "j", "semaines", "µs"]
duration_text = st.one_of(
    st.tuples(numbers, st.sampled_from(UNITS)).map(lambda p: f"{p[0]}{p[1]}"),
    st.sampled_from(["3d", "2h", "1h30m", "36h", "1w", "off", "0", "10m", *DURATIONS]),
)
CRON_FIELDS = [
    "*",
    "*/0",
    "*/15",
    "0",
    "18",
    "61",
    "25",
    "-1",
    "99999999999",
    "thu",
    "mon-fri",
    "1-",
    ",",
    "?",
    "L",
]
cron_text = st.one_of(
    st.lists(st.sampled_from(CRON_FIELDS), min_size=0, max_size=8).map(" ".join),
    st.sampled_from(["0 18 * * thu", "0 9 * * mon", "off", *CRONS]),
)
ZONES = sorted(zoneinfo.available_timezones())[::40]
zone_text = st.one_of(st.sampled_from([*ZONES, "Europe/Paris", "UTC", *TIMEZONES]), hostile_text)
time_text = st.one_of(
    st.tuples(numbers, numbers).map(lambda p: f"{p[0]}:{p[1]}"),
    st.sampled_from(["09:00", "18h30", "24:00", "9", "12:60", "noon"]),
)
date_text = st.one_of(st.sampled_from([*DATES, OPTIONS, "tomorrow 6pm", "next thursday 18:00"]), hostile_text)


@dataclass
class Catalogue:
    """What the fuzz can aim at: the router's commands and actions, the forms the community opened, the buttons
    it showed (action, ref), and the ids of another community's rows."""

    commands: list[Any]
    forms: dict[str, Form]
    actions: list[str]
    buttons: list[tuple[str, str]]
    other_ids: list[str]
    refs: list[str] = field(default_factory=list)


def references(catalogue: Catalogue, sigil: str) -> st.SearchStrategy[str]:
    """A member, channel or role as adapters hand it over, or typed by hand, or nonsense, or another
    community's row."""
    names = [*ACTORS, "zoe", "nobody", "general", "announcements", "member"]
    return st.one_of(
        st.sampled_from(names).map(lambda n: f"<{sigil}{n}>"),
        st.sampled_from(names),
        st.sampled_from(REFS),
        st.sampled_from(catalogue.other_ids),
        hostile_text.map(lambda t: f"<{sigil}{t}>"),
        hostile_text,
    )


def option_values(option: Option, catalogue: Catalogue) -> st.SearchStrategy[Any]:
    """Values for ``option``, from its declared kind: valid ones and hostile ones."""
    kind = option.value_kind.name
    wire = option.kind
    if option.choices:
        choices = list(option.choices)
        valid: st.SearchStrategy[Any] = st.one_of(
            st.sampled_from(choices), st.sampled_from(choices).map(str.upper)
        )
    elif wire == "integer":
        valid = st.one_of(numbers, number_text, st.booleans())
    elif wire == "boolean":
        valid = st.one_of(st.booleans(), st.sampled_from(["yes", "no", "off", "oui", "maybe", "2"]))
    elif wire in ("member", "channel", "role"):
        valid = references(catalogue, {"member": "@", "channel": "#", "role": "@&"}[wire])
    elif "duration" in kind or "delay" in kind or kind in ("cadence", "reminders"):
        valid = st.one_of(duration_text, st.lists(duration_text, max_size=4).map(",".join))
    elif "cron" in kind:
        valid = cron_text
    elif kind == "time zone":
        valid = zone_text
    elif kind == "time of day":
        valid = time_text
    else:  # free text: a handler may read it as anything
        valid = st.one_of(st.text(max_size=60), date_text, duration_text, cron_text, zone_text, number_text)
    return st.one_of(valid, hostile_text, st.sampled_from(catalogue.other_ids), st.none())


@dataclass(frozen=True)
class Attempt:
    """One fuzzed event: who acts, what the event is, and what they typed (for the checks)."""

    actor: str
    event: Event | None  # None: a command typed as text (``typed``)
    typed: str = ""

    def inputs(self) -> str:
        if self.event is None:
            return self.typed
        return (
            repr(getattr(self.event, "args", None))
            + repr(getattr(self.event, "values", None))
            + repr(getattr(self.event, "ref", None))
        )


def attempts(h: ConsoleCommunity, catalogue: Catalogue) -> st.SearchStrategy[Attempt]:
    actor = st.sampled_from(sorted(ACTORS))
    row_refs = st.one_of(
        st.sampled_from(catalogue.refs or ["1"]),
        st.sampled_from(catalogue.other_ids),
        number_text,
        hostile_text,
        st.just(""),
    )

    @st.composite
    def command(draw: st.DrawFn) -> Attempt:
        spec = draw(st.sampled_from(catalogue.commands))
        who = draw(actor)
        args = {
            o.name: value
            for o in spec.options
            if draw(st.booleans()) and (value := draw(option_values(o, catalogue))) is not None
        }
        if draw(st.integers(0, 3)) == 0:  # the same, typed as text (Slack, the console)
            words = " ".join(f"{k}={shlex.quote(str(v))}" for k, v in args.items())
            return Attempt(who, None, f"{spec.name} {words}".strip())
        return Attempt(who, CommandInvoked(community=h.ref, actor=h.member(who), name=spec.name, args=args))

    @st.composite
    def submission(draw: st.DrawFn) -> Attempt:
        form = catalogue.forms[draw(st.sampled_from(sorted(catalogue.forms)))]
        who = draw(actor)
        values = {}
        for f in form.fields:
            if draw(st.booleans()):
                values[f.name] = draw(
                    st.one_of(
                        st.just(f.default or "ok"),
                        date_text,
                        duration_text,
                        number_text,
                        zone_text,
                        hostile_text,
                    )
                )
        ref = draw(st.one_of(st.just(form.ref), row_refs))
        event = FormSubmitted(community=h.ref, actor=h.member(who), form=form.id, ref=ref, values=values)
        return Attempt(who, event)

    @st.composite
    def press(draw: st.DrawFn) -> Attempt:
        who = draw(actor)
        if catalogue.buttons and draw(st.booleans()):
            action, ref = draw(st.sampled_from(catalogue.buttons))
        else:
            action, ref = draw(st.sampled_from(catalogue.actions)), draw(row_refs)
        return Attempt(who, ButtonPressed(community=h.ref, actor=h.member(who), action=action, ref=ref))

    return st.one_of(command(), command(), submission(), press())


# --- the database: a fingerprint, and what an accepted event must leave true --------------------------------


class Fingerprints:
    """Every table's row count and a hash of its rows. On SQLite, read by a plain ``sqlite3`` connection of its
    own (SQLAlchemy's row processing costs ten times more) and computed again only when ``PRAGMA data_version``
    says another connection committed since."""

    def __init__(self, h: ConsoleCommunity) -> None:
        assert h.database is not None
        self.h = h
        self.database = h.database
        self.sqlite: sqlite3.Connection | None = None
        self.version: int | None = None
        self.last: dict[str, tuple[int, str]] = {}
        if h.database.is_sqlite:
            path = make_url(h.database.url).database
            self.sqlite = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)

    def close(self) -> None:
        if self.sqlite is not None:
            self.sqlite.close()

    async def take(self) -> dict[str, tuple[int, str]]:
        tables = [t.name for t in Base.metadata.sorted_tables]
        if self.sqlite is None:
            async with self.database.transaction() as session:
                rows = {t: (await session.execute(text(f'SELECT * FROM "{t}"'))).all() for t in tables}
            return {t: digest(found) for t, found in rows.items()}
        version = self.sqlite.execute("PRAGMA data_version").fetchone()[0]
        if version != self.version:
            self.sqlite.execute("BEGIN")
            try:
                self.last = {
                    t: digest(self.sqlite.execute(f'SELECT * FROM "{t}"').fetchall()) for t in tables
                }
            finally:
                self.sqlite.execute("COMMIT")
            self.version = version
        return self.last

    def inconsistencies(self) -> list[str]:
        """What PostgreSQL would refuse, found in a SQLite database (PostgreSQL enforces it all itself: there it
        would have escaped dispatch): rows pointing at nothing, texts longer than their column or holding a NUL,
        whole numbers beyond ``integer``."""
        if self.sqlite is None:
            return []
        found = [f"foreign key: {row}" for row in self.sqlite.execute("PRAGMA foreign_key_check")]
        for table in Base.metadata.sorted_tables:
            for column in table.c:
                length = getattr(column.type, "length", None)
                if isinstance(column.type, String | Text):
                    test = f'instr("{column.name}", char(0)) > 0'
                    if length is not None:
                        test += f' OR length("{column.name}") > {length}'
                elif type(column.type) is Integer:
                    test = f'abs("{column.name}") > {INT_MAX}'
                else:
                    continue
                bad = self.sqlite.execute(f'SELECT count(*) FROM "{table.name}" WHERE {test}').fetchone()[0]
                if bad:
                    found.append(f"{table.name}.{column.name}: {bad} rows where {test}")
        return found


def digest(rows: Sequence[Any]) -> tuple[int, str]:
    hashed = hashlib.sha256(repr(sorted(map(repr, rows))).encode("utf-8", "surrogatepass"))
    return len(rows), hashed.hexdigest()[:16]


# --- what a refusal must be ------------------------------------------------------------------------------

LEAKS = re.compile(
    r"Traceback|\bException\b|Error:|\w+Error\b|sqlalchemy|asyncpg|sqlite3|NoneType|object has no attribute"
    r"|<bound method|0x[0-9a-f]{6,}"
)
PLACEHOLDER = re.compile(r"\{[a-z_]+\}|%\([a-z_]+\)s")


def unclear(message: str, attempt: Attempt, language: str) -> list[str]:
    """Why ``message``, a refusal (its own words: member text left out), is not a clear one for ``attempt``."""
    problems = []
    said = attempt.inputs()
    if not message.strip():
        problems.append("empty")
    if len(message) > 2_000:
        problems.append(f"{len(message)} characters")
    problems += [f"leaks {m!r}" for m in LEAKS.findall(message) if m not in said]
    problems += [f"unformatted {m}" for m in PLACEHOLDER.findall(message) if m not in said]
    french, english = catalog_phrases()
    other = english if language == "fr" else french
    problems += [f"not in the actor's language: {p!r}" for p in other if p in message and p not in said]
    return problems


def own_words(message: Message) -> str:
    return "\n".join(part for part in message.plain_parts() if not isinstance(part, Untrusted))


def refusal_problems(outcome: Outcome, attempt: Attempt, language: str) -> list[str]:
    if outcome.error == "form":
        texts = list((outcome.form_errors or {}).values())
        if not texts:
            return ["a form refused with no error"]
    else:
        texts = [own_words(m) for m in outcome.replies]
        if not texts:
            return ["refused without a word"]
    return [f"{p} in {t[:300]!r}" for t in texts for p in unclear(t, attempt, language)]


# --- the test ------------------------------------------------------------------------------------------------


async def prepare(h: ConsoleCommunity) -> Catalogue:
    """The busy community (with a second community beside it), and what the fuzz can aim at."""
    assert h.app is not None
    for name, locale in ACTORS.items():
        h.locales[name] = locale
    h.animators |= ANIMATORS
    other_ids = await seed_another_community(h)
    forms: dict[str, Form] = {}

    def seen(outcome: Outcome) -> None:
        if outcome.form is not None:
            forms.setdefault(outcome.form.id, outcome.form)

    await busy_community(h, seen)
    await h.join("bob")
    await h.press("bob", "J'accepte la charte")
    never_opened = sorted(set(h.app.router._forms) - set(forms))
    assert not never_opened, f"no command or button of the busy community opened these forms: {never_opened}"
    buttons = sorted(
        {(b.action, b.ref) for s in h.chat.sent if s.message is not None for b in s.message.buttons}
    )
    return Catalogue(
        commands=sorted(h.app.router.commands.values(), key=lambda s: s.name),
        forms=forms,
        actions=sorted(h.app.router._actions),
        buttons=buttons,
        other_ids=other_ids,
        refs=sorted({ref for _, ref in buttons if ref} | {f.ref for f in forms.values() if f.ref}),
    )


async def member_ids(h: ConsoleCommunity) -> dict[str, int]:
    assert h.database is not None
    async with h.database.transaction() as session:
        rows = await session.execute(
            select(Member.external_id, Member.id)
            .join(Community, Community.id == Member.community_id)
            .where(Community.external_id == h.ref.id)
        )
        return {name: id_ for name, id_ in rows.all()}


class Run:
    """The fuzz's state between examples: the database as the last event left it, what was recorded."""

    def __init__(self, h: ConsoleCommunity) -> None:
        self.h = h
        self.fingerprints = Fingerprints(h)
        self.before: dict[str, tuple[int, str]] = {}
        self.recorded: tuple[set[str], set[tuple[int, int]]] = (set(), set())
        self.ids: dict[str, int] = {}
        self.other: Any = None
        self.refused = self.accepted = self.written = 0

    async def start(self) -> None:
        self.before = await self.fingerprints.take()
        self.recorded = await recorded(self.h)
        self.ids = await member_ids(self.h)
        self.other = await snapshot(self.h, other_community(self.h))

    async def check(self, attempt: Attempt) -> None:
        h = self.h
        if attempt.event is None:
            outcome = await h.command(attempt.actor, attempt.typed)
        else:
            event = replace(attempt.event, delivery_id=h._delivery())
            try:
                outcome = await h.deliver(event, actor=attempt.actor)
            except Exception as exc:
                raise AssertionError(f"{type(exc).__name__} escaped dispatch: {exc}") from exc
        after = await self.fingerprints.take()
        if outcome.error in ("refused", "form"):
            self.refused += 1
            problems = refusal_problems(outcome, attempt, await self.language(attempt.actor))
            assert not problems, f"an unclear refusal: {problems}"
            changed = sorted(name for name in after if after[name] != self.before[name])
            assert not changed, f"a refused event changed {changed}"
        else:
            self.accepted += 1
            if after != self.before:
                self.written += 1
                assert self.fingerprints.inconsistencies() == []
                names, acks = await recorded(h)
                lost_names, lost_acks = self.recorded[0] - names, self.recorded[1] - acks
                if isinstance(attempt.event, ButtonPressed) and attempt.event.action == ERASE_CONFIRM:
                    # A member who erases their data loses it: that is what they asked for.
                    lost_names -= {attempt.actor}
                    lost_acks = {ack for ack in lost_acks if ack[0] != self.ids.get(attempt.actor)}
                assert not lost_names and not lost_acks, f"lost {lost_names} {lost_acks}"
                self.recorded = (names, acks)
                self.ids = await member_ids(h)
        self.before = after

    async def language(self, name: str) -> str:
        """The language the actor is spoken to in: the one they chose (the fuzz may have chosen it, with
        ``/agora language``), else their app's, else the community's (the fuzz may have changed it)."""
        assert self.h.app is not None and self.h.database is not None
        community = (await self.h.app.community_settings(self.h.ref)).locale
        async with self.h.database.transaction() as session:
            chosen = await session.scalar(
                select(Member.locale_chosen)
                .join(Community, Community.id == Member.community_id)
                .where(Member.external_id == name, Community.external_id == self.h.ref.id)
            )
        return language_of(member_locale(chosen, ACTORS[name], community)) or "en"

    async def finish(self) -> None:
        """What no event may touch, checked once at the end (reading it costs as much as ten events)."""
        assert await snapshot(self.h, other_community(self.h)) == self.other, "the other community changed"
        self.fingerprints.close()


def test_fuzzed_commands_forms_and_buttons_never_crash_refuse_clearly_and_never_write_half(
    make_harness: Callable[..., ConsoleCommunity],
) -> None:
    with asyncio.Runner() as runner:
        h = community(make_harness)
        runner.run(h.start())
        try:
            catalogue = runner.run(prepare(h))
            run = Run(h)
            runner.run(run.start())

            @seed(int(SEED or 0))
            @settings(settings.get_profile("agora-fuzz"))
            @given(attempts(h, catalogue))
            def fuzz(attempt: Attempt) -> None:
                runner.run(run.check(attempt))

            fuzz()
            runner.run(run.finish())
            budget = settings.get_profile("agora-fuzz").max_examples
            # Both sides were reached, and the fingerprints saw what accepted events wrote.
            counts = (run.refused, run.accepted, run.written)
            assert run.refused > budget // 4 and run.accepted > budget // 10 and run.written > 10, counts
        finally:
            runner.run(h.stop())
