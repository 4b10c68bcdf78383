"""``/agora help``: what the caller may do, in the community's language."""

from __future__ import annotations

from typing import Any

from bot.context import Context
from bot.i18n import N_
from bot.messages import Field, Message
from bot.router import CommandSpec, Feature, command

__all__ = ["HelpFeature"]


class HelpFeature(Feature):
    """Lists the commands, the animators' ones only to animators."""

    name = "help"

    @command("help", N_("What you can do with Agora"))
    async def help(self, ctx: Context[Any]) -> None:
        _ = ctx._
        specs = sorted(ctx.app.router.commands.values(), key=lambda s: s.name)
        members = [s for s in specs if not s.animator_only]

        def lines(commands: list[CommandSpec]) -> str:
            return "\n".join(f"{ctx.command_text(s.name)} — {s.describe(_)}" for s in commands)

        fields = [Field(_("For everyone"), lines(members))]
        if ctx.is_animator:
            animators = [s for s in specs if s.animator_only]
            if animators:
                fields.append(Field(_("For animators"), lines(animators)))
        ctx.reply(
            Message(
                title=_("What you can do with Agora"),
                text=_(
                    "Agora helps this community's members meet, agree on their charter and keep in touch."
                ),
                fields=tuple(fields),
                ephemeral=True,
            )
        )
