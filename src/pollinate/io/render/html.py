"""The Jinja2 environment for printable pages: autoescaped, strict about missing names.

Autoescape is on for every template, so a participant called `<script>` is printed as
text; only values we build ourselves (the QR code's SVG) are passed as `Markup`.
`StrictUndefined` turns a misspelt variable into an error instead of a blank on paper.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined

from pollinate.core.session import SessionSpec


@dataclass(frozen=True, slots=True)
class SessionHeading:
    """What every printed sheet says about the session: no roster data, ever."""

    title: str
    event: str | None = None
    when: str | None = None  # "Tuesday 10 December 2024, 14:00 (Asia/Riyadh)"
    chatham_house: bool = True


def session_heading(spec: SessionSpec | None) -> SessionHeading:
    """The heading for `spec`; a plan made from flags is just a "World Café"."""
    if spec is None:
        return SessionHeading(title="World Café")
    parts: list[str] = []
    if spec.date:
        parts.append(long_date(spec.date))
    if spec.start_time:
        parts.append(f"{spec.start_time:%H:%M} ({spec.timezone})")
    return SessionHeading(
        title=spec.title,
        event=spec.event,
        when=", ".join(parts) or None,
        chatham_house=spec.chatham_house,
    )


_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def long_date(day: date) -> str:
    """'Tuesday 24 June 2025', in English whatever the locale (%A/%B would follow LC_TIME)."""
    return f"{_DAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


@cache
def environment() -> Environment:
    """The shared environment, built on first use (never at import time)."""
    return Environment(
        loader=PackageLoader("pollinate.io.render", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_page(template: str, **context: object) -> str:
    """Render one template of `io/render/templates/` with `context`."""
    return environment().get_template(template).render(**context)
