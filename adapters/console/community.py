"""``ConsoleCommunity``: simulated members acting in a local community, and the script language of the demo.

Script lines (``#`` starts a comment):

    animator camille                      camille animates the community
    alice joins                           a newcomer arrives (the bot DMs her)
    alice leaves
    alice: /agora charter                 a slash command, as typed on Slack
    alice presses "I accept the charter"  a button she can see, by its label or its action
    alice submits intro what="Designer"   a form, field by field
    wait 2d                               simulated time passes (2d, 3h, 1h30m ...)
    restart                               the bot stops and starts again on the same database
    play other.agora                      plays another script (next to this one) at this point
    say Any text                          a narrator's line in the transcript
"""

from __future__ import annotations

import asyncio
import itertools
import shlex
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from pathlib import Path

from adapters.console.chat import PLATFORM, ConsoleChat, render_message
from bot.app import Agora
from bot.clock import FakeClock
from bot.commandline import parse_command_text
from bot.config import Config
from bot.context import Outcome
from bot.durations import parse_duration
from bot.errors import UserError
from bot.events import (
    ButtonPressed,
    ChannelRef,
    CommandInvoked,
    CommunityRef,
    Event,
    FormSubmitted,
    MemberJoined,
    MemberLeft,
    MemberRef,
    MessageRef,
    ReactionChanged,
)
from bot.i18n import LOCALES, translator
from bot.membership import Reconciled
from bot.messages import Button, Message
from bot.router import Feature
from bot.runtime import Database, open_database
from bot.scheduler import VirtualScheduler

__all__ = ["ConsoleCommunity", "ScriptError"]


class ScriptError(Exception):
    """A script line that can't be played; says which line and why."""


