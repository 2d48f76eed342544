"""The organizer's take-away of a new live session: its links, as JSON and as a CSV.

    CreatedSession ─▶ links_document ─▶ demo-links.json / `session create` on stdout
                   └▶ write_link_sheet ─▶ <name>.csv: name, email, role, table, link
                                          (one row per personal link, for a mail merge)

The CSV holds secrets: anyone with a row can open that person's page. It is written
once, next to where the organizer asked, and never kept by pollinate itself.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pollinate.actions.sessions import CreatedSession, link_url
from pollinate.io.excel_safe import write_csv

LINK_SHEET_HEADER = ("name", "email", "role", "table", "link")


def write_link_sheet(path: Path, created: CreatedSession, base_url: str) -> int:
    """Write every host's and participant's personal link; return how many rows."""
    rows = [
        (link.name, link.email, link.role.value, link.table or "", link_url(base_url, link.token))
        for link in created.links
        if link.participant_id is not None or link.table is not None
    ]
    # A BOM, because people open this in a spreadsheet for their mail merge.
    return write_csv(path, LINK_SHEET_HEADER, rows, bom=True)


def write_links_json(path: Path, document: dict[str, Any]) -> None:
    """Write the links document (see `actions.sessions.links_document`)."""
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
