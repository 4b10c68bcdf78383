"""The amendments feature: members propose changes to the charter and vote on them (its handlers are in
:mod:`bot.features.charter.handlers_amendments`). Its own module, beside the charter feature of the package's
``__init__``: one feature per module."""

from __future__ import annotations

from bot.feature import HealthStep, PersonalData
from bot.features.charter import queries
from bot.features.charter.handlers_amendments import AmendmentHandlers
from bot.i18n import N_
from bot.router import Feature
from storage.tables.charter import Amendment, AmendmentVote

__all__ = ["AmendmentsFeature"]


class AmendmentsFeature(AmendmentHandlers, Feature):
    """Proposals, votes and their results."""

    name = "amendments"
    title = N_("Charter amendments")
    order = 11
    personal_data = (
        # What the member proposed and why. The amendment stays for the group's history (an adopted one made a
        # version of the charter), its author anonymized.
        PersonalData(
            Amendment,
            member="proposer_id",
            columns=("text", "reason"),
            erase="anonymize",
            label=N_("The amendments you proposed, and why"),
        ),
        # How the member voted.
        PersonalData(
            AmendmentVote,
            member="member_id",
            columns=("choice", "voted_at", "changed_at"),
            label=N_("Your votes on amendments"),
        ),
        # The committee that could vote on an amendment (platform ids, when it opened).
        PersonalData(
            Amendment,
            member="voters",
            refers="list",
            erase="anonymize",
            label=N_("The amendments you could vote on as a committee member"),
        ),
    )
    health = (
        HealthStep(
            "amendments_proposed",
            N_("amendments proposed"),
            queries.amendments_proposed,
            members=queries.amendment_proposers,
            stage="acted",
        ),
    )
