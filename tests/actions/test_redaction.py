from __future__ import annotations

from pollinate.actions.redaction import RedactorCache
from pollinate.core.redact import Redactor
from pollinate.core.roster import Participant, Roster


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
