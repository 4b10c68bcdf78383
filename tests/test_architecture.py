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


FEATURES = REPO / "bot" / "features"


def feature_modules() -> list[str]:
    """Every module under bot/features/: one-file features and the modules of feature packages (a package by its
    own name, for its ``__init__.py``)."""
    names = set()
    for path in FEATURES.rglob("*.py"):
        if "__pycache__" in path.parts or path == FEATURES / "__init__.py":
            continue
        parts = path.relative_to(FEATURES).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        elif parts[-1].startswith("_"):
            continue
        names.add(".".join(("bot", "features", *parts)))
    return sorted(names)


def test_there_are_features() -> None:
    assert {"bot.features.charter", "bot.features.help", "bot.features.setup"} <= set(feature_modules())


def is_package(module_name: str) -> bool:
    return (FEATURES.joinpath(*module_name.split(".")[2:]) / "__init__.py").exists()


@pytest.mark.parametrize("module_name", [m for m in feature_modules() if not is_package(m)])
def test_each_feature_module_defines_at_most_one_feature(module_name: str) -> None:
    """One feature, one file; a one-file module without a Feature holds a pure algorithm a feature uses (no I/O).
    A feature package's ``__init__.py`` may declare its related features together (meetings: polls, meetings,
    missions); its other modules each have their role (queries.py does SQL; render.py and rules.py are pure,
    see below)."""
    module = importlib.import_module(module_name)

    features = [
        cls
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, Feature) and cls is not Feature and cls.__module__ == module_name
    ]

    assert len(features) <= 1, f"{module_name} defines {[f.__name__ for f in features]}"
    for feature in features:
        assert feature.name != Feature.name, f"{feature.__name__} should set its own name"
    path = FEATURES / f"{module_name.rsplit('.', 1)[1]}.py"
    if not features and path.exists():
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


# --- bot/ names no platform ---------------------------------------------------------------------------------

PLATFORM_NAMES = ("discord", "slack")
# Calls whose string arguments are user-facing text (content, translated through the catalogs).
TRANSLATED_CALLS = {"_", "N_", "ngettext"}
# Keyword arguments whose strings are documentation shown to people (pydantic and argparse descriptions).
DOCUMENTATION_KEYWORDS = {"description", "help", "epilog"}
# An English word that happens to be a platform's name, as a variable where it means the word: the grouping
# optimizer's slack (how many members a partial split may leave out). Strings and attributes are never excused.
ENGLISH_WORDS = {("grouping.py", "slack")}


def _called_name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def platform_names_in_code(source: str, filename: str = "") -> list[tuple[int, str]]:
    """``(line, word)`` for each name or string of code in ``source`` that contains a platform's name: string
    constants (f-strings included), variables, attributes, parameters, keywords, functions, classes and
    imports. Comments, docstrings, text passed to ``_()``/``N_()`` and ``description=``/``help=`` prose are
    content, not logic, and are not looked at."""
    tree = ast.parse(source)
    prose: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            prose.add(id(node.value))  # a docstring, or a string standing alone
        elif isinstance(node, ast.Call) and _called_name(node) in TRANSLATED_CALLS:
            prose.update(id(sub) for arg in node.args for sub in ast.walk(arg))
        elif isinstance(node, ast.keyword) and node.arg in DOCUMENTATION_KEYWORDS:
            prose.update(id(sub) for sub in ast.walk(node.value))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        words: list[str] = []
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in prose:
            words = [node.value]
        elif isinstance(node, ast.Name):
            words = [] if (filename, node.id) in ENGLISH_WORDS else [node.id]
        elif isinstance(node, ast.Attribute):
            words = [node.attr]
        elif isinstance(node, ast.arg):
            words = [node.arg]
        elif isinstance(node, ast.keyword):
            words = [node.arg or ""]
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            words = [node.name]
        elif isinstance(node, ast.alias):
            words = [node.name, node.asname or ""]
        elif isinstance(node, ast.ImportFrom):
            words = [node.module or ""]
        for word in words:
            if any(platform in word.lower() for platform in PLATFORM_NAMES):
                found.append((getattr(node, "lineno", 0), word))
    return found


def test_the_platform_name_scan_sees_code_and_skips_prose() -> None:
    """The checker itself: names and strings of code are found; docstrings, comments and translated or
    documentation text are not."""
    source = (
        '"""Works on Discord and Slack."""\n'
        "# Slack cuts labels at 75 characters\n"
        "from x import slack_thing as st\n"
        "def f(config, discord_token=None):\n"
        '    """On Discord, a guild."""\n'
        "    if config.slack is not None:\n"
        "        return 'discord'\n"
        "    label = _('Open Slack')\n"
        "    field = Field(default=None, description='a Discord role')\n"
        "    return f'{config}-slack'\n"
        "slack = 3\n"
    )

    found = platform_names_in_code(source)

    assert {word for _, word in found} == {"slack_thing", "discord_token", "slack", "discord", "-slack"}
    assert {line for line, word in found if word == "slack"} == {6, 11}
    assert platform_names_in_code("slack = 1\n", "grouping.py") == []
    assert platform_names_in_code("x.slack = 1\n", "grouping.py") == [(1, "slack")]


