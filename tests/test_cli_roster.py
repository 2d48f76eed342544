from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pollinate.cli import app
from pollinate.errors import InputError
from pollinate.io.roster_file import read_roster

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "roster-small.csv"


@pytest.fixture
def runner():
    return CliRunner()


def test_check_prints_the_mix_and_no_warnings_for_the_example(runner):
    result = runner.invoke(app, ["roster", "check", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert "30 participants, 24 onsite, 6 online" in result.output
    for heading in ("Stakeholder group", "Region", "Attendance", "Hosts", "Language"):
        assert heading in result.output
    assert "civil society" in result.output
    assert "No warnings." in result.output


def test_check_lists_warnings_with_rows_and_still_succeeds(runner, tmp_path):
    path = tmp_path / "messy.csv"
    path.write_text(
        "Full name;E-mail;Sector;[bold]Badge[/bold]\n"
        "Amina;not-an-address;Media;x\nBo;bo@example.org;NGO;y\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["roster", "check", str(path)])
    assert result.exit_code == 0, result.output
    assert "3 warnings:" in result.output
    assert "row 2, field 'E-mail': 'not-an-address' is not an email address" in result.output
    assert "Media (kept as written)" in result.output
    # A header that looks like Rich markup is printed as written, not styled away.
    assert "'[bold]Badge[/bold]'" in result.output


def test_check_stops_on_a_fatal_problem_with_an_input_error_naming_the_row(runner, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("id,name\nx,Amina\nx,Bo\n", encoding="utf-8")
    result = runner.invoke(app, ["roster", "check", str(path)])
    assert result.exit_code != 0
    assert isinstance(result.exception, InputError)
    assert (result.exception.row, result.exception.field) == (3, "id")


def test_console_script_turns_a_fatal_problem_into_one_sentence_and_status_2(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("email\na@example.org\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "pollinate", "roster", "check", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    sentence = " ".join(done.stderr.split())  # Rich wraps long lines at the terminal width
    assert "row 1, field 'name': no column holds the participants' names" in sentence
    assert "Traceback" not in done.stderr


def test_generate_writes_a_csv_roster_of_n_people(runner, tmp_path):
    path = tmp_path / "demo.csv"
    result = runner.invoke(
        app, ["roster", "generate", "--n", "50", "--online", "0.3", "--seed", "4", "-o", str(path)]
    )
    assert result.exit_code == 0, result.output
    roster = read_roster(path).roster
    assert len(roster) == 50
    assert roster.count_by("attendance")["online"] == 15
    hosts = sum(p.is_host for p in roster)
    assert f"Wrote 50 people ({hosts} hosts) to {path}" in result.output


def test_generate_with_the_same_seed_writes_the_same_file(runner, tmp_path):
    for name in ("a.csv", "b.csv"):
        runner.invoke(
            app, ["roster", "generate", "-n", "40", "--seed", "3", "-o", str(tmp_path / name)]
        )
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_generate_writes_a_workbook_when_asked_for_xlsx(runner, tmp_path):
    path = tmp_path / "demo.xlsx"
    result = runner.invoke(
        app, ["roster", "generate", "--n", "12", "--hosts", "3", "-o", str(path)]
    )
    assert result.exit_code == 0, result.output
    assert path.read_bytes().startswith(b"PK")
    roster = read_roster(path).roster
    assert len(roster) == 12
    assert sum(p.is_host for p in roster) == 3


def test_generate_refuses_more_hosts_than_people(runner, tmp_path):
    result = runner.invoke(
        app, ["roster", "generate", "--n", "5", "--hosts", "6", "-o", str(tmp_path / "r.csv")]
    )
    assert isinstance(result.exception, InputError)
    assert result.exception.field == "--hosts"
    assert not (tmp_path / "r.csv").exists()


@pytest.mark.parametrize("arguments", [["--n", "0"], ["--n", "5", "--online", "1.5"]])
def test_generate_refuses_impossible_numbers_as_usage_errors(runner, tmp_path, arguments):
    result = runner.invoke(app, ["roster", "generate", *arguments, "-o", str(tmp_path / "r.csv")])
    assert result.exit_code == 2
    assert not (tmp_path / "r.csv").exists()
