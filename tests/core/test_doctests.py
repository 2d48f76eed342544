"""The usage examples in core docstrings are executed, so they cannot drift from the code."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import pollinate
import pollinate.core

MODULES = [
    *sorted(
        info.name
        for info in pkgutil.walk_packages(pollinate.core.__path__, prefix="pollinate.core.")
        if not info.ispkg
    ),
    "pollinate.errors",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_public_names_have_examples_somewhere():
    assert pollinate.Participant.__doc__ is not None
    assert ">>>" in pollinate.Participant.__doc__
