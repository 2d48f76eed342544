from __future__ import annotations

import numpy as np

from pollinate.core.harvest.partition import MAX_THEMES, choose_partition


def unit_rows(rows: np.ndarray) -> np.ndarray:
    unit: np.ndarray = rows / np.linalg.norm(rows, axis=1, keepdims=True)
    return unit


def blobs(centres: int, per_centre: int, spread: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    axes = np.eye(centres * 2)[:centres]
    noise = rng.normal(scale=spread, size=(centres * per_centre, centres * 2))
    rows = np.repeat(axes, per_centre, axis=0) + noise
    return unit_rows(rows)


def test_chosen_number_never_exceeds_the_cap():
    rows = unit_rows(np.random.default_rng(0).normal(size=(400, 20)))
    assert len(set(choose_partition(rows, seed=0, n_themes=None).tolist())) <= MAX_THEMES


def test_clear_groups_are_found_without_being_told_how_many():
    assignment = choose_partition(blobs(4, 25, 0.1), seed=0, n_themes=None)
    assert assignment.tolist() == [i // 25 for i in range(100)]


def test_no_theme_is_smaller_than_three_percent_when_the_number_is_chosen():
    rows = unit_rows(np.random.default_rng(1).normal(size=(300, 8)))
    sizes = np.bincount(choose_partition(rows, seed=0, n_themes=None))
    assert sizes.min() >= 9


def test_the_boards_number_of_themes_is_kept_when_nearly_as_good():
    # Two groups, one of them two close sub-groups: 2 themes score a silhouette of 0.92,
    # 3 score 0.90. Fresh, the method picks 2; a board showing 3 keeps its 3.
    centres = np.array([[1, 0, 0], [0, 1, 0], [0, 1, 0.7]])
    noise = np.random.default_rng(0).normal(scale=0.12, size=(90, 3))
    rows = unit_rows(np.repeat(centres, 30, axis=0) + noise)
    board = [range(30), range(30, 60), range(60, 90)]
    assert len(set(choose_partition(rows, seed=0, n_themes=None).tolist())) == 2
    anchored = choose_partition(rows, seed=0, n_themes=None, anchors=board)
    assert anchored.tolist() == [i // 30 for i in range(90)]


def test_anchored_clustering_starts_from_the_boards_themes():
    rows = blobs(3, 20, 0.15, seed=4)
    board = [list(range(20)), list(range(20, 40)), list(range(40, 60))]
    anchored = choose_partition(rows, seed=0, n_themes=3, anchors=board)
    assert anchored.tolist() == [i // 20 for i in range(60)]


def test_more_themes_than_the_board_had_start_from_the_farthest_rows():
    rows = blobs(3, 20, 0.1, seed=5)
    board = [list(range(40))]  # the board had merged two of the groups
    anchored = choose_partition(rows, seed=0, n_themes=3, anchors=board)
    assert sorted(np.bincount(anchored).tolist()) == [20, 20, 20]


def test_silhouettes_are_worked_out_within_a_bounded_memory(monkeypatch):
    import sklearn

    from pollinate.core.harvest import partition

    seen: list[int] = []
    from sklearn.metrics import silhouette_score

    def spying(*args: object, **options: object) -> float:
        seen.append(sklearn.get_config()["working_memory"])
        return float(silhouette_score(*args, **options))

    monkeypatch.setattr(partition, "silhouette_score", spying)
    choose_partition(blobs(3, 20, 0.1), seed=0, n_themes=None)
    assert seen
    assert set(seen) == {partition.WORKING_MB}
    assert sklearn.get_config()["working_memory"] != partition.WORKING_MB  # restored after
