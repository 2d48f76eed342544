"""A roster at a glance, for the terminal: who is coming, from where, how, and who hosts.

`roster check` prints this so an organiser can see the stakeholder and regional mix
the planner will work with before planning, and spot values pollinate did not know.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from pollinate.core.roster import Attendance, Region, Roster, StakeholderGroup

_KNOWN = {
    "stakeholder_group": {g.value for g in StakeholderGroup},
    "region": {r.value for r in Region},
}
_LANGUAGES_SHOWN = 12  # the long tail of languages is noise in a summary


def roster_summary(roster: Roster, *, source: str) -> RenderableType:
    """Counts by stakeholder group, region, attendance, hosts and language."""
    online = sum(1 for p in roster if p.attendance is Attendance.ONLINE)
    heading = Text.assemble(
        (source, "bold"),
        f": {len(roster)} participants, {len(roster) - online} onsite, {online} online",
    )
    hosts = Counter(p.attendance.value for p in roster if p.is_host)
    languages = Counter(language for p in roster for language in p.languages)
    no_language = sum(1 for p in roster if not p.languages)
    if no_language:
        languages["(none listed)"] = no_language
    tables = (
        _count_table("Stakeholder group", roster.count_by("stakeholder_group"), len(roster)),
        _count_table("Region", roster.count_by("region"), len(roster)),
        _count_table("Attendance", roster.count_by("attendance"), len(roster)),
        _count_table("Hosts", Counter({k: hosts[k] for k in ("onsite", "online")}), None, False),
        _count_table("Language", Counter(dict(languages.most_common(_LANGUAGES_SHOWN))), None),
    )
    parts: list[RenderableType] = [heading]
    for table in tables:
        parts += [Text(""), table]
    return Group(*parts)


def warning_lines(warnings: Sequence[object]) -> Text:
    """The text "No warnings." or a count and one line per warning, never read as markup."""
    if not warnings:
        return Text("\nNo warnings.", style="green")
    lines = Text(f"\n{len(warnings)} warning{'s' if len(warnings) > 1 else ''}:", style="bold")
    for warning in warnings:
        lines.append("\nwarning: ", style="yellow")
        lines.append(str(warning))
    return lines


def _count_table(
    title: str, counts: Counter[str], total: int | None, largest_first: bool = True
) -> Table:
    table = Table(title=None, show_edge=False, pad_edge=False, box=None)
    table.add_column(title, style="bold")
    table.add_column("people", justify="right")
    if total:
        table.add_column("share", justify="right")
    known = _KNOWN.get(title.lower().replace(" ", "_"))
    rows = _largest_first(counts.items()) if largest_first else list(counts.items())
    for value, count in rows:
        label = Text(value)
        if known is not None and value not in known and value != "unknown":
            label.append(" (kept as written)", style="dim italic")
        cells: list[RenderableType] = [label, str(count)]
        if total:
            cells.append(f"{100 * count / total:.0f}%")
        table.add_row(*cells)
    return table


def _largest_first(items: Iterable[tuple[str, int]]) -> list[tuple[str, int]]:
    return sorted(items, key=lambda item: (-item[1], item[0]))
