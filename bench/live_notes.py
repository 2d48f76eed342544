"""Hosts writing notes at a fixed rate, and the proof that each one landed exactly once.

    take_notes(run) ─▶ note i due at start + i/R, sent then whether or not the earlier
        ones were answered (open loop), each with Idempotency-Key TAG-i
        ├─ no answer (transport fault, timeout) ─▶ sent again with the same key, twice at most
        └─ 2xx ─▶ the note's id; latency = answer time − due time
    ─▶ wait for each acknowledged id's `note.added` on the rapporteur's stream
    ─▶ read the round's notes back (rapporteur) ─▶ lost, duplicated, id mismatches

Every note's text starts with a marker of letters (TAG + i in letters), unique in the run,
so a stored note is matched to its request even if its id were wrong.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from live_report import summary
from live_run import LOCAL, NoteFeed, Options, Run
from live_servers import letters
from live_wire import HttpClient, StaleConnection

# Words a table might write down, none of them a name. Each note draws its own handful:
# notes that all say the same thing would time the theme board's near-duplicate search
# at its worst (2,000 such notes: one re-clustering took 23 s and peaked at 4.2 GB RSS),
# which is a finding about identical notes, not about a café's load.
WORD_TEXT = (
    "access accountability advocacy agreement algorithms audit awareness benchmarks "
    "bias boards budgets capacity climate coalition commitments communities companies "
    "compliance consent cooperation courts data dashboards debate disclosure diversity "
    "documentation due diligence education emissions energy engagement enforcement "
    "equity evidence expertise fairness finance follow-up funding governance grievance "
    "guidelines harm human rights impact incentives indicators information infrastructure "
    "innovation inspections investors labour language law learning licensing literacy "
    "litigation local markets measurement mechanisms metrics migration monitoring "
    "networks oversight ownership participation partnerships pipelines platforms policy "
    "privacy procurement proxy voting public reporting regulation remedy research "
    "resolutions responsibility risk safeguards science security shareholders skills "
    "standards stewardship suppliers supply chains surveillance sustainability targets "
    "taxonomy technology testing training transparency trust unions verification "
    "vulnerable groups whistleblowers workers youth"
)
WORDS = tuple(WORD_TEXT.split())
NOTE_WORDS = 12


def note_words(number: int) -> str:
    """A note's text after its marker: its own draw of words, the same in every run."""
    return " ".join(random.Random(number).sample(WORDS, NOTE_WORDS))


def alpha(number: int) -> str:
    """`number` in letters (a, b, …, z, ba, …): note markers redaction cannot mistake."""
    text = ""
    while True:
        number, digit = divmod(number, 26)
        text = chr(ord("a") + digit) + text
        if not number:
            return text


@dataclass
class Posted:
    """What became of one scheduled note."""

    number: int
    marker: str
    due: float
    status: int | None = None  # None: no answer (transport fault, timeout, --notes-drain)
    latency: float | None = None
    note_id: str | None = None
    retries: int = 0
    replayed: bool = False
    changed: bool = False
    error: str | None = None


async def post_note(run: Run, opts: Options, posted: Posted, tag: str, pool: HttpClient) -> None:
    """Send one note at its host's table, filling in `posted`; re-sent only with its key."""
    table, token = run.session.hosts[posted.number % opts.hosts]
    text = f"{posted.marker} {note_words(posted.number)}"
    body = {"round": run.round, "table": table, "text": text}
    for attempt in range(3):
        try:
            reply = await pool.request(
                "POST",
                f"/api/sessions/{run.session.session_id}/notes",
                token=token,
                body=body,
                headers={"Idempotency-Key": f"{tag}-{posted.number}"},
                timeout=opts.request_timeout,
            )
        except StaleConnection:
            continue  # never reached the app: send again (not counted as a retry)
        except (OSError, TimeoutError) as error:
            posted.error = f"{type(error).__name__}: {error}"
            if attempt < 2:
                posted.retries += 1
            continue
        posted.status, posted.latency = reply.status, time.monotonic() - posted.due
        posted.replayed = reply.headers.get("idempotent-replayed") == "true"
        if 200 <= reply.status < 300:
            answer = reply.json()
            posted.note_id, posted.changed = answer["id"], answer["text"] != text
            posted.error = None
        else:
            posted.error = f"HTTP {reply.status}: {reply.body[:200].decode(errors='replace')}"
        return


