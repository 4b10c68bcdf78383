"""The test suite's own layout and set-up.

Test modules never import each other: what several of them share lives in a ``conftest.py`` (fixtures) or a
``support.py`` (helpers, imported normally), so each test module can run, move or disappear on its own.
Every test database starts as a copy of one migrated file, and the app's start-up migration has nothing to do.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from sqlalchemy import text

from storage.database import Database
from storage.migrate import current_revisions, head_revisions

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def imported_modules(source: str, module: str) -> list[tuple[int, str]]:
    """(line, module) for every module that ``source`` (the text of ``module``) imports: relative imports
    resolved, and ``from x import y`` giving ``x.y`` as well, since ``y`` may be a module."""
    package = module.split(".")[:-1]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package[: len(package) - node.level + 1], *([base] if base else [])])
            found.append((node.lineno, base))
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def is_test_module(module: str) -> bool:
    return module.startswith("tests.") and module.rsplit(".", 1)[-1].startswith("test_")


def test_no_test_module_imports_another_test_module() -> None:
    offences = [
        f"{path.relative_to(ROOT)}:{line} imports {imported}"
        for path in sorted(TESTS.rglob("*.py"))
        if "__pycache__" not in path.parts
        for line, imported in imported_modules(path.read_text(encoding="utf-8"), module_name(path))
        if is_test_module(imported)
    ]
    assert not offences, (
        "Share fixtures through a conftest.py and helpers through a support.py, not by importing a test "
        "module:\n" + "\n".join(offences)
    )


def test_the_import_check_sees_every_form_of_import() -> None:
    source = (
        "from tests.test_onboarding import arrive\n"
        "from tests.discord import test_discord_adapter\n"
        "from .test_rounds_discord import bot_and_world\n"
        "import tests.test_meetings\n"
        "from tests.support import make_config\n"
        "from .support import Bot\n"
        "from ..fakes.fake_discord import FakeDiscord\n"
    )
    found = imported_modules(source, "tests.discord.test_example")
    assert [m for _, m in found if is_test_module(m)] == [
        "tests.test_onboarding",
        "tests.discord.test_discord_adapter",
        "tests.discord.test_rounds_discord",
        "tests.test_meetings",
    ]
    assert {"tests.support", "tests.discord.support", "tests.fakes.fake_discord"} <= {m for _, m in found}


async def schema_and_rows(database: Database) -> list[Any]:
    """Everything a migration could change: on SQLite every table, index and trigger as created, on PostgreSQL
    each column of the public schema with its type and default and each index; and the revision recorded."""
    async with database.engine.connect() as conn:
        if database.is_sqlite:
            queries = [
                "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY 1, 2",
                "SELECT * FROM alembic_version",
            ]
            return [list((await conn.execute(text(query))).all()) for query in queries]
        queries = [
            "SELECT table_name, column_name, data_type, character_maximum_length, column_default, is_nullable "
            "FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2",
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1",
            "SELECT version_num FROM alembic_version",
        ]
        return [list((await conn.execute(text(query))).all()) for query in queries]


async def test_each_test_database_starts_at_the_head_and_the_start_up_migration_changes_nothing(
    db_url: str,
) -> None:
    database = Database(db_url)
    try:
        before = await schema_and_rows(database)
        assert await current_revisions(database.engine) == head_revisions()
        await database.upgrade()  # what ConsoleCommunity.start and ``agora run`` do first
        assert await current_revisions(database.engine) == head_revisions()
        assert await schema_and_rows(database) == before
    finally:
        await database.close()
