"""The JSON API fuzzed from its own OpenAPI document with schemathesis, in process.

Every request schemathesis makes up for an operation goes to the test café three times:
with no link; with the link of a role that may call it, in the café's own session (so it
gets past the role gate and into the actions); and with the ids of a real note and
takeaway as well. Whatever schemathesis sends, each answer must be no server error, and
must have a documented status code, content type and headers, and a body of the
documented shape.

Requests go through the café's own TestClient (its lifespan is running); schemathesis'
ASGI transport would start a second lifespan that lives until the interpreter exits.
Two checks stay off, because they judge the request side and the API means otherwise:
`positive_data_acceptance` (a schema-valid empty takeaway is still refused, 422, by a
rule the schema cannot state) and `negative_data_rejection` (pydantic's lax mode
accepts 0 for false and "3" for 3 on purpose).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import hypothesis
import pytest
import schemathesis
import schemathesis.checks
from fastapi.testclient import TestClient
from pydantic import SecretStr
from schemathesis.generation.case import Case
from sqlalchemy import Engine

from pollinate.config import Settings
from pollinate.store.db import create_engine_for, session_factory
from pollinate.web.app import create_app
from tests.conftest import BACKENDS, Database
from tests.web.conftest import SECRET, Cafe, make_cafe, new_address

# The document depends on the routes only; any app instance serves it.
SCHEMA = schemathesis.openapi.from_dict(
    create_app(Settings(secret_key=SecretStr(SECRET), db_url="sqlite://")).openapi()
)
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_headers_conformance,
    schemathesis.checks.response_schema_conformance,
]
# The role that may call each operation; the facilitator may call the rest.
CALLER = {
    ("POST", "/api/sessions/{session_id}/notes"): "host",
    ("PATCH", "/api/sessions/{session_id}/notes/{note_id}"): "host",
    ("DELETE", "/api/sessions/{session_id}/notes/{note_id}"): "host",
    ("POST", "/api/sessions/{session_id}/notes/{note_id}/restore"): "host",
    ("DELETE", "/api/sessions/{session_id}/notes/{note_id}/redactions"): "host",
    ("PUT", "/api/sessions/{session_id}/vote/ballot"): "participant",
}
EVENTS = "/api/sessions/{session_id}/events"


def running_cafe(cafe: Cafe) -> dict[str, str]:
    """Round 1 running, one redacted note and one takeaway: ids for the fuzzed paths."""
    assert cafe.control("start").status_code == 200
    assert cafe.control("next").status_code == 200
    note = cafe.client.post(
        cafe.url("notes"),
        json={"round": 1, "table": "Table 1", "text": "Person 5 said so"},
        headers=cafe.bearer("host"),
    )
    takeaway = cafe.client.post(
        cafe.url("takeaways"),
        json={"kind": "takeaway", "text": "A finding"},
        headers=cafe.bearer("rapporteur"),
    )
    assert note.status_code == 201, note.text
    assert takeaway.status_code == 201, takeaway.text
    return {
        "session_id": cafe.session_id,
        "note_id": note.json()["id"],
        "takeaway_id": str(takeaway.json()["id"]),
    }


def send(cafe: Cafe, case: Case[Any], headers: dict[str, str]) -> Any:
    """Send the case through the café's TestClient (schemathesis' kwargs are requests')."""
    sent = case.as_transport_kwargs(base_url="http://testserver", headers=headers)
    body: dict[str, Any] = {}
    if "json" in sent:
        body["json"] = sent.pop("json")
    if "data" in sent:
        body["content"] = sent.pop("data")
    return cafe.client.request(
        sent.pop("method"),
        sent.pop("url"),
        headers=sent.pop("headers"),
        params=sent.pop("params", None),
        follow_redirects=False,
        **body,
    )


@pytest.fixture(scope="module", params=BACKENDS)
def fuzzed_cafe(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Cafe, dict[str, str]]]:
    """One café per backend for every operation: cafés are slow to make, fuzz is not."""
    if request.param == "postgresql":
        engine: Engine = request.getfixturevalue("postgres_engine")
    else:
        path = tmp_path_factory.mktemp("fuzz") / "pollinate.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        engine = create_engine_for(f"sqlite:///{path}")
    db = Database(request.param, engine, session_factory(engine))
    app, created, clock, bus, tokens = make_cafe(db)
    with TestClient(app, client=new_address()) as client:
        cafe = Cafe(client, created.session_id, clock, db, tokens, created, bus)
        yield cafe, running_cafe(cafe)
    if request.param == "sqlite":
        engine.dispose()


# Every operation and example share the café, each changing its state a little. Eight
# generated requests per operation, on top of schemathesis' boundary cases, keep the
# whole run near 20 s of CPU for both databases.
FUZZ_SETTINGS = hypothesis.settings(
    max_examples=8,
    deadline=None,
    derandomize=True,  # the same requests on every run, so CI cannot flake
    database=None,
)


@pytest.mark.slow
@SCHEMA.parametrize()
@FUZZ_SETTINGS
def test_every_answer_is_documented_and_no_server_error(
    case: Case[Any], fuzzed_cafe: tuple[Cafe, dict[str, str]]
):
    cafe, known_ids = fuzzed_cafe
    case.validate_response(send(cafe, case, {}), checks=CHECKS)
    if case.path == EVENTS:
        # A real session's stream never ends (tests/web/test_sse.py covers it); with the
        # generated session id, which the link does not see, it answers at once.
        return
    headers = cafe.bearer(CALLER.get((case.method, case.path), "facilitator"))
    # With the real session, first with the generated note and takeaway ids, then with
    # real ones; a generated session id would stop every request at the role gate.
    for names in (("session_id",), ("session_id", "note_id", "takeaway_id")):
        for name in (case.path_parameters or {}).keys() & set(names):
            case.path_parameters[name] = known_ids[name]
        case.validate_response(send(cafe, case, headers), checks=CHECKS, headers=headers)


# ── what the fuzzing found, kept as plain tests ───────────────────────────────────────


@pytest.mark.parametrize(
    "query", ["table=%00", "round=99999999999999999999", "round=0", "format=%00csv"]
)
def test_notes_query_that_no_column_can_hold_is_refused_not_a_server_error(cafe: Cafe, query: str):
    answer = cafe.client.get(cafe.url(f"notes?{query}"), headers=cafe.bearer("facilitator"))
    assert answer.status_code in (400, 422), answer.text
    assert answer.json()["detail"]


def test_a_nul_character_in_an_address_is_refused_before_the_database_sees_it(cafe: Cafe):
    answer = cafe.client.delete(cafe.url("takeaways/%00"), headers=cafe.bearer("rapporteur"))
    assert answer.status_code == 400
    assert "NUL" in answer.json()["detail"]
    page = cafe.client.get(
        f"/s/{cafe.session_id}/host%00", headers={**cafe.bearer("host"), "Accept": "text/html"}
    )
    assert page.status_code == 400
    assert "NUL" in page.text
    assert "<html" in page.text
