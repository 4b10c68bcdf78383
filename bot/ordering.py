"""Which events of a community wait for which: ordering without a lock per community.

Each event names what it touches (:func:`turn_of`): the member who acted, and the thing a button, a form, a
reaction or a timer is about (a poll, a debate, a request: its feature and its ref). Events that touch a same
thing run one after the other, in the order they came; the others run at once, their transactions side by side,
the database deciding what they both write (row locks, unique constraints, a retry in ``Agora._dispatch``).
What concerns the whole community (a command, a settings change, ``BotStarted``, the first event this process
handles for a community, when its recurring rules are brought in line, a timer or a rule of the community's
own, a member joining or leaving) runs alone: after every event that came before it, before every one after.

:class:`Turns` gives each event its turn. Every event takes its place in the queues of what it touches the moment
it arrives, all at once (no ``await`` in between), and runs when it is first in each of them and the community's
gate lets it in: an event never overtakes an earlier one that touches the same thing, and two events can't wait
for each other (the earlier one of them never waits for the later one), so no fixed order of locks is needed."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from bot.events import (
    ButtonPressed,
    Event,
    FormSubmitted,
    PostFailed,
    ReactionChanged,
    TimerFired,
)

__all__ = ["WHOLE", "Turn", "Turns", "turn_of"]


@dataclass(frozen=True)
class Turn:
    """What an event touches: the whole community (``exclusive``), or ``keys``, the things it shares it with."""

    exclusive: bool
    keys: frozenset[str] = frozenset()


# The turn of what concerns the whole community.
WHOLE = Turn(exclusive=True)


def thing(name: str, ref: str) -> str:
    """The thing a button, a form or a timer named ``name`` is about: its feature (the name's first part) and the
    row its ref names first ("debate:take" on "12.1" and the timer "debate:close" on "12" are both about debate
    12). Two different things may get the same key (a poll and an option of the same number): they then only
    wait for each other, which is never wrong."""
    feature = name.split(":", 1)[0]
    head = ref.replace(":", ".").split(".", 1)[0]
    return f"{feature}:{head}"


def turn_of(event: Event) -> Turn:
    """What ``event`` touches (see the module's docstring). What can't be named safely is the whole community."""
    keys: set[str] = set()
    actor = getattr(event, "actor", None)
    if isinstance(event, ButtonPressed):
        # A button without a ref acts on its feature's state in the community (accept the charter, join rounds).
        keys.add(thing(event.action, event.ref) if event.ref else event.action.split(":", 1)[0])
    elif isinstance(event, FormSubmitted) and event.ref:
        keys.add(thing(event.form, event.ref))
    elif isinstance(event, ReactionChanged):
        keys.add(f"message:{event.message.channel_id}:{event.message.id}")
    elif (
        isinstance(event, TimerFired) and event.ref and not (event.delivery_id or "").startswith("schedule:")
    ):
        keys.add(thing(event.kind, event.ref))
    elif isinstance(event, PostFailed) and event.origin and event.ref:
        keys.add(thing(event.origin, event.ref))
        if event.actor_id:
            keys.add(f"member:{event.actor_id}")
    else:
        # Commands (they create, close and configure what the community shares), forms that create something,
        # a community's own timers and rules, members joining or leaving (matching weighs everyone), the rest.
        return WHOLE
    if actor is not None:
        keys.add(f"member:{actor.id}")
    return Turn(exclusive=False, keys=frozenset(keys))


@dataclass(eq=False)
class _Ticket:
    turn: Turn
    ready: asyncio.Future[None]
    admitted: bool = False  # let in by the community's gate
    running: bool = False


@dataclass
class _Community:
    """One community's queues: the gate (every event, in order of arrival: those touching the whole community let
    in alone) and, for each thing, the events touching it."""

    gate: deque[_Ticket] = field(default_factory=deque)
    keys: dict[str, deque[_Ticket]] = field(default_factory=dict)
    shared: int = 0  # events let in by the gate that touch only some things, not done yet
    whole: bool = False  # an event touching the whole community is let in

    def admit(self) -> list[_Ticket]:
        """Let in what the gate can, first come first in; those let in."""
        admitted: list[_Ticket] = []
        while self.gate and not self.whole:
            first = self.gate[0]
            if first.turn.exclusive:
                if self.shared:
                    break
                self.whole = True
            else:
                self.shared += 1
            first.admitted = True
            admitted.append(self.gate.popleft())
        return admitted

    def first_everywhere(self, ticket: _Ticket) -> bool:
        return all(self.keys[key][0] is ticket for key in ticket.turn.keys)


class Turns:
    """The turns of every community's events (see the module's docstring)."""

    def __init__(self) -> None:
        self._communities: dict[tuple[str, str], _Community] = {}

    @asynccontextmanager
    async def hold(self, community: tuple[str, str], turn: Turn) -> AsyncIterator[None]:
        """Wait for ``turn`` in ``community``, and hold it for the block."""
        state = self._communities.setdefault(community, _Community())
        ticket = _Ticket(turn, asyncio.get_running_loop().create_future())
        state.gate.append(ticket)
        for key in turn.keys:
            state.keys.setdefault(key, deque()).append(ticket)
        self._wake(state, state.admit())
        try:
            await ticket.ready
        except BaseException:
            self._leave(community, state, ticket)
            raise
        try:
            yield
        finally:
            self._leave(community, state, ticket)

    def _leave(self, community: tuple[str, str], state: _Community, ticket: _Ticket) -> None:
        """``ticket`` is done (or gave up waiting): the next ones may go."""
        if ticket.admitted:
            if ticket.turn.exclusive:
                state.whole = False
            else:
                state.shared -= 1
        else:
            state.gate.remove(ticket)
        freed: list[_Ticket] = []
        for key in ticket.turn.keys:
            queue = state.keys[key]
            queue.remove(ticket)
            if queue:
                freed.append(queue[0])
            else:
                del state.keys[key]
        self._wake(state, [*state.admit(), *freed])
        if not state.gate and not state.keys and not state.shared and not state.whole:
            self._communities.pop(community, None)

    @staticmethod
    def _wake(state: _Community, candidates: list[_Ticket]) -> None:
        for ticket in candidates:
            if (
                ticket.admitted
                and not ticket.running
                and not ticket.ready.done()
                and state.first_everywhere(ticket)
            ):
                ticket.running = True
                ticket.ready.set_result(None)
