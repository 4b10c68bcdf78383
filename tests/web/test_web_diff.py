"""The charter history's side-by-side diff: lines paired, changed words marked."""

from __future__ import annotations

from bot.web.diff import Piece, Row, side_by_side


def test_lines_are_paired_and_the_changed_words_marked() -> None:
    rows = side_by_side("Kindness\nNo sales pitches\nBe on time", "Kindness\nNo unsolicited sales pitches")

    assert rows[0] == Row("same", (Piece("Kindness"),), (Piece("Kindness"),))
    assert rows[1].kind == "changed"
    assert [p.text for p in rows[1].new if p.marked] == [" unsolicited"]
    assert "".join(p.text for p in rows[1].new) == "No unsolicited sales pitches"
    assert rows[2] == Row("removed", (Piece("Be on time", True),), ())


def test_an_added_line_has_nothing_opposite() -> None:
    assert side_by_side("", "A new duty") == [Row("added", (), (Piece("A new duty", True),))]
    assert side_by_side("Same", "Same") == [Row("same", (Piece("Same"),), (Piece("Same"),))]
