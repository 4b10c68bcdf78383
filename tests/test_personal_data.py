"""Members' data is declared where it lives: every table column that names a member is declared by the feature
that owns the table (``Feature.personal_data``), so export and erase need no per-feature code."""

from __future__ import annotations

import re

from sqlalchemy import ForeignKey, String

from bot.feature import CORE_PERSONAL_DATA, feature_classes
from storage.models import Base

# A column naming a member by platform id: ``member_id``, ``*_by`` (who proposed, decided, opened...), ``author``.
MEMBER_NAMES = re.compile(r"^(member|author|voter|participant|lead|host|presenter)(_id|_ids|_external_id)?$|_by$")


def member_columns() -> set[tuple[str, str]]:
    found = set()
    for table in Base.metadata.tables.values():
        for column in table.columns:
            to_members = any(
                isinstance(fk, ForeignKey) and fk.target_fullname == "members.id" for fk in column.foreign_keys
            )
            by_name = isinstance(column.type, String) and MEMBER_NAMES.search(column.name)
            if to_members or by_name:
                found.add((table.name, column.name))
    return found


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
