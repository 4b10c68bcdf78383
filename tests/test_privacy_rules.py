"""Privacy's pure rules, without a database: which stored value names a member, lists without them, what must
not survive an erasure and how it is scrubbed, when a member who left is due, and the retention sentence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.features.privacy import render, rules
from bot.features.privacy.rules import Who
from bot.i18n import translator

ALICE = Who(7, "U0ALICE")


def test_a_value_names_the_member_as_its_column_refers_to_them() -> None:
    assert rules.names(7, "id", ALICE) and not rules.names(8, "id", ALICE)
    assert rules.names("U0ALICE", "external_id", ALICE) and not rules.names("schedule", "external_id", ALICE)
    assert rules.names("<@U0ALICE>", "mention", ALICE) and not rules.names("Ada Lovelace", "mention", ALICE)
    assert rules.names([3, 7], "list", ALICE) and rules.names(["U0BOB", "U0ALICE"], "list", ALICE)
    assert not rules.names([3, 8], "list", ALICE) and not rules.names(None, "list", ALICE)
    suggested = [{"key": "U0BOB", "name": "Bob"}, {"key": "U0ALICE", "name": "Alice"}]
    assert rules.names(suggested, "list:key", ALICE)
    assert rules.without(suggested, "list:key", ALICE) == [{"key": "U0BOB", "name": "Bob"}]
    assert rules.without([3, 7, "U0ALICE", 9], "list", ALICE) == [3, 9]


def test_what_must_not_survive_and_how_it_is_scrubbed() -> None:
    found = rules.needles("U0ALICE", "Alice", ["Potière", "", "à"])
    # The longest first (a mention before the id inside it); too short or empty texts are not looked for.
    assert found == ["<@U0ALICE>", "Potière", "U0ALICE", "Alice"]
    payload = {
        "message": {"text": "Say hello to <@U0ALICE>! Alice, Potière", "fields": [{"value": "U0ALICE"}]}
    }
    assert rules.scrub(payload, found) == {
        "message": {"text": "Say hello to …! …, …", "fields": [{"value": "…"}]}
    }
    assert rules.is_erased(rules.erased_id()) and rules.erased_id() != rules.erased_id()


def test_a_member_who_left_is_due_once_the_retention_passed() -> None:
    left = datetime(2026, 1, 1, tzinfo=UTC)
    assert not rules.due_for_erasure(left, timedelta(days=90), left + timedelta(days=89))
    assert rules.due_for_erasure(left, timedelta(days=90), left + timedelta(days=90))
    assert rules.due_for_erasure(left, timedelta(0), left)
    assert not rules.due_for_erasure(left, None, left + timedelta(days=4000))  # off: kept
    assert not rules.due_for_erasure(None, timedelta(0), left)  # still here


def test_exports_write_dates_in_iso_8601_and_fields_readably() -> None:
    moment = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    assert rules.exportable({"at": [moment]}) == {"at": ["2026-03-01T09:30:00+00:00"]}
    assert rules.field_name("accepted_at") == "accepted at"


def test_the_retention_rule_in_both_languages() -> None:
    en, fr = translator("en"), translator("fr")
    assert render.retention_rule(en, timedelta(days=90)) == (
        "When a member leaves, Agora erases their data 90d later (unless they come back)."
    )
    assert (
        render.retention_rule(fr, timedelta(0)) == "Quand un membre part, Agora efface ses données aussitôt."
    )
    assert render.retention_rule(fr, None).startswith("Quand un membre part, Agora garde ses données")
