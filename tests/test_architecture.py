"""The core stays pure: it imports no door of the house and none of their libraries."""

from __future__ import annotations

import ast
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


def test_core_reads_no_clock():
    offenders = [
        str(path.relative_to(SRC))
        for path in CORE_FILES
        if "datetime.now(" in path.read_text(encoding="utf-8")
        or "time.time(" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
