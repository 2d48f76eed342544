"""Documentation cannot drift: the CLI reference, settings and README commands are checked."""

from __future__ import annotations

import re
from pathlib import Path

from pollinate.cli_reference import command_paths, render_cli_reference

ROOT = Path(__file__).resolve().parents[1]


def test_cli_reference_is_current():
    current = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert current == render_cli_reference(), "docs/cli.md is stale: run scripts/docs"


def test_every_command_has_a_section_and_help():
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for path in command_paths():
        assert f"## {path}\n" in text


def test_readme_quick_start_commands_exist_and_are_executable():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Quick start", 1)[1]
    commands = re.findall(r"^(\./scripts/\S+)", block, flags=re.MULTILINE)
    assert commands[:2] == ["./scripts/demo", "./scripts/test"]
    for command in commands:
        script = ROOT / command
        assert script.is_file()
        assert script.stat().st_mode & 0o111


def test_ci_runs_exactly_the_readme_test_command():
    assert "scripts/test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_every_docs_page_is_linked_from_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for page in sorted((ROOT / "docs").glob("*.md")):
        assert f"docs/{page.name}" in readme, f"README does not link docs/{page.name}"
