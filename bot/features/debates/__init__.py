"""Debates: a motion where reasonable people disagree, positions to take by button, a thread to argue in,
and a summary at the close that says where members stood at first and at the end.

- ``/agora debate start [motion] [positions] [duration]`` (animators), or a recurring rule
  (``community.debates.schedule``): the motion is posted in the debates channel with one button per position
  (the motion's suggested ones, for / against / nuanced, or up to five of the animator's) and a thread opens
  under it. Without a motion the bot picks one: first the community's own approved motions, then the bank's.
- Members take a position and may change it until the close; the first one and the final one are both kept.
- The close (the deadline, even one that passed while the bot was stopped, or ``/agora debate close``) posts
  the distribution, how many changed their mind and in which direction, and, where the platform tells who
  replied to what, the most-replied arguments. Anonymous unless the community chose otherwise, and the post
  says which before anyone takes a position.
- Members propose motions (``/agora debate propose``), animators approve them, and the author is credited
  when their motion is debated (unless they asked not to be named).
- Rotating lead (``community.debates.rotating_lead``): members volunteer; each debate, the volunteer who led
  least recently is asked by direct message, and a "not this time" asks the next one.

The package: ``handlers`` (a debate's life), ``motions`` (the list, proposals, review), ``lead`` (the rotating
lead), ``queries`` (SQL), ``rules`` and ``summary`` (pure decisions), ``render`` (messages), ``settings``.
"""

from __future__ import annotations

from typing import Any

from bot.context import Context
from bot.feature import Feature, HealthStep, PersonalData, ScheduleSpec
from bot.features.debates import queries, render
from bot.features.debates.handlers import DebateHandlers, next_scheduled
from bot.features.debates.lead import LeadHandlers
from bot.features.debates.motions import MotionHandlers
from bot.features.debates.render import SCHEDULED
from bot.features.debates.rules import parse_positions
from bot.features.debates.settings import DebateSettings
from bot.i18n import N_
from bot.messages import Message
from storage.tables.debates import Debate, DebateLeadAsk, DebateMotion, DebateStance, DebateVolunteer

__all__ = ["DebatesFeature", "parse_positions"]


class DebatesFeature(DebateHandlers, MotionHandlers, LeadHandlers, Feature):
    """Debate prompts: motions, positions, the before/after summary, proposals and rotating leads."""

    name = "debates"
    title = N_("Debates")
    order = 60
    settings = DebateSettings
    settings_command = "debate settings"
    settings_title = N_("Debate settings")
    settings_saved_title = N_("Debate settings saved.")
    settings_description = N_("Debate settings: schedule, duration, anonymity, rotating lead")
    schedules = (ScheduleSpec(SCHEDULED, lambda s: s.debates.schedule if s.debates.enabled else None),)
    personal_data = (
        # A member's position in each debate: their own choice. Erasing them keeps the position, unnamed, so a
        # debate's counts keep their numbers.
        PersonalData(
            DebateStance,
            member="member_id",
            columns=("first_position", "position", "changes"),
            erase="anonymize",
            label=N_("Your positions in debates"),
        ),
        PersonalData(
            DebateVolunteer,
            member="member_id",
            columns=("active",),
            label=N_("Whether you volunteer to lead debates"),
        ),
        PersonalData(
            DebateLeadAsk,
            member="member_id",
            columns=("status",),
            label=N_("Your answers when asked to lead a debate"),
        ),
        # A proposed motion stays the community's (it may have been debated or be next in line: emptying its
        # text would put an empty motion up for debate), without its author or its reviewer.
        PersonalData(
            DebateMotion,
            member="proposed_by",
            erase="anonymize",
            label=N_("The debate motions you proposed"),
        ),
        PersonalData(
            DebateMotion,
            member="reviewed_by",
            erase="anonymize",
            label=N_("The motions you reviewed (as an animator)"),
        ),
        # The debates they led, opened or closed stay in the history, without their names. ``opened_by`` and
        # ``closed_by`` are platform ids, or "schedule" / "deadline" when nobody did.
        PersonalData(Debate, member="lead_id", erase="anonymize", label=N_("The debates you led")),
        PersonalData(Debate, member="opened_by", erase="anonymize", label=N_("The debates you opened")),
        PersonalData(Debate, member="closed_by", erase="anonymize", label=N_("The debates you closed")),
        # The thanks for a member's motion, ready to show (a mention of them).
        PersonalData(
            Debate,
            member="credit",
            refers="mention",
            erase="anonymize",
            label=N_("The debates that credit you for their motion"),
        ),
    )
    health = (
        # Taking a position is joining in, not a stage of the path: it counts members, and makes them active.
        HealthStep(
            "debates.position", N_("took a position in a debate"), members=queries.members_who_took_a_position
        ),
        HealthStep(
            "debates.motions",
            N_("motions proposed by members"),
            members=queries.members_who_proposed_a_motion,
            stage="acted",
        ),
        HealthStep("debates.held", N_("debates held"), queries.debates_held, kind="counter"),
    )

    async def describe_settings(self, ctx: Context[Any], title: str) -> Message:
        """The debate settings page, with the next scheduled debate and the channel."""
        _ = ctx._
        d = ctx.settings.debates
        upcoming = next_scheduled(ctx)
        view = render.SettingsView(
            enabled=d.enabled,
            duration=d.duration,
            anonymous=d.anonymous,
            rotating_lead=d.rotating_lead,
            lead_answer_within=d.lead_answer_within,
            schedule=d.schedule,
            next_debate=ctx.format_time(upcoming) if upcoming is not None else None,
            channel=ctx.settings.channel("debates") or "",
        )
        return render.settings_page(_, title, view)
