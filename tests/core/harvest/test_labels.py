from __future__ import annotations

from pollinate.core.harvest.cluster import find_themes
from pollinate.core.harvest.labels import MAX_WORDS, theme_labels

from .cafe_notes import AI_RULES, BROADBAND, LITERACY, three_topics


def test_labels_are_short_non_empty_and_distinct():
    labels = [t.label for t in find_themes(three_topics(), n_themes=6)]
    assert all(label.strip() for label in labels)
    assert all(1 <= len(label.replace(",", " ").split()) <= MAX_WORDS for label in labels)
    assert len(set(labels)) == len(labels)


def test_labels_name_what_sets_each_theme_apart():
    broadband, literacy, ai = theme_labels([BROADBAND, LITERACY, AI_RULES])
    assert "broadband" in broadband.lower()
    assert "media literacy" in literacy.lower()
    assert "AI regulation" in ai


def test_label_keeps_the_spelling_most_notes_use():
    (label,) = theme_labels([["AI in Nairobi", "Nairobi AI hubs", "ai startups in Nairobi"]])
    assert "AI" in label
    assert "Nairobi" in label


def test_a_word_from_one_note_does_not_name_a_theme_of_many():
    (label,) = theme_labels(
        [["Fund rural broadband", "Rural broadband now", "Broadband in villages"]]
    )
    assert label == "Rural broadband"


def test_notes_without_content_words_still_get_a_label():
    labels = theme_labels([["And so on and on", "So it is"], ["Rural broadband", "Broadband"]])
    assert labels[0] == "And so on"


def test_two_themes_with_the_same_words_get_different_labels():
    first, second = theme_labels([["broadband"], ["broadband"]])
    assert first != second


def test_redaction_placeholders_never_name_a_theme():
    themes = [
        ["Write to [an email] about funding", "Send the funding plan to [an email]",
         "[an email] wants funding news"],
        ["Media literacy at school, says [a participant]", "[a participant]: media literacy",
         "[an organisation] teaches media literacy", "[an organisation] on media literacy"],
    ]  # fmt: skip
    labels = theme_labels(themes)
    words = {word.strip(",").lower() for label in labels for word in label.split()}
    assert not words & {"email", "participant", "organisation"}
    assert labels[0].startswith("Funding")
    assert labels[1].startswith("Media literacy")
