"""The configuration file: every mistake comes back as a clear message naming the key, and no secret leaks."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from bot.config import ConfigError, load_config, parse_config

REPO = Path(__file__).resolve().parents[1]

DISCORD_TOKEN = "MTIz" + "NDU2Nzg5MDEyMzQ1Njc4.GabcDE.abcdefghijklmnopqrstuvwxyz0123"
SLACK_BOT_TOKEN = "xoxb" + "-123-456-abcdef"
SLACK_APP_TOKEN = "xapp" + "-1-A0123-456-cafe"  # split: no token-shaped string in the tree
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
SECRETS = {
    "DISCORD_TOKEN": DISCORD_TOKEN,
    "SLACK_BOT_TOKEN": SLACK_BOT_TOKEN,
    "SLACK_APP_TOKEN": SLACK_APP_TOKEN,
    "SLACK_SIGNING_SECRET": SIGNING_SECRET,
}


def config_error(data: Any, env: dict[str, str] | None = None) -> str:
    """The message of the ConfigError that ``data`` raises."""
    with pytest.raises(ConfigError) as caught:
        parse_config(data, "agora.yaml", env={} if env is None else env)
    return str(caught.value)


def assert_no_secret(message: str) -> None:
    for value in SECRETS.values():
        assert value not in message


# --- unknown keys -------------------------------------------------------------------------------------------


def test_an_unknown_top_level_key_is_named_with_the_known_ones() -> None:
    message = config_error({"databse": {"url": "sqlite+aiosqlite:///x.db"}})

    assert message.startswith("agora.yaml: databse: unknown key")
    for known in ("community", "database", "discord", "health", "logging", "slack"):
        assert known in message


def test_an_unknown_nested_key_is_named_by_its_dotted_path() -> None:
    message = config_error({"health": {"prot": 8080}})

    assert "health.prot: unknown key" in message
    assert "known keys here: enabled, host, port" in message


def test_an_unknown_key_deep_in_the_charter_is_named_too() -> None:
    message = config_error({"community": {"charter": {"objectiv": "Meet"}}})

    assert "community.charter.objectiv: unknown key" in message
    assert "objective" in message


def test_several_problems_are_listed_one_per_line() -> None:
    message = config_error({"health": {"port": "abc"}, "logging": {"level": "LOUD"}})

    assert "has 2 problems" in message
    assert re.search(r"^  - health\.port: ", message, re.MULTILINE)
    assert re.search(r"^  - logging\.level: ", message, re.MULTILINE)


# --- wrong values -------------------------------------------------------------------------------------------


def test_a_port_that_is_not_a_number_names_the_key_and_the_value() -> None:
    message = config_error({"health": {"port": "abc"}})

    assert "health.port" in message
    assert "integer" in message
    assert "'abc'" in message


def test_a_port_out_of_range_is_refused() -> None:
    assert "health.port" in config_error({"health": {"port": 70000}})


def test_an_unknown_time_zone_is_refused_with_examples() -> None:
    message = config_error({"community": {"timezone": "Mars/Olympus_Mons"}})

    assert "community.timezone" in message
    assert "unknown time zone 'Mars/Olympus_Mons'" in message
    assert "Europe/Paris" in message


def test_a_bad_duration_is_refused_with_examples() -> None:
    message = config_error({"community": {"charter_reminder_after": "soon"}})

    assert "community.charter_reminder_after" in message
    assert "'soon'" in message
    assert "2d" in message


def test_delivery_records_are_kept_thirty_days_unless_configured_and_never_less_than_a_day() -> None:
    assert parse_config({}, "test", env={}).database.keep_for.days == 30
    assert parse_config({"database": {"keep_for": "90d"}}, "test", env={}).database.keep_for.days == 90

    message = config_error({"database": {"keep_for": "2h"}})

    assert "database.keep_for" in message
    assert "at least 1d" in message


def test_a_duration_is_read_from_its_short_form() -> None:
    config = parse_config({"community": {"charter_reminder_after": "36h"}}, env={})

    assert config.community.charter_reminder_after.total_seconds() == 36 * 3600


def test_an_unknown_locale_lists_the_ones_available() -> None:
    message = config_error({"community": {"locale": "de"}})

    assert "community.locale" in message
    assert "'fr'" in message and "'en'" in message


def test_an_unknown_channel_purpose_is_refused() -> None:
    message = config_error({"community": {"channels": {"lobby": "C1"}}})

    assert "community.channels" in message
    assert "'lobby'" in message
    assert "welcome" in message


# --- secrets from the environment ---------------------------------------------------------------------------


def test_a_missing_secret_names_the_key_and_the_variable() -> None:
    message = config_error(
        {"discord": {"token": "${DISCORD_TOKEN}"}}, env={"SLACK_BOT_TOKEN": SLACK_BOT_TOKEN}
    )

    assert "discord.token" in message
    assert "DISCORD_TOKEN" in message
    assert "not set" in message
    assert_no_secret(message)


def test_an_empty_secret_counts_as_missing() -> None:
    message = config_error({"discord": {"token": "${DISCORD_TOKEN}"}}, env={"DISCORD_TOKEN": ""})

    assert "discord.token" in message
    assert "DISCORD_TOKEN" in message


def test_a_secret_set_in_the_environment_is_substituted_and_kept_secret() -> None:
    config = parse_config({"discord": {"token": "${DISCORD_TOKEN}"}}, env=SECRETS)

    discord = config.platform("discord")
    assert discord is not None
    assert discord.token.get_secret_value() == DISCORD_TOKEN
    assert DISCORD_TOKEN not in repr(config)
    assert DISCORD_TOKEN not in str(discord)


def test_a_default_is_used_when_the_variable_is_unset_or_empty() -> None:
    data = {"database": {"url": "${DATABASE_URL:-sqlite+aiosqlite:///fallback.db}"}}

    assert parse_config(data, env={}).database.url == "sqlite+aiosqlite:///fallback.db"
    assert parse_config(data, env={"DATABASE_URL": ""}).database.url == "sqlite+aiosqlite:///fallback.db"
    chosen = parse_config(data, env={"DATABASE_URL": "sqlite+aiosqlite:///mine.db"})
    assert chosen.database.url == "sqlite+aiosqlite:///mine.db"


def test_a_variable_inside_a_longer_value_is_substituted() -> None:
    data = {"database": {"url": "sqlite+aiosqlite:///${DATA_DIR}/agora.db"}}

    assert parse_config(data, env={"DATA_DIR": "/srv"}).database.url == "sqlite+aiosqlite:////srv/agora.db"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param({"discord": {"token": "${DISCORD_TOKEN}", "sync_comands": True}}, id="unknown-key"),
        pytest.param({"discord": {"token": "${DISCORD_TOKEN}"}, "health": {"port": "abc"}}, id="wrong-type"),
        pytest.param({"slack": {"bot_token": "${SLACK_BOT_TOKEN}", "mode": "http"}}, id="slack-no-secret"),
        pytest.param(
            {"slack": {"bot_token": "${SLACK_BOT_TOKEN}", "app_token": "${SLACK_APP_TOKEN}", "mode": "rpc"}},
            id="slack-bad-mode",
        ),
        pytest.param(
            {"discord": {"token": "${DISCORD_TOKEN}"}, "slack": {"bot_token": "${NOPE}"}}, id="unset"
        ),
    ],
)
def test_a_secret_set_in_the_environment_never_appears_in_an_error(data: dict[str, Any]) -> None:
    assert_no_secret(config_error(data, env=SECRETS))


def test_a_secret_put_under_the_wrong_key_is_not_echoed() -> None:
    """Swapped lines (``mode: ${SLACK_APP_TOKEN}``) must not print the token in the error."""
    data = {"slack": {"bot_token": "${SLACK_BOT_TOKEN}", "mode": "${SLACK_APP_TOKEN}", "app_token": "x"}}

    message = config_error(data, env=SECRETS)

    assert "slack.mode" in message
    assert_no_secret(message)


# --- Slack transports ---------------------------------------------------------------------------------------


def test_slack_http_mode_without_its_signing_secret_is_refused() -> None:
    message = config_error({"slack": {"bot_token": "${SLACK_BOT_TOKEN}", "mode": "http"}}, env=SECRETS)

    assert "slack" in message
    assert "slack.signing_secret" in message


def test_slack_socket_mode_without_its_app_token_is_refused() -> None:
    message = config_error({"slack": {"bot_token": "${SLACK_BOT_TOKEN}"}}, env=SECRETS)

    assert "slack.app_token" in message
    assert "Socket Mode" in message


def test_slack_http_mode_with_its_signing_secret_is_accepted() -> None:
    data = {
        "slack": {
            "bot_token": "${SLACK_BOT_TOKEN}",
            "mode": "http",
            "signing_secret": "${SLACK_SIGNING_SECRET}",
        }
    }

    config = parse_config(data, env=SECRETS)

    slack = config.platform("slack")
    assert slack is not None
    assert slack.mode == "http"
    assert slack.signing_secret is not None
    assert slack.signing_secret.get_secret_value() == SIGNING_SECRET


# --- the file itself ----------------------------------------------------------------------------------------


def test_invalid_yaml_gives_the_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "agora.yaml"
    path.write_text(
        "database:\n  url: sqlite+aiosqlite:///x.db\n  echo: [true\nhealth: {}\n", encoding="utf-8"
    )

    with pytest.raises(ConfigError) as caught:
        load_config(path, env={})

    message = str(caught.value)
    assert str(path) in message
    assert re.search(r"line \d+, column \d+", message)
    assert "not valid YAML" in message


def test_an_empty_file_gives_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "agora.yaml"
    path.write_text("", encoding="utf-8")

    config = load_config(path, env={})

    assert config.platforms == {}
    assert config.platform("discord") is None and config.platform("slack") is None
    assert config.health.port == 8080
    assert config.community.locale == "en"


def test_a_file_that_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "agora.yaml"
    path.write_text("- database\n- discord\n", encoding="utf-8")

    with pytest.raises(ConfigError) as caught:
        load_config(path, env={})

    assert "must be a mapping" in str(caught.value)


def test_a_missing_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "nowhere.yaml", env={})

    assert "no such file" in str(caught.value)


def test_a_file_is_read_with_its_secrets_from_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "agora.yaml"
    path.write_text(
        "discord:\n  token: ${DISCORD_TOKEN}\ncommunity:\n  locale: fr\n  timezone: Europe/Brussels\n",
        encoding="utf-8",
    )

    config = load_config(path, env=SECRETS)

    discord = config.platform("discord")
    assert discord is not None
    assert discord.token.get_secret_value() == DISCORD_TOKEN
    assert config.community.locale == "fr"
    assert config.community.timezone == "Europe/Brussels"


def test_the_example_config_at_the_repo_root_loads() -> None:
    example = REPO / "config.example.yaml"
    if not example.exists():
        pytest.skip("config.example.yaml is not written yet")
    # Every variable without a default gets a value, as a deployment would give it; defaults stay defaults.
    names = set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", example.read_text(encoding="utf-8")))
    env = {name: SECRETS.get(name, f"value-of-{name.lower()}") for name in names}

    config = load_config(example, env=env)

    assert config.community.locale in ("fr", "en")


# --- platforms: each adapter owns its section ---------------------------------------------------------------


def test_a_platform_section_lives_under_platforms() -> None:
    config = parse_config({"platforms": {"discord": {"token": "${DISCORD_TOKEN}"}}}, env=SECRETS)

    assert list(config.platforms) == ["discord"]
    assert config.platform("discord").token.get_secret_value() == DISCORD_TOKEN
    assert config.platform("slack") is None


def test_a_section_at_the_top_level_moves_under_platforms() -> None:
    config = parse_config({"slack": {"bot_token": "${SLACK_BOT_TOKEN}", "app_token": "x"}}, env=SECRETS)

    assert list(config.platforms) == ["slack"]
    assert config.platform("slack").mode == "socket"


def test_a_platform_given_at_the_top_level_and_under_platforms_is_refused() -> None:
    message = config_error(
        {"discord": {"token": "${DISCORD_TOKEN}"}, "platforms": {"discord": {"token": "${DISCORD_TOKEN}"}}},
        env=SECRETS,
    )

    assert "discord: given twice" in message
    assert "platforms.discord" in message
    assert_no_secret(message)


def test_an_empty_platform_section_leaves_the_platform_off() -> None:
    assert parse_config({"discord": None, "platforms": {"slack": None}}, env={}).platforms == {}


def test_a_platform_section_that_is_not_a_mapping_is_refused() -> None:
    assert "discord: should be a mapping of keys" in config_error(
        {"discord": "${DISCORD_TOKEN}"}, env=SECRETS
    )


def test_an_unknown_platform_names_the_installed_ones() -> None:
    message = config_error({"platforms": {"discrod": {"token": "x"}}})

    assert "platforms.discrod: no adapter called 'discrod' is installed" in message
    assert "(installed: discord, slack)" in message


def test_a_problem_under_platforms_is_named_where_it_was_written() -> None:
    message = config_error(
        {"platforms": {"slack": {"bot_token": "${SLACK_BOT_TOKEN}", "mode": "http", "htp": {}}}}, env=SECRETS
    )

    assert "platforms.slack.signing_secret: HTTP mode needs" in message
    assert (
        "platforms.slack.htp: unknown key (known keys here: api_base_url, app_token, bot_token, http"
        in message
    )
    assert_no_secret(message)


def test_platform_problems_are_listed_with_the_core_ones() -> None:
    message = config_error({"discord": {"sync_commands": "maybe"}, "health": {"port": "abc"}})

    assert "has 3 problems" in message
    assert re.search(r"^  - discord\.token: required key is missing", message, re.MULTILINE)
    assert re.search(r"^  - discord\.sync_commands: ", message, re.MULTILINE)
    assert re.search(r"^  - health\.port: ", message, re.MULTILINE)


def test_each_adapter_declares_the_model_of_its_section() -> None:
    from adapters.discord import config_model as discord_model
    from adapters.discord.config import DiscordConfig
    from adapters.slack import config_model as slack_model
    from adapters.slack.config import SlackConfig

    assert discord_model is DiscordConfig and slack_model is SlackConfig
    assert isinstance(
        parse_config({"discord": {"token": "a.b.c"}}, env={}).platform("discord"), DiscordConfig
    )


@pytest.mark.parametrize(
    ("section", "warning"),
    [
        pytest.param(
            {"discord": {"token": "Bot a.b.c"}}, "discord.token: write the token alone", id="bot-prefix"
        ),
        pytest.param(
            {"discord": {"token": "${SLACK_BOT_TOKEN}"}}, "discord.token: this looks like a Slack", id="swap"
        ),
        pytest.param(
            {"platforms": {"slack": {"bot_token": "${SLACK_APP_TOKEN}", "app_token": "${SLACK_APP_TOKEN}"}}},
            "platforms.slack.bot_token: a Slack bot token starts with xoxb-",
            id="slack-app-token-as-bot-token",
        ),
        pytest.param(
            {"slack": {"bot_token": "${SLACK_BOT_TOKEN}", "app_token": "${SLACK_BOT_TOKEN}"}},
            "slack.app_token: an app-level token starts with xapp-",
            id="slack-bot-token-as-app-token",
        ),
    ],
)
def test_each_adapter_warns_about_what_looks_wrong_without_the_secret(
    section: dict[str, Any], warning: str
) -> None:
    warnings = parse_config(section, env=SECRETS).warnings()

    assert any(w.startswith(warning) for w in warnings), warnings
    assert_no_secret("\n".join(warnings))


def test_a_good_config_has_no_warning() -> None:
    data = {
        "discord": {"token": "${DISCORD_TOKEN}"},
        "slack": {"bot_token": "${SLACK_BOT_TOKEN}", "app_token": "${SLACK_APP_TOKEN}"},
    }

    assert parse_config(data, env=SECRETS).warnings() == []


def test_a_copy_takes_a_platform_section_by_name() -> None:
    """What tests and tools wrote before ``platforms:``: ``model_copy(update={"slack": SlackConfig(...)})``."""
    from adapters.slack.config import SlackConfig

    base = parse_config({"discord": {"token": "${DISCORD_TOKEN}"}}, env=SECRETS)
    slack = SlackConfig(bot_token=SLACK_BOT_TOKEN, mode="http", signing_secret=SIGNING_SECRET)

    copied = base.model_copy(update={"slack": slack})

    assert copied.platform("slack") is slack
    assert list(copied.platforms) == ["discord", "slack"]
    assert list(base.platforms) == ["discord"]
    assert SLACK_BOT_TOKEN not in repr(copied)
    assert base.model_copy(update={"discord": None}).platforms == {}


def test_the_names_from_before_platforms_still_answer() -> None:
    """``config.discord`` and ``bot.config.SlackConfig``, as written before the adapters owned their sections."""
    from bot.config import SlackConfig  # type: ignore[attr-defined]

    config = parse_config({"discord": {"token": "${DISCORD_TOKEN}"}}, env=SECRETS)

    assert SlackConfig.__module__ == "adapters.slack.config"
    assert config.discord is config.platform("discord")  # type: ignore[attr-defined]
    assert config.slack is None  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        _ = config.databse  # type: ignore[attr-defined]
