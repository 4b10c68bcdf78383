"""The charter: what the group is for, who animates it and why, the rights and duties of members; and how it
changes.

A newcomer gets the welcome by direct message with an "I accept" button; accepting records the acknowledgement
once (whatever the number of presses), opens the member's access (a role where the platform has roles, channel
invitations elsewhere) and confirms. One gentle reminder goes to whoever hasn't accepted after the community's
delay, and survives restarts (it is a stored timer); ``/agora charter later`` (or "Not now") stops it.

The charter is versioned: every change makes a new version saying who changed it and why, and the old ones stay
readable (``/agora charter history``, ``/agora charter version N``). Animators edit it (``/agora charter
edit``) unless the community chose to change it by committee or by vote (``/agora charter rules``), in which case
members propose amendments and vote on them (:class:`AmendmentsFeature`). A new version opens a re-acceptance
round: every member who had accepted an earlier version is asked again by direct message, with the changes
highlighted, and reminded once; when the grace period ends, whoever hasn't accepted loses the member role (where
there are roles) until they do, and the animators get the list. Members who were there before Agora arrived
(learnt from the platform's member list, never welcomed as newcomers) are invited by a paced campaign,
``/agora charter invite-existing`` (``handlers_campaign``), and keep their member role until its grace period
ends. Animators follow it all with ``/agora charter status`` and download the log with ``/agora charter
export``.

Two features share the package, in this order: the charter (order 10, first to see a member joining, so the
welcome comes before the introductions) and its amendments (order 11). The package: ``handlers_acceptance``
(welcome, accept, reminders, rounds), ``handlers_versions`` (reading, editing, status, export),
``handlers_rules`` (``charter rules``) and ``handlers_amendments`` are the features' mixins; ``common`` what the
handlers share (adopting a new version); ``queries`` the SQL; ``rules`` the pure vote decisions; ``text`` the
pure charter text and diff; ``render`` the messages; ``settings`` the ``charter_rules`` settings model.
"""

from __future__ import annotations

from typing import Any

from bot.context import Context
from bot.feature import HealthStep, PersonalData
from bot.features.charter import queries
from bot.features.charter.amendments import AmendmentsFeature
from bot.features.charter.common import adopt_version, latest
from bot.features.charter.handlers_acceptance import AcceptanceHandlers
from bot.features.charter.handlers_campaign import CampaignHandlers
from bot.features.charter.handlers_rules import RulesHandlers, summary
from bot.features.charter.handlers_versions import VersionHandlers
from bot.features.charter.settings import CharterRulesSettings
from bot.i18n import N_
from bot.messages import Message
from bot.router import Feature
from storage.models import Acknowledgement, Charter
from storage.tables.charter import CharterCampaign, CharterRequest

__all__ = ["AmendmentsFeature", "CharterFeature", "adopt_version", "latest"]


class CharterFeature(AcceptanceHandlers, CampaignHandlers, VersionHandlers, RulesHandlers, Feature):
    """Welcome, acknowledgement, reminder, versions, re-acceptance rounds, the invitation of the members who were
    there before Agora, status, export and the rules."""

    name = "charter"
    title = N_("Charter")
    order = 10
    # How the charter changes and how long re-acceptance takes. ``/agora charter rules`` changes them: it takes
    # options that are not settings (add_committee, remove_committee), so it stays its own command
    # (handlers_rules) rather than the generated one, saving through the same path.
    settings = CharterRulesSettings
    section = "charter_rules"
    settings_form = "charter rules"
    personal_data = (
        # Which version each member accepted, and when: the acceptance log. Erasing a member keeps the
        # acceptance, unnamed, so the charter's acceptance rate keeps its number.
        PersonalData(
            Acknowledgement,
            member="member_id",
            columns=("accepted_at",),
            erase="anonymize",
            label=N_("Which versions of the charter you accepted, and when"),
        ),
        # When each member was asked, reminded, said "not now", lost and got back their access.
        PersonalData(
            CharterRequest,
            member="member_id",
            columns=("asked_at", "reminded_at", "snoozed_at", "gated_at", "restored_at"),
            label=N_("When you were asked to accept the charter, reminded, or said “not now”"),
        ),
        # The animator who edited a version (an external id, or "config"): the version stays, for the group.
        PersonalData(
            Charter,
            member="created_by",
            erase="anonymize",
            label=N_("The charter versions you edited (as an animator)"),
        ),
        # The animator who invited the members who were there before Agora: the campaign stays, for its counts.
        PersonalData(
            CharterCampaign,
            member="started_by",
            erase="anonymize",
            label=N_("The invitations of existing members you started (as an animator)"),
        ),
    )
    health = (
        HealthStep(
            "charter_accepted",
            N_("accepted the charter"),
            members=queries.accepted_charter,
            kind="funnel",
            stage="accepted",
        ),
    )

    async def describe_settings(self, ctx: Context[Any], title: str) -> Message:
        """The charter rules page, as ``/agora charter rules`` shows it."""
        return summary(ctx, title)