async def take_notes(run: Run, opts: Options) -> dict[str, Any]:
    """R notes/s for D s (open loop), then read back and checked against the stream."""
    tag = letters(8)
    count = round(opts.notes_rate * opts.notes_seconds)
    # Six connections per host: what a browser opens to one origin over HTTP/1.1.
    pool = HttpClient(LOCAL, run.server.port, limit=opts.hosts * 6)
    start = time.monotonic() + 0.05
    results = [
        Posted(number, f"{tag}{alpha(number)}", start + number / opts.notes_rate)
        for number in range(count)
    ]
    tasks: list[asyncio.Task[None]] = []
    lag = 0.0
    try:
        for posted in results:
            if (wait := posted.due - time.monotonic()) > 0:
                await asyncio.sleep(wait)
            lag = max(lag, time.monotonic() - posted.due)
            tasks.append(asyncio.create_task(post_note(run, opts, posted, tag, pool)))
        # Answers have --notes-drain after the schedule ends; later ones count as none.
        await asyncio.wait(tasks, timeout=opts.notes_drain)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        pool.close()
    for posted in results:
        if posted.status is None and posted.error is None:
            posted.error = f"no answer within --notes-drain {opts.notes_drain:g} s"
    finished = max((p.due + p.latency for p in results if p.latency is not None), default=start)
    acked = {p.marker: p for p in results if p.note_id is not None}
    await wait_for_feed(run.feed, {p.note_id for p in acked.values() if p.note_id}, opts)
    stored = await read_back(run, tag)
    statuses = Counter(str(p.status or "no answer") for p in results if p.note_id is None)
    return {
        "rate": opts.notes_rate,
        "seconds": opts.notes_seconds,
        "hosts": opts.hosts,
        "round": run.round,
        "sent": count,
        "acked": len(acked),
        "failed": dict(statuses),
        "failure_example": next((p.error for p in results if p.error), None),
        "retries": sum(p.retries for p in results),
        "replayed": sum(p.replayed for p in results),
        "changed_by_redaction": sum(p.changed for p in results),
        # Over the schedule's length at least, so an early finish cannot beat the offer.
        "achieved_per_second": round(len(acked) / max(finished - start, opts.notes_seconds), 1),
        "latency": summary([p.latency for p in results if p.latency is not None]),
        "send_lag_max_ms": round(lag * 1000, 1),
        **check_stored(acked, stored),
        **check_feed(run.feed, acked),
    }


async def wait_for_feed(feed: NoteFeed, note_ids: set[str], opts: Options) -> None:
    deadline = time.monotonic() + opts.arrival_timeout
    while not note_ids <= feed.seen.keys() and time.monotonic() < deadline and not feed.dropped:
        await asyncio.sleep(0.05)


async def read_back(run: Run, tag: str) -> Counter[tuple[str, str]]:
    """How many times each (marker, note id) of this batch is stored."""
    reply = await run.http.request(
        "GET",
        f"/api/sessions/{run.session.session_id}/notes?round={run.round}",
        token=run.session.rapporteur,
        timeout=120.0,
    )
    if reply.status != 200:
        raise RuntimeError(f"reading the notes back: HTTP {reply.status} {reply.body[:300]!r}")
    found: Counter[tuple[str, str]] = Counter()
    for record in reply.json():
        marker = record["text"].split(" ", 1)[0]
        if marker.startswith(tag):
            found[(marker, record["id"])] += 1
    return found


def check_stored(acked: dict[str, Posted], stored: Counter[tuple[str, str]]) -> dict[str, Any]:
    """Lost: acknowledged yet absent. Duplicated: one marker stored more than once."""
    per_marker: Counter[str] = Counter()
    ids: dict[str, set[str]] = {}
    for (marker, note_id), times in stored.items():
        per_marker[marker] += times
        ids.setdefault(marker, set()).add(note_id)
    return {
        "stored": sum(per_marker.values()),
        "lost": sum(1 for marker in acked if not per_marker[marker]),
        "duplicated": sum(times - 1 for times in per_marker.values() if times > 1),
        "id_mismatch": sum(
            1 for marker, posted in acked.items() if posted.note_id not in ids.get(marker, {None})
        ),
        # Stored without a 2xx: a request that timed out after its commit. Not lost.
        "stored_unacknowledged": sum(1 for marker in per_marker if marker not in acked),
    }


def check_feed(feed: NoteFeed, acked: dict[str, Posted]) -> dict[str, Any]:
    """Every acknowledged note on the rapporteur's stream once, and how soon."""
    delays, missing, repeated = [], 0, 0
    for posted in acked.values():
        arrivals = feed.seen.get(posted.note_id or "", [])
        if not arrivals:
            missing += 1
            continue
        repeated += len(arrivals) - 1
        delays.append(arrivals[0] - posted.due)
    return {"stream_missing": missing, "stream_repeated": repeated, "stream": summary(delays)}
