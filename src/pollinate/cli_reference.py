"""Render the CLI reference (docs/cli.md) from the commands themselves.

`tests/test_docs.py` fails when docs/cli.md differs from what this renders, so the
reference cannot drift from `--help`; `scripts/docs` rewrites the file.
"""

from __future__ import annotations

from typing import Any

import typer.main

from pollinate.cli import app

HEADER = """# CLI reference

Generated from the commands' own help by `scripts/docs`; `tests/test_docs.py` checks it is
current. Every command prints errors as one sentence naming the file, row or field, and
exits with status 2 for bad input and 3 for an impossible seating.
"""


def render_cli_reference() -> str:
    root = typer.main.get_command(app)
    sections = [HEADER]
    for path, command in _walk(root, ["pollinate"]):
        sections.append(_section(path, command))
    return "\n".join(sections)


def command_paths() -> list[str]:
    """Every leaf command as typed, e.g. "pollinate roster check"."""
    return [" ".join(path) for path, _ in _walk(typer.main.get_command(app), ["pollinate"])]


def _walk(command: Any, path: list[str]) -> list[tuple[list[str], Any]]:
    subcommands = getattr(command, "commands", None)
    if not subcommands:
        return [(path, command)]
    found: list[tuple[list[str], Any]] = []
    for name in sorted(subcommands):
        found.extend(_walk(subcommands[name], [*path, name]))
    return found


def _section(path: list[str], command: Any) -> str:
    usage_args = " ".join(
        p.name.upper() if p.required else f"[{p.name.upper()}]"
        for p in command.params
        if p.param_type_name == "argument"
    )
    lines = [f"## {' '.join(path)}", "", (command.help or "").strip(), ""]
    lines.append("    " + " ".join([*path, *([usage_args] if usage_args else []), "[OPTIONS]"]))
    lines.append("")
    rows = []
    for param in command.params:
        if param.param_type_name == "argument":
            default = "required" if param.required else _default(param.default)
            rows.append((param.name.upper(), getattr(param, "help", "") or "", default))
            continue
        names = ", ".join(param.opts + param.secondary_opts)
        default = "" if param.required else _default(param.default)
        rows.append((names, param.help or "", "required" if param.required else default))
    if rows:
        lines.append("| argument or option | meaning | default |")
        lines.append("|---|---|---|")
        lines.extend(f"| `{n}` | {h.replace('|', '∣')} | {d} |" for n, h, d in rows)
        lines.append("")
    return "\n".join(lines)


def _default(value: object) -> str:
    if value is None or value == [] or value == ():
        return ""
    return f"`{value}`"
