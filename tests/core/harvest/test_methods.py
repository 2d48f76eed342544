from __future__ import annotations

import numpy as np
import pytest

from pollinate.core.harvest.methods import TfidfThemes, tfidf_vectors

from .cafe_notes import AI_RULES, BROADBAND, LITERACY


def test_number_of_themes_is_chosen_as_three_for_three_topics():
    grouping = TfidfThemes().group([*BROADBAND, *LITERACY, *AI_RULES], seed=0, n_themes=None)
    assert sorted(np.bincount(grouping.assignment).tolist()) == [10, 10, 10]


def test_themes_are_numbered_in_order_of_first_appearance():
    grouping = TfidfThemes().group([*AI_RULES, *BROADBAND], seed=3, n_themes=2)
    assert grouping.assignment.tolist() == [0] * 10 + [1] * 10


@pytest.mark.parametrize("count", [1, 2, 3])
def test_a_handful_of_notes_makes_one_theme(count):
    grouping = TfidfThemes().group(BROADBAND[:count], seed=0, n_themes=None)
    assert grouping.assignment.tolist() == [0] * count


def test_asking_for_more_themes_than_distinct_notes_gives_one_per_note():
    grouping = TfidfThemes().group(["Trust", "Money", "Trust"], seed=0, n_themes=9)
    assert grouping.assignment.tolist() == [0, 1, 0]


@pytest.mark.parametrize("char_ngrams", [False, True])
def test_vectors_have_length_one_even_without_content_words(char_ngrams):
    texts = ["and so on", "so it is", "👍", "?", "Rural broadband", "Broadband now"]
    vectors = tfidf_vectors(texts, char_ngrams=char_ngrams)
    assert np.allclose(np.sqrt(vectors.multiply(vectors).sum(axis=1)), 1.0)


def test_notes_of_stop_words_only_form_their_own_theme():
    texts = ["and so on", "so it is", "and so it is", *BROADBAND[:3], *LITERACY[:3]]
    grouping = TfidfThemes().group(texts, seed=0, n_themes=3)
    assert grouping.assignment.tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2]
