"""Newcomer onboarding by direct message: the introduction, the first contacts, one nudge, the animators' digest,
and the member directory.

Once a newcomer accepts the charter (``CharterAccepted``, first time), they get a direct message "Introduce
yourself in two lines" with [Introduce myself] (a six-field form, only "what I do" required) and [Not now]. Their
introduction is posted in the introductions channel, in the community's language, mentioning them and the two or
three members they should meet first, each with a one-line "why you two" (``matching``). If they neither
introduce themselves nor say "not now", one reminder comes after the community's delay; "not now" means no
reminder at all. Animators get a digest of where each newcomer stands, on a schedule and with
``/agora newcomers``. ``/agora profile`` opens the form again (to edit) or hides / shows the member in the
directory (``directory``: ``/agora members`` and ``/agora whois``).

Handlers live in ``handlers`` (a newcomer's path and the form) and ``handlers_digest``, mixed into the feature
here; the settings command ``/agora onboarding`` is built by the core from ``settings.OnboardingSettings``.
"""

from __future__ import annotations

from typing import Any

from bot.context import Context
from bot.feature import Feature, HealthStep, PersonalData, ScheduleSpec
from bot.i18n import N_
from bot.messages import Message
from storage.tables.profiles import Newcomer, Profile

from . import queries, render
from .directory import DirectoryFeature
from .handlers import JourneyHandlers, MemberIntroduced
from .handlers_digest import DIGEST, DigestHandlers
from .settings import OnboardingSettings

__all__ = ["DirectoryFeature", "MemberIntroduced", "OnboardingFeature"]


class OnboardingFeature(JourneyHandlers, DigestHandlers, Feature):
    """Introduction by DM after the charter, suggested contacts, one nudge, the newcomers digest."""

    name = "onboarding"
    title = N_("Introductions")
    order = 20  # after the charter's welcome
    settings = OnboardingSettings
    settings_command = "onboarding"
    settings_title = N_("Onboarding settings")
    settings_saved_title = N_("Onboarding settings saved.")
    settings_description = N_(
        "See or change how newcomers are onboarded: invitation, reminder, suggestions, digest (animators)"
    )
    schedules = (ScheduleSpec(DIGEST, lambda settings: settings.onboarding.digest_cron),)
    personal_data = (
        # Their introduction: what they wrote, and what the directory searches and the matching compares.
        PersonalData(
            Profile,
            member="member_id",
            columns=(
                "name",
                "what",
                "location",
                "interests",
                "offers",
                "needs",
                "hidden",
                "introduced_at",
                "updated_at",
            ),
            label=N_("Your introduction: what you do, where, your interests, what you offer and look for"),
            posts=("post_entry_id",),
        ),
        # Their path: when they joined, accepted the charter, were invited, said "not now", were reminded.
        PersonalData(
            Newcomer,
            member="member_id",
            columns=("joined_at", "accepted_at", "invited_at", "declined_at", "nudged_at"),
            label=N_("Your first steps: when you joined, accepted the charter, were invited and reminded"),
        ),
        # The contacts suggested to other newcomers keep who they were (platform id and name): the suggestion
        # is theirs, the person suggested is not.
        PersonalData(
            Profile,
            member="suggestions",
            refers="list:key",
            erase="anonymize",
            exported=False,
            label=N_("Other members' introductions that suggested you as a contact"),
        ),
    )
    health = (
        HealthStep(
            "introduced",
            N_("introduced themselves"),
            members=queries.introduced,
            kind="funnel",
            stage="introduced",
        ),
    )

    async def describe_settings(self, ctx: Context[Any], title: str) -> Message:
        """The onboarding's own settings page, under its own titles (they predate the generated command)."""
        _ = ctx._
        return render.settings_page(_, title, ctx.settings.onboarding, ctx.settings.animators)

    async def settings_saved(self, ctx: Context[Any], changes: dict[str, Any]) -> None:
        # Choosing a channel for the digest means sending it there, unless the same command said otherwise.
        if "digest_channel" in changes and "digest_to" not in changes:
            ctx.save_settings({"digest_to": "channel"}, section="onboarding")
