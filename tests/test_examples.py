"""Every example script the README shows replays from start to end, in English and in French."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.console.demo import run_demo

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.agora"))


def test_there_is_an_example_per_issue() -> None:
    names = {path.stem for path in EXAMPLES}
    assert {"walking-skeleton", "newcomers-and-charter", "meeting-people", "debates-and-meetings"} <= names


@pytest.mark.parametrize("locale", ["en", "fr"])
@pytest.mark.parametrize("script", EXAMPLES, ids=lambda path: path.stem)
async def test_the_example_replays(script: Path, locale: str, tmp_path: Path) -> None:
    lines: list[str] = []
    code = await run_demo(
        script=script,
        locale=locale,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}",
        out=lines.append,
    )
    assert code == 0
    assert any(line.startswith(">") for line in lines)
