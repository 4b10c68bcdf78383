"""Members' data is declared where it lives: every table column that names a member is declared by the feature
that owns the table (``Feature.personal_data``), so export and erase need no per-feature code."""

from __future__ import annotations

import re

from sqlalchemy import JSON, ForeignKey, String

from bot.feature import CORE_PERSONAL_DATA, feature_classes
from storage.models import Base

# A column naming a member by platform id: ``member_id``, ``*_by`` (who proposed, decided, opened...), ``author``.
MEMBER_NAMES = re.compile(
    r"^(member|author|voter|participant|lead|host|presenter)(_id|_ids|_external_id)?$|_by$"
)


# Columns whose name looks like a member's but holds something else, knowingly.
NAMED_LIKE_MEMBERS = {
    ("outbox", "claimed_by"),  # the process holding the entry's lease (host:pid), not a member
}


def member_columns() -> set[tuple[str, str]]:
    found = set()
    for table in Base.metadata.tables.values():
        for column in table.columns:
            to_members = any(
                isinstance(fk, ForeignKey) and fk.target_fullname == "members.id"
                for fk in column.foreign_keys
            )
            by_name = isinstance(column.type, String) and MEMBER_NAMES.search(column.name)
            if (to_members or by_name) and (table.name, column.name) not in NAMED_LIKE_MEMBERS:
                found.add((table.name, column.name))
    return found


# JSON columns that name no member. Any other JSON column may hold member ids (``rounds.left_out``,
# ``charter_amendments.voters``): a feature declares it (``refers="list"``) or it is added here, knowingly.
JSON_WITHOUT_MEMBERS = {
    ("communities", "settings"),  # the animators' ids a community configured are its configuration
    ("charters", "animators"),  # the names and motivations the animators chose to publish
    ("charters", "rights"),
    ("charters", "duties"),
    ("outbox", "payload"),  # scrubbed by an erasure (bot.features.privacy.queries.clean_outbox)
    ("outbox", "result"),
    ("inbox", "event"),  # an event acknowledged and not yet handled: deleted when it is (bot.inbox)
    ("debate_motions", "positions"),
    ("debate_motions", "tags"),
    ("icebreaker_questions", "review_entries"),  # outbox entry ids
    ("member_profiles", "interests"),  # the member's own, with their profile row
    ("dashboard_logins", "actor"),  # the animator's own, deleted with their login row when they erase
    ("member_profiles", "match_keys"),
    ("debates", "positions"),
}


def json_columns() -> set[tuple[str, str]]:
    return {
        (table.name, column.name)
        for table in Base.metadata.tables.values()
        for column in table.columns
        if isinstance(column.type, JSON)
    }


def declared_lists() -> set[tuple[str, str]]:
    return {
        (item.tablename, item.member)
        for item in [*CORE_PERSONAL_DATA, *(d for cls in feature_classes() for d in cls.personal_data)]
        if item.in_list
    }


def declared() -> set[tuple[str, str]]:
    out = set()
    for item in [*CORE_PERSONAL_DATA, *(d for cls in feature_classes() for d in cls.personal_data)]:
        out.add((item.tablename, item.member))
        out.update((item.tablename, column) for column in item.columns)
    return out


def test_every_column_naming_a_member_is_declared_by_a_feature() -> None:
    missing = sorted(member_columns() - declared())
    assert missing == [], f"declare these in the owning feature's personal_data: {missing}"


def test_declarations_name_real_columns() -> None:
    for item in [*CORE_PERSONAL_DATA, *(d for cls in feature_classes() for d in cls.personal_data)]:
        columns = item.table.__table__.columns
        for name in (item.member, *item.columns):
            assert name in columns, f"{item.tablename}.{name} does not exist"


def test_each_table_is_declared_once() -> None:
    tables = [
        (item.tablename, item.member)
        for item in [*CORE_PERSONAL_DATA, *(d for cls in feature_classes() for d in cls.personal_data)]
    ]
    assert len(tables) == len(set(tables))


def test_every_json_column_is_declared_or_known_to_name_nobody() -> None:
    unknown = sorted(json_columns() - declared_lists() - JSON_WITHOUT_MEMBERS)
    assert unknown == [], f"declare these (refers='list') or add them to JSON_WITHOUT_MEMBERS: {unknown}"
    assert declared_lists() >= {("rounds", "left_out"), ("charter_amendments", "voters")}


def test_every_declaration_says_in_plain_words_what_it_keeps() -> None:
    for item in [*CORE_PERSONAL_DATA, *(d for cls in feature_classes() for d in cls.personal_data)]:
        assert item.label, f"{item.tablename}.{item.member} needs a label"
        assert item.reference in ("id", "external_id", "mention", "list") or item.reference.startswith(
            "list:"
        )
        assert not item.in_list or item.erase == "anonymize"  # a list loses the member, the row stays
    for cls in feature_classes():
        assert not cls.personal_data or cls.title, f"{cls.name} needs a title"
