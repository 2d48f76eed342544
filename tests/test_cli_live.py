"""The live app's commands: `session create` output, and `serve` starting and stopping."""

from __future__ import annotations

import csv
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2
import pytest
from typer.testing import CliRunner

from pollinate.actions.organizing import example_session_path
from pollinate.actions.sessions import LINK_KEYS
from pollinate.cli import app
from pollinate.web.supervisor import GRACEFUL_SECONDS

ROOT = Path(__file__).resolve().parents[1]
ROSTER = ROOT / "examples" / "roster-small.csv"


def test_session_create_prints_the_links_document_and_writes_the_mail_merge_sheet(tmp_path):
    sheet = tmp_path / "links.csv"
    result = CliRunner().invoke(
        app,
        [
            "session",
            "create",
            str(example_session_path()),
            str(ROSTER),
            "--db",
            f"sqlite:///{tmp_path / 'live.db'}",
            "--base-url",
            "https://cafe.example.org/",
            "--links-csv",
            str(sheet),
            "--time-limit",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert set(document) == {"base_url", "session_id", "links", "tokens"}
    assert document["base_url"] == "https://cafe.example.org"
    assert list(document["links"]) == list(LINK_KEYS)
    assert list(document["tokens"]) == list(LINK_KEYS)
    for key in LINK_KEYS:
        token = document["tokens"][key]
        assert len(token) >= 22  # at least 128 bits in URL-safe base64
        assert document["links"][key] == f"https://cafe.example.org/l/{token}"
    assert "migrated" in result.stderr
    with sheet.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["name", "email", "role", "table", "link"]
    assert len([r for r in rows if r["name"]]) == 30  # everyone on the roster
    assert {r["role"] for r in rows} == {"host", "participant"}
    assert all(r["link"].startswith("https://cafe.example.org/l/") for r in rows)


def test_session_create_names_the_problem_in_a_bad_session_file(tmp_path):
    bad = tmp_path / "session.yaml"
    bad.write_text("title: x\n", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["session", "create", str(bad), str(ROSTER), "--db", f"sqlite:///{tmp_path / 'x.db'}"]
    )
    assert result.exit_code != 0
    assert result.stdout == ""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.slow
def test_serve_migrates_serves_and_stops_on_sigterm_with_a_stream_open(tmp_path):
    db = f"sqlite:///{tmp_path / 'p.db'}"
    created = CliRunner().invoke(
        app,
        ["session", "create", str(example_session_path()), str(ROSTER), "--db", db,
         "--links-csv", str(tmp_path / "links.csv"), "--time-limit", "1"],
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    document = json.loads(created.stdout)
    port = free_port()
    env = {**os.environ, "POLLINATE_DATA_DIR": str(tmp_path)}
    command = [sys.executable, "-m", "pollinate", "serve", "--port", str(port), "--db", db]
    server = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=tmp_path
    )
    base = f"http://127.0.0.1:{port}"
    events = f"{base}/api/sessions/{document['session_id']}/events"
    headers = {"Authorization": f"Bearer {document['tokens']['projector']}"}
    try:
        for _ in range(100):
            try:
                if httpx2.get(f"{base}/healthz").json() == {"status": "ok"}:
                    break
            except httpx2.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("the server did not come up")
        with httpx2.stream("GET", events, headers=headers, timeout=10) as stream:
            assert stream.status_code == 200
            asked = time.monotonic()
            server.send_signal(signal.SIGTERM)
            # uvicorn re-raises the signal after its graceful shutdown: -SIGTERM is a clean exit.
            assert server.wait(timeout=10) in (0, -signal.SIGTERM)
            # Well inside the graceful timeout: the open stream did not hold the server.
            assert time.monotonic() - asked < GRACEFUL_SECONDS
    finally:
        if server.poll() is None:
            server.kill()
        stdout, stderr = server.communicate()
    assert stdout == b""  # logs go to stderr only
    assert b"schema up to date" in stderr
    assert b"Organizer: " in stderr
    assert b"Application shutdown complete" in stderr


def test_serve_refuses_several_workers_on_the_in_process_bus(tmp_path):
    db = f"sqlite:///{tmp_path / 'p.db'}"
    command = [sys.executable, "-m", "pollinate", "serve", "--workers", "2", "--db", db]
    answer = subprocess.run(
        [*command, "--bus", "memory://"], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert answer.returncode != 0
    assert "2 workers cannot share live updates over memory://" in answer.stderr
    assert "--bus redis://" in answer.stderr
    assert "Traceback" not in answer.stderr
    assert not (tmp_path / "p.db").exists()  # refused before anything was migrated


@pytest.mark.parametrize("workers", ["1", "2"])
def test_serve_names_a_database_it_cannot_reach_without_a_traceback(tmp_path, workers):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    db = f"postgresql://postgres@127.0.0.1:{port}/nowhere"
    command = [sys.executable, "-m", "pollinate", "serve", "--workers", workers, "--db", db]
    answer = subprocess.run(
        [*command, "--bus", "redis://127.0.0.1:6379/0", "--port", "8"],  # never bound
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert answer.returncode != 0
    assert f"cannot reach the database postgresql+psycopg://postgres@127.0.0.1:{port}" in (
        answer.stderr
    )
    assert "Traceback" not in answer.stderr
