"""``/agora dashboard``: an animator gets a private, one-time link to the web dashboard of their community.

The link is valid ten minutes, opens one session (twelve hours) and is bound to the animator and the community
(``bot.web.auth``). When the dashboard is not enabled, the answer says how whoever runs Agora turns it on.
"""

from __future__ import annotations

from typing import Any

from bot.context import Context
from bot.feature import PersonalData
from bot.i18n import N_
from bot.router import Feature, command
from bot.web.auth import LINK_LIFETIME, issue_link
from storage.tables.dashboard import DashboardLogin

__all__ = ["DashboardFeature"]


class DashboardFeature(Feature):
    """Sign-in links to the web dashboard."""

    name = "dashboard"
    title = N_("Web dashboard")
    personal_data = (
        PersonalData(
            DashboardLogin,
            member="member_id",
            columns=("created_at", "used_at"),
            label=N_("When you signed in to the web dashboard (as an animator)"),
        ),
    )

    @command(
        "dashboard",
        N_("Get a private link to the community's web dashboard (animators)"),
        animator_only=True,
    )
    async def dashboard(self, ctx: Context[Any]) -> None:
        _ = ctx._
        web = ctx.app.config.web
        if not web.enabled:
            ctx.reply(
                _(
                    "The web dashboard is not turned on for this Agora. Whoever runs it can turn it on in "
                    "config.yaml (web: enabled: true, with the public_url animators open) and restart it; "
                    "the README's Dashboard section says how."
                )
            )
            return
        assert ctx.actor is not None
        member = await ctx.member()
        token = await issue_link(ctx.session, ctx.community, member, ctx.actor, ctx.now)
        minutes = int(LINK_LIFETIME.total_seconds() // 60)
        ctx.reply(
            _(
                "Your link to the dashboard of {community}: {url}\n"
                "It works once, for you only, within {minutes} minutes; keep it to yourself. "
                "Run /agora dashboard again for a new one.",
                community=ctx.settings.name or ctx.community.name,
                url=web.url(f"/login/{token}"),
                minutes=minutes,
            )
        )
