"""How fast redaction and the leak check are for a large session, and what the check of
a whole export holds at once (peak of Python allocations).

Run: .venv/bin/python bench/redact.py [PARTICIPANTS] [NOTES]
Prints the figures and writes them to bench/results/redact.json. The roster is synthetic
(`generate_roster`, names in a dozen scripts); notes are 10-40 plain words with up to
three names, emails or organisations of that roster mixed in, about what a host types
in a round. Every redacted note is leak-checked, and the run fails if any leak remains.
"""

from __future__ import annotations

import json
import platform
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

from pollinate.core.redact import LeakCheck, Redactor
from pollinate.core.roster import Roster
from pollinate.core.synthetic_roster import generate_roster

TEXT = (
    "we need more hope and trust in local networks the data should stay with the communities"
    " that produce it by 2030 SDG 17 finance must follow grace period will may young people"
    " said spectrum policy is not enough without skills connectivity costs"
)
WORDS = TEXT.split()


def notes(roster: Roster, count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    people = roster.participants
    written = []
    for _ in range(count):
        words = [rng.choice(WORDS) for _ in range(rng.randint(10, 40))]
        for _ in range(rng.randint(0, 3)):
            person = rng.choice(people)
            mention = rng.choice(
                [person.name, person.name.split()[0], person.email, person.organization]
            )
            words.insert(rng.randrange(len(words) + 1), mention or "")
        written.append(" ".join(words).capitalize() + ".")
    return written


def main() -> None:
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
    roster = generate_roster(size, seed=1)
    texts = notes(roster, count, seed=2)

    start = time.perf_counter()
    redactor = Redactor.from_roster(roster)
    build = time.perf_counter() - start
    start = time.perf_counter()
    check = LeakCheck.from_roster(roster)
    check_build = time.perf_counter() - start

    per_note = []
    redacted = []
    for text in texts:
        start = time.perf_counter()
        redacted.append(redactor.redact(text).text)
        per_note.append(time.perf_counter() - start)
    start = time.perf_counter()
    leaks = sum(len(check.find(text)) for text in redacted)
    check_per_note = (time.perf_counter() - start) / count
    export = "\n\n".join(redacted)
    start = time.perf_counter()
    check.find(export)
    check_export = time.perf_counter() - start
    tracemalloc.start()  # a second pass: tracing slows it, so it is not the one timed
    check.find(export)
    check_export_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    per_note.sort()
    figures = {
        "participants": size,
        "notes": count,
        "mean_note_characters": round(statistics.mean(map(len, texts))),
        "python": platform.python_version(),
        "redactor_build_seconds": round(build, 3),
        "redact_mean_ms": round(statistics.mean(per_note) * 1000, 4),
        "redact_median_ms": round(per_note[len(per_note) // 2] * 1000, 4),
        "redact_p99_ms": round(per_note[int(len(per_note) * 0.99)] * 1000, 4),
        "redact_max_ms": round(per_note[-1] * 1000, 4),
        "leak_check_build_seconds": round(check_build, 3),
        "leak_check_mean_ms_per_note": round(check_per_note * 1000, 4),
        "leak_check_export_characters": len(export),
        "leak_check_export_seconds": round(check_export, 3),
        "leak_check_export_peak_mb": round(check_export_peak / 2**20, 1),
        "leaks_after_redaction": leaks,
    }
    print(json.dumps(figures, indent=2))
    results = Path(__file__).parent / "results"
    results.mkdir(exist_ok=True)
    (results / "redact.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    if leaks:
        raise SystemExit(f"{leaks} leaks after redaction")


if __name__ == "__main__":
    main()
