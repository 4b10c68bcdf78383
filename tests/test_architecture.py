"""The three floors: imports point down only (adapters -> bot -> storage), and features are one per module."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest

from bot.router import Feature

REPO = Path(__file__).resolve().parents[1]
PLATFORM_LIBRARIES = {"discord", "slack_bolt", "slack_sdk"}


def python_files(package: str) -> list[Path]:
    return sorted(p for p in (REPO / package).rglob("*.py") if "__pycache__" not in p.parts)


def imported_top_levels(source: str, package: str) -> dict[str, int]:
    """Every top-level module ``source`` imports, anywhere (functions, ``TYPE_CHECKING`` blocks, ``import_module``
    with a literal name), with the line of its first import. Relative imports stay inside ``package``."""
    found: dict[str, int] = {}
    for node in ast.walk(ast.parse(source)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [package] if node.level else [node.module or ""]
        elif isinstance(node, ast.Call) and (dynamic := _dynamic_import(node)):
            names = [dynamic]
        for name in names:
            found.setdefault(name.split(".")[0], node.lineno)
    return found


def _dynamic_import(call: ast.Call) -> str | None:
    """The module named by ``import_module("x")`` / ``__import__("x")``, if ``call`` is one."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    if name not in ("import_module", "__import__") or not call.args:
        return None
    first = call.args[0]
    return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None


def violations(package: str, forbidden: set[str]) -> list[str]:
    return [
        f"{path.relative_to(REPO)}:{line} imports {module}"
        for path in python_files(package)
        for module, line in sorted(imported_top_levels(path.read_text(encoding="utf-8"), package).items())
        if module in forbidden
    ]


def test_the_scan_sees_imports_everywhere() -> None:
    """The checker itself: nested, conditional, relative and dynamic imports are all found."""
    source = (
        "from typing import TYPE_CHECKING\n"
        "from . import events\n"
        "if TYPE_CHECKING:\n    import discord.ext.commands\n"
        "def f():\n    from slack_bolt.async_app import AsyncApp\n"
        "class C:\n    def g(self):\n        import importlib\n        importlib.import_module('adapters.slack')\n"
    )

    found = imported_top_levels(source, "bot")

    assert set(found) == {"typing", "bot", "discord", "slack_bolt", "importlib", "adapters"}
    assert found["discord"] == 4


def test_the_core_never_imports_a_platform_or_an_adapter() -> None:
    """bot/ is platform-neutral: adapters are found through entry points, never imported."""
    assert python_files("bot"), "no source found under bot/"
    assert violations("bot", PLATFORM_LIBRARIES | {"adapters"}) == []


def test_storage_imports_nothing_above_it() -> None:
    assert python_files("storage"), "no source found under storage/"
    assert violations("storage", PLATFORM_LIBRARIES | {"bot", "adapters"}) == []


def feature_modules() -> list[str]:
    return sorted(
        f"bot.features.{path.stem}"
        for path in (REPO / "bot" / "features").glob("*.py")
        if not path.stem.startswith("_")
    )


def test_there_are_features() -> None:
    assert {"bot.features.charter", "bot.features.help", "bot.features.setup"} <= set(feature_modules())


@pytest.mark.parametrize("module_name", feature_modules())
def test_each_feature_module_defines_at_most_one_feature(module_name: str) -> None:
    """One feature, one file; a module without a Feature holds a pure algorithm a feature uses (no I/O)."""
    module = importlib.import_module(module_name)

    features = [
        cls
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, Feature) and cls is not Feature and cls.__module__ == module_name
    ]

    assert len(features) <= 1, f"{module_name} defines {[f.__name__ for f in features]}"
    for feature in features:
        assert feature.name != Feature.name, f"{feature.__name__} should set its own name"
    if not features:
        path = REPO / "bot" / "features" / f"{module_name.rsplit('.', 1)[1]}.py"
        imported = set(imported_top_levels(path.read_text(encoding="utf-8"), "bot"))
        assert not imported & {"sqlalchemy", "storage", "aiohttp", "asyncio"}, f"{module_name} should be pure"


def test_feature_names_are_unique() -> None:
    names = [
        cls.name
        for module_name in feature_modules()
        for _, cls in inspect.getmembers(importlib.import_module(module_name), inspect.isclass)
        if issubclass(cls, Feature) and cls is not Feature and cls.__module__ == module_name
    ]

    assert len(names) == len(set(names)), names
