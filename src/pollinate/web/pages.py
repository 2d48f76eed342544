"""Rendering a role's page: the shared context every live page gets, and form answers.

    route ─▶ live_page(request, rt, who, "participant/page.html", view=…, **extra)
          ─▶ base.html: header, "Reconnecting…" status, main, and #live-config (JSON)
          ─▶ static/live.js reads #live-config: session, role, CSRF token, the state view

The state view in #live-config is the allow-listed dict of `views.state_view`, printed
through Jinja's `tojson` (which escapes <, > and & so no text can close the script tag).
Form routes answer with a redirect back to their page (post/redirect/get) carrying a
short message, which the page shows escaped in a status region.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from pollinate.web import auth
from pollinate.web.deps import Runtime, csrf_for
from pollinate.web.views import seconds_left

ROLE_LABELS = {
    "facilitator": "Facilitator console",
    "projector": "Projector",
    "rapporteur": "Rapporteur",
    "online_moderator": "Online moderator",
    "host": "Table host",
    "participant": "Participant",
    "organizer": "Organizer",
}


def clock_text(seconds: float | None) -> str:
    """ "12:05" for a timer; "–" when no block runs."""
    if seconds is None:
        return "–"
    whole = int(seconds + 0.999)  # 0.2 s left still shows 0:01, as a kitchen timer does
    return f"{whole // 60}:{whole % 60:02d}"


def live_page(
    request: Request,
    rt: Runtime,
    who: auth.Viewer,
    template: str,
    *,
    session_id: str,
    view: dict[str, Any],
    now: datetime,
    live_extra: dict[str, Any] | None = None,
    **extra: Any,
) -> HTMLResponse:
    csrf = csrf_for(rt, who)
    config = {
        "session_id": session_id,
        "role": who.role.value,
        "csrf": csrf,
        "state": view,
        "heartbeat_seconds": rt.settings.heartbeat_seconds,
        **(live_extra or {}),
    }
    context = {
        "view": view,
        "config": config,
        "csrf": csrf,
        "role": who.role.value,
        "role_label": ROLE_LABELS[who.role.value],
        "session_id": session_id,
        "as_role": who.role.value,
        "clock": clock_text(seconds_left(view, now)),
        "message": request.query_params.get("message", ""),
        **extra,
    }
    return rt.templates.TemplateResponse(request, template, context)


def back(path: str, message: str = "") -> RedirectResponse:
    """Post/redirect/get: back to the page, with a message it shows in a status region."""
    target = f"{path}?{urlencode({'message': message})}" if message else path
    return RedirectResponse(target, status_code=303)
