"""How fast find_themes turns many notes into themes, and how much memory it takes.

Run: .venv/bin/python bench/harvest.py [1000 10000 50000] [--seed N]
Notes: distinct 30-word runs of words from 20 Newsgroups (both splits; see
harvest_data.py), drawn WITHOUT replacement, so every note is a different text, spread
over 100 tables and 4 rounds. (Drawn with replacement, 50,000 notes from the 18,821 posts
would be mostly exact copies, which near-duplicate grouping folds away before
clustering, flattering the figures.)

Each size runs in a fresh Python process so that its peak memory is its own: the
process's peak resident set size (ru_maxrss), which includes Python, numpy, scipy and
scikit-learn (about 120 MB before any note). Seconds are wall-clock and CPU for the whole
of find_themes with the default TfidfThemes: near-duplicates, TF-IDF, the choice of the
number of themes, k-means, labels and representatives; the near-duplicate step is also
timed alone. The live board's case is timed too: a 500-note session re-clustered after
20 more notes arrive, with the previous board and a merge and a rename to keep (median of
5, in a warm process; wall and CPU, since other work on a shared machine stretches the
wall-clock figure: the same run took 0.48 s and 1.53 s a minute apart). Targets (issue 4):
10,000 notes < 10 s and < 1 GB on 2 cores; a 500-note re-cluster < 1 s. Writes
bench/results/harvest.json.
"""

from __future__ import annotations

import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from harvest_data import windows

from pollinate.core.harvest.cluster import find_themes
from pollinate.core.harvest.dedupe import near_duplicates
from pollinate.core.harvest.edits import ThemeEdits
from pollinate.core.notes import Note

RESULTS = Path(__file__).resolve().parent / "results" / "harvest.json"
SIZES = (1000, 10000, 50000)
START = datetime(2025, 6, 24, 9, 0, tzinfo=UTC)


def session_notes(count: int, seed: int, offset: int = 0) -> list[Note]:
    pool = windows("20newsgroups")
    texts = random.Random(seed).sample(pool, count + offset)[offset:]
    return [
        Note(
            f"n{offset + i}",
            (i * 4) // count + 1,
            f"Table {i % 100 + 1}",
            text,
            START + timedelta(seconds=offset + i),
        )
        for i, text in enumerate(texts)
    ]


def peak_megabytes() -> float:
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KB on Linux
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 1e6, 1)


def run_size(count: int, seed: int) -> dict[str, object]:
    notes = session_notes(count, seed)
    started = time.perf_counter()
    groups = near_duplicates([n.text for n in notes])
    dedupe_seconds = time.perf_counter() - started
    wall, cpu = time.perf_counter(), time.process_time()
    themes = find_themes(notes, seed=seed)
    return {
        "notes": count,
        "distinct_ideas": len(groups),
        "themes": len(themes),
        "seconds": round(time.perf_counter() - wall, 2),
        "cpu_seconds": round(time.process_time() - cpu, 2),
        "dedupe_seconds": round(dedupe_seconds, 2),
        "peak_mb": peak_megabytes(),
        "largest_theme": themes[0].size,
        "labels": [t.label for t in themes[:5]],
    }


def run_recluster(seed: int) -> dict[str, object]:
    notes = session_notes(500, seed)
    board = find_themes(notes, seed=seed)
    edits = ThemeEdits().merge(board, board[-1].id, board[-2].id)
    edits = edits.rename(board, board[0].id, "Renamed on the board")
    board = find_themes(notes, seed=seed, pinned=edits)
    more = [*notes, *session_notes(20, seed, offset=500)]
    times, cpu_times = [], []
    for _ in range(5):
        started, cpu = time.perf_counter(), time.process_time()
        after = find_themes(more, seed=seed, pinned=edits, previous=board)
        times.append(time.perf_counter() - started)
        cpu_times.append(time.process_time() - cpu)
    kept = len({t.id for t in after} & {t.id for t in board})
    return {
        "notes": len(more),
        "seconds_median": round(statistics.median(times), 3),
        "seconds_max": round(max(times), 3),
        "cpu_seconds_median": round(statistics.median(cpu_times), 3),
        "themes": len(after),
        "theme_ids_kept": kept,
        "rename_kept": any(t.label == "Renamed on the board" for t in after),
    }


def main(argv: list[str]) -> None:
    if len(argv) == 4 and argv[1] == "--child":
        task, seed = argv[2], int(argv[3].split(":")[1])
        size = task.split(":")[1]
        result = run_recluster(seed) if size == "recluster" else run_size(int(size), seed)
        print(json.dumps(result))
        return
    seed = int(argv[argv.index("--seed") + 1]) if "--seed" in argv else 0
    sizes = [int(a) for a in argv[1:] if a.isdigit() and argv[argv.index(a) - 1] != "--seed"]
    results: dict[str, object] = {}
    for size in [*(str(s) for s in sizes or SIZES), "recluster"]:
        done = subprocess.run(
            [sys.executable, __file__, "--child", f"size:{size}", f"seed:{seed}"],
            capture_output=True,
            text=True,
            check=True,
        )
        result = json.loads(done.stdout.strip().splitlines()[-1])
        results[size] = result
        print(size, json.dumps(result), flush=True)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "python": platform.python_version(),
                "machine": platform.machine(),
                "cpus": os.cpu_count(),
                "seed": seed,
                "notes_from": "distinct 30-word runs of 20 Newsgroups, without replacement",
                "results": results,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main(sys.argv)
