"""Near-duplicate notes, grouped so that a theme shows each idea once.

    texts ──normalise──▶ exact groups ──word TF-IDF, cosine ≥ 0.5──▶ candidate pairs
          ──character 3-gram TF-IDF, cosine ≥ 0.85──▶ near-duplicate pairs ──▶ groups

Hosts retype a note after a typo, two tables write the same slogan, a phone sends twice.
Character 3-grams see through typos, case and punctuation, which words do not; but
comparing every pair of notes on them took 2.6 s for 6,454 distinct notes (measured,
bench/README.md), because short notes share common 3-grams such as " th". So pairs are
first proposed by the notes' content words (cosine ≥ 0.4), a sparse product that costs
a tenth of that, and only those pairs are compared on 3-grams. Groups are the connected
components of the near-duplicate pairs.

Weights are term frequencies without IDF, so whether two notes are near-duplicates does
not depend on the other notes of the session. Two notes that differ in a negation
("should regulate" / "should not regulate") are never near-duplicates, however close
their letters: 3-grams put that pair at 0.91.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import numpy as np
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

NEAR_DUPLICATE = 0.85
"""Least cosine similarity of character 3-gram TF-IDF vectors for two near-duplicates."""

CANDIDATE = 0.4
"""Least cosine of content-word vectors for a pair to be compared on 3-grams at all.

One typo in four content words leaves a cosine of 0.75; one in two leaves 0.5, which
float32 rounding can put just under 0.5, hence the margin.
"""

# Rows per sparse product. Notes on one narrow subject share most of their words, and
# then the product is nearly dense: 256 rows × 8,000 notes stays near 30 MB.
_CHUNK = 256
# Candidate pairs compared on 3-grams at once: both rows of every pair are copied for the
# comparison, which for 160,000 pairs of 8,000 notes was most of 60 MB; per 2,048 pairs
# each pair's cosine is the same, summed in the same order.
_PAIRS_CHUNK = 2048
# Candidates kept per note, the most similar first. Without a cap, 8,000 notes written
# from a 30-word vocabulary made 32 million candidate pairs: 40 s and 13.9 GB for one
# re-clustering (measured). Groups are connected components, so a note still joins its
# group through its nearest neighbours.
NEIGHBOURS = 20
_NOT_WORD = re.compile(r"[^\w\s]+")
# English negations; "t" is what normalise leaves of "n't" ("don't" -> "don t").
_NEGATIONS = frozenset(
    ["not", "no", "never", "nor", "cannot", "without", "none", "nobody", "nothing", "neither", "t"]
)


def normalise(text: str) -> str:
    """The text as compared: case-folded, accents and punctuation dropped, spaces single.

    >>> normalise("  Trust, is LOCAL!  Café ")
    'trust is local cafe'
    """
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return " ".join(_NOT_WORD.sub(" ", folded).split())


def near_duplicates(
    texts: Sequence[str], *, threshold: float = NEAR_DUPLICATE
) -> tuple[tuple[int, ...], ...]:
    """Every index of `texts` in exactly one group; a group of two or more is near-duplicates.

    Groups are ordered by their first index and list their indices in ascending order.

    >>> near_duplicates(["Free wifi in libraries", "free wi-fi in libraries!", "Rural roads"])
    ((0, 1), (2,))
    """
    if not texts:
        return ()
    keys = [normalise(t) for t in texts]
    distinct = list(dict.fromkeys(keys))
    index = {key: i for i, key in enumerate(distinct)}
    pairs = _similar_pairs(distinct, threshold) if len(distinct) > 1 else np.empty((0, 2), int)
    size = len(distinct)
    graph = coo_matrix(
        (np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(size, size)
    ).tocsr()
    _, component = connected_components(graph, directed=False)
    groups: dict[int, list[int]] = {}
    for position, key in enumerate(keys):
        groups.setdefault(int(component[index[key]]), []).append(position)
    return tuple(sorted((tuple(g) for g in groups.values()), key=lambda g: g[0]))


def _similar_pairs(distinct: list[str], threshold: float) -> np.ndarray:
    """Pairs (i < j) of distinct normalised texts whose 3-gram cosine reaches `threshold`."""
    candidates = _candidate_pairs(distinct)
    if len(candidates) == 0:
        return candidates
    grams = _vectors(distinct, analyzer="char_wb", ngram_range=(3, 3))
    cosine = np.concatenate(
        [
            _row_dots(grams, candidates[start : start + _PAIRS_CHUNK])
            for start in range(0, len(candidates), _PAIRS_CHUNK)
        ]
    )
    negations = np.array([sum(w in _NEGATIONS for w in text.split()) for text in distinct])
    same_sense = negations[candidates[:, 0]] == negations[candidates[:, 1]]
    similar: np.ndarray = candidates[(cosine >= threshold) & same_sense]
    return similar


def _row_dots(vectors: csr_matrix, pairs: np.ndarray) -> np.ndarray:
    """The dot product of the two rows of each pair (cosines, for normalised rows)."""
    left, right = vectors[pairs[:, 0]], vectors[pairs[:, 1]]
    dots: np.ndarray = np.asarray(left.multiply(right).sum(axis=1)).ravel()
    return dots


def _candidate_pairs(distinct: list[str]) -> np.ndarray:
    try:
        words = _vectors(distinct, analyzer="word", ngram_range=(1, 1), stop_words="english")
    except ValueError:  # no note has a content word ("Yes!", "and so on")
        return np.empty((0, 2), int)
    words_t = words.T.tocsr()
    found: list[np.ndarray] = []
    for start in range(0, words.shape[0], _CHUNK):
        block = (words[start : start + _CHUNK] @ words_t).tocsr()
        for row in range(block.shape[0]):
            begin, end = block.indptr[row], block.indptr[row + 1]
            columns, values = block.indices[begin:end], block.data[begin:end]
            keep = (values >= CANDIDATE) & (columns > row + start)
            columns, values = columns[keep], values[keep]
            if len(columns) > NEIGHBOURS:
                columns = columns[np.argpartition(-values, NEIGHBOURS)[:NEIGHBOURS]]
            found.append(np.column_stack([np.full(len(columns), row + start), columns]))
    return np.concatenate(found).astype(np.int64) if found else np.empty((0, 2), np.int64)


def _vectors(texts: list[str], **options: object) -> csr_matrix:
    vectorizer = TfidfVectorizer(use_idf=False, dtype=np.float32, **options)
    matrix: csr_matrix = normalize(vectorizer.fit_transform(texts))
    return matrix
