"""Short labels for themes, made of the words that set each theme apart.

    texts per theme ──word and word-pair counts──▶ class TF-IDF ──▶ "Rural broadband, funding"

A term scores by the share of the theme's notes that use it, times how rare it is in the
other themes (class-based TF-IDF, as BERTopic labels topics; Grootendorst 2022). Notes
are counted once per term, so a note that repeats a word cannot name its theme. Terms
are taken best first until the label has about three words; a word pair replaces its
own word when most notes that use the word use the pair. Words keep the spelling most
notes give them, so "AI" and "Nairobi" stay as typed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from itertools import pairwise

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer

from pollinate.core.redact_vocabulary import PLACEHOLDERS

MAX_WORDS = 5
"""Longest label, in words; a label is read from the back of the room."""

_ENOUGH_WORDS = 3  # stop adding terms once the label has this many words
_MAX_TERMS = 3
_WORD = re.compile(r"\w[\w'’-]*\w|\w")
_PLACEHOLDER = re.compile("|".join(re.escape(text) for text in PLACEHOLDERS.values()))


def theme_labels(themes: Sequence[Sequence[str]]) -> tuple[str, ...]:
    """One short, distinct, non-empty label for each theme, given each theme's note texts.

    >>> theme_labels([["Rural broadband now", "Fund rural broadband", "Broadband in villages"],
    ...               ["Teach media literacy", "Media literacy at school"]])
    ('Rural broadband', 'Media literacy')
    """
    # Placeholders stand for what redaction removed; "[an email]" in every note of a theme
    # is no reason to call it "Email".
    themes = [[_PLACEHOLDER.sub(" ", text) for text in theme] for theme in themes]
    ranked = _ranked_terms(themes)
    labels: list[str] = []
    for texts, terms in zip(themes, ranked, strict=True):
        label = _compose(terms, texts, _MAX_TERMS)
        # Two themes with the same label cannot be told apart on the board: add a term.
        if label in labels:
            label = _compose(terms, texts, _MAX_TERMS + 1, words=MAX_WORDS)
        if label in labels:
            label = f"{label} ({sum(existing.startswith(label) for existing in labels) + 1})"
        labels.append(label)
    return tuple(labels)


def _ranked_terms(themes: Sequence[Sequence[str]]) -> list[list[tuple[str, int]]]:
    """Per theme, its terms best first, each with the number of its notes that use it."""
    texts = [text for theme in themes for text in theme]
    try:
        counter = CountVectorizer(ngram_range=(1, 2), stop_words="english", binary=True)
        notes_terms = counter.fit_transform(texts)
    except ValueError:  # no note of any theme has a word that is not a stop word
        return [[] for _ in themes]
    vocabulary = counter.get_feature_names_out()
    bounds = np.cumsum([0, *(len(theme) for theme in themes)])
    per_theme = np.vstack(
        [np.asarray(notes_terms[a:b].sum(axis=0)).ravel() for a, b in pairwise(bounds)]
    ).astype(np.float64)
    totals = per_theme.sum(axis=1, keepdims=True)
    share = np.divide(per_theme, totals, out=np.zeros_like(per_theme), where=totals > 0)
    average = float(totals.mean()) or 1.0
    rarity = np.log1p(average / np.maximum(per_theme.sum(axis=0), 1.0))
    scores = share * rarity
    ranked: list[list[tuple[str, int]]] = []
    for row, counts in zip(scores, per_theme, strict=True):
        # Sort by score, then by term, so that ties break the same way on every run.
        order = sorted(np.flatnonzero(row), key=lambda i: (-row[i], vocabulary[i]))
        ranked.append([(str(vocabulary[i]), int(counts[i])) for i in order])
    return ranked


def _compose(
    terms: list[tuple[str, int]], texts: Sequence[str], most_terms: int, words: int = 4
) -> str:
    # A word from a single note says little about a theme of many; it is used only when
    # the shared words give fewer than two.
    chosen = _choose(terms, most_terms, words, least_uses=2 if len(texts) > 1 else 1)
    if _word_count(chosen) < 2:
        chosen = _choose(terms, most_terms, words, least_uses=1, start=chosen)
    if not chosen:
        return _opening_words(texts)
    spelling = _spellings(texts)
    phrases = [" ".join(spelling.get(w, w) for w in term.split()) for term, _ in chosen]
    label = ", ".join(phrases)
    return label[0].upper() + label[1:]


def _choose(
    terms: list[tuple[str, int]],
    most_terms: int,
    words: int,
    *,
    least_uses: int,
    start: Sequence[tuple[str, int]] = (),
) -> list[tuple[str, int]]:
    chosen = list(start)
    for term, uses in terms:
        if uses < least_uses or (term, uses) in chosen:
            continue
        parts = set(term.split())
        overlapping = [c for c in chosen if set(c[0].split()) & parts]
        if overlapping:
            # "broadband", "rural" then "rural broadband": the pair replaces both words
            # when most notes that use them use the pair.
            singles = all(len(c[0].split()) == 1 for c in overlapping)
            if len(parts) == 2 and singles and 2 * uses > max(c[1] for c in overlapping):
                at = chosen.index(overlapping[0])
                chosen = [c for c in chosen if c not in overlapping]
                chosen.insert(at, (term, uses))
            continue
        if _word_count(chosen) + len(parts) > words:
            continue
        chosen.append((term, uses))
        if len(chosen) >= most_terms or _word_count(chosen) >= _ENOUGH_WORDS:
            break
    return chosen


def _word_count(chosen: list[tuple[str, int]]) -> int:
    return sum(len(term.split()) for term, _ in chosen)


def _spellings(texts: Sequence[str]) -> dict[str, str]:
    """Each lower-case word mapped to the spelling most of these notes give it."""
    seen: dict[str, Counter[str]] = {}
    for text in texts:
        for word in _WORD.findall(text):
            seen.setdefault(word.lower(), Counter())[word] += 1
    spelling: dict[str, str] = {}
    for lower, forms in seen.items():
        # Prefer the lower-case form on a tie: "Broadband" at a sentence start is no name.
        form = max(forms.items(), key=lambda item: (item[1], item[0] == lower, item[0]))[0]
        spelling[lower] = form
    return spelling


def _opening_words(texts: Sequence[str]) -> str:
    """A label for notes without content words: the first note's first words."""
    words = texts[0].split()[:_ENOUGH_WORDS] if texts else []
    return " ".join(words)[:40] or "Untitled theme"