class ConsoleCommunity:
    """A console community around one Agora instance (restartable on the same database)."""

    def __init__(
        self,
        config: Config,
        *,
        database_url: str | None = None,
        clock: FakeClock | None = None,
        community_id: str = "demo",
        name: str | None = None,
        animators: Iterable[str] = (),
        out: Callable[[str], None] | None = None,
        features: Callable[[], list[Feature]] | None = None,
        channel: str = "general",
    ) -> None:
        self.config = config
        self.database_url = database_url or config.database.url
        self.clock = clock or FakeClock()
        self.out = out or (lambda line: None)
        self.chat = ConsoleChat(self.out)
        self.ref = CommunityRef(PLATFORM, community_id, name or config.community.name or "Agora")
        # The platform's admins of this community, and what each member's app says of their language and time
        # zone (a Discord client's, a Slack profile's): the console platform's own (``ConsoleChat.member``).
        self.animators = self.chat.admins.setdefault(self.ref.id, set(animators))
        self.locales = self.chat.locales
        self.timezones = self.chat.timezones
        self.channel = channel
        # The ref of the form each member was last shown, by form id: a submission carries it, as a platform's
        # modal carries what it was opened for (a script's "submits" names only the form).
        self._opened: dict[tuple[str, str], str] = {}
        self._features = features
        self._deliveries = itertools.count(1)
        self.database: Database | None = None
        self.app: Agora | None = None
        self.scheduler: VirtualScheduler | None = None

    # --- life cycle --------------------------------------------------------------------------------------

    async def start(self) -> None:
        """Open the database (migrating it), start the bot, and catch up on what came due while stopped."""
        self.database = await open_database(self.database_url)
        self.scheduler = VirtualScheduler(self.clock)
        self.app = Agora(
            self.config,
            self.database,
            clock=self.clock,
            scheduler=self.scheduler,
            features=self._features() if self._features else None,
        )
        self.scheduler.after_job = self.app.settle
        self.app.attach(self.chat)
        await self.app.start()
        await self.app.settle()

    async def stop(self) -> None:
        if self.app is not None:
            await self.app.stop()
        if self.database is not None:
            await self.database.close()
        self.app = self.database = self.scheduler = None

    async def restart(self) -> None:
        await self.stop()
        self.out("  ⟳ Agora restarted")
        await self.start()

    async def __aenter__(self) -> ConsoleCommunity:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # --- members acting --------------------------------------------------------------------------------------

    def member(self, name: str) -> MemberRef:
        return self.chat.member(self.ref, name)

    def _delivery(self) -> str:
        return f"console:{next(self._deliveries)}"

    async def deliver(self, event: Event, actor: str | None = None) -> Outcome:
        """Dispatch ``event``, show the answer to whoever acted, and let background work finish."""
        assert self.app is not None, "the community is not started"
        outcome = await self.app.dispatch(event)
        if actor is not None:
            pressed = getattr(event, "message", None)
            if outcome.update is not None and pressed is not None:
                await self.chat.update(pressed, outcome.update)
            for message in outcome.replies:
                self.chat.reply(actor, message)
            if outcome.form is not None:
                self._opened[(actor, outcome.form.id)] = outcome.form.ref
                self.out(f"  📝 form “{outcome.form.title}” for {actor}:")
                for f in outcome.form.fields:
                    star = " (required)" if f.required else ""
                    self.out(f"      {f.name}: {f.label}{star}")
                self.out(f'      → {actor} submits {outcome.form.id} {outcome.form.fields[0].name}="…" …')
            for field_name, error in (outcome.form_errors or {}).items():
                self.out(f"  ⚠ {field_name}: {error}")
        await self.app.settle()
        return outcome

    async def join(self, name: str, delivery_id: str | None = None) -> Outcome:
        self.out(f"> {name} joins")
        self.chat.enrol(self.ref, self.member(name), self.clock.now())
        event = MemberJoined(
            community=self.ref, member=self.member(name), delivery_id=delivery_id or self._delivery()
        )
        return await self.deliver(event)

    async def leave(self, name: str) -> Outcome:
        self.out(f"> {name} leaves")
        self.chat.disenrol(self.ref, name)
        return await self.deliver(
            MemberLeft(community=self.ref, member=self.member(name), delivery_id=self._delivery())
        )

    def arrive_unseen(self, name: str, joined_at: datetime | None = None) -> None:
        """``name`` is in the community without Agora seeing them join (there before it, or while it was down):
        only the member list knows them, until Agora reads it (:meth:`reconcile`)."""
        self.out(f"> {name} is in the community (unseen)")
        self.chat.enrol(self.ref, self.member(name), joined_at)

    def leave_unseen(self, name: str) -> None:
        """``name`` leaves without Agora seeing it."""
        self.out(f"> {name} left (unseen)")
        self.chat.disenrol(self.ref, name)

    async def reconcile(self) -> Reconciled:
        """Agora reads the member list, as an adapter has it do when it connects."""
        assert self.app is not None, "the community is not started"
        result = await self.app.reconcile_members(self.ref)
        await self.app.settle()
        return result

    async def command(self, name: str, text: str, delivery_id: str | None = None) -> Outcome:
        """``name`` types ``/agora <text>``."""
        self.out(f"> {name}: /agora {text}".rstrip())
        assert self.app is not None
        try:
            _ = await self.app.translator_for(self.ref, self.member(name))
            spec, args = parse_command_text(self.app.router, text, _)
        except UserError as exc:
            outcome = Outcome(replies=[Message(exc.message, ephemeral=True)], error="refused")
            self.chat.reply(name, outcome.replies[0])
            return outcome
        event = CommandInvoked(
            community=self.ref,
            actor=self.member(name),
            name=spec.name,
            args=args,
            channel=ChannelRef(PLATFORM, self.channel),
            delivery_id=delivery_id or self._delivery(),
        )
        return await self.deliver(event, actor=name)

    def find_button(self, name: str, what: str) -> tuple[Button, str | None]:
        """The newest button ``name`` saw whose label or action is ``what``, and the message carrying it.

        A button a later update removed can still be found: a member may press twice before the update lands."""
        # A label may be typed in any of the community languages: a script written in English replays in French.
        wanted = {what.strip().lower()} | {translator(locale)(what.strip()).lower() for locale in LOCALES}
        for sent in reversed(self.chat.visible_to(name)):
            assert sent.message is not None
            for button in sent.message.buttons:
                if wanted & {button.label.lower(), button.action.lower(), button.custom_id.lower()}:
                    # An update's ref is the message it replaced: its buttons belong to that message.
                    return button, sent.ref.id if sent.ref else None
        raise ScriptError(f"{name} sees no button “{what}”")

    async def press(self, name: str, what: str, delivery_id: str | None = None) -> Outcome:
        """``name`` presses the newest button they can see labelled (or acting) ``what``."""
        self.out(f"> {name} presses “{what}”")
        button, message_id = self.find_button(name, what)
        sent = self.chat.messages.get(message_id) if message_id else None
        event = ButtonPressed(
            community=self.ref,
            actor=self.member(name),
            action=button.action,
            ref=button.ref,
            message=sent.ref if sent else None,
            delivery_id=delivery_id or self._delivery(),
        )
        return await self.deliver(event, actor=name)

    async def react(self, name: str, message: MessageRef, emoji: str, *, added: bool = True) -> Outcome:
        """``name`` adds (or, with ``added=False``, takes back) the reaction ``emoji`` on ``message``."""
        self.out(f"> {name} {'reacts' if added else 'takes back'} {emoji} on message {message.id}")
        event = ReactionChanged(
            community=self.ref,
            actor=self.member(name),
            message=message,
            emoji=emoji,
            added=added,
            delivery_id=self._delivery(),
        )
        return await self.deliver(event)

    async def submit(self, name: str, form: str, values: dict[str, str], ref: str = "") -> Outcome:
        shown = " ".join(f"{k}={v!r}" for k, v in values.items())
        self.out(f"> {name} submits {form} {shown}".rstrip())
        event = FormSubmitted(
            community=self.ref,
            actor=self.member(name),
            form=form,
            ref=ref or self._opened.get((name, form), ""),
            values=values,
            delivery_id=self._delivery(),
        )
        return await self.deliver(event, actor=name)

    async def advance(self, delta: timedelta | None = None, **units: float) -> None:
        """Let simulated time pass (``advance(days=2)``), running what comes due on the way, in order."""
        assert self.scheduler is not None and self.app is not None
        await self.scheduler.advance((delta or timedelta()) + timedelta(**units))
        await self.app.settle()
        settings = await self.app.community_settings(self.ref)
        self.out(f"  ⏱ {translator(settings.locale).datetime(self.clock.now(), settings.timezone)}")

    # --- scripts ---------------------------------------------------------------------------------------------

    async def run_script(self, lines: Iterable[str], folder: Path | None = None) -> None:
        """Play a script. ``play OTHER.agora`` plays another script (relative to ``folder``) at that point."""
        for number, line in enumerate(lines, start=1):
            try:
                words = line.split()
                if len(words) == 2 and words[0] == "play":
                    path = (folder or Path.cwd()) / words[1]
                    try:
                        text = await asyncio.to_thread(path.read_text, encoding="utf-8")
                    except OSError:
                        raise ScriptError(f"no script “{words[1]}” to play") from None
                    try:
                        await self.run_script(text.splitlines(), path.parent)
                    except ScriptError as exc:
                        raise ScriptError(f"in {words[1]}, {exc}") from None
                    continue
                await self.execute(line)
            except ScriptError as exc:
                raise ScriptError(f"line {number}: {exc}") from None

    async def execute(self, line: str) -> None:
        """Play one script line."""
        line = line.strip()
        if not line or line.startswith("#"):
            return
        if ":" in line.split(" ", 1)[0] and "/agora" in line:
            who, _, rest = line.partition(":")
            rest = rest.strip()
            if not rest.startswith("/agora"):
                raise ScriptError(f"expected “/agora …” after “{who}:”")
            await self.command(who.strip(), rest[len("/agora") :].strip())
            return
        if line.split(" ", 1)[0].lower() == "say":
            self.out(f"# {line[3:].strip()}")  # a narrator's line is prose: apostrophes are not quotes
            return
        try:
            words = shlex.split(line)
        except ValueError as exc:
            raise ScriptError(f"cannot read “{line}” ({exc})") from None
        head = words[0].lower()
        if head == "wait" and len(words) == 2:
            try:
                delta = parse_duration(words[1])
            except ValueError as exc:
                raise ScriptError(str(exc)) from None
            self.out(f"> wait {words[1]}")
            await self.advance(delta)
        elif head == "restart" and len(words) == 1:
            await self.restart()
        elif head == "animator" and len(words) == 2:
            self.animators.add(words[1])
            self.out(f"> {words[1]} animates the community")
        elif len(words) == 2 and words[1] in ("joins", "leaves"):
            await (self.join(words[0]) if words[1] == "joins" else self.leave(words[0]))
        elif len(words) == 3 and words[1] in ("presses", "press"):
            await self.press(words[0], words[2])
        elif len(words) >= 3 and words[1] in ("submits", "submit"):
            values: dict[str, str] = {}
            for pair in words[3:]:
                key, sep, value = pair.partition("=")
                if not sep:
                    raise ScriptError(f"“{pair}” should be field=value")
                values[key] = value
            await self.submit(words[0], words[2], values)
        else:
            raise ScriptError(
                f'I don\'t understand “{line}”. Try: NAME joins | NAME: /agora … | NAME presses "label" | '
                "NAME submits FORM field=value | wait 2d | restart"
            )

    def render(self, message: Message) -> list[str]:
        return render_message(message)
