"""How long writing every output of a plan takes, with and without the PDFs.

Run: .venv/bin/python bench/bench_exports.py [PARTICIPANTS]
Prints the figures and writes them to bench/results/exports.json. The plan is built by
hand (round-robin seating), so this measures the writers and WeasyPrint, not the planner.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from pollinate.core.planner.model import Place, Plan, PlanMetrics
from pollinate.core.roster import Attendance, Participant, Roster
from pollinate.io.exports import write_plan_outputs

ROUNDS = 3
SEATS = 6


def cafe(size: int) -> tuple[Roster, Plan]:
    online = size // 5
    people = [
        Participant(
            f"p{i:04d}",
            f"Person {i}",
            email=f"p{i}@example.org",
            attendance=Attendance.ONLINE if i < online else Attendance.ONSITE,
        )
        for i in range(size)
    ]
    rooms = -(-online // SEATS)
    tables = -(-(size - online) // SEATS)
    places = tuple(Place(f"Room {r + 1}", SEATS, online=True) for r in range(rooms)) + tuple(
        Place(f"Table {t + 1}", SEATS) for t in range(tables)
    )
    seating = []
    for round_index in range(ROUNDS):
        seats: dict[str, str] = {}
        for i, person in enumerate(people):
            if i < online:
                seats[person.id] = f"Room {(i + round_index * 7) % rooms + 1}"
            else:
                seats[person.id] = f"Table {(i - online + round_index * 11) % tables + 1}"
        seating.append(seats)
    return Roster(tuple(people)), Plan(places=places, seating=tuple(seating))


def timed(size: int, pdf: bool) -> float:
    roster, plan = cafe(size)
    metrics = PlanMetrics(0, 0, 1.0, 0, 0, 0, 0, 0, size, ROUNDS)
    with tempfile.TemporaryDirectory() as directory:
        start = time.perf_counter()
        write_plan_outputs(
            Path(directory), spec=None, roster=roster, plan=plan, metrics=metrics,
            seconds=0.0, join_url="https://cafe.example/join", pdf=pdf,
        )  # fmt: skip
        return time.perf_counter() - start


def main() -> None:
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    timed(12, pdf=True)  # warm-up: WeasyPrint's first import and font loading
    figures = {
        "participants": size,
        "rounds": ROUNDS,
        "seconds_without_pdf": round(timed(size, pdf=False), 3),
        "seconds_with_pdf": round(timed(size, pdf=True), 3),
    }
    print(json.dumps(figures, indent=2))
    results = Path(__file__).parent / "results"
    results.mkdir(exist_ok=True)
    (results / "exports.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
