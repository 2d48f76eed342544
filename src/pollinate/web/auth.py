"""Link tokens, cookies, CSRF tokens and who may do what.

    visit /l/TOKEN ─▶ resolve_link ─▶ cookie "pollinate-<session>-<role>" = TOKEN ─▶ role page
    API call ─▶ Authorization: Bearer TOKEN ─┐
    page call ─▶ the role's cookie ──────────┴▶ Viewer(role, session, table, person)
                                                 │ role in the route's allowed set?
                                                 ▼  no: 401 (no valid link) / 403 (wrong role)

One cookie per session and role, so one browser can hold the facilitator console and a
participant page side by side (the demo invites exactly that); a page names its role
with `?as=ROLE` on its API calls. Cookies are HttpOnly (scripts never see a token),
SameSite=Lax (other sites cannot post with them) and Secure over https.

The organizer is not a live link (core/roles.py): the organizer token is derived from the
server's secret key, printed by `pollinate serve`, and grants every session's organizer
page. Rotating the secret key revokes it.

CSRF: a form or a cookie-authenticated API call must send `csrf_token(secret, token)`,
an HMAC of the very token its cookie holds (a synchronizer token that needs no server
state); another site can neither read it nor compute it. Bearer calls are exempt: a
browser never adds an Authorization header on its own.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from pollinate.core.roles import Role
from pollinate.store.repositories import Link

COOKIE_PREFIX = "pollinate"
ORGANIZER_COOKIE = "pollinate-organizer"
JOIN_CSRF_COOKIE = "pollinate-join"
COOKIE_MAX_AGE = 3 * 24 * 3600  # a café day plus the report afterwards; then links again
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf"

# The page each role lands on after visiting its link.
ROLE_PAGES = {
    Role.FACILITATOR: "facilitator",
    Role.PROJECTOR: "projector",
    Role.RAPPORTEUR: "rapporteur",
    Role.ONLINE_MODERATOR: "moderator",
    Role.HOST: "host",
    Role.PARTICIPANT: "participant",
}
# When a browser holds several of one session's cookies and a call names no role, the
# most capable one that the route allows answers.
ROLE_ORDER = (
    Role.FACILITATOR,
    Role.ONLINE_MODERATOR,
    Role.RAPPORTEUR,
    Role.HOST,
    Role.PROJECTOR,
    Role.PARTICIPANT,
)


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is asking: the role a valid link grants, in which session, for which table."""

    role: Role
    session_id: str | None  # None only for the organizer, who sees every session
    token: str = field(repr=False)
    link_id: int | None = None
    participant_id: str | None = None
    table: str | None = None
    by_bearer: bool = False

    def sees(self, session_id: str) -> bool:
        """True when this viewer's grant covers `session_id`."""
        return self.session_id is None or self.session_id == session_id


def viewer_from_link(link: Link, token: str, *, by_bearer: bool) -> Viewer:
    return Viewer(
        role=link.role,
        session_id=link.session_id,
        token=token,
        link_id=link.id,
        participant_id=link.participant_id,
        table=link.table if link.role is Role.HOST else None,
        by_bearer=by_bearer,
    )


def _mac(secret: str, purpose: str, value: str) -> str:
    digest = hmac.new(secret.encode(), f"{purpose}:{value}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def organizer_token(secret: str) -> str:
    """The organizer's token: fixed for a secret key, unguessable without it (256 bits)."""
    return _mac(secret, "organizer", "pollinate")


def is_organizer_token(secret: str, token: str) -> bool:
    return hmac.compare_digest(organizer_token(secret), token)


def csrf_token(secret: str, token: str) -> str:
    """The CSRF token that goes with a link token (see the module docstring)."""
    return _mac(secret, "csrf", token)


def csrf_matches(secret: str, token: str, sent: str | None) -> bool:
    return sent is not None and hmac.compare_digest(csrf_token(secret, token), sent)


def cookie_name(session_id: str, role: Role) -> str:
    return f"{COOKIE_PREFIX}-{session_id}-{role.value}"


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer TOKEN` header, if that is what it holds."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def candidate_roles(as_role: str | None, allowed: Collection[Role]) -> list[Role]:
    """The roles whose cookies to try, in order: the named one, or every allowed one."""
    if as_role:
        try:
            return [Role(as_role)] if Role(as_role) in allowed else []
        except ValueError:
            return []
    return [role for role in ROLE_ORDER if role in allowed]


def first_allowed(viewers: Iterable[Viewer], allowed: Collection[Role]) -> Viewer | None:
    return next((viewer for viewer in viewers if viewer.role in allowed), None)


# ── who may do what (the role × route matrix in tests/web/test_roles.py) ──────────────

EVERY_LIVE_ROLE = frozenset(ROLE_PAGES)
WITH_ORGANIZER = EVERY_LIVE_ROLE | {Role.ORGANIZER}
CONTROLLERS = frozenset({Role.FACILITATOR})
NOTE_WRITERS = frozenset({Role.HOST, Role.PARTICIPANT})  # then by table: actions/notes.py
NOTE_EDITORS = frozenset({Role.HOST})
NOTE_READERS = frozenset({Role.FACILITATOR, Role.RAPPORTEUR, Role.HOST, Role.ONLINE_MODERATOR})
ROSTER_READERS = frozenset({Role.FACILITATOR, Role.ONLINE_MODERATOR, Role.ORGANIZER})
ORGANIZERS = frozenset({Role.ORGANIZER})
