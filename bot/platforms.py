"""The platforms Agora can serve: the adapters installed, found by name through the ``agora.adapters`` entry points.

The core never imports an adapter and names none. An adapter's entry point (``create(app, config)``, declared
in pyproject.toml) lives in a module that also says how the adapter's config section reads:

* ``config_model``: the pydantic model of its section (``platforms.<name>:`` in the config file);
* ``check_config(settings) -> list[str]`` (optional): what is valid but looks wrong, each ``"key: what to do"``,
  shown by ``agora check-config``.
* ``is_member_id(text) -> bool`` and ``MEMBER_ID_HELP`` (optional): what the platform's member ids look like, and
  where a person copies one; ``community.animators`` entries no configured platform reads as an id are refused.

The keys its ``config_model`` types ``SecretStr`` are its secrets: written in the file rather than as ``${ENV}``,
they get a warning from ``agora check-config`` and ``agora run``.

Adding a platform adds a package and an entry point; nothing here changes.
"""

from __future__ import annotations

import importlib
from functools import cache
from importlib.metadata import entry_points
from types import ModuleType
from typing import Any

__all__ = ["GROUP", "adapter_module", "installed", "load_adapter"]

GROUP = "agora.adapters"
_SOURCE_PACKAGE = "adapters"  # where a source tree without installed entry points keeps them


@cache
def installed() -> tuple[str, ...]:
    """The names of the installed adapters, sorted."""
    return tuple(sorted({ep.name for ep in entry_points(group=GROUP)}))


def load_adapter(name: str, group: str = GROUP, attr: str = "create") -> Any:
    """Adapter ``name``'s entry point (for ``agora.adapters``, ``create(app, config)``), from the installed
    entry points or, when running from a source tree, the conventional module."""
    for ep in entry_points(group=group):
        if ep.name == name:
            return ep.load()
    return getattr(importlib.import_module(f"{_SOURCE_PACKAGE}.{name}"), attr)


def adapter_module(name: str) -> ModuleType | None:
    """The module holding adapter ``name``'s ``create`` (and its ``config_model``), or None when no adapter of
    that name is installed."""
    for ep in entry_points(group=GROUP):
        if ep.name == name:
            return importlib.import_module(ep.module)
    if not name.isidentifier():
        return None
    module_name = f"{_SOURCE_PACKAGE}.{name}"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name in (_SOURCE_PACKAGE, module_name):
            return None
        raise
    return module if callable(getattr(module, "create", None)) else None
