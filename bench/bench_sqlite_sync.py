"""What SQLite's synchronous=FULL costs against NORMAL for a note write, in WAL mode.

Run: .venv/bin/python bench/bench_sqlite_sync.py [NOTES]
Each write is what accepting a note does: one transaction that inserts the note and
appends its outbox event, committed on its own. Prints the latency and rate per mode and
writes them to bench/results/sqlite_sync.json. The database lives beside this file's
results (the project's own disk), because /tmp may be a RAM disk that never syncs.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import event

from pollinate.core.notes import take_note
from pollinate.store import outbox, repositories
from pollinate.store.db import create_engine_for, session_factory, upgrade

RESULTS = Path(__file__).resolve().parent / "results"


def measure(mode: str, notes: int, folder: Path) -> dict[str, float]:
    engine = create_engine_for(f"sqlite:///{folder / f'{mode}.db'}")

    @event.listens_for(engine, "connect")
    def _override(dbapi_connection, _record):  # runs after the engine's own pragmas
        dbapi_connection.execute(f"PRAGMA synchronous={mode}")

    upgrade(engine)
    sessions = session_factory(engine)
    now = datetime.now(UTC)
    with sessions.begin() as s:
        session_id = repositories.create_session(s, title="bench", spec={}, now=now)
        actual = s.connection().exec_driver_sql("PRAGMA synchronous").scalar()
        if actual != {"NORMAL": 1, "FULL": 2}[mode]:
            raise RuntimeError(f"asked for synchronous={mode}, got {actual}")
    latencies = []
    for number in range(notes):
        started = time.perf_counter()
        with sessions.begin() as s:
            note = take_note(
                repositories.new_note_id(), round=1, table="T1", text=f"note {number}", taken_at=now
            )
            repositories.add_note(s, session_id, note, now=now)
            outbox.append(s, session_id, "note.added", {"id": note.id}, now=now)
        latencies.append(time.perf_counter() - started)
    engine.dispose()
    latencies.sort()
    return {
        "median_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[int(len(latencies) * 0.95)] * 1000,
        "notes_per_second": len(latencies) / sum(latencies),
    }


def main() -> None:
    notes = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    RESULTS.mkdir(exist_ok=True)
    modes: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(dir=RESULTS) as folder:
        for mode in ("NORMAL", "FULL"):
            modes[mode] = measure(mode, notes, Path(folder))
            print(mode, {name: round(value, 2) for name, value in modes[mode].items()})
    figures = {"notes": notes, **modes}
    (RESULTS / "sqlite_sync.json").write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