def test_the_core_names_no_platform() -> None:
    """A platform's knowledge (its config section, its mention syntax, its library's loggers) lives in its
    adapter: nothing under bot/ branches on, imports or spells a platform's name in code. (Content may: a
    translated text or a docstring saying what Discord does.)"""
    found = [
        f"{path.relative_to(REPO)}:{line} {word!r}"
        for path in python_files("bot")
        for line, word in platform_names_in_code(path.read_text(encoding="utf-8"), path.name)
    ]

    assert found == []


# --- what adapters may use of the core ----------------------------------------------------------------------

# The port and the public surface of the core, module by module; None: any public name of the module.
# Features (bot.features), their settings and the core's inner workings (router internals, outbox, operations,
# context beyond Outcome) are not an adapter's business, and neither is storage/.
ADAPTER_SURFACE: dict[str, set[str] | None] = {
    "bot.app": {"Agora"},  # the app to dispatch to and attach to
    "bot.chat": None,  # the port an adapter implements, its capabilities and errors
    "bot.clock": None,  # the clock (the console's simulated one)
    "bot.commandline": {"parse_command_text"},  # for platforms where commands are typed as text
    "bot.config": {"Config", "ConfigError", "load_config", "parse_config"},
    "bot.context": {"Outcome"},  # what dispatch returns
    "bot.durations": {"parse_duration"},  # the console's "wait 2d"
    "bot.errors": {"UserError"},
    "bot.events": None,  # what an adapter builds
    "bot.i18n": None,  # translator, N_, LOCALES
    "bot.logs": {"quiet_libraries"},
    "bot.membership": {"Reconciled"},  # what reconciling the member list found (Agora.reconcile_members)
    "bot.messages": None,  # what an adapter renders
    # Commands to publish; the console's feature list; how a text platform spells a command.
    "bot.router": {"CommandSpec", "Option", "Feature", "command_text"},
    "bot.runtime": {"Adapter", "Database", "open_database"},  # the console opens its own database
    "bot.scheduler": {"VirtualScheduler"},  # the console's simulated time
    "bot.web": {"Dashboard"},  # the demo serves the dashboard, as `agora run` does, when its config says so
}


def imported_names(source: str, package: str) -> list[tuple[int, str, str | None]]:
    """``(line, module, name)`` for each import in ``source`` (``name`` None for ``import module``); relative
    imports resolved inside ``package``. Everywhere: functions and ``TYPE_CHECKING`` blocks too."""
    found: list[tuple[int, str, str | None]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = f"{package}.{node.module}" if node.level and node.module else node.module or package
            found += [(node.lineno, module, alias.name) for alias in node.names]
        elif isinstance(node, ast.Call) and (dynamic := _dynamic_import(node)):
            found.append((node.lineno, dynamic, None))
    return found


def adapter_surface_violations(source: str) -> list[str]:
    problems = []
    for line, module, name in imported_names(source, "adapters"):
        top = module.split(".")[0]
        if top == "storage":
            problems.append(f"{line}: {module}")
        if top != "bot":
            continue
        if module == "bot" and name is not None:  # from bot import chat: the module bot.chat
            module, name = f"bot.{name}", None
        allowed = ADAPTER_SURFACE.get(module, set())
        if module not in ADAPTER_SURFACE or (
            name is not None and allowed is not None and name not in allowed
        ):
            problems.append(f"{line}: {module}" + (f".{name}" if name else ""))
        elif name is not None and name.startswith("_"):
            problems.append(f"{line}: {module}.{name} (private)")
    return sorted(problems, key=lambda problem: int(problem.partition(":")[0]))


def test_the_adapter_surface_scan_sees_every_import() -> None:
    source = (
        "from bot.chat import Chat, Capability\n"
        "from bot.context import Outcome, Context\n"
        "from bot import features\n"
        "import storage.database\n"
        "def f():\n    from bot.features.charter import CharterFeature\n"
        "from bot.i18n import _catalog_path\n"
    )

    assert adapter_surface_violations(source) == [
        "2: bot.context.Context",
        "3: bot.features",
        "4: storage.database",
        "6: bot.features.charter.CharterFeature",
        "7: bot.i18n._catalog_path (private)",
    ]


def test_adapters_use_only_the_port_and_the_public_core() -> None:
    """Adapters import from bot/ only what ADAPTER_SURFACE lists: never a feature, never storage."""
    assert python_files("adapters"), "no source found under adapters/"
    found = [
        f"{path.relative_to(REPO)}:{problem}"
        for path in python_files("adapters")
        for problem in adapter_surface_violations(path.read_text(encoding="utf-8"))
    ]

    assert found == []


# --- features' render and rules modules are pure -------------------------------------------------------------


def test_render_and_rules_modules_touch_no_database() -> None:
    """In every feature package, present and future: ``render.py`` turns plain data into messages and
    ``rules.py`` decides; neither imports storage/ or SQLAlchemy (not even for a type hint)."""
    modules = sorted(
        path
        for path in FEATURES.rglob("*.py")
        if path.name in ("render.py", "rules.py") and "__pycache__" not in path.parts
    )
    found = [
        f"{path.relative_to(REPO)}:{line} imports {module}"
        for path in modules
        for module, line in sorted(imported_top_levels(path.read_text(encoding="utf-8"), "bot").items())
        if module in ("storage", "sqlalchemy")
    ]

    assert found == []
