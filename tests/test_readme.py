"""The README's first screen is what a newcomer runs, and CI runs exactly its test command."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def shell_blocks(text: str) -> list[str]:
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S)]


def test_the_first_two_commands_install_and_start_the_demo_then_run_the_tests() -> None:
    blocks = shell_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    demo, tests = blocks[0], blocks[1]
    assert "pip install" in demo and demo.endswith("agora demo")
    assert "pip install" in tests and tests.endswith("pytest")


def test_ci_runs_the_readmes_install_and_test_command() -> None:
    tests = shell_blocks((ROOT / "README.md").read_text(encoding="utf-8"))[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    install, run = tests.rsplit(" && ", 1)
    assert install in ci and run in ci
