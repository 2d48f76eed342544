from __future__ import annotations

from collections.abc import Sequence

import pytest

from pollinate.core.harvest.cluster import find_themes
from pollinate.core.harvest.edits import ThemeEdits, apply_moves, overlap
from pollinate.core.harvest.theme import Theme
from pollinate.errors import InputError

from .cafe_notes import AI_RULES, BROADBAND, LITERACY, notes_from, three_topics, topic_of

LATER = notes_from(
    [
        "Rural broadband grants for village schools",
        "Broadband in rural areas needs public money",
        "Media literacy classes for grandparents",
        "Misinformation checks in media literacy courses",
        "AI regulation should ban social scoring",
        "Independent AI regulation agency needed",
    ],
    prefix="m",
    minutes=120,
)


def theme_with(themes: Sequence[Theme], note_id: str) -> Theme:
    (theme,) = [t for t in themes if note_id in t.note_ids]
    return theme


def by_topic(themes: Sequence[Theme]) -> dict[int, Theme]:
    return {topic_of(t.note_ids[0]): t for t in themes}


def test_a_manual_merge_stays_merged_when_new_notes_arrive():
    board = find_themes(three_topics())
    topics = by_topic(board)
    edits = ThemeEdits().merge(board, topics[0].id, topics[1].id)
    after = find_themes([*three_topics(), *LATER], pinned=edits)
    merged = theme_with(after, "n0")
    assert set(topics[0].note_ids) | set(topics[1].note_ids) <= set(merged.note_ids)
    # The new notes on either merged topic joined the merged theme, not a theme of their own.
    assert {"m0", "m1", "m2", "m3"} <= set(merged.note_ids)
    assert len(after) == 2


def test_a_rename_survives_reclustering_while_the_theme_grows():
    board = find_themes(three_topics())
    ai = by_topic(board)[2]
    edits = ThemeEdits().rename(board, ai.id, "  Rules   for AI ")
    # Ten more AI notes double the theme: new notes must not dilute its identity.
    more_ai = notes_from([f"{text} soon" for text in AI_RULES], prefix="a", minutes=200)
    after = find_themes([*three_topics(), *more_ai], pinned=edits, n_themes=3)
    assert theme_with(after, "n20").label == "Rules for AI"
    assert sum(t.label == "Rules for AI" for t in after) == 1


def test_a_rename_is_dropped_when_its_theme_is_gone():
    board = find_themes(three_topics())
    edits = ThemeEdits().rename(board, by_topic(board)[2].id, "Rules for AI")
    after = find_themes(notes_from([*BROADBAND, *LITERACY]), pinned=edits)
    assert all(t.label != "Rules for AI" for t in after)


def test_a_split_survives_reclustering():
    board = find_themes(three_topics())
    moved = ["n1", "n5", "n7"]
    edits = ThemeEdits().split(board, moved)
    after = find_themes([*three_topics(), *LATER], pinned=edits)
    split_off = theme_with(after, "n1")
    assert set(moved) <= set(split_off.note_ids)
    assert split_off.note_ids != theme_with(after, "n0").note_ids
    assert not set(split_off.note_ids) & {"n0", "n2", "n3"}


def test_a_split_after_a_merge_carves_the_merged_theme():
    board = find_themes(three_topics())
    topics = by_topic(board)
    merged = ThemeEdits().merge(board, topics[0].id, topics[1].id)
    merged_board = find_themes(three_topics(), pinned=merged)
    edits = merged.split(merged_board, [f"n{i}" for i in range(10, 20)])
    after = find_themes(three_topics(), pinned=edits)
    assert {frozenset(topic_of(n) for n in t.note_ids) for t in after} == {
        frozenset({0}),
        frozenset({1}),
        frozenset({2}),
    }


def test_starred_notes_are_marked_in_their_theme():
    edits = ThemeEdits().star("n3").star("n21").star("n21", starred=False)
    themes = find_themes(three_topics(), pinned=edits)
    assert theme_with(themes, "n3").starred == ("n3",)
    assert theme_with(themes, "n21").starred == ()


def test_editing_a_theme_not_on_the_board_is_an_input_error():
    board = find_themes(three_topics())
    with pytest.raises(InputError, match="reload"):
        ThemeEdits().rename(board, "theme-gone", "Anything")
    with pytest.raises(InputError, match="two different themes"):
        ThemeEdits().merge(board, board[0].id, board[0].id)


def test_a_split_must_take_notes_from_one_theme():
    board = find_themes(three_topics())
    with pytest.raises(InputError, match="one theme"):
        ThemeEdits().split(board, ["n0", "n10"])
    with pytest.raises(InputError, match="one theme"):
        ThemeEdits().split(board, ["unknown"])


def test_an_empty_label_is_an_input_error():
    board = find_themes(three_topics())
    with pytest.raises(InputError, match="label"):
        ThemeEdits().rename(board, board[0].id, "   ")


def test_overlap_leaves_out_notes_that_arrived_after_the_edit():
    then, seen = frozenset({"a", "b", "c", "d"}), frozenset({"a", "b", "c", "d", "x"})
    assert overlap(then, seen, {"a", "b", "c", "d", "new1", "new2", "new3", "new4"}) == 1.0
    assert overlap(then, seen, {"a", "x"}) == pytest.approx(1 / 5)


def test_merge_pulls_pinned_notes_out_of_unrelated_clusters():
    edits = ThemeEdits().merge(
        [
            _theme("t1", ("a", "b")),
            _theme("t2", ("c",)),
            _theme("t3", ("x", "y", "z")),
        ],
        "t1",
        "t2",
    )
    clusters = [frozenset({"a", "x", "y", "z"}), frozenset({"b"}), frozenset({"c"})]
    result = apply_moves(clusters, edits)
    assert sorted(map(sorted, result)) == [["a", "b", "c"], ["x", "y", "z"]]


def _theme(theme_id: str, note_ids: tuple[str, ...]) -> Theme:
    return Theme(theme_id, "x", note_ids, len(note_ids), ("T",), (1,), note_ids[:1], ())
