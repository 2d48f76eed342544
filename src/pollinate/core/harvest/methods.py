"""Ways to group note texts into themes, behind one small protocol so they can be swapped.

    texts ──vectors (rows of length 1)──▶ choose_partition (partition.py) ──▶ Grouping

`TfidfThemes` is the dependable default: scikit-learn only, a few hundred notes in well
under a second. `EmbeddingThemes` groups by meaning with a sentence-embedding model; it
is stronger but needs the optional `pollinate[embeddings]` extra (see `minilm.py`).
bench/harvest_quality.py measures both against labelled public data.

Both choose the number of themes themselves unless `n_themes` is given (partition.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from scipy.sparse import csr_matrix, diags, hstack
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize
from threadpoolctl import threadpool_limits

from pollinate.core.harvest.partition import SINGLE_THREAD, Vectors, choose_partition

LSA_DIMENSIONS = 100
"""Directions TF-IDF rows are projected on before clustering (latent semantic analysis)."""

_RARE_TERMS_FROM = 1000  # notes

Encoder = Callable[[Sequence[str]], np.ndarray]


@dataclass(frozen=True, slots=True, eq=False)
class Grouping:
    """Which theme each text went to (`assignment[i]` in 0 … k-1) and the text vectors.

    `vectors` has one row per text, each of length 1, so that a dot product is a cosine;
    `find_themes` uses them to pick the notes nearest each theme's centre.
    """

    assignment: np.ndarray
    vectors: Vectors


class ThemeMethod(Protocol):
    """A way to group texts; `find_themes` calls `group` on the distinct note texts.

    `n_themes` is the rapporteur's choice from the board; None lets the method choose.
    `anchors` lists, for each theme of the board as last shown, the indices of its texts
    still present; a method should start from them so that themes stay put as notes
    arrive. The same texts, seed and anchors must give the same grouping.
    """

    def group(
        self,
        texts: Sequence[str],
        *,
        seed: int,
        n_themes: int | None,
        anchors: Sequence[Sequence[int]] = (),
    ) -> Grouping:
        """Group `texts` (at least one) into themes."""
        ...


@dataclass(frozen=True, slots=True)
class TfidfThemes:
    """TF-IDF of words and word pairs, then k-means on cosine, offline and dependable.

    English stop words are dropped and TF is sublinear so that one long note cannot pull
    a theme to itself. The rows are projected on their 100 main directions (latent
    semantic analysis) before k-means: choosing k took 4.2 s for 297 notes on the
    sparse rows and 0.3–0.5 s for 495 after projection, and the adjusted Rand index on
    the training draws moved by 0.02 either way (20 Newsgroups 0.052 to 0.068, Reuters
    R8 0.238 to 0.217). `char_ngrams` adds character 3–5-grams: on the training draws they raised
    the index by about 0.02 but took 1.8 times as long for 300 notes and 7 times for
    11,000, and lost 0.12 on the whole R8 split, so they are off (bench/README.md).

    >>> TfidfThemes().group(["Rural broadband now", "Broadband for rural areas",
    ...                      "Teach media literacy", "Media literacy in school"],
    ...                     seed=0, n_themes=2).assignment.tolist()
    [0, 0, 1, 1]
    """

    char_ngrams: bool = False

    def group(
        self,
        texts: Sequence[str],
        *,
        seed: int,
        n_themes: int | None,
        anchors: Sequence[Sequence[int]] = (),
    ) -> Grouping:
        """Group `texts` by their TF-IDF vectors."""
        vectors = semantic_vectors(tfidf_vectors(texts, char_ngrams=self.char_ngrams), seed)
        chosen = choose_partition(vectors, seed=seed, n_themes=n_themes, anchors=anchors)
        return Grouping(chosen, vectors)


@dataclass(frozen=True, slots=True)
class EmbeddingThemes:
    """Sentence embeddings, then k-means on cosine: groups notes by meaning, not words.

    `encode` turns texts into one vector per text (`minilm.load_minilm()` gives the
    all-MiniLM-L6-v2 model from the optional extra); it is passed in so that the core
    loads nothing by itself and tests can use a small stand-in.
    """

    encode: Encoder

    def group(
        self,
        texts: Sequence[str],
        *,
        seed: int,
        n_themes: int | None,
        anchors: Sequence[Sequence[int]] = (),
    ) -> Grouping:
        """Group `texts` by the cosine of their embeddings."""
        vectors = normalize(np.asarray(self.encode(list(texts)), dtype=np.float32))
        chosen = choose_partition(vectors, seed=seed, n_themes=n_themes, anchors=anchors)
        return Grouping(chosen, vectors)


def tfidf_vectors(texts: Sequence[str], *, char_ngrams: bool = False) -> csr_matrix:
    """Rows of length 1: TF-IDF of words and word pairs (and 3–5-grams if asked).

    A note of stop words only ("And so on") gets its own columns from a vectorizer that
    keeps stop words, and a note without any word ("👍") a column of its own kind, so no
    row is zero: k-means and cosine have no direction for a zero row.
    """
    options: dict[str, Any] = {"sublinear_tf": True, "strip_accents": "unicode"}
    options["dtype"] = np.float32
    # From 1,000 notes on, terms of a single note are dropped: they cannot tie a note to
    # any other, and they are most of the vocabulary (27,000 of ~30,000 terms for 1,000
    # newsgroup snippets), which the projection below would otherwise pay for.
    rare = 2 if len(texts) >= _RARE_TERMS_FROM else 1
    words = {"ngram_range": (1, 2), "stop_words": "english", "min_df": rare}
    blocks = [_tfidf(texts, **words, **options)]
    if char_ngrams:
        blocks.append(_tfidf(texts, analyzer="char_wb", ngram_range=(3, 5), **options))
    matrix = normalize(hstack(blocks).tocsr())
    empty = np.diff(matrix.indptr) == 0
    if empty.any():
        stop_words_only = diags(empty.astype(np.float32)) @ _tfidf(texts, **options)
        matrix = hstack([matrix, stop_words_only]).tocsr()
        no_words = np.diff(matrix.indptr) == 0
        matrix = normalize(hstack([matrix, csr_matrix(no_words[:, None].astype(np.float32))]))
    result: csr_matrix = matrix.tocsr()
    return result


def semantic_vectors(matrix: csr_matrix, seed: int) -> np.ndarray:
    """Rows of length 1 in the `LSA_DIMENSIONS` main directions of `matrix` (or fewer)."""
    dimensions = min(LSA_DIMENSIONS, matrix.shape[0] - 1, matrix.shape[1] - 1)
    if dimensions < 2:
        dense: np.ndarray = normalize(matrix.toarray())
        return dense
    with threadpool_limits(limits=SINGLE_THREAD):
        projected = TruncatedSVD(dimensions, random_state=seed).fit_transform(matrix)
    reduced: np.ndarray = normalize(projected).astype(np.float32)
    return reduced


def _tfidf(texts: Sequence[str], **options: Any) -> csr_matrix:
    try:
        matrix: csr_matrix = normalize(TfidfVectorizer(**options).fit_transform(texts))
    except ValueError:  # no text has a term this vectorizer keeps
        matrix = csr_matrix((len(texts), 1), dtype=np.float32)
    return matrix
