"""The session report as Markdown (CommonMark with pipe tables, as GitHub and pandoc read it).

Text people typed (notes, takeaways, labels) is escaped, so a note reading "<script>" or
"# Heading" stays text when the Markdown is turned into HTML by whoever receives it.
"""

from __future__ import annotations

import re

from pollinate.core.report import Report
from pollinate.io.render import report_view as view

# Characters CommonMark gives a meaning anywhere in a line (emphasis, code, raw HTML,
# table cells); a backslash before any ASCII punctuation makes it literal (spec §2.4).
_INLINE = re.compile(r"([\\`*_<>|])")
# Markers that start a block (heading, quote, list, setext underline) at a line's start.
_BLOCK_START = re.compile(r"^(\s*)([#>+=-]|\d+[.)])", flags=re.MULTILINE)


def escape(text: str) -> str:
    """`text` as literal Markdown: inline markup and block markers are escaped.

    >>> escape("# <b>*bold*</b>")
    '\\\\# \\\\<b\\\\>\\\\*bold\\\\*\\\\</b\\\\>'
    """
    text = _INLINE.sub(r"\\\1", text)
    return _BLOCK_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def _line(text: str) -> str:
    # A line break inside a list item or a cell would end it; a space keeps one item.
    return escape(" ".join(text.split()))


def _items(texts: tuple[str, ...], *, numbered: bool = False) -> list[str]:
    if not texts:
        return [view.NONE_RECORDED, ""]
    marks = [f"{n}." if numbered else "-" for n in range(1, len(texts) + 1)]
    return [*(f"{mark} {_line(text)}" for mark, text in zip(marks, texts, strict=True)), ""]


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_line(cell) for cell in row) + " |" for row in rows]
    return [*lines, ""]


def render_markdown(report: Report) -> str:
    """The whole report: heading, short report, long report."""
    lines = [f"# {_line(report.title)}", ""]
    lines += [f"- **{label}:** {_line(value)}" for label, value in view.facts(report)]
    lines += ["", f"_{view.CHATHAM_HOUSE}_" if report.chatham_house else "", ""]
    lines += [f"## {view.ROLES}", ""]
    lines += [f"- **{role.role}:** {_line(role.name)}" for role in report.roles]
    lines += [""] if report.roles else [view.NONE_RECORDED, ""]
    lines += [f"## {view.SDG_TARGETS}", ""]
    lines += _items(tuple(f"SDG {target}" for target in report.sdg_targets))
    lines += [f"## {view.SHORT_REPORT}", "", f"### {view.KEY_TAKEAWAYS}", ""]
    lines += _items(report.key_takeaways, numbered=True)
    lines += [f"### {view.CALLS_TO_ACTION}", ""]
    lines += _items(report.calls_to_action, numbered=True)
    lines += [f"## {view.LONG_REPORT}", "", f"### {view.AGENDA}", ""]
    lines += _table(view.AGENDA_HEADER, list(view.agenda_rows(report)))
    lines += [f"### {view.DISCUSSION}", ""]
    lines += _discussions(report)
    lines += [f"### {view.VOTES}", ""]
    lines += (
        _table(("Theme", "Dots"), [(vote.label, str(vote.dots)) for vote in report.votes])
        if report.votes
        else [view.NONE_RECORDED, ""]
    )
    lines += [f"### {view.NEXT_STEPS}", ""]
    if report.next_steps_block:
        lines += [f"From the agenda block “{_line(report.next_steps_block)}”:", ""]
    lines += _items(report.next_steps)
    lines += [f"### {view.PARTICIPATION}", "", view.participation_summary(report.participation), ""]
    for table in view.count_tables(report.participation):
        lines += [f"#### {table.title}", ""]
        lines += _table(table.header, [(count.label, str(count.count)) for count in table.rows])
    return "\n".join(lines).rstrip("\n") + "\n"


def _discussions(report: Report) -> list[str]:
    if not report.discussions:
        return [view.NONE_RECORDED, ""]
    lines: list[str] = []
    for discussion in report.discussions:
        lines += [f"#### {_line(view.discussion_heading(discussion.round, discussion.title))}", ""]
        if discussion.question:
            lines += [f"**Question:** {_line(discussion.question)}", ""]
        lines += [view.notes_line(discussion.note_count), ""]
        for theme in discussion.themes:
            lines += [f"- **{_line(theme.label)}** ({view.theme_facts(theme)})"]
            lines += [f"  - “{_line(text)}”" for text in theme.representatives]
        lines += [""] if discussion.themes else []
    return lines
