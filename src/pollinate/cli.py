"""The `pollinate` command line: one small function per command, calling actions/ or core/.

Errors a user can cause (`InputError`, `InfeasibleError`) are printed as one sentence on
standard error with a non-zero exit status, never as a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from pollinate.errors import InfeasibleError, InputError, PollinateError

app = typer.Typer(
    name="pollinate",
    help="Plan, run, harvest and report hybrid World Café sessions.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
roster_app = typer.Typer(help="Check and generate rosters.", no_args_is_help=True)
app.add_typer(roster_app, name="roster")

err = Console(stderr=True)
out = Console()


# ── session files ─────────────────────────────────────────────────────────────────────


# ── rosters ───────────────────────────────────────────────────────────────────────────


# ── planning ──────────────────────────────────────────────────────────────────────────


def main() -> None:
    """Entry point of the console script: run the app, turn our errors into one sentence."""
    try:
        app()
    except InputError as error:
        err.print(f"[red]error:[/red] {error}", highlight=False)
        sys.exit(2)
    except InfeasibleError as error:
        err.print(f"[red]infeasible:[/red] {error}", highlight=False)
        sys.exit(3)
    except PollinateError as error:
        err.print(f"[red]error:[/red] {error}", highlight=False)
        sys.exit(1)


_ = (Path, Annotated, out)
