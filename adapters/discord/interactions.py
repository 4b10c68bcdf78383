"""Interactions: slash commands, button presses and modal submissions, answered within Discord's three seconds.

Acknowledging in time, whatever the core does: Discord drops an interaction not answered within 3 s, and a modal
can only be opened as that first answer. So each interaction is recorded in the core's inbox (``Agora.accept``:
what a crash interrupts after the deferral is handled at the next start), then handled (``Agora.process``) with a
budget of 2.5 s (:attr:`InteractionHandler.response_budget`):

* if the outcome comes back in time, it is the first answer itself: a modal (``Outcome.form``), the pressed
  message edited in place (``Outcome.update``, then the replies as follow-ups), or the first reply (ephemeral
  when it concerns only the person who acted) and the others as follow-ups;
* if not, the interaction is deferred at once (an ephemeral "thinking…" for a command or a modal opened from a
  command; a silent "deferred update" for a button) and the outcome follows as follow-ups and an edit of the
  original message when it completes. A form that comes back too late for a modal is offered behind an "Open
  the form" button.

A re-delivered interaction (``Outcome.duplicate``) gets nothing visible: never a second confirmation.

Forms longer than a modal's five inputs are split into steps: submitting a step answers with a "Continue" button
that opens the next modal; the values are kept in memory (an hour at most) and the core receives one
``FormSubmitted`` with all of them. ``Outcome.form_errors`` can't be shown next to Discord's fields: they are
listed in an ephemeral message with a "Correct my answers" button that reopens the form prefilled.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import discord
from discord import app_commands

from adapters.discord.commands import ROOT
from adapters.discord.components import (
    AgoraModal,
    component_id,
    modal_values,
    parse_component_id,
    parse_form_button_id,
    parse_step_modal_id,
    step_modal_id,
)
from adapters.discord.inbound import channel_ref, community_ref, member_ref, message_ref
from adapters.discord.render import Payload, form_steps, render, render_one
from bot.events import ButtonPressed, CommandInvoked, CommunityRef, Event, FormSubmitted
from bot.i18n import Translator, translator
from bot.messages import Form

if TYPE_CHECKING:
    from bot.app import Agora
    from bot.context import Outcome

__all__ = ["FormSession", "InteractionHandler", "Kind"]

log = logging.getLogger("agora.discord")

Kind = Literal["command", "button", "modal"]
RESPONSE_BUDGET = 2.5
SESSION_TTL = 3600.0
SESSIONS_KEPT = 1000


@dataclass
class FormSession:
    """A form being filled over several modals (or reopened after a refusal), for one member."""

    token: str
    user_id: int
    community: CommunityRef
    form: Form
    step: int = 0
    values: dict[str, str] = field(default_factory=dict)
    created: float = field(default_factory=time.monotonic)


class InteractionHandler:
    """Turns interactions into core events, and outcomes into Discord answers (see the module docstring)."""

    def __init__(self, app: Agora, client: discord.Client) -> None:
        self.app = app
        self.client = client
        self.response_budget = RESPONSE_BUDGET
        self._sessions: OrderedDict[str, FormSession] = OrderedDict()
        # Single-modal forms recently opened, by (member, modal custom id): to reopen one prefilled after errors.
        self._opened: OrderedDict[tuple[int, str], Form] = OrderedDict()
        self.inflight: set[asyncio.Task[Any]] = set()

    # --- entry points ------------------------------------------------------------------------------------

    async def command(self, interaction: discord.Interaction[Any], name: str, args: dict[str, Any]) -> None:
        """``/agora <name> ...``."""
        with self.tracked():
            guild = self._guild(interaction, None)
            if guild is None:
                await self._no_community(interaction)
                return
            event = CommandInvoked(
                community=community_ref(guild),
                actor=member_ref(interaction.user, guild, str(interaction.locale)),
                name=name,
                args=args,
                channel=channel_ref(interaction.channel, interaction.channel_id),
                delivery_id=_delivery_id(interaction),
            )
            await self._run(interaction, event, "command", guild)

    async def button(
        self, interaction: discord.Interaction[Any], action: str, ref: str, guild_id: int | None
    ) -> None:
        """A core button: ``ButtonPressed(action, ref)`` in the button's community."""
        with self.tracked():
            guild = self._guild(interaction, guild_id)
            if guild is None:
                await self._no_community(interaction)
                return
            event = ButtonPressed(
                community=community_ref(guild),
                actor=member_ref(interaction.user, guild, str(interaction.locale)),
                action=action,
                ref=ref,
                message=message_ref(interaction.message),
                channel=channel_ref(interaction.channel, interaction.channel_id),
                delivery_id=_delivery_id(interaction),
            )
            await self._run(interaction, event, "button", guild)

    async def form_button(self, interaction: discord.Interaction[Any], token: str) -> None:
        """A form step button ("Continue", "Correct my answers", "Open the form"): the session's step as a modal."""
        with self.tracked():
            session = self._session(token, interaction.user.id)
            if session is None:
                await self._expired(interaction, None)
                return
            await self._respond(
                interaction, lambda: interaction.response.send_modal(self._step_modal(session))
            )

    async def orphan(self, interaction: discord.Interaction[Any], custom_id: str) -> None:
        """A press on one of Agora's buttons that discord.py did not dispatch (its message no longer shows it)."""
        token = parse_form_button_id(custom_id)
        if token is not None:
            await self.form_button(interaction, token)
            return
        parsed = parse_component_id(custom_id)
        if parsed is not None:
            await self.button(interaction, *parsed)

    async def modal(self, interaction: discord.Interaction[Any]) -> None:
        """A modal submission (called from ``on_interaction`` for every modal, whoever opened it)."""
        data: dict[str, Any] = dict(interaction.data or {})
        custom_id = str(data.get("custom_id", ""))
        values = modal_values(list(data.get("components") or []))
        stepped = parse_step_modal_id(custom_id)
        parsed = parse_component_id(custom_id)
        if stepped is None and parsed is None:
            return  # not one of Agora's modals
        with self.tracked():
            if stepped is not None:
                token, index = stepped
                session = self._session(token, interaction.user.id)
                if session is None:
                    await self._expired(interaction, None)
                    return
                session.values.update(values)
                steps = form_steps(session.form)
                if index + 1 < len(steps):
                    session.step = index + 1
                    await self._next_step(interaction, session, len(steps))
                    return
                self._sessions.pop(token, None)
                guild = self.client.get_guild(int(session.community.id))
                opened: Form | None = session.form
                all_values = dict(session.values)
                form_id, ref = session.form.id, session.form.ref
            else:
                assert parsed is not None
                form_id, ref, hint = parsed
                guild = self._guild(interaction, hint)
                opened = self._opened.pop((interaction.user.id, custom_id), None)
                all_values = values
            if guild is None:
                await self._no_community(interaction)
                return
            event = FormSubmitted(
                community=community_ref(guild),
                actor=member_ref(interaction.user, guild, str(interaction.locale)),
                form=form_id,
                ref=ref,
                values=all_values,
                channel=channel_ref(interaction.channel, interaction.channel_id),
                delivery_id=_delivery_id(interaction),
            )
            await self._run(interaction, event, "modal", guild, form=opened, values=all_values)

    async def tree_error(self, interaction: discord.Interaction[Any], error: Exception) -> None:
        """An app command failed before reaching the core (stale command, bad option): say so, politely. A
        command Discord still shows but Agora no longer has goes to the core, which names it and lists the
        commands that exist."""
        if isinstance(error, app_commands.CommandNotFound) and error.parents[:1] == [ROOT]:
            await self.command(interaction, " ".join([*error.parents[1:], error.name]), {})
            return
        log.error("app command failed", exc_info=error, extra={"agora": {"interaction": str(interaction.id)}})
        _ = await self._translator(self._guild(interaction, None), interaction)
        await self._send_all(interaction, [(Payload(content=_error_text(_)), True)], None)

    # --- the core, within Discord's deadline -------------------------------------------------------------

    async def _run(
        self,
        interaction: discord.Interaction[Any],
        event: Event,
        kind: Kind,
        guild: discord.Guild,
        *,
        form: Form | None = None,
        values: dict[str, str] | None = None,
    ) -> None:
        try:
            # Recorded before anything answers Discord (a deferral is an acknowledgement: Discord never
            # delivers the interaction again), so that a crash after it can't lose what the member did.
            await self.app.accept(event)
        except Exception:
            log.exception(
                "an interaction could not be recorded", extra={"agora": {"event": event.event_type}}
            )
            await self._answer(interaction, None, kind, guild, form, values or {})
            return
        task = asyncio.ensure_future(self.app.process(event))
        done, _pending = await asyncio.wait({task}, timeout=self.response_budget)
        if task not in done:
            await self._defer(interaction, kind)
            await asyncio.wait({task})
        try:
            outcome: Outcome | None = task.result()
        except Exception:
            log.exception("the core failed on an interaction", extra={"agora": {"event": event.event_type}})
            outcome = None
        await self._answer(interaction, outcome, kind, guild, form, values or {})

    async def _defer(self, interaction: discord.Interaction[Any], kind: Kind) -> None:
        thinking = kind == "command" or (kind == "modal" and interaction.message is None)

        async def defer() -> None:
            if thinking:
                await interaction.response.defer(ephemeral=True, thinking=True)
            else:
                await interaction.response.defer()

        await self._respond(interaction, defer)

    async def _answer(
        self,
        interaction: discord.Interaction[Any],
        outcome: Outcome | None,
        kind: Kind,
        guild: discord.Guild,
        form: Form | None,
        values: dict[str, str],
    ) -> None:
        hint = guild.id if interaction.guild_id is None else None
        if outcome is not None and outcome.duplicate:
            # The same interaction delivered again: it was answered the first time; show nothing new.
            if not interaction.response.is_done():
                with contextlib.suppress(discord.HTTPException):
                    await interaction.response.defer()
            return
        translate: Translator | None = None

        async def tr() -> Translator:
            nonlocal translate
            if translate is None:
                translate = await self._translator(guild, interaction)
            return translate

        outgoing: list[tuple[Payload, bool]] = []
        if outcome is None:
            outgoing.append((Payload(content=_error_text(await tr())), True))
            await self._send_all(interaction, outgoing, hint)
            return
        if outcome.form is not None and kind != "modal" and not interaction.response.is_done():
            modal = self._open(interaction, outcome.form, guild)
            await self._respond(interaction, lambda: interaction.response.send_modal(modal))
            for reply in outcome.replies:  # rare: a form and words together; the words follow the modal
                for payload in render(reply):
                    await self._respond(
                        interaction,
                        lambda p=payload, e=reply.ephemeral: self._followup(interaction, p, e, hint),
                    )
            return
        for reply in outcome.replies:
            outgoing.extend((payload, reply.ephemeral) for payload in render(reply))
        if outcome.form_errors:
            _ = await tr()
            outgoing.append(
                (self._errors_payload(_, interaction, outcome.form_errors, form, values, guild), True)
            )
        if outcome.form is not None:
            _ = await tr()
            session = self._new_session(interaction.user.id, community_ref(guild), outcome.form)
            outgoing.append(
                (
                    Payload(
                        content=_("One more step: press the button to open the form."),
                        form_button=(session.token, _("Open the form")),
                    ),
                    True,
                )
            )
        if outcome.update is not None and kind != "command" and interaction.message is not None:
            update = render_one(outcome.update).edit_kwargs(hint)
            if interaction.response.is_done():
                await self._respond(interaction, lambda: interaction.edit_original_response(**update))
            else:
                await self._respond(interaction, lambda: interaction.response.edit_message(**update))
        if not outgoing and kind != "button" and not self._answered_visibly(interaction):
            _ = await tr()
            outgoing.append((Payload(content=_("Done.")), True))
        await self._send_all(interaction, outgoing, hint)

    @staticmethod
    def _answered_visibly(interaction: discord.Interaction[Any]) -> bool:
        """Whether the person already sees an answer (a message edited in place)."""
        response_type = interaction.response.type
        return response_type is discord.InteractionResponseType.message_update

    async def _send_all(
        self, interaction: discord.Interaction[Any], outgoing: list[tuple[Payload, bool]], hint: int | None
    ) -> None:
        """Send the messages: the first as the response when there is none yet, the rest as follow-ups."""
        response = interaction.response
        if not response.is_done():
            if not outgoing:
                await self._respond(interaction, response.defer)  # a button: nothing to say, nothing changes
                return
            first, ephemeral = outgoing.pop(0)
            await self._respond(
                interaction, lambda: response.send_message(ephemeral=ephemeral, **first.send_kwargs(hint))
            )
        elif (
            outgoing
            and response.type is discord.InteractionResponseType.deferred_channel_message
            and not outgoing[0][1]
        ):
            # The "thinking…" placeholder is ephemeral and its first follow-up replaces it with the same
            # visibility: for a public answer, remove the placeholder and post anew.
            await self._respond(interaction, interaction.delete_original_response)
        for payload, ephemeral in outgoing:
            await self._respond(
                interaction, lambda p=payload, e=ephemeral: self._followup(interaction, p, e, hint)
            )

    @staticmethod
    async def _followup(
        interaction: discord.Interaction[Any], payload: Payload, ephemeral: bool, hint: int | None
    ) -> None:
        await interaction.followup.send(ephemeral=ephemeral, **payload.send_kwargs(hint))

    @staticmethod
    async def _respond(interaction: discord.Interaction[Any], call: Any) -> None:
        """Make one Discord call for the interaction; a refusal is logged, never raised (what the core recorded
        stays recorded, and the member can try again)."""
        try:
            await call()
        except discord.HTTPException as exc:
            log.warning(
                "could not answer an interaction",
                extra={
                    "agora": {
                        "interaction": str(interaction.id),
                        "status": exc.status,
                        "code": exc.code,
                        "error": exc.text,
                    }
                },
            )

    # --- forms -----------------------------------------------------------------------------------------------

    def _open(self, interaction: discord.Interaction[Any], form: Form, guild: discord.Guild) -> AgoraModal:
        """The first modal of ``form``: stateless when it fits one modal, else a form session."""
        steps = form_steps(form)
        hint = guild.id if interaction.guild_id is None else None
        custom_id = component_id(form.custom_id, hint)
        if len(steps) == 1 and len(custom_id) <= 100:
            self._opened[(interaction.user.id, custom_id)] = form
            while len(self._opened) > SESSIONS_KEPT:
                self._opened.popitem(last=False)
            return AgoraModal(
                title=form.title, custom_id=custom_id, fields=[(f, f.default) for f in steps[0]]
            )
        return self._step_modal(self._new_session(interaction.user.id, community_ref(guild), form))

    def _step_modal(self, session: FormSession) -> AgoraModal:
        steps = form_steps(session.form)
        step = min(session.step, len(steps) - 1)
        title = session.form.title
        if len(steps) > 1:
            suffix = f" ({step + 1}/{len(steps)})"
            title = (title if len(title) + len(suffix) <= 45 else title[: 44 - len(suffix)] + "…") + suffix
        return AgoraModal(
            title=title,
            custom_id=step_modal_id(session.token, step),
            fields=[(f, session.values.get(f.name, f.default)) for f in steps[step]],
        )

    def _new_session(
        self,
        user_id: int,
        community: CommunityRef,
        form: Form,
        *,
        values: dict[str, str] | None = None,
        step: int = 0,
    ) -> FormSession:
        session = FormSession(
            secrets.token_hex(8), user_id, community, form, step=step, values=dict(values or {})
        )
        self._sessions[session.token] = session
        while len(self._sessions) > SESSIONS_KEPT:
            self._sessions.popitem(last=False)
        return session

    def _session(self, token: str, user_id: int) -> FormSession | None:
        session = self._sessions.get(token)
        if session is None or session.user_id != user_id:
            return None
        if time.monotonic() - session.created > SESSION_TTL:
            self._sessions.pop(token, None)
            return None
        return session

    async def _next_step(
        self, interaction: discord.Interaction[Any], session: FormSession, steps: int
    ) -> None:
        _ = await self._translator(self.client.get_guild(int(session.community.id)), interaction)
        payload = Payload(
            content=_(
                "Step {step} of {steps} saved. Press “Continue” for the rest.", step=session.step, steps=steps
            ),
            form_button=(session.token, _("Continue")),
        )
        await self._send_all(interaction, [(payload, True)], None)

    def _errors_payload(
        self,
        _: Translator,
        interaction: discord.Interaction[Any],
        errors: dict[str, str],
        form: Form | None,
        values: dict[str, str],
        guild: discord.Guild,
    ) -> Payload:
        labels = {f.name: f.label for f in form.fields} if form else {}
        lines = [_("Some answers need a correction:")]
        lines += [f"• {labels.get(name, name)}: {message}" for name, message in errors.items()]
        button = None
        if form is not None:
            steps = form_steps(form)
            first = next((i for i, s in enumerate(steps) if any(f.name in errors for f in s)), 0)
            session = self._new_session(
                interaction.user.id, community_ref(guild), form, values=values, step=first
            )
            button = (session.token, _("Correct my answers"))
        return Payload(content="\n".join(lines), form_button=button)

    # --- communities and words ---------------------------------------------------------------------------

    def _guild(self, interaction: discord.Interaction[Any], hint: int | None) -> discord.Guild | None:
        """The interaction's community: its guild; in a DM, the guild named by the component, else the only
        server the member shares with the bot."""
        guild_id = interaction.guild_id or hint
        if guild_id is not None:
            return self.client.get_guild(guild_id)
        user = interaction.user
        shared = list(getattr(user, "mutual_guilds", []) or [])
        return shared[0] if len(shared) == 1 else None

    async def _translator(
        self, guild: discord.Guild | None, interaction: discord.Interaction[Any] | None = None
    ) -> Translator:
        """What the adapter says itself (a form's steps, an error): in the words of the member who acted, as
        their Discord client says (``interaction.locale``) or they chose; else the community's."""
        if guild is None:
            return translator(self.app.base_settings().locale)
        actor = (
            member_ref(interaction.user, guild, str(interaction.locale)) if interaction is not None else None
        )
        try:
            return await self.app.translator_for(community_ref(guild), actor)
        except Exception:
            log.exception("could not read the community's settings")
            return translator(self.app.base_settings().locale)

    async def _no_community(self, interaction: discord.Interaction[Any]) -> None:
        _ = await self._translator(None)
        text = _("I can't tell which server this is about: please use it from the server.")
        await self._send_all(interaction, [(Payload(content=text), True)], None)

    async def _expired(self, interaction: discord.Interaction[Any], guild: discord.Guild | None) -> None:
        _ = await self._translator(guild or self._guild(interaction, None), interaction)
        text = _("This form has expired: please start again.")
        await self._send_all(interaction, [(Payload(content=text), True)], None)

    @contextlib.contextmanager
    def tracked(self) -> Iterator[None]:
        """Count this handler as in flight (``DiscordAdapter.settle``/``stop`` wait for it)."""
        task = asyncio.current_task()
        if task is not None:
            self.inflight.add(task)
        try:
            yield
        finally:
            if task is not None:
                self.inflight.discard(task)


def _delivery_id(interaction: discord.Interaction[Any]) -> str:
    return f"discord:interaction:{interaction.id}"


def _error_text(_: Translator) -> str:
    return _(
        "Something went wrong on my side. Please try again in a moment; if it keeps happening, tell an animator."
    )
