"""The ``agora`` command, run for real in a subprocess, as an operator would type it."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.support import agora

REPO = Path(__file__).resolve().parents[1]
SKELETON = REPO / "examples" / "walking-skeleton.agora"
FRENCH_CATALOG = REPO / "bot" / "i18n" / "fr" / "LC_MESSAGES" / "agora.po"


def write_config(path: Path, database: Path, extra: str = "") -> Path:
    path.write_text(
        f"database:\n  url: sqlite+aiosqlite:///{database}\nhealth:\n  port: 0\n{extra}", encoding="utf-8"
    )
    return path


def french_translation(message: str) -> str | None:
    """``message`` in the French catalog, when the catalog exists and translates it."""
    if not FRENCH_CATALOG.exists():
        return None
    with FRENCH_CATALOG.open("rb") as handle:
        found = read_po(handle, locale="fr").get(message)
    if found is None or found.fuzzy or not found.string or not isinstance(found.string, str):
        return None
    return found.string


# --- help ---------------------------------------------------------------------------------------------------


def test_help_lists_every_command(tmp_path: Path) -> None:
    result = agora("--help", cwd=tmp_path)

    assert result.returncode == 0
    for command in ("run", "demo", "check-config", "db"):
        assert command in result.stdout


def test_the_console_script_is_installed_next_to_python(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / ("agora.exe" if os.name == "nt" else "agora")
    if not script.exists():
        pytest.skip("the agora console script is not installed in this environment")

    result = subprocess.run(
        [str(script), "--help"], cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False
    )

    assert result.returncode == 0
    assert "check-config" in result.stdout


# --- check-config -------------------------------------------------------------------------------------------


def test_check_config_accepts_a_good_file(tmp_path: Path) -> None:
    config = write_config(tmp_path / "good.yaml", tmp_path / "agora.db")

    result = agora("check-config", config, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "is valid" in result.stdout


def test_check_config_reads_secrets_from_the_environment_and_never_prints_them(tmp_path: Path) -> None:
    token = "MTIz" + "NDU2Nzg5MDEyMzQ1Njc4.GabcDE.abcdefghijklmnopqrstuvwxyz0123"
    config = write_config(
        tmp_path / "good.yaml", tmp_path / "agora.db", "discord:\n  token: ${DISCORD_TOKEN}\n"
    )

    result = agora("check-config", config, cwd=tmp_path, env={"DISCORD_TOKEN": token})

    assert result.returncode == 0, result.stderr
    assert "discord" in result.stdout
    assert token not in result.stdout + result.stderr


def test_check_config_names_the_bad_key(tmp_path: Path) -> None:
    config = write_config(tmp_path / "bad.yaml", tmp_path / "agora.db", "logging:\n  levle: DEBUG\n")

    result = agora("check-config", config, cwd=tmp_path)

    assert result.returncode == 1
    assert "logging.levle" in result.stderr
    assert "unknown key" in result.stderr


def test_check_config_names_a_missing_secret(tmp_path: Path) -> None:
    config = write_config(
        tmp_path / "bad.yaml", tmp_path / "agora.db", "discord:\n  token: ${DISCORD_TOKEN}\n"
    )

    result = agora("check-config", config, cwd=tmp_path)

    assert result.returncode == 1
    assert "discord.token" in result.stderr
    assert "DISCORD_TOKEN" in result.stderr


def test_check_config_shows_what_each_adapter_finds_doubtful_without_the_secret(tmp_path: Path) -> None:
    token = "xoxb" + "-123-456-abcdef"
    config = write_config(
        tmp_path / "good.yaml",
        tmp_path / "agora.db",
        "platforms:\n  discord:\n    token: ${DISCORD_TOKEN}\n",
    )

    result = agora("check-config", config, cwd=tmp_path, env={"DISCORD_TOKEN": token})

    assert result.returncode == 0, result.stderr
    assert "platforms: discord." in result.stdout
    assert "warning: platforms.discord.token: this looks like a Slack token" in result.stdout
    assert token not in result.stdout + result.stderr


def test_check_config_names_an_adapter_problem_where_it_was_written(tmp_path: Path) -> None:
    config = write_config(
        tmp_path / "bad.yaml",
        tmp_path / "agora.db",
        "slack:\n  bot_token: xoxb-1\n  mode: http\nplatforms:\n  discord:\n    token: a.b.c\n    sync: no\n",
    )

    result = agora("check-config", config, cwd=tmp_path)

    assert result.returncode == 1
    assert "slack.signing_secret: HTTP mode needs" in result.stderr
    assert "platforms.discord.sync: unknown key" in result.stderr


def test_check_config_on_a_missing_file_says_so(tmp_path: Path) -> None:
    result = agora("check-config", "missing.yaml", cwd=tmp_path)

    assert result.returncode == 1
    assert "missing.yaml" in result.stderr
    assert "no such file" in result.stderr


# --- db upgrade ---------------------------------------------------------------------------------------------


def test_db_upgrade_creates_the_tables(tmp_path: Path) -> None:
    database = tmp_path / "agora.db"
    config = write_config(tmp_path / "agora.yaml", database)

    result = agora("db", "upgrade", "--config", config, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    with sqlite3.connect(database) as connection:
        revisions = connection.execute("SELECT version_num FROM alembic_version").fetchall()
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    connection.close()
    assert len(revisions) == 1 and revisions[0][0]
    assert "communities" in tables


def test_db_upgrade_twice_changes_nothing(tmp_path: Path) -> None:
    config = write_config(tmp_path / "agora.yaml", tmp_path / "agora.db")

    first = agora("db", "upgrade", "--config", config, cwd=tmp_path)
    second = agora("db", "upgrade", "--config", config, cwd=tmp_path)

    assert first.returncode == 0 and second.returncode == 0, second.stderr


def test_db_upgrade_finds_the_config_in_agora_config(tmp_path: Path) -> None:
    database = tmp_path / "from-env.db"
    config = write_config(tmp_path / "elsewhere.yaml", database)

    result = agora("db", "upgrade", cwd=tmp_path, env={"AGORA_CONFIG": str(config)})

    assert result.returncode == 0, result.stderr
    assert database.exists()


# --- demo ---------------------------------------------------------------------------------------------------


def test_the_walking_skeleton_replays_in_english(tmp_path: Path) -> None:
    result = agora("demo", "--script", SKELETON, "--locale", "en", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "✉ DM to alice" in out
    assert "Welcome to The Indie Collective!" in out
    assert "You accepted the charter of The Indie Collective" in out
    after_wait, _, after_restart = out.partition("> wait 2d")[2].partition("⟳ Agora restarted")
    assert "✉ DM to bob" in after_wait
    assert out.count("A gentle reminder") == 1
    assert "A gentle reminder" in after_wait
    assert "A gentle reminder" not in after_restart
    assert "What you can do with Agora" in out
    assert "/agora charter" in out


def test_the_walking_skeleton_replays_in_french(tmp_path: Path) -> None:
    # Buttons are pressed by their action, which reads the same in every language.
    script = tmp_path / "squelette.agora"
    script.write_text(
        SKELETON.read_text(encoding="utf-8").replace('"I accept the charter"', "charter:accept"),
        encoding="utf-8",
    )

    result = agora("demo", "--script", script, "--locale", "fr", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    out = result.stdout
    # The community's own content is French whatever the state of the catalog.
    assert "Collectif des Indés" in out
    assert "Rompre l'isolement des indépendants du numérique" in out
    # bob: the welcome, one reminder, then (once he accepted) the invitation to introduce himself.
    assert out.count("✉ DM to bob") == 3
    welcome = french_translation("Welcome to {community}!")
    if welcome is None:
        pytest.skip("the French catalog does not translate the welcome yet")
    assert welcome.format(community="Collectif des Indés") in out
    assert "Welcome to Collectif des Indés!" not in out
    assert "A gentle reminder" not in out


def test_the_walking_skeleton_script_itself_replays_in_french(tmp_path: Path) -> None:
    result = agora("demo", "--script", SKELETON, "--locale", "fr", cwd=tmp_path)

    assert result.returncode == 0, result.stderr


def test_a_script_line_the_demo_cannot_read_names_its_number(tmp_path: Path) -> None:
    script = tmp_path / "broken.agora"
    script.write_text("# a comment\nalice joins\nalice dances the tango\n", encoding="utf-8")

    result = agora("demo", "--script", script, cwd=tmp_path)

    assert result.returncode == 2
    assert "line 3" in result.stderr
    assert "alice dances the tango" in result.stderr


def test_a_missing_script_is_named(tmp_path: Path) -> None:
    result = agora("demo", "--script", "nowhere.agora", cwd=tmp_path)

    assert result.returncode == 1
    assert "nowhere.agora" in result.stderr


def test_the_interactive_demo_plays_what_is_typed(tmp_path: Path) -> None:
    typed = 'alice joins\nalice presses "I accept the charter"\nalice waves\nquit\n'

    result = agora("demo", cwd=tmp_path, stdin=typed)

    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Welcome to the Agora demo" in out
    assert "> alice joins" in out
    assert "✉ DM to alice" in out
    assert "You accepted the charter" in out
    assert "⚠" in out and "alice waves" in out  # a typo is explained, and the demo goes on
    assert out.index("✉ DM to alice") < out.index("You accepted the charter")


def test_the_interactive_demo_ends_at_end_of_input(tmp_path: Path) -> None:
    result = agora("demo", cwd=tmp_path, stdin="alice joins\n")

    assert result.returncode == 0, result.stderr
    assert "✉ DM to alice" in result.stdout


def test_the_demo_keeps_its_data_where_asked(tmp_path: Path) -> None:
    database = tmp_path / "demo.db"

    result = agora("demo", "--db", database, cwd=tmp_path, stdin="alice joins\nquit\n")

    assert result.returncode == 0, result.stderr
    with sqlite3.connect(database) as connection:
        members = connection.execute("SELECT external_id FROM members").fetchall()
    connection.close()
    assert members == [("alice",)]
