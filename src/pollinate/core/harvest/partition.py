"""How many themes, and which rows go in each: k-means with a number it chooses itself.

    rows ──k-means, k = 2 … 15──▶ silhouettes ──▶ k ──k-means (from the board's themes)──▶ themes

Nobody tells the rapporteur how many themes there are, so unless `n_themes` is given the
number is chosen: the k with the best mean cosine silhouette among those whose every
theme holds at least `SMALLEST_SHARE` of the rows, up to `MAX_THEMES`. The rule was
chosen on the training splits of 20 Newsgroups and Reuters-21578 R8 (cut to 30 words,
12 draws of 300 texts each); the quality figures come from their test splits. With k up
to 25 and no floor, the best silhouette picked 18–25 themes for TF-IDF; the 3 % floor
and the cap raised the adjusted Rand index for every method tried (TF-IDF on R8: 0.16
to 0.24; sentence embeddings on 20 Newsgroups: 0.34 to 0.39).

The live board re-clusters whenever notes arrive, and k-means from fresh starts can
reshuffle themes over a few new notes. Given `anchors` (the rows of each theme on the
board as last shown), the board's number of themes is kept unless another is better by
more than `STICKINESS`, and k-means starts from the centres of those themes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

import numpy as np
from scipy.sparse import csr_matrix
from sklearn import config_context
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.metrics import silhouette_score
from threadpoolctl import threadpool_limits

Vectors: TypeAlias = np.ndarray | csr_matrix

MAX_THEMES = 15
"""Most themes a method chooses by itself; more cannot be reported back in a few minutes."""

SMALLEST_SHARE = 0.03
"""Least share of the rows in any theme when a method chooses the number itself."""

STICKINESS = 0.02
"""Silhouette by which the board's number of themes may trail the best and still stay."""

SINGLE_THREAD = 1
"""Threads for k-means and the projection. On the shared 2-core machine, worker threads
waited for each other longer than the work took: 30 notes took 1.0–1.9 s with two
threads and 0.13–0.16 s with one; 10,000 notes took 7.3–24.6 s with two (by load) and
5.5 s with one, under a profiler. One thread also leaves the other core to the web app."""

WORKING_MB = 16
"""Megabytes scikit-learn may take at once for pairwise distances (its default: 1,024).
The silhouette of 2,000 sampled rows is then worked out in two blocks of rows rather than
one 2,000 × 2,000 matrix: the same scores, and re-clustering 2,000 notes peaked 20 MB
lower (24 → 3 MB above the process's size before it), in the same time."""

_SILHOUETTE_SAMPLE = 2000  # silhouette costs n²; a seeded sample keeps 50,000 notes cheap
_MINI_BATCH_FROM = 5000  # rows; above this MiniBatchKMeans keeps 50,000 notes quick
_MOST_STARTS = 8
_START_BUDGET = 3000  # rows × starts per k-means: 8 starts up to 375 rows, 1 from 3,000


def choose_partition(
    vectors: Vectors,
    *,
    seed: int,
    n_themes: int | None,
    anchors: Sequence[Sequence[int]] = (),
) -> np.ndarray:
    """Theme index per row (rows of length 1), numbered in order of first appearance.

    >>> rows = np.array([[1, 0], [0.9, 0.1], [0, 1], [0.1, 0.9]])
    >>> choose_partition(rows, seed=0, n_themes=None).tolist()
    [0, 0, 1, 1]
    """
    ordered = sorted((list(a) for a in anchors if len(a)), key=len, reverse=True)
    with threadpool_limits(limits=SINGLE_THREAD), config_context(working_memory=WORKING_MB):
        distinct = _distinct_rows(vectors)
        if n_themes is not None:
            k = max(1, min(n_themes, distinct))
        else:
            most = min(distinct - 1, vectors.shape[0] // 2)
            k = _chosen_count(vectors, seed, most, len(ordered))
        return _kmeans(vectors, k, seed, anchors=ordered)


def _chosen_count(vectors: Vectors, seed: int, most: int, board_count: int) -> int:
    count = vectors.shape[0]
    largest = min(MAX_THEMES, most)
    if largest < 2:
        return 1
    smallest = max(1, round(SMALLEST_SHARE * count))
    scores: dict[int, float] = {}
    for k in range(2, largest + 1):
        assignment = _kmeans(vectors, k, seed)
        sizes = np.bincount(assignment, minlength=k)
        if sizes.min() < smallest or len(np.unique(assignment)) < 2:
            continue
        scores[k] = float(
            silhouette_score(
                vectors,
                assignment,
                metric="cosine",
                sample_size=min(count, _SILHOUETTE_SAMPLE),
                random_state=seed,
            )
        )
    if not scores:
        return 2
    best = max(scores, key=lambda k: (scores[k], -k))
    if board_count in scores and scores[board_count] >= scores[best] - STICKINESS:
        return board_count
    return best


def _kmeans(
    vectors: Vectors, k: int, seed: int, *, anchors: Sequence[list[int]] = ()
) -> np.ndarray:
    if k == 1:
        return np.zeros(vectors.shape[0], dtype=np.int64)
    # Short notes are nearly orthogonal (silhouettes of 0.05–0.1), so k-means from one
    # start often stops in a poor optimum: on the 30-note three-topic test set one start
    # chose 2 themes, eight chose the 3 topics for 6 seeds out of 6. Starts cost time in
    # proportion to the notes, so large sessions get fewer.
    starts = min(_MOST_STARTS, max(1, _START_BUDGET // vectors.shape[0]))
    init: np.ndarray | str = "k-means++"
    if anchors:
        init, starts = _centres(vectors, k, anchors), 1
    if vectors.shape[0] >= _MINI_BATCH_FROM:
        model: KMeans | MiniBatchKMeans = MiniBatchKMeans(
            k, init=init, random_state=seed, n_init=starts, batch_size=2048
        )
    else:
        model = KMeans(k, init=init, random_state=seed, n_init=starts)
    return _in_order_of_appearance(model.fit_predict(vectors))


def _centres(vectors: Vectors, k: int, anchors: Sequence[list[int]]) -> np.ndarray:
    """Starting centres: the board's largest themes, then the rows farthest from them."""
    centres = [np.asarray(vectors[rows].mean(axis=0)).ravel() for rows in anchors[:k]]
    while len(centres) < k:
        closeness = np.asarray(vectors @ np.array(centres).T).max(axis=1)
        centres.append(_row(vectors, int(np.argmin(closeness))))
    return np.array(centres, dtype=np.float64)


def _row(vectors: Vectors, index: int) -> np.ndarray:
    row = vectors[index]
    return np.asarray(row.toarray() if isinstance(row, csr_matrix) else row).ravel()


def _in_order_of_appearance(assignment: np.ndarray) -> np.ndarray:
    """Renumber themes so that the first row is in theme 0, the next new one in 1, …"""
    _, first = np.unique(assignment, return_index=True)
    order = np.argsort(np.argsort(first))
    renumbered: np.ndarray = order[np.searchsorted(np.unique(assignment), assignment)]
    return renumbered.astype(np.int64)


def _distinct_rows(vectors: Vectors) -> int:
    """How many different rows; k-means cannot make more non-empty themes than that."""
    if vectors.shape[0] >= _MINI_BATCH_FROM:  # dedupe ran before; rows are distinct enough
        return int(vectors.shape[0])
    dense = vectors.toarray() if isinstance(vectors, csr_matrix) else np.asarray(vectors)
    return int(np.unique(np.round(dense, 6), axis=0).shape[0])
