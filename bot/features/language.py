"""``/agora language fr|en|auto``: the language Agora speaks to a member alone (answers, forms, direct messages,
reminders). ``auto`` follows what their platform says (Discord's client, Slack's profile); posts in channels keep
the community's language."""

from __future__ import annotations

from typing import Any

from bot.context import Context
from bot.i18n import LOCALE_NAMES, LOCALES, N_
from bot.router import Feature, Option, command

__all__ = ["LanguageFeature"]

AUTO = "auto"


class LanguageFeature(Feature):
    """Each member's own language."""

    name = "language"
    title = N_("Your language")
    order = 5

    @command(
        "language",
        N_("The language I speak to you in: fr, en, or auto (your app's)"),
        options=[
            Option(
                "language",
                N_("fr, en, or auto to follow your app"),
                required=True,
                choices=(*LOCALES, AUTO),
                labels=tuple(LOCALE_NAMES.items()),
                error=N_("“{value}” is not a language I speak. Choose fr (français), en (English) or auto."),
            )
        ],
    )
    async def language(self, ctx: Context[Any], language: str = AUTO) -> None:
        member = await ctx.member()
        member.locale_chosen = None if language == AUTO else language
        await ctx.speak_to_actor()
        _ = ctx._
        if language == AUTO:
            ctx.reply(
                _(
                    "I'll speak to you in your app's language when I can (else in the community's). "
                    "Posts in channels stay in the community's language."
                )
            )
        else:
            ctx.reply(
                _(
                    "I'll speak to you in English from now on. Posts in channels stay in the community's "
                    "language. Change it with /agora language."
                )
            )
