"""The router: maps command names, button actions, form ids, event types and timer kinds to feature handlers.

Features are classes (like cogs) whose methods carry decorators; ``Router.add`` collects them. Nothing global:
each ``Agora`` instance has its own router, so tests can build apps with exactly the features they need.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

from bot.errors import FormErrors, UserError
from bot.events import ButtonPressed, CommandInvoked, Event, FormSubmitted, PostFailed, TimerFired
from bot.feature import Feature
from bot.i18n import N_
from bot.settings.types import CHANNEL, CHOICE, INTEGER, MEMBER, ROLE, TEXT, YES_NO, Kind, clean_text, excerpt

if TYPE_CHECKING:
    from bot.context import Context
    from bot.i18n import Translator

__all__ = [
    "CommandSpec",
    "Feature",
    "Option",
    "Router",
    "action",
    "command",
    "command_text",
    "convert_form",
    "convert_options",
    "form",
    "on",
    "read_text",
    "timer",
    "undelivered",
]

Handler = Callable[["Context[Any]"], Awaitable[None]]
OptionKind = Literal["string", "integer", "boolean", "member", "channel", "role"]
_MARK = "__agora_routes__"
# How an animators' command's description ends (some say it in their own words already).
ANIMATORS_ENDING = N_("(animators)")
_WIRE_KINDS: dict[str, Kind] = {
    "string": TEXT,
    "integer": INTEGER,
    "boolean": YES_NO,
    "member": MEMBER,
    "channel": CHANNEL,
    "role": ROLE,
}


@dataclass(frozen=True)
class Option:
    """A command option. ``description`` is an English message id, translated where it is shown."""

    name: str
    description: str
    kind: OptionKind = "string"
    required: bool = False
    choices: tuple[str, ...] = ()
    # What a picker shows for a choice, when more than its value: ``(("fr-tu", "français (tutoiement)"),)``.
    labels: tuple[tuple[str, str], ...] = ()
    autocomplete: bool = False
    # A free-text string option that takes every word typed after it (``/agora members web design``), where
    # commands are typed as text (Slack, the console); typed options (Discord) get one string anyway.
    rest: bool = False
    # What the value is (``DURATION``, ``CRON``, ``TIMEZONE``...): it arrives converted to it, or the member gets
    # the kind's refusal. Without one, the wire ``kind`` says (text, whole number, yes/no, member...).
    type: Kind | None = None
    minimum: int | None = None
    maximum: int | None = None
    max_length: int = 2000
    # A refusal of this option's own (an English message id with ``{value}`` and ``{option}``).
    error: str | None = None
    # For an integer with bounds: the English message id said when the number is out of them.
    range_error: str | None = None

    def __post_init__(self) -> None:
        if self.type is not None and self.kind == "string":
            object.__setattr__(self, "kind", self.type.wire)
        if self.type is not None and self.type.choices and not self.choices:
            object.__setattr__(self, "choices", self.type.choices)

    def label(self, choice: str) -> str:
        """What a picker shows for ``choice``: its label, or the value itself."""
        return dict(self.labels).get(choice, choice)

    @property
    def value_kind(self) -> Kind:
        if self.type is not None:
            return self.type
        if self.choices:
            return CHOICE
        return _WIRE_KINDS[self.kind]

    def convert(self, raw: Any, _: Translator) -> Any:
        """The value typed for this option, converted to its kind, or a polite refusal naming it."""
        kind = self.value_kind
        shown = excerpt(raw)
        if isinstance(raw, str):
            raw = read_text(raw, self.max_length, _, option=self.name)
        try:
            value = kind.read(raw)
        except (ValueError, OverflowError, TypeError):
            raise UserError(
                _(
                    self.error or kind.error,
                    value=shown,
                    option=self.name,
                    choices=", ".join(self.choices),
                )
            ) from None
        if self.choices and value is not None and str(value) not in self.choices:
            matches = [c for c in self.choices if c.lower() == str(value).lower()]
            if not matches:
                raise UserError(
                    _(
                        self.error or CHOICE.error,
                        value=shown,
                        option=self.name,
                        choices=", ".join(self.choices),
                    )
                )
            value = matches[0]
        if isinstance(value, int) and not isinstance(value, bool):
            low, high = self.minimum, self.maximum
            if (low is not None and value < low) or (high is not None and value > high):
                raise UserError(
                    _(
                        self.range_error
                        or "“{value}” is out of range for {option}: between {minimum} and {maximum}.",
                        value=shown,
                        option=self.name,
                        minimum=low if low is not None else "…",
                        maximum=high if high is not None else "…",
                    )
                )
        return value


@dataclass(frozen=True)
class CommandSpec:
    """A command as adapters present it: ``/agora <name> [options]``."""

    name: str
    description: str
    options: tuple[Option, ...] = ()
    animator_only: bool = False
    handler: Handler | None = field(default=None, compare=False, repr=False)
    feature: str = ""
    # The handler only reads and answers with a form (or a refusal): see ``command``.
    opens_form: bool = False

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(self.name.split())

    def describe(self, _: Translator, limit: int | None = None) -> str:
        """The description in the member's language; an animators' command says so at its end, "(animators)",
        so members know before they try. ``limit`` shortens the description, never that ending."""
        text = " ".join(_(self.description).split())
        ending = _(ANIMATORS_ENDING) if self.animator_only else ""
        if ending and text.endswith(ending):
            text = text[: -len(ending)].rstrip()
        room = None if limit is None else limit - (len(ending) + 1 if ending else 0)
        if room is not None and len(text) > room:
            text = text[: room - 1].rstrip() + "…"
        return f"{text} {ending}" if ending else text


def _mark(kind: str, key: Any, **extra: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        routes = list(getattr(fn, _MARK, ()))
        routes.append((kind, key, extra))
        setattr(fn, _MARK, routes)
        return fn

    return decorate


def command(
    name: str,
    description: str,
    *,
    options: Iterable[Option] = (),
    animator_only: bool = False,
    opens_form: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Handle ``/agora <name>``.

    ``opens_form``: the handler only reads, and answers with a form (or a reply, or a refusal); the submission
    does the work. The core runs it without waiting for the community's other events and refuses any write in
    it, so the form opens within the platform's three seconds however busy the community is."""
    return _mark(
        "command",
        name,
        description=description,
        options=tuple(options),
        animator_only=animator_only,
        opens_form=opens_form,
    )


