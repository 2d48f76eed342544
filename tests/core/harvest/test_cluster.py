from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pytest

from pollinate.core.harvest.cluster import find_themes
from pollinate.core.harvest.methods import EmbeddingThemes, TfidfThemes
from pollinate.core.harvest.theme import Theme
from pollinate.errors import InputError

from .cafe_notes import BROADBAND, LITERACY, notes_from, three_topics, topic_of


def shape(themes: Sequence[Theme]) -> list[tuple[object, ...]]:
    return [(t.id, t.label, t.note_ids, t.representatives, t.duplicates) for t in themes]


def test_same_notes_and_seed_give_the_same_themes():
    notes = three_topics()
    assert shape(find_themes(notes, seed=7)) == shape(find_themes(notes, seed=7))


def test_themes_do_not_depend_on_the_order_notes_arrive_in():
    notes = three_topics()
    assert shape(find_themes(notes)) == shape(find_themes(list(reversed(notes))))


def test_the_method_finds_the_three_topics_by_itself():
    themes = find_themes(three_topics())
    assert len(themes) == 3
    assert all(len({topic_of(n) for n in theme.note_ids}) == 1 for theme in themes)


def test_rapporteur_can_ask_for_a_number_of_themes():
    assert len(find_themes(three_topics(), n_themes=5)) == 5
    assert len(find_themes(three_topics(), n_themes=1)) == 1


def test_asking_for_no_themes_is_an_input_error():
    with pytest.raises(InputError, match="themes"):
        find_themes(three_topics(), n_themes=0)


def test_no_notes_make_no_themes():
    assert find_themes([]) == ()


def test_a_single_note_is_a_theme_of_its_own():
    (theme,) = find_themes(notes_from(["Trust is built locally"]))
    assert theme.note_ids == ("n0",)
    assert theme.representatives == ("n0",)


def test_near_duplicates_share_a_theme_and_are_shown_once():
    texts = [*BROADBAND[:5], *LITERACY[:5], "Rural broadband is still too slow for online school!"]
    themes = find_themes(notes_from(texts), n_themes=2)
    (home,) = [t for t in themes if "n10" in t.note_ids]
    assert "n0" in home.note_ids
    assert home.duplicates == (("n0", "n10"),)
    assert not {"n0", "n10"} <= set(home.representatives)


def test_theme_says_where_it_came_from_and_shows_two_or_three_of_its_notes():
    notes = notes_from([*BROADBAND, *LITERACY], round=2)
    for theme in find_themes(notes, n_themes=2):
        assert theme.size == len(theme.note_ids) == 10
        assert theme.rounds == (2,)
        assert theme.tables == ("Table 1", "Table 2", "Table 3", "Table 4", "Table 5")
        assert 2 <= len(theme.representatives) <= 3
        assert set(theme.representatives) <= set(theme.note_ids)


def test_tables_are_listed_in_natural_order():
    first, second = notes_from(["Broadband for villages", "Rural broadband towers"])
    notes = [replace(first, table="Table 9"), replace(second, table="Table 10")]
    assert find_themes(notes, n_themes=1)[0].tables == ("Table 9", "Table 10")


def test_theme_keeps_its_id_when_new_notes_join_and_its_first_note_moves():
    before = find_themes(three_topics())
    later = notes_from(["Broadband vouchers for rural schools"], prefix="m", minutes=60)
    # Drop each theme's first note: without the previous board, ids would all change.
    firsts = {t.note_ids[0] for t in before}
    notes = [n for n in three_topics() if n.id not in firsts] + later
    after = find_themes(notes, previous=before)
    assert {t.id for t in after} == {t.id for t in before}
    assert {t.id for t in find_themes(notes)}.isdisjoint({t.id for t in before})


class KeywordEncoder:
    """A stand-in for a sentence model: one axis per topic word it recognises."""

    WORDS = ("broadband", "literacy", "regulation")

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        rows = [[float(w in t.lower()) for w in self.WORDS] + [0.1] for t in texts]
        return np.array(rows)


def test_embedding_method_groups_by_the_vectors_its_encoder_gives():
    themes = find_themes(three_topics(), method=EmbeddingThemes(KeywordEncoder()))
    assert len(themes) == 3
    assert all(len({topic_of(n) for n in t.note_ids}) == 1 for t in themes)


def test_methods_are_swappable_and_the_char_variant_agrees_on_clear_topics():
    plain = find_themes(three_topics(), method=TfidfThemes())
    chars = find_themes(three_topics(), method=TfidfThemes(char_ngrams=True))
    assert {t.note_ids for t in plain} == {t.note_ids for t in chars}
