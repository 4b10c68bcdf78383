"""The settings command a feature gets from its settings model: ``/agora <feature> settings [option=value ...]``.

Options come from the model's fields (their kind from the annotated type, their help from the field's
description), each value is read by its kind with the kind's refusal, the section is validated whole, saved among
the community's own settings, the feature's schedules are reconciled, and the feature's settings page is shown.
With no option, the command shows the page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from bot.errors import UserError
from bot.events import CommandInvoked
from bot.i18n import N_
from bot.messages import Field, Message
from bot.settings.types import INTEGER, Kind, excerpt, kind_of

if TYPE_CHECKING:
    from bot.context import Context
    from bot.feature import Feature
    from bot.router import CommandSpec, Option

__all__ = ["describe", "option_name", "settings_command", "settings_options"]


def _bounds(info: Any) -> tuple[int | None, int | None]:
    low = high = None
    for item in info.metadata:
        low = getattr(item, "ge", low)
        high = getattr(item, "le", high)
    return low, high


def settings_options(model: type[BaseModel], hidden: frozenset[str] = frozenset()) -> tuple[Option, ...]:
    """One option per field of ``model`` (but ``hidden``), typed by the field's kind."""
    from bot.router import Option

    options = []
    for name, info in model.model_fields.items():
        if name in hidden:
            continue
        kind, choices = kind_of(info.annotation, info.metadata)
        low, high = _bounds(info) if kind.wire == "integer" else (None, None)
        options.append(
            Option(
                option_name(name, info),
                info.description or name,
                type=kind,
                choices=choices,
                minimum=low,
                maximum=high,
                error=(info.json_schema_extra or {}).get("error")  # type: ignore[arg-type]
                if isinstance(info.json_schema_extra, dict)
                else None,
                # A field's own refusal for a number out of its bounds (``json_schema_extra={"range_error": ...}``).
                range_error=(info.json_schema_extra or {}).get("range_error")  # type: ignore[arg-type]
                if isinstance(info.json_schema_extra, dict)
                else None,
            )
        )
    return tuple(options)


def option_name(name: str, info: Any) -> str:
    """The option a field is changed with: the field's name, or the shorter one it gives
    (``json_schema_extra={"option": "digest"}``), which a command had before the generated one."""
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    return str(extra.get("option") or name)


def settings_command(feature: Feature) -> CommandSpec:
    """The command ``feature`` declares with ``settings_command``, built from its settings model."""
    from bot.router import CommandSpec

    model = feature.settings
    assert model is not None and feature.settings_command
    section = feature.settings_section()
    options = settings_options(model, feature.settings_hidden)
    kinds = {option.name: option.value_kind for option in options}
    # Option name -> field name (they differ where a field keeps an older, shorter option name).
    fields = {option_name(name, info): name for name, info in model.model_fields.items()}
    by_field = {fields[option.name]: option for option in options}

    async def handler(ctx: Context[Any]) -> None:
        args = ctx.args
        if not args:
            await ctx.app.reconcile_schedules(ctx, [feature])
            title = (
                ctx._(feature.settings_title)
                if feature.settings_title
                else ctx._("Settings: {feature}", feature=section)
            )
            ctx.reply(await feature.describe_settings(ctx, title))
            return
        current = ctx.settings.section(section)
        changes = {fields[name]: _stored(kinds[name], value) for name, value in args.items()}
        try:
            model.model_validate({**current.model_dump(mode="json"), **changes})
        except ValidationError as exc:
            raise _refusal(ctx, exc, by_field, args) from None
        ctx.save_settings(changes, section=section)
        await ctx.app.reconcile_schedules(ctx, [feature])
        await feature.settings_saved(ctx, changes)
        saved = (
            ctx._(feature.settings_saved_title) if feature.settings_saved_title else ctx._("Settings saved.")
        )
        ctx.reply(await feature.describe_settings(ctx, saved))

    handler.__name__ = f"{feature.name}_settings"
    return CommandSpec(
        name=feature.settings_command,
        description=feature.settings_description or N_("Settings of this feature (animators)"),
        options=options,
        animator_only=True,
        handler=handler,
        feature=feature.name,
    )


def _refusal(
    ctx: Context[Any], error: ValidationError, by_field: dict[str, Option], given: dict[str, Any]
) -> UserError:
    """The refusal for settings that don't validate: the bad option's own message, in the member's language
    (pydantic's reasons are English and name fields, not options)."""
    first = error.errors()[0]
    option = by_field.get(str(first["loc"][0])) if first["loc"] else None
    if option is None:
        return UserError(
            ctx._(
                "These settings can't be saved together. See them with /agora {command}.",
                command=ctx.event.name if isinstance(ctx.event, CommandInvoked) else "help",
            )
        )
    return UserError(
        ctx._(
            option.error or option.value_kind.error,
            value=excerpt(given.get(option.name, first.get("input", ""))),
            option=option.name,
            choices=", ".join(option.choices),
        )
    )


def _stored(kind: Kind, value: Any) -> Any:
    """How a converted value is kept among the community's settings (JSON, as a member would write it)."""
    if value is None or isinstance(value, bool | int | float | str) or kind is INTEGER:
        return value
    return kind.show(value)


def describe(ctx: Context[Any], feature: type[Feature], title: str) -> Message:
    """The default settings page: each setting, its value, and how to change it."""
    _ = ctx._
    model = feature.settings
    assert model is not None
    section = ctx.settings.section(feature.settings_section())
    fields = []
    for name, info in model.model_fields.items():
        if name in feature.settings_hidden:
            continue
        kind, _choices = kind_of(info.annotation, info.metadata)
        value = getattr(section, name)
        shown = (
            _("off")
            if value is None
            else (_("yes") if value else _("no"))
            if isinstance(value, bool)
            else kind.display(value)
        )
        label = _(info.description) if info.description else name
        fields.append(Field(f"{name}: {label}", shown))
    return Message(
        title=title,
        text=_(
            "Change them with /agora {command} and the option's name, e.g. {example}.",
            command=feature.settings_command or "",
            example=f"{fields[0].name.split(':')[0]}=…" if fields else "",
        ),
        fields=tuple(fields),
        ephemeral=True,
    )
