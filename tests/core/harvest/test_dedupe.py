from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pollinate.core.harvest.dedupe import near_duplicates, normalise


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Trust is built locally.", "trust is built locally"),
        ("Trust is built locally through networks", "Trust is built localy through networks"),
        ("Libraries should offer free wifi", "Libraries should offer free wi-fi!"),
        ("Open data portals help journalists", "  open-data portals   help journalists. "),
        ("Café culture builds trust", "Cafe culture builds trust"),
    ],
)
def test_retyped_notes_are_near_duplicates(first, second):
    assert near_duplicates([first, "Rural roads need repair", second]) == ((0, 2), (1,))


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Governments should regulate AI", "Governments should not regulate AI"),
        ("Young people must be at the table", "Youth must have a seat at the table"),
        ("Fund rural broadband", "Fund urban transport"),
        ("Yes", "No"),
    ],
)
def test_different_ideas_are_not_near_duplicates(first, second):
    assert near_duplicates([first, second]) == ((0,), (1,))


def test_groups_chain_through_a_shared_near_duplicate():
    texts = [
        "Broadband for every village",
        "x",
        "broadband for every village!",
        "Broadband for every vilage",
    ]
    assert near_duplicates(texts) == ((0, 2, 3), (1,))


def test_notes_of_stop_words_only_are_grouped_when_identical():
    assert near_duplicates(["And so on.", "and so on", "Yes"]) == ((0, 1), (2,))


def test_no_texts_make_no_groups():
    assert near_duplicates([]) == ()


def test_normalise_folds_case_accents_and_punctuation():
    assert normalise("São Paulo: ÉCOLES, e-learning!") == "sao paulo ecoles e learning"


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.sampled_from(["fund schools", "Fund schools!", "roads", "trust first", "Trust"]),
        max_size=12,
    )
)
def test_every_note_is_in_exactly_one_group(texts):
    groups = near_duplicates(texts)
    flat = [i for group in groups for i in group]
    assert sorted(flat) == list(range(len(texts)))
    assert all(list(group) == sorted(group) for group in groups)
    assert [group[0] for group in groups] == sorted(group[0] for group in groups)


def test_notes_from_a_narrow_vocabulary_keep_a_bounded_number_of_candidates():
    import random

    from pollinate.core.harvest import dedupe

    words = [
        "funding",
        "climate",
        "rights",
        "investors",
        "disclosure",
        "engagement",
        "voting",
        "proxy",
        "risk",
    ]
    chooser = random.Random(0)
    texts = [" ".join(chooser.choice(words) for _ in range(8)) for _ in range(600)]
    texts += ["Investors should vote against boards that ignore climate risk"] * 2
    texts.append("investors should vote against boards that ignore climate risk!")
    pairs = dedupe._candidate_pairs([dedupe.normalise(t) for t in dict.fromkeys(texts)])
    # Every pair of these notes shares most words; without the cap that was 180,000 pairs.
    assert len(pairs) <= len(texts) * dedupe.NEIGHBOURS
    groups = dedupe.near_duplicates(texts)
    assert any({600, 601, 602} <= set(group) for group in groups)


def test_comparing_candidates_in_chunks_finds_the_same_near_duplicates(monkeypatch):
    import random
    import string

    from pollinate.core.harvest import dedupe

    chooser = random.Random(1)
    words = ["".join(chooser.choices(string.ascii_lowercase, k=6)) for _ in range(200)]
    texts = [" ".join(chooser.sample(words, 6)) for _ in range(150)]
    # Retyped: one letter of the first word changed, so the pair is found through the
    # candidates and their 3-grams, not as the same text.
    texts += [("x" + text[1:]) if text[0] != "x" else ("y" + text[1:]) for text in texts[:40]]
    whole = near_duplicates(texts)
    assert sum(len(group) > 1 for group in whole) == 40
    monkeypatch.setattr(dedupe, "_PAIRS_CHUNK", 7)  # many chunks, the last one short
    assert near_duplicates(texts) == whole
