from __future__ import annotations

from pollinate.actions.redaction import RedactorCache
from pollinate.core.redact import Redactor
from pollinate.core.roster import Participant, Roster
from tests.conftest import Database


def redactor(*names: str) -> Redactor:
    return Redactor.from_roster(Roster(tuple(Participant(f"p{i}", n) for i, n in enumerate(names))))


def test_a_session_builds_its_redactor_once_per_roster():
    cache = RedactorCache()
    built = [redactor("Hope Mensah")]
    first = cache.get("s1", "roster-a", built.pop)
    assert cache.get("s1", "roster-a", lambda: redactor("Never Built")) is first
    assert cache.builds == 1


def test_a_changed_roster_builds_a_new_redactor_that_knows_the_newcomer():
    cache = RedactorCache()
    cache.get("s1", "roster-a", lambda: redactor("Hope Mensah"))
    newer = cache.get("s1", "roster-b", lambda: redactor("Hope Mensah", "Kwame Asante"))
    assert newer.redact("Kwame Asante agreed").text == "[a participant] agreed"
    assert cache.builds == 2


def test_the_least_recently_used_session_is_dropped_first():
    cache = RedactorCache(size=2)
    cache.get("s1", "a", lambda: redactor("Hope Mensah"))
    cache.get("s2", "a", lambda: redactor("Hope Mensah"))
    cache.get("s1", "a", lambda: redactor("Unused"))  # s1 used again: s2 is now oldest
    cache.get("s3", "a", lambda: redactor("Hope Mensah"))
    builds = cache.builds
    cache.get("s1", "a", lambda: redactor("Hope Mensah"))
    assert cache.builds == builds
    cache.get("s2", "a", lambda: redactor("Hope Mensah"))
    assert cache.builds == builds + 1


def _session(db: Database) -> str:
    from pollinate.actions.sessions import create_live_session
    from tests.web.conftest import PLAN, ROSTER, START, cafe_spec

    return create_live_session(db.session, cafe_spec(), ROSTER, PLAN, None, now=START).session_id


def test_a_walk_in_or_a_renamed_person_is_redacted_from_the_next_note_on(db):
    from dataclasses import replace

    from pollinate.actions.live import load_live
    from pollinate.actions.redaction import session_redactor
    from pollinate.store import repositories

    session_id = _session(db)
    cache = RedactorCache()

    def redact(text: str) -> str:
        with db.session() as s:
            return session_redactor(s, load_live(s, session_id), cache).redact(text).text

    assert redact("Kwame Asante agreed") == "Kwame Asante agreed"  # nobody of that name yet
    with db.session.begin() as s:
        repositories.add_participant(s, session_id, Participant("walk-in", "Kwame Asante"))
    assert redact("Kwame Asante agreed") == "[a participant] agreed"
    with db.session.begin() as s:
        roster = repositories.load_roster(s, session_id)
        renamed = [replace(p, name="Ama Owusu") if p.id == "p05" else p for p in roster]
        repositories.save_roster(s, session_id, Roster(tuple(renamed)))
    assert redact("Ama Owusu agreed") == "[a participant] agreed"  # same count, new name
    assert cache.builds == 3
