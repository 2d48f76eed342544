"""The core stays pure: it imports no door of the house and none of their libraries."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "pollinate"
CORE_FILES = sorted((SRC / "core").rglob("*.py"))

FORBIDDEN_PREFIXES = (
    "pollinate.io",
    "pollinate.actions",
    "pollinate.store",
    "pollinate.live",
    "pollinate.web",
    "pollinate.cli",
    "pollinate.config",
    "fastapi",
    "starlette",
    "sqlalchemy",
    "alembic",
    "redis",
    "jinja2",
    "typer",
    "rich",
    "yaml",
    "openpyxl",
    "weasyprint",
    "httpx",
    "uvicorn",
    "psycopg",
)


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_core_has_modules_to_check():
    assert len(CORE_FILES) >= 4


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: str(p.relative_to(SRC)))
def test_core_module_imports_no_door_nor_its_libraries(path: Path):
    bad = sorted(
        name
        for name in imported_modules(path)
        if any(name == prefix or name.startswith(prefix + ".") for prefix in FORBIDDEN_PREFIXES)
    )
    assert bad == [], f"{path.name} imports {bad}"


CLOCK_CALLS = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
    ("time", "monotonic"),
    ("time", "perf_counter"),
}


def clock_calls(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and (node.func.value.id, node.func.attr) in CLOCK_CALLS
        ):
            found.append(f"{path.name}:{node.lineno} {node.func.value.id}.{node.func.attr}()")
    return found


def test_clock_call_detector_sees_a_clock_read(tmp_path: Path):
    sample = tmp_path / "sample.py"
    sample.write_text("import time\nx = time.monotonic()\n", encoding="utf-8")
    assert clock_calls(sample) == ["sample.py:2 time.monotonic()"]


def test_core_reads_no_clock():
    """The core takes `now` or a clock as an argument (STYLE.md 6), so it is testable."""
    offenders = [call for path in CORE_FILES for call in clock_calls(path)]
    assert offenders == []


# Loaded only where used, because every web worker would carry them otherwise (memory:
# bench/live.py runs several workers on one machine): migrations run once in `serve`
# before the workers start, spreadsheets are read on an organizer's upload, and the
# supervisor of several workers builds no app at all, nor loads uvicorn. psycopg comes
# with the first PostgreSQL engine, so a server on SQLite and its clustering helper never load it.
LAZY_IN_A_WORKER = (
    "alembic",
    "openpyxl",
    "weasyprint",
    "matplotlib",
    "docx",
    "sklearn",
    "psycopg",
)


@pytest.mark.parametrize(
    ("module", "absent"),
    [
        ("pollinate.web.app", LAZY_IN_A_WORKER),
        ("pollinate.web.server", (*LAZY_IN_A_WORKER, "pollinate.web.app", "sqlalchemy")),
        ("pollinate.web.supervisor", (*LAZY_IN_A_WORKER, "pydantic", "sqlalchemy", "typer")),
        # What the supervisor loads to run: the standard library only.
        *[
            (module, ("uvicorn", "multiprocessing", "pollinate.core.harvest", "pydantic"))
            for module in ("pollinate.web.worker_pool", "pollinate.web.clustering_process")
        ],
        ("pollinate.actions.clustering_service", (*LAZY_IN_A_WORKER, "sqlalchemy")),
        ("pollinate.actions.board_remote", ("psycopg", "fastapi", "anyio.to_process")),
    ],
)
def test_importing_a_server_part_leaves_heavy_libraries_unloaded(
    module: str, absent: tuple[str, ...]
):
    script = f"import sys, {module}\nprint(' '.join(m for m in {absent!r} if m in sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split() == []
