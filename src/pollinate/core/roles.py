"""The roles a person or a screen can have in a live session.

A role is what a link grants (`web/auth.py` turns a link token into a role and, for a
host, a table). Who receives which live event is decided per role in one place,
`pollinate.core.events.receives`, so this module only names the roles.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """Who is looking at a live page; each member says what the role does and how it is given.

    >>> Role("host") is Role.HOST
    True
    """

    # Runs the agenda from the facilitator console (Start, Pause, Next, Broadcast …);
    # given by the facilitator link the organizer shares with the onsite moderator.
    FACILITATOR = "facilitator"
    # The shared screen in the room: block, question and time left, nothing personal;
    # given by the projector link, which anyone in the room may see over a shoulder.
    PROJECTOR = "projector"
    # Harvests the conversation live and writes the report; given by the rapporteur link.
    RAPPORTEUR = "rapporteur"
    # Keeps the online breakout rooms running and stands in for their hosts;
    # given by the online moderator link.
    ONLINE_MODERATOR = "online_moderator"
    # Stays at one table (or online room) for every round and types its notes;
    # given by a per-table host link.
    HOST = "host"
    # Moves between tables from round to round; given by a personal participant link,
    # which shows only that person's own seat and the session-wide timer.
    PARTICIPANT = "participant"
    # Plans the session: brings the session file and roster, runs the planner, shares
    # the links; given by the organizer login, not by a live link.
    ORGANIZER = "organizer"
