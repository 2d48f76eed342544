"""`pollinate report` and `pollinate notes export` against a stored café that has run."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import shutil
import sys

import docx
import pytest
from typer.testing import CliRunner

from pollinate.actions.live import SessionNotFound
from pollinate.cli import app, main
from pollinate.errors import ExportBlocked, InputError
from pollinate.store.db import create_engine_for, session_factory
from tests.actions.ran_cafe import NOTES, report_spec, run_cafe


@pytest.fixture
def database(tmp_path, sqlite_template) -> str:
    path = tmp_path / "cafe.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


def ran(url: str, **spec_changes: object) -> str:
    engine = create_engine_for(url)
    try:
        spec = dataclasses.replace(report_spec(), **spec_changes)  # type: ignore[arg-type]
        return run_cafe(session_factory(engine), spec)
    finally:
        engine.dispose()


def invoke(*arguments: str):
    return CliRunner().invoke(app, list(arguments))


def test_markdown_report_goes_to_standard_output(database):
    session_id = ran(database)
    result = invoke("report", session_id, "--db", database)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# Test café\n")
    assert "## Short report" in result.stdout
    assert "| Round one | 09:05–09:20 | 09:05–09:21 | 15 / 16 |" in result.stdout
    assert "7 people took part (checked in): 6 onsite, 1 online." in result.stdout
    assert result.stdout.count("Person 5") == 1  # the rapporteur, in the roles section


def test_word_report_is_written_to_the_file(database, tmp_path):
    session_id = ran(database)
    target = tmp_path / "report.docx"
    result = invoke("report", session_id, "--db", database, "--format", "docx", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    document = docx.Document(str(target))
    assert "Short report" in [p.text for p in document.paragraphs]
    assert len(document.inline_shapes) == 3


def test_a_pdf_report_needs_an_output_file(database):
    result = invoke("report", "any", "--db", database, "--format", "pdf")
    assert isinstance(result.exception, InputError)
    assert result.exception.field == "--output"


def test_an_unknown_session_is_named(database):
    result = invoke("report", "nope", "--db", database)
    assert isinstance(result.exception, SessionNotFound)


def test_a_report_failing_the_leak_check_exits_2_with_the_places(database, monkeypatch, capsys):
    spec = report_spec()
    agenda = (dataclasses.replace(spec.agenda[0], title="Welcome by Person 8"), *spec.agenda[1:])
    session_id = ran(database, agenda=agenda)
    monkeypatch.setattr(sys, "argv", ["pollinate", "report", session_id, "--db", database])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 2
    printed = capsys.readouterr()
    assert printed.out == ""
    error_line = next(line for line in printed.err.splitlines() if line.startswith("error:"))
    assert "agenda block 1 title: the name of participant p08" in error_line
    assert "Person 8" not in error_line
    # The organiser's terminal, which holds the roster anyway, is told the words.
    assert "leak: agenda block 1 title: the name of participant p08" in printed.err
    assert "'Person 8'" in printed.err


def test_blocked_report_raises_export_blocked_through_the_runner(database):
    session_id = ran(database, sdg_targets=("9", "Person 9's favourite"))
    result = invoke("report", session_id, "--db", database, "--format", "html")
    assert isinstance(result.exception, ExportBlocked)
    assert result.stdout == ""


def test_notes_export_prints_json(database):
    session_id = ran(database)
    result = invoke("notes", "export", session_id, "--db", database)
    assert result.exit_code == 0, result.output
    notes = json.loads(result.stdout)
    assert [(n["round"], n["table"], n["text"]) for n in notes] == list(NOTES)
    assert list(notes[0]) == ["id", "round", "table", "text", "created_at"]


def test_notes_export_writes_excel_safe_csv(database, tmp_path):
    session_id = ran(database)
    target = tmp_path / "notes.csv"
    result = invoke("notes", "export", session_id, "--db", database, "-f", "csv", "-o", str(target))
    assert result.exit_code == 0, result.output
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfid,round,table,text,created_at\r\n")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [row["text"] for row in rows] == [text for _, _, text in NOTES]
