"""The Slack adapter: slack-bolt's ``AsyncApp`` on two transports, one dispatch.

    Socket Mode (app token)  ─┐
                              ├─> AsyncApp listeners ─> ack() ─> bot.events ─> Agora.dispatch ─> Outcome ─> Slack
    HTTP mode (signed POSTs) ─┘

* Socket Mode: slack-sdk's aiohttp ``SocketModeClient`` (through bolt's ``AsyncSocketModeHandler``) asks
  ``apps.connections.open`` for a WebSocket URL and receives envelopes on it; no public URL is needed.
* HTTP mode: bolt's aiohttp adapter (``AsyncApp.web_app()``) serves ``POST /slack/events`` on the configured host
  and port; bolt checks the signature and answers 401 to a bad one or a timestamp more than five minutes off.

Record, acknowledge, then work. Slack never re-sends what was acknowledged, so each payload's event is first
recorded in the core's inbox (``Agora.accept``, one insert) and only then acknowledged; the work is done after
(``Agora.process``), and what a crash interrupts is done at the next start. Events API payloads are recorded by a
listener middleware (bolt acknowledges an event before its listener starts, never before its middleware); a
payload that can't be recorded is not acknowledged (HTTP 500, no Socket Mode ack), so Slack delivers it again.

Only one insert stands between Slack and its answer: nothing is asked of Slack before it (an event is recorded
with its member as the directory's caches know them, else by id alone; users.info is asked after the
acknowledgement, ``Inbound.complete``, and a command is read without the member's language, a refusal being
worded in it after). Both transports run the app with ``process_before_response=True``: a listener records,
calls ``ack()`` and returns, handing the rest to a task of its own (``_after_ack``), and bolt answers Slack as
the listener returns (with bolt's default, it polls every 10 ms for the ``ack()``). That task yields before it
starts, so requests already arrived are recorded and answered before the work of earlier ones goes on. The one
exception is a modal submission, whose answer *is* the result (field errors shown next to the
fields): when its member is known without asking Slack, it is dispatched first, with a 2.5 s budget, then
acknowledged; when the member is still to be looked up or the core is slower, the modal is closed and the outcome
follows as a message.

Replies go to the person who acted through the interaction's ``response_url`` (ephemeral unless the message
says otherwise), else ``chat.postEphemeral``, else a DM. A pressed button's message is replaced in place
(``chat.update``, or the ``response_url`` for an ephemeral message). A form opens at once with the interaction's
``trigger_id``, which expires three seconds after the click.

Every other payload (other apps' buttons, shortcuts, events nobody handles) is acknowledged by catch-all
listeners, so Slack never re-sends an envelope for want of an answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.webhook import WebhookResponse
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack.blocks import form_errors, message_payload, modal_view
from adapters.slack.chat import PLATFORM, SlackChat, make_client, slack_call
from adapters.slack.events import Communities, Inbound, clean_command_text, neutral_mentions
from adapters.slack.members import reconcile
from bot.chat import ChatError, TransientChatError
from bot.commandline import parse_command_text
from bot.context import Outcome
from bot.errors import UserError
from bot.events import ChannelRef, CommunityRef, Event, MemberRef, MessageRef, actor_of
from bot.i18n import Translator, translator
from bot.messages import Form, Message

if TYPE_CHECKING:
    from adapters.slack.config import SlackConfig
    from bot.app import Agora
    from bot.config import Config

__all__ = ["EVENTS", "SlackAdapter", "SlackStartError"]

log = logging.getLogger("agora.slack")

COMMAND = "/agora"
EVENTS_PATH = "/slack/events"
# The Events API subscriptions the adapter handles (the manifest lists the same ones).
EVENTS = (
    "team_join",
    "member_joined_channel",
    "member_left_channel",
    "user_change",
    "reaction_added",
    "reaction_removed",
    "subteam_members_changed",
    "subteam_updated",
)
# Slack waits three seconds for a modal's answer; what is left is for the network.
VIEW_DEADLINE = 2.5
# What a command is read with before its acknowledgement (no lookup of the member's language): it words only
# refusals, worded again in the member's language after.
_PARSING = translator("en")
# How long stop() lets acknowledged work finish.
STOP_GRACE = 10.0
# Where the recording middleware hands the event to the listener, in bolt's context.
_EVENT = "agora_event"
Middleware = Callable[..., Awaitable[None]]
# Where each open modal was asked from (view id -> channel), for the replies after it is submitted.
_ORIGINS_KEPT = 1000


class SlackStartError(RuntimeError):
    """Slack refused to start the adapter (bad token, missing scope); the message says which call and why."""


class SlackAdapter:
    """Agora on one Slack workspace: ``start()`` connects, ``stop()`` disconnects, ``ready`` says if connected."""

    def __init__(self, app: Agora, config: Config) -> None:
        settings: SlackConfig | None = config.platform(PLATFORM)
        if settings is None:
            raise ValueError("the configuration has no platforms.slack: section")
        self.app = app
        self.config = settings
        self.client = make_client(self.config.bot_token.get_secret_value(), self.config.api_base_url)
        self.chat = SlackChat(self.client, self.config.scope_channel)
        self.directory = self.chat.directory
        self.communities = Communities(scope_channel=self.config.scope_channel)
        self.inbound = Inbound(self.directory, self.communities)
        # A press is acknowledged once recorded; its member is looked up after the acknowledgement.
        app.completers[PLATFORM] = self.inbound.complete
        secret = self.config.signing_secret.get_secret_value() if self.config.signing_secret else ""
        self.bolt = AsyncApp(
            client=self.client,
            # Socket Mode needs no signing secret (bolt skips the check there); "" keeps bolt from reading
            # SLACK_SIGNING_SECRET from the environment behind the config's back.
            signing_secret=secret,
            process_before_response=True,
            name="agora",
            logger=logging.getLogger("agora.slack.bolt"),
        )
        self._register(self.bolt)
        self._socket: AsyncSocketModeHandler | None = None
        self._runner: web.AppRunner | None = None
        self._inflight: set[asyncio.Task[Any]] = set()
        self._origins: OrderedDict[str, ChannelRef] = OrderedDict()
        self.http_port: int | None = None
        self.bot_user_id = ""
        # One HTTP session for every Web API call and every answer to a response_url, opened at start: its
        # connections are kept alive rather than opened for each call.
        self.http: aiohttp.ClientSession | None = None

    # --- life cycle -------------------------------------------------------------------------------------------

    @property
    def mode(self) -> str:
        return self.config.mode

    @property
    def ready(self) -> bool:
        """Connected: the Socket Mode link is up, or the HTTP endpoint is listening."""
        if self._socket is not None:
            client = self._socket.client
            session = client.current_session
            return not client.closed and not client.stale and session is not None and not session.closed
        return self._runner is not None and self.http_port is not None

    async def start(self) -> None:
        """Check the token (``auth.test``), attach the Chat port, then open the configured transport."""
        if self.http is None or self.http.closed:
            self.http = aiohttp.ClientSession()
            self.client.session = self.http
        try:
            auth = await slack_call(self.client.auth_test(), "auth.test")
        except ChatError as exc:
            raise SlackStartError(_start_problem("bot token", exc)) from exc
        self.bot_user_id = str(auth.get("user_id") or "")
        self.inbound.bot_user_id = self.bot_user_id
        self.communities.team_id = self.chat.team_id = str(auth.get("team_id") or "")
        self.communities.team_name = str(auth.get("team") or "")
        if self.communities.scope_channel:
            self.communities.scope_name = await self.chat.channel_name(self.communities.scope_channel)
        # Attached before the first payload can arrive, so a handler never runs without the platform
        # (the Web API works as soon as auth.test does, whatever the transport).
        self.app.attach(self.chat)
        if self.mode == "http":
            await self._serve_http()
        else:
            await self._connect_socket()
        log.info(
            "slack connected",
            extra={"agora": {"mode": self.mode, "team": self.communities.team_id, "port": self.http_port}},
        )
        await reconcile(self.app, self.communities.ref())

    async def _serve_http(self) -> None:
        runner = web.AppRunner(self.bolt.web_app(path=EVENTS_PATH), access_log=None, shutdown_timeout=2.0)
        await runner.setup()
        site = web.TCPSite(runner, self.config.http.host, self.config.http.port)
        await site.start()
        self._runner = runner
        # The port actually bound (the config may say 0: any free port, as in tests).
        self.http_port = int(runner.addresses[0][1])

    async def _connect_socket(self) -> None:
        assert self.config.app_token is not None  # the config refuses Socket Mode without one
        app_token = self.config.app_token.get_secret_value()
        # slack-sdk retries a refused connection forever: ask for the URL once here so a bad app token stops
        # the start with a clear error instead, then hand the URL over for the first connection.
        try:
            opened = await slack_call(
                self.client.apps_connections_open(app_token=app_token), "apps.connections.open"
            )
        except ChatError as exc:
            raise SlackStartError(_start_problem("app token", exc)) from exc
        handler = AsyncSocketModeHandler(
            self.bolt, app_token=app_token, logger=logging.getLogger("agora.slack.socket")
        )
        handler.client.wss_uri = str(opened["url"])
        self._socket = handler  # known before connecting, so stop() closes it whatever happens
        await handler.connect_async()  # type: ignore[no-untyped-call]

    async def stop(self) -> None:
        """Stop receiving, then let acknowledged work finish (briefly: the outbox keeps what must not be lost)."""
        if self._socket is not None:
            socket, self._socket = self._socket, None
            await socket.close_async()  # type: ignore[no-untyped-call]
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()
        pending = [t for t in self._inflight if not t.done()]
        if pending:
            await asyncio.wait(pending, timeout=STOP_GRACE)
        if self.http is not None:
            # Calls after this (the outbox finishing) open a session of their own, as before the start.
            http, self.http = self.http, None
            await http.close()

    async def settle(self) -> None:
        """Wait until the work of every payload received so far is done, outbox deliveries included."""
        current = asyncio.current_task()
        while True:
            tasks = [t for t in self._inflight if t is not current and not t.done()]
            if tasks:
                await asyncio.gather(*tasks, return_exceptions=True)
                continue
            await self.app.settle()
            if not any(t is not current and not t.done() for t in self._inflight):
                return

    @contextlib.contextmanager
    def _working(self) -> Iterator[None]:
        """Track the listener task (bolt's, after the ack) so ``settle()`` and ``stop()`` can wait for it."""
        task = asyncio.current_task()
        if task is not None:
            self._inflight.add(task)
        try:
            yield
        finally:
            if task is not None:
                self._inflight.discard(task)

    # --- listeners ----------------------------------------------------------------------------------------

    def _register(self, bolt: AsyncApp) -> None:
        bolt.command(COMMAND)(self._on_command)
        bolt.action(re.compile(r"^agora:"))(self._on_action)
        bolt.view(re.compile(r"^agora:"))(self._on_view)
        joined, left = [self._recording(self.inbound.joined)], [self._recording(self.inbound.left)]
        reacted = [self._recording(self.inbound.reaction)]
        bolt.event("team_join", middleware=joined)(self._on_event)
        bolt.event("member_joined_channel", middleware=joined)(self._on_event)
        bolt.event("member_left_channel", middleware=left)(self._on_event)
        bolt.event("user_change", middleware=left)(self._on_event)
        bolt.event("reaction_added", middleware=reacted)(self._on_event)
        bolt.event("reaction_removed", middleware=reacted)(self._on_event)
        # Before the acknowledgement, as a middleware: once Slack has its answer, the change is seen.
        bolt.event("subteam_members_changed", middleware=[self._groups_changed])(self._ignore_event)
        bolt.event("subteam_updated", middleware=[self._groups_changed])(self._ignore_event)
        # Catch-alls, registered last (bolt tries listeners in order): every envelope gets its answer.
        everything = re.compile(".*")
        bolt.event(everything)(self._ignore_event)
        for register in (bolt.action, bolt.view, bolt.view_closed, bolt.command, bolt.shortcut, bolt.options):
            register(everything)(self._ack_only)

    def _recording(self, build: Callable[[dict[str, Any]], Awaitable[Event | None]]) -> Middleware:
        """A listener middleware: the event of an Events API payload, recorded in the inbox before bolt
        acknowledges it, for the listener (``context["agora_event"]``). Raises (no acknowledgement) when the
        database refuses it."""

        async def record(
            body: dict[str, Any], context: dict[str, Any], next: Callable[[], Awaitable[None]]
        ) -> None:
            event = await build(body)
            if event is not None:
                await self.app.accept(event)
                context[_EVENT] = event
            await next()

        return record

    async def _ack_only(self, ack: Any) -> None:
        await ack()

    async def _groups_changed(self, next: Callable[[], Awaitable[None]]) -> None:
        """A user group changed (who is in it, its name): the roles of its members are read again when next
        needed, so a member taken out of the animators' group stops animating at once."""
        self.directory.forget_groups()
        await next()

    async def _ignore_event(self) -> None:
        """bolt acknowledges events by itself; there is nothing more to do for this one."""

    async def _on_command(self, ack: Any, body: dict[str, Any]) -> None:
        respond = self._responder(body)
        with self._working():
            ack = _once(ack)
            community = self.communities.ref(body.get("team_id"))
            channel_id = str(body.get("channel_id") or "")
            user_id = str(body.get("user_id") or "")
            text = neutral_mentions(clean_command_text(str(body.get("text") or "")))

            async def apologize() -> None:
                await self._apologize(community, user_id, channel_id, respond)

            try:
                try:
                    # Read without knowing the member's language (no lookup before the acknowledgement): only a
                    # refusal is worded, and it is worded again in their language after.
                    spec, args = parse_command_text(self.app.router, text, _PARSING)
                except UserError:
                    await ack()
                    self._after_ack(
                        self._refuse_command(text, community, user_id, channel_id, respond), apologize
                    )
                    return
                event = await self.inbound.command(body, spec.name, args)
                await self.app.accept(event)
            except Exception:
                log.exception("slack command failed", extra={"agora": {"command": COMMAND}})
                await ack()
                self._after_ack(apologize(), None)
                return
            await ack()

            async def show(outcome: Outcome) -> None:
                await self._show(
                    outcome, event, user_id, channel_id, respond, trigger_id=body.get("trigger_id")
                )

            self._after_ack(self._handle(event, show), apologize)

    async def _refuse_command(
        self, text: str, community: CommunityRef, user_id: str, channel_id: str, respond: Any
    ) -> None:
        """Tell the member why their command could not be read, in their words."""
        _ = await self._translator(community, user_id)
        try:
            parse_command_text(self.app.router, text, _)
        except UserError as exc:
            await self._reply(Message(exc.message, ephemeral=True), user_id, channel_id, respond)

    async def _on_action(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        respond = self._responder(body)
        with self._working():
            ack = _once(ack)
            community = self.communities.ref((body.get("team") or {}).get("id"))
            user_id = str((body.get("user") or {}).get("id") or "")
            container = body.get("container") or {}
            channel_id = str(container.get("channel_id") or (body.get("channel") or {}).get("id") or "")

            async def apologize() -> None:
                await self._apologize(community, user_id, channel_id, respond, action=True)

            try:
                event = await self.inbound.pressed(body, action)
                if event is not None:
                    await self.app.accept(event)
            except Exception:
                log.exception("slack button failed", extra={"agora": {"action": action.get("action_id")}})
                await ack()
                self._after_ack(apologize(), None)
                return
            await ack()
            if event is None:
                return
            pressed = event

            async def show(outcome: Outcome) -> None:
                await self._show(
                    outcome,
                    pressed,
                    user_id,
                    channel_id,
                    respond,
                    trigger_id=body.get("trigger_id"),
                    pressed=pressed.message,
                    pressed_ephemeral=bool(container.get("is_ephemeral")),
                    action=True,
                )

            self._after_ack(self._handle(event, show), apologize)

    async def _handle(self, event: Event, show: Callable[[Outcome], Awaitable[None]]) -> None:
        """The work after an acknowledgement: the core handles ``event``, and ``show`` renders its outcome."""
        await show(await self._dispatch(event))

    def _after_ack(self, work: Awaitable[None], apologize: Callable[[], Awaitable[None]] | None) -> None:
        """Carry ``work`` on in a task of its own once the payload is acknowledged: the listener returns at
        once, so bolt answers Slack then (``process_before_response``), and the work yields before it starts,
        so that requests already arrived are recorded and answered first. A crash becomes ``apologize()``."""

        async def run() -> None:
            await asyncio.sleep(0)
            try:
                await work
            except Exception:
                log.exception("slack work after the acknowledgement failed")
                if apologize is not None:
                    await apologize()

        task = asyncio.ensure_future(run())
        self._inflight.add(task)
        task.add_done_callback(self._inflight.discard)

    async def _on_view(self, ack: Any, body: dict[str, Any]) -> None:
        started = time.monotonic()
        with self._working():
            view = body.get("view") or {}
            origin = self._origins.get(str(view.get("id") or ""))
            user_id = str((body.get("user") or {}).get("id") or "")
            channel_id = origin.id if origin else ""
            # Whether the member is known without asking Slack: the answer can then be the result (field errors
            # shown next to the fields); else the modal is closed once the submission is recorded, and users.info
            # is asked after.
            known = self.directory.known(user_id) is not None
            try:
                event = await self.inbound.submitted(body, origin)
            except Exception:
                log.exception("slack form could not be read")
                event = None
            if event is None:
                await ack()
                return
            try:
                await self.app.accept(event)
            except Exception:
                log.exception("slack form could not be recorded")
                await ack()
                await self._apologize(event.community, user_id, channel_id, None)
                return
            work = asyncio.ensure_future(self._dispatch(event))
            budget = max(VIEW_DEADLINE - (time.monotonic() - started), 0.1)
            outcome: Outcome | None = None
            if known:
                with contextlib.suppress(TimeoutError):
                    outcome = await asyncio.wait_for(asyncio.shield(work), budget)
            if outcome is None:
                # Not answered in the modal (too slow, or the member is still to be looked up): close it now,
                # tell the member by message when done.
                await ack()
                self._after_ack(self._form_later(work, event, user_id, channel_id), None)
                return
            if outcome.form_errors:
                await ack(response_action="errors", errors=form_errors(view, outcome.form_errors))
                return
            if outcome.form is not None:
                # The next step of the form replaces this one in the same modal.
                modal = await self._modal(outcome.form, event.community, user_id)
                await ack(response_action="update", view=modal)
                if origin is not None:
                    self._remember_origin(str(view.get("id") or ""), origin)
                outcome.form = None
            else:
                await ack()
            self._after_ack(self._show(outcome, event, user_id, channel_id, None), None)

    async def _form_later(
        self, work: asyncio.Future[Outcome], event: Event, user_id: str, channel_id: str
    ) -> None:
        """The outcome of a form whose modal was closed before it was known, by message."""
        outcome = await work
        if outcome.form_errors:
            _ = await self._translator(event.community, user_id)
            problems = " ".join(outcome.form_errors.values())
            outcome.replies.append(
                Message(
                    _(
                        "Your answers could not be saved: {problems} Please open the form again.",
                        problems=problems,
                    ),
                    ephemeral=True,
                )
            )
        await self._show(outcome, event, user_id, channel_id, None)

    async def _on_event(self, context: dict[str, Any]) -> None:
        """An Events API payload its middleware recorded (``_recording``): handled once bolt has acknowledged it
        (when this returns)."""
        event = context.get(_EVENT)
        if event is not None:
            self._after_ack(self._dispatched(event), None)

    async def _dispatched(self, event: Event) -> None:
        await self._dispatch(event)

    # --- the core, and what it answers ------------------------------------------------------------------------

    async def _translator(self, community: CommunityRef, user_id: str | None = None) -> Translator:
        """What the adapter says itself (a command it can't parse, a modal's buttons, an apology): in the words of
        ``user_id`` (their choice, else their Slack locale, looked up if need be: this is said after the
        acknowledgement); else the community's."""
        member = await self.directory.member(user_id) if user_id else None
        return await self.app.translator_for(community, member)

    async def _dispatch(self, event: Event) -> Outcome:
        """``Agora.process`` of an event recorded in the inbox; a crash becomes an apology for the member (the
        event stays in the inbox, tried again at the next start), never a silent loss."""
        try:
            return await self.app.process(event)
        except Exception:
            log.exception(
                "dispatch failed", extra={"agora": {"event": event.event_type, "platform": PLATFORM}}
            )
            try:
                actor = actor_of(event)
                _ = await self._translator(event.community, actor.id if actor is not None else None)
            except Exception:
                _ = translator("en")
            return Outcome(replies=[self._sorry(_)], handled=False, error="crashed")

    @staticmethod
    def _sorry(_: Translator) -> Message:
        return Message(
            _(
                "Sorry, something went wrong on my side. Please try again in a moment; "
                "if it keeps happening, tell an animator."
            ),
            ephemeral=True,
        )

    async def _apologize(
        self, community: CommunityRef, user_id: str, channel_id: str, respond: Any, *, action: bool = False
    ) -> None:
        with contextlib.suppress(Exception):
            _ = await self._translator(community, user_id)
            await self._reply(self._sorry(_), user_id, channel_id, respond, action=action)

    async def _modal(self, form: Form, community: CommunityRef, user_id: str | None) -> dict[str, Any]:
        _ = await self._translator(community, user_id)
        return modal_view(form, submit=_("Send"), close=_("Cancel"))

    def _remember_origin(self, view_id: str, channel: ChannelRef) -> None:
        self._origins[view_id] = channel
        self._origins.move_to_end(view_id)
        while len(self._origins) > _ORIGINS_KEPT:
            self._origins.popitem(last=False)

    async def _show(
        self,
        outcome: Outcome,
        event: Event,
        user_id: str,
        channel_id: str,
        respond: Any,
        *,
        trigger_id: str | None = None,
        pressed: MessageRef | None = None,
        pressed_ephemeral: bool = False,
        action: bool = False,
    ) -> None:
        """Render ``outcome`` to the member who acted: the form first (its trigger expires), then the pressed
        message replaced, then the replies."""
        if outcome.duplicate:
            return
        replies = list(outcome.replies)
        if outcome.form is not None and trigger_id:
            if not await self._open_form(outcome.form, trigger_id, event.community, channel_id, user_id):
                replies.append(self._sorry(await self._translator(event.community, user_id)))
        if outcome.update is not None and pressed is not None:
            await self._replace(pressed, outcome.update, respond if pressed_ephemeral else None)
        for message in replies:
            await self._reply(message, user_id, channel_id, respond, action=action)

    async def _open_form(
        self, form: Form, trigger_id: str, community: CommunityRef, channel_id: str, user_id: str
    ) -> bool:
        """Open ``form`` as a modal; False when Slack refused (the trigger expired: the member is told)."""
        try:
            opened = await slack_call(
                self.client.views_open(
                    trigger_id=trigger_id, view=await self._modal(form, community, user_id)
                ),
                "views.open",
            )
        except ChatError as exc:
            log.warning(
                "slack form could not be opened", extra={"agora": {"form": form.id, "error": str(exc)}}
            )
            return False
        view_id = str((opened.get("view") or {}).get("id") or "")
        if view_id and channel_id:
            self._remember_origin(view_id, ChannelRef(PLATFORM, channel_id))
        return True

    async def _replace(self, pressed: MessageRef, message: Message, respond: Any) -> None:
        try:
            if respond is not None:
                # An ephemeral message has no ts chat.update could use: its response_url replaces it.
                await respond(replace_original=True, **message_payload(message))
            else:
                await self.chat.update(pressed, message)
        except Exception as exc:
            log.warning("slack message could not be replaced", extra={"agora": {"error": str(exc)}})

    def _responder(self, body: dict[str, Any]) -> Responder | None:
        """Bolt's ``respond`` on the adapter's one HTTP session (bolt's own opens a connection per answer)."""
        url = body.get("response_url")
        return Responder(str(url), self.http) if url else None

    async def _reply(
        self, message: Message, user_id: str, channel_id: str, respond: Any, *, action: bool = False
    ) -> None:
        """Answer the member who acted: through the response_url, else in the channel, else by DM. A private
        answer with files (a chart) comes by DM: Slack's ephemeral messages carry no files."""
        if message.ephemeral and message.attachments:
            try:
                await self.chat.direct_message(MemberRef(PLATFORM, user_id), message)
                return
            except ChatError as exc:
                log.info("slack private files could not be sent by DM", extra={"agora": {"error": str(exc)}})
                message = replace(message, attachments=())
        if respond is not None:
            try:
                response = await respond(
                    response_type="ephemeral" if message.ephemeral else "in_channel",
                    # A button's response_url could replace the message: a reply is a new one.
                    replace_original=False if action else None,
                    **message_payload(message),
                )
                if response.status_code == 200:
                    return
                log.info(
                    "slack response_url refused a reply", extra={"agora": {"status": response.status_code}}
                )
            except Exception as exc:
                log.info("slack response_url failed", extra={"agora": {"error": str(exc)}})
        member = MemberRef(PLATFORM, user_id)
        try:
            if not channel_id:
                await self.chat.direct_message(member, message)
            elif message.ephemeral:
                await self.chat.ephemeral(channel_id, user_id, message)
            else:
                await self.chat.post(ChannelRef(PLATFORM, channel_id), message)
            return
        except ChatError as exc:
            if not channel_id:
                log.warning("slack reply could not be delivered", extra={"agora": {"error": str(exc)}})
                return
        try:
            # Not in that channel (or it is gone): the member still gets the answer, by DM.
            await self.chat.direct_message(member, message)
        except ChatError as exc:
            log.warning("slack reply could not be delivered", extra={"agora": {"error": str(exc)}})


class Responder:
    """Answers through an interaction's ``response_url``, as bolt's ``respond`` does, on a shared session."""

    def __init__(self, url: str, session: aiohttp.ClientSession | None) -> None:
        self.url = url
        self.session = session

    async def __call__(self, **message: Any) -> WebhookResponse:
        client = AsyncWebhookClient(url=self.url, session=self.session)
        return await client.send_dict({key: value for key, value in message.items() if value is not None})


def _once(ack: Any) -> Any:
    """``ack`` that answers Slack the first time it is called and does nothing after."""
    done = False

    async def once(**kwargs: Any) -> None:
        nonlocal done
        if not done:
            done = True
            await ack(**kwargs)

    return once


def _start_problem(what: str, exc: ChatError) -> str:
    if isinstance(exc, TransientChatError):
        return f"Slack could not be reached to check the {what} ({exc}); is slack.api_base_url right?"
    return f"Slack refused the {what} ({exc})"
