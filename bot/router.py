"""The router: maps command names, button actions, form ids, event types and timer kinds to feature handlers.

Features are classes (like cogs) whose methods carry decorators; ``Router.add`` collects them. Nothing global:
each ``Agora`` instance has its own router, so tests can build apps with exactly the features they need.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from bot.events import ButtonPressed, CommandInvoked, Event, FormSubmitted, TimerFired

if TYPE_CHECKING:
    from bot.context import Context

__all__ = ["CommandSpec", "Feature", "Option", "Router", "action", "command", "form", "on", "timer"]

Handler = Callable[["Context"], Awaitable[None]]
OptionKind = Literal["string", "integer", "boolean", "member", "channel", "role"]
_MARK = "__agora_routes__"


@dataclass(frozen=True)
class Option:
    """A command option. ``description`` is an English message id, translated where it is shown."""

    name: str
    description: str
    kind: OptionKind = "string"
    required: bool = False
    choices: tuple[str, ...] = ()
    autocomplete: bool = False
    # A free-text string option that takes every word typed after it (``/agora members web design``), where
    # commands are typed as text (Slack, the console); typed options (Discord) get one string anyway.
    rest: bool = False


@dataclass(frozen=True)
class CommandSpec:
    """A command as adapters present it: ``/agora <name> [options]``."""

    name: str
    description: str
    options: tuple[Option, ...] = ()
    animator_only: bool = False
    handler: Handler | None = field(default=None, compare=False, repr=False)
    feature: str = ""

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(self.name.split())


def _mark(kind: str, key: Any, **extra: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        routes = list(getattr(fn, _MARK, ()))
        routes.append((kind, key, extra))
        setattr(fn, _MARK, routes)
        return fn

    return decorate


def command(
    name: str, description: str, *, options: Iterable[Option] = (), animator_only: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Handle ``/agora <name>``."""
    return _mark(
        "command", name, description=description, options=tuple(options), animator_only=animator_only
    )


def action(name: str, *, animator_only: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Handle presses of buttons whose action is ``name`` (e.g. ``"charter:accept"``)."""
    return _mark("action", name, animator_only=animator_only)


def form(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Handle submissions of the form ``name``."""
    return _mark("form", name)


def on(event_type: type[Event]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Handle every event of ``event_type`` (several features may listen to the same one)."""
    return _mark("event", event_type)


def timer(kind: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Handle timers and schedules of ``kind``."""
    return _mark("timer", kind)


class Feature:
    """Base class of a feature: one capability of the bot, in one module under ``bot/features/``."""

    name = "feature"
    # Lower sees shared events (a member joining) first: the charter's welcome before the introductions.
    order = 100


@dataclass
class Route:
    """Where an event goes."""

    handlers: list[Handler]
    animator_only: bool = False
    command: CommandSpec | None = None


class Router:
    """Collects features' handlers and finds the ones for an event."""

    def __init__(self) -> None:
        self.features: list[Feature] = []
        self.commands: dict[str, CommandSpec] = {}
        self._actions: dict[str, tuple[Handler, bool]] = {}
        self._forms: dict[str, Handler] = {}
        self._timers: dict[str, Handler] = {}
        self._events: dict[type[Event], list[Handler]] = {}

    def add(self, feature: Feature) -> None:
        """Register every decorated method of ``feature``."""
        self.features.append(feature)
        for attr in dir(type(feature)):
            fn = getattr(type(feature), attr, None)
            for kind, key, extra in getattr(fn, _MARK, ()):
                bound = getattr(feature, attr)
                self._register(kind, key, bound, extra, feature.name)

    def _register(self, kind: str, key: Any, handler: Handler, extra: dict[str, Any], owner: str) -> None:
        if kind == "command":
            if key in self.commands:
                raise ValueError(f"command {key!r} is registered twice")
            self.commands[key] = CommandSpec(name=key, handler=handler, feature=owner, **extra)
        elif kind == "action":
            self._unique(self._actions, key, "action")
            self._actions[key] = (handler, extra["animator_only"])
        elif kind == "form":
            self._unique(self._forms, key, "form")
            self._forms[key] = handler
        elif kind == "timer":
            self._unique(self._timers, key, "timer")
            self._timers[key] = handler
        elif kind == "event":
            self._events.setdefault(key, []).append(handler)

    @staticmethod
    def _unique(table: dict[str, Any], key: str, what: str) -> None:
        if key in table:
            raise ValueError(f"{what} {key!r} is registered twice")

    def route(self, event: Event) -> Route | None:
        """The handlers for ``event``, or None when nothing handles it."""
        if isinstance(event, CommandInvoked):
            spec = self.commands.get(event.name)
            if spec is None or spec.handler is None:
                return None
            return Route([spec.handler], spec.animator_only, spec)
        if isinstance(event, ButtonPressed):
            found = self._actions.get(event.action)
            return Route([found[0]], found[1]) if found else None
        if isinstance(event, FormSubmitted):
            handler = self._forms.get(event.form)
            return Route([handler]) if handler else None
        if isinstance(event, TimerFired):
            handler = self._timers.get(event.kind)
            return Route([handler]) if handler else None
        handlers = self._events.get(type(event), [])
        return Route(list(handlers)) if handlers else None

    def resolve_command(self, words: list[str]) -> tuple[CommandSpec | None, list[str]]:
        """The longest command matching the first words typed, and the words left (for text-based adapters)."""
        for size in range(min(len(words), 3), 0, -1):
            spec = self.commands.get(" ".join(words[:size]).lower())
            if spec is not None:
                return spec, words[size:]
        return None, words
