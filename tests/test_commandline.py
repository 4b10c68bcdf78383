"""``/agora ...`` typed as text (a slash command, the console) read into a command and its options; platform syntax
is the adapter's, made neutral before the core reads it."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.console import ConsoleCommunity
from bot.commandline import parse_command_text, unknown_command, usage
from bot.errors import UserError
from bot.i18n import translator
from bot.router import Router

en = translator("en")


@pytest.fixture
def router(h: ConsoleCommunity) -> Router:
    assert h.app is not None
    return h.app.router


def parse(router: Router, text: str) -> tuple[str, dict[str, Any]]:
    spec, args = parse_command_text(router, text, en)
    return spec.name, args


def refusal(router: Router, text: str) -> str:
    with pytest.raises(UserError) as caught:
        parse_command_text(router, text, en)
    return caught.value.message


def test_options_by_name(router: Router) -> None:
    assert parse(router, 'setup locale=fr timezone="Europe/Paris"') == (
        "setup",
        {"locale": "fr", "timezone": "Europe/Paris"},
    )


def test_options_by_position_follow_the_declared_order(router: Router) -> None:
    assert parse(router, "setup fr") == ("setup", {"locale": "fr"})
    assert parse(router, "setup fr America/Montreal") == (
        "setup",
        {"locale": "fr", "timezone": "America/Montreal"},
    )


def test_quotes_keep_words_together(router: Router) -> None:
    _, args = parse(router, "setup timezone='America/Port of Spain' locale=en")

    assert args == {"timezone": "America/Port of Spain", "locale": "en"}


def test_the_command_name_is_case_insensitive(router: Router) -> None:
    assert parse(router, "SETUP locale=en") == ("setup", {"locale": "en"})


def test_an_unknown_option_is_named_with_the_usage(router: Router) -> None:
    message = refusal(router, "setup colour=blue")

    assert "“colour” is not an option of /agora setup" in message
    assert "Usage: /agora setup [locale=…] [timezone=…]" in message
    assert message.endswith(usage(router.commands["setup"]))


def test_a_value_that_is_not_a_choice_lists_the_choices(router: Router) -> None:
    message = refusal(router, "setup locale=de")

    assert "“de”" in message
    assert "locale" in message
    assert "Choose one of: fr, fr-tu, en." in message


def test_an_unclosed_quote_is_explained(router: Router) -> None:
    assert "quotation mark is not closed" in refusal(router, 'setup timezone="Europe/Paris')


def test_too_many_values_show_the_usage(router: Router) -> None:
    message = refusal(router, "help me please")

    assert "Too many values for /agora help" in message
    assert "Usage: /agora help" in message


@pytest.mark.parametrize("text", ["", "   "])
def test_nothing_after_agora_means_help(router: Router, text: str) -> None:
    assert parse(router, text) == ("help", {})


def test_an_unknown_command_says_there_is_none(router: Router) -> None:
    message = refusal(router, "dance tango")

    assert "There is no command “dance”" in message
    assert "/agora help" in message


def test_an_unknown_subcommand_is_named_with_the_groups_commands(router: Router) -> None:
    debates = sorted(name.split()[1] for name in router.commands if name.startswith("debate "))

    assert refusal(router, "debate frobnicate") == (
        f"/agora debate has no command “frobnicate”. Its commands: {', '.join(debates)}."
    )
    assert refusal(router, "debate") == f"/agora debate needs a command after it: {', '.join(debates)}."
    said = unknown_command(router, ["debate", "x" * 6000], translator("fr"))
    assert said.message.startswith("/agora debate n'a pas de commande « xxx") and len(said.message) < 400


def test_neutral_mentions_channels_and_roles_become_ids(router: Router) -> None:
    _, args = parse(router, "setup add_animator=<@U123> welcome_channel=<#C9> animator_role=<@&S0123ABC>")

    assert args == {"add_animator": "U123", "welcome_channel": "C9", "animator_role": "S0123ABC"}


def slack_parse(router: Router, text: str) -> tuple[str, dict[str, Any]]:
    """What the Slack adapter does with a slash command's text: its own mention syntax made neutral first."""
    from adapters.slack.events import clean_command_text, neutral_mentions

    return parse(router, neutral_mentions(clean_command_text(text)))


def test_slack_mentions_and_channels_become_ids(router: Router) -> None:
    _, args = slack_parse(router, "setup add_animator=<@U123|alice> welcome_channel=<#C9|accueil>")

    assert args == {"add_animator": "U123", "welcome_channel": "C9"}


def test_slack_mentions_without_a_name_become_ids(router: Router) -> None:
    _, args = slack_parse(router, "setup remove_animator=<@U0ABCDEF> rounds_channel=<#C0XYZ>")

    assert args == {"remove_animator": "U0ABCDEF", "rounds_channel": "C0XYZ"}


def test_a_slack_user_group_becomes_its_id(router: Router) -> None:
    _, args = slack_parse(router, "setup animator_role=<!subteam^S0123ABC|@animators>")

    assert args == {"animator_role": "S0123ABC"}


def test_the_slack_adapter_hands_over_the_neutral_forms_only() -> None:
    from adapters.slack.events import neutral_mentions

    assert (
        neutral_mentions("<@U1|ana> <#C1|général> <!subteam^S1|@mods> <!subteam^S2>")
        == "<@U1> <#C1> <@&S1> <@&S2>"
    )
    assert (
        neutral_mentions("<!here> see <https://example.org|this>") == "<!here> see <https://example.org|this>"
    )


def test_typed_mentions_lose_their_sign(router: Router) -> None:
    _, args = parse(router, "setup add_animator=@alice meetings_channel=#rencontres")

    assert args == {"add_animator": "alice", "meetings_channel": "rencontres"}


def test_errors_speak_the_community_language(router: Router) -> None:
    fr = translator("fr")
    with pytest.raises(UserError) as caught:
        parse_command_text(router, "danse", fr)

    assert "There is no command" not in caught.value.message
    assert "danse" in caught.value.message


def test_apostrophes_are_letters_not_quotes(router: Router) -> None:
    from bot.commandline import split_words

    assert split_words("Qu'est-ce qui vous a amené ici ?") == [
        "Qu'est-ce",
        "qui",
        "vous",
        "a",
        "amené",
        "ici",
        "?",
    ]
    assert split_words("what's your favourite tool") == ["what's", "your", "favourite", "tool"]


def test_french_and_typographic_quotes_group_words(router: Router) -> None:
    from bot.commandline import split_words

    assert split_words("tags « métier, réflexion » x=“a b”") == ["tags", "métier, réflexion", "x=a b"]
