"""Every session file a newcomer finds in examples/ loads as it is."""

from __future__ import annotations

from pathlib import Path

import pytest

from pollinate.io.session_file import load_session

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.yaml"))


def test_there_are_example_session_files():
    assert EXAMPLES


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.name)
def test_example_session_file_loads(path: Path):
    spec = load_session(path)
    assert spec.round_count >= 1
    assert sum(block.minutes for block in spec.agenda) <= spec.duration_minutes