def action(
    name: str, *, animator_only: bool = False, opens_form: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Handle presses of buttons whose action is ``name`` (e.g. ``"charter:accept"``); ``opens_form`` as for
    :func:`command`."""
    return _mark("action", name, animator_only=animator_only, opens_form=opens_form)


def form(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Handle submissions of the form ``name``."""
    return _mark("form", name)


def on(event_type: type[Event]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Handle every event of ``event_type`` (several features may listen to the same one)."""
    return _mark("event", event_type)


def timer(kind: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Handle timers and schedules of ``kind``."""
    return _mark("timer", kind)


def undelivered(origin: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Handle ``PostFailed`` for outbox entries recorded with ``origin`` (``ctx.post(..., origin=(origin, ref))``):
    the feature rolls its row back, and what it ``ctx.reply``s joins the notice the animators get."""
    return _mark("undelivered", origin)


def command_text(name: str) -> str:
    """``/agora meeting poll``: the command ``name`` as typed where commands are typed as text (Slack, the
    console). Messages name a command with ``ctx.command_text``, which asks the platform (``Chat.command_text``)."""
    return f"/agora {name}"


# What a form's field may hold at most, whatever the form: more than any platform's text input takes (Discord's
# longest is 4,000 characters), so only a forged submission meets it. Each handler holds its fields to what their
# columns take, and says so next to each field.
FORM_TEXT_LIMIT = 10_000


def read_text(raw: str, limit: int, _: Translator, *, option: str | None = None) -> str:
    """Text a member typed, as every option and form field gets it: control characters dropped, at most
    ``limit`` characters; else a polite refusal naming the limit (for ``option`` when it is one)."""
    try:
        text = clean_text(raw)
    except ValueError:
        if option is not None:
            raise UserError(_(TEXT.error, value=excerpt(raw), option=option)) from None
        raise UserError(
            _(
                "This text has characters I can't keep (a NUL byte or a broken character): please type it again."
            )
        ) from None
    if len(text) > limit:
        if option is not None:
            raise UserError(
                _(
                    "The {option} you wrote is too long ({length} characters; at most {limit}).",
                    option=option,
                    length=len(text),
                    limit=limit,
                )
            )
        raise UserError(
            _("This text is too long ({length} characters; at most {limit}).", length=len(text), limit=limit)
        )
    return text


def convert_form(event: FormSubmitted, _: Translator) -> FormSubmitted:
    """The submission with each value read as text (see :func:`read_text`), or FormErrors naming each field
    that can't be kept; a ref that names no row is left to the handler."""
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    for name, raw in event.values.items():
        try:
            values[str(name)] = read_text("" if raw is None else str(raw), FORM_TEXT_LIMIT, _)
        except UserError as exc:
            errors[excerpt(name, 40)] = exc.message
    if errors:
        raise FormErrors(errors)
    return replace(event, values=values)


def convert_options(spec: CommandSpec, args: dict[str, Any], _: Translator) -> dict[str, Any]:
    """The options given to ``spec`` (empty ones dropped), each converted from its declared kind."""
    by_name = {option.name: option for option in spec.options}
    out: dict[str, Any] = {}
    for name, raw in args.items():
        if raw is None or (isinstance(raw, str) and raw.strip() == ""):
            continue
        option = by_name.get(name)
        out[name] = raw if option is None else option.convert(raw, _)
    return out


def _named_options(fn: Callable[..., Any]) -> tuple[str, ...] | None:
    """The option names a handler takes after ``ctx`` (bolt-style: it gets only what it names); None when it
    takes ``**options`` (every option)."""
    names: list[str] = []
    for index, parameter in enumerate(inspect.signature(fn).parameters.values()):
        if index == 0:
            continue  # ctx
        if parameter.kind is inspect.Parameter.VAR_KEYWORD:
            return None
        names.append(parameter.name)
    return tuple(names)


def _with_options(fn: Callable[..., Awaitable[None]]) -> Handler:
    """A handler the core can call with the context alone: the options it names are taken from ``ctx.args``."""
    names = _named_options(fn)
    if names == ():
        return fn

    async def call(ctx: Context[Any]) -> None:
        args = ctx.args
        if names is None:
            await fn(ctx, **args)
        else:
            await fn(ctx, **{name: args[name] for name in names if name in args})

    call.__name__ = getattr(fn, "__name__", "handler")
    call.__wrapped__ = fn  # type: ignore[attr-defined]
    return call


@dataclass
class Route:
    """Where an event goes."""

    handlers: list[Handler]
    animator_only: bool = False
    command: CommandSpec | None = None
    # Only reads, to answer with a form (``opens_form``): run without waiting for the community's other events, writes refused.
    reads_only: bool = False


class Router:
    """Collects features' handlers and finds the ones for an event."""

    def __init__(self) -> None:
        self.features: list[Feature] = []
        self.commands: dict[str, CommandSpec] = {}
        self._actions: dict[str, tuple[Handler, bool, bool]] = {}
        self._forms: dict[str, Handler] = {}
        self._timers: dict[str, Handler] = {}
        self._events: dict[type[Event], list[Handler]] = {}
        self._undelivered: dict[str, Handler] = {}

    def add(self, feature: Feature) -> None:
        """Register every decorated method of ``feature``, and the settings command it declares."""
        self.features.append(feature)
        for attr in dir(type(feature)):
            fn = getattr(type(feature), attr, None)
            for kind, key, extra in getattr(fn, _MARK, ()):
                bound = getattr(feature, attr)
                handler = _with_options(bound) if kind == "command" else bound
                self._register(kind, key, handler, extra, feature.name)
        if feature.settings is not None and isinstance(feature.settings_command, str):
            from bot.settings.command import settings_command

            spec = settings_command(feature)
            self._register(
                "command",
                spec.name,
                spec.handler,  # type: ignore[arg-type]
                {"description": spec.description, "options": spec.options, "animator_only": True},
                feature.name,
            )

    def _register(self, kind: str, key: Any, handler: Handler, extra: dict[str, Any], owner: str) -> None:
        if kind == "command":
            if key in self.commands:
                raise ValueError(f"command {key!r} is registered twice")
            self.commands[key] = CommandSpec(name=key, handler=handler, feature=owner, **extra)
        elif kind == "action":
            self._unique(self._actions, key, "action")
            self._actions[key] = (handler, extra["animator_only"], extra["opens_form"])
        elif kind == "form":
            self._unique(self._forms, key, "form")
            self._forms[key] = handler
        elif kind == "timer":
            self._unique(self._timers, key, "timer")
            self._timers[key] = handler
        elif kind == "event":
            self._events.setdefault(key, []).append(handler)
        elif kind == "undelivered":
            self._unique(self._undelivered, key, "undelivered origin")
            self._undelivered[key] = handler

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
            return Route([spec.handler], spec.animator_only, spec, reads_only=spec.opens_form)
        if isinstance(event, ButtonPressed):
            found = self._actions.get(event.action)
            return Route([found[0]], found[1], reads_only=found[2]) if found else None
        if isinstance(event, FormSubmitted):
            handler = self._forms.get(event.form)
            return Route([handler]) if handler else None
        if isinstance(event, TimerFired):
            handler = self._timers.get(event.kind)
            return Route([handler]) if handler else None
        handlers = list(self._events.get(type(event), []))
        if isinstance(event, PostFailed) and event.origin in self._undelivered:
            handlers.insert(0, self._undelivered[event.origin])
        return Route(handlers) if handlers else None

    def resolve_command(self, words: list[str]) -> tuple[CommandSpec | None, list[str]]:
        """The longest command matching the first words typed, and the words left (for text-based adapters)."""
        for size in range(min(len(words), 3), 0, -1):
            spec = self.commands.get(" ".join(words[:size]).lower())
            if spec is not None:
                return spec, words[size:]
        return None, words
