"""The JSON API's error answers, as its OpenAPI document lists them.

    under /api every error is {"detail": sentence}   (web/app.py renders them all)
        400 body unreadable · 401 no valid link · 403 not for this link · 404 no such thing
        409 not now · 413 body too large (web/limits.py) · 429 too many attempts
        503 database away
    422 is {"detail": sentence, "field": name} for an `InputError`, or FastAPI's own
        {"detail": [{"loc", "msg", "type"}, …]} when the request does not fit the schema

Each JSON router passes `ERROR_ANSWERS` as its `responses`, so a client (and the
schemathesis fuzz test, tests/web/test_openapi_fuzz.py) finds every status it can meet
documented, with the shape of its body.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class Problem(BaseModel):
    """An error answer: one sentence saying what went wrong and what to do."""

    detail: str


class SchemaProblem(BaseModel):
    """One way the request does not fit the schema (FastAPI's request validation)."""

    loc: list[str | int]
    msg: str
    type: str


class InputProblem(BaseModel):
    """A 422: an `InputError` (a sentence and its field) or schema problems (a list)."""

    detail: str | list[SchemaProblem]
    field: str | None = Field(default=None, description="The field the sentence is about.")


def _retry_after(meaning: str) -> dict[str, Any]:
    return {"Retry-After": {"description": meaning, "schema": {"type": "integer"}}}


def _answer(model: type[BaseModel], description: str, **extra: Any) -> dict[str, Any]:
    return {
        "model": model,
        "description": description,
        # FastAPI files the model under the route's own media type, which for the event
        # stream is text/event-stream; its errors are JSON like every other.
        "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}
        },
        **extra,
    }


WAIT = _retry_after("Seconds to wait before trying again.")
ERROR_ANSWERS: dict[int | str, dict[str, Any]] = {
    400: _answer(Problem, "The body cannot be read (not JSON, or not UTF-8)."),
    401: _answer(Problem, "No valid link: send a link's token as `Authorization: Bearer TOKEN`."),
    403: _answer(Problem, "The link's role or table does not allow this."),
    404: _answer(Problem, "No such session, note or takeaway."),
    409: _answer(Problem, "Not in the session's present state, or the state moved on meanwhile."),
    413: _answer(Problem, "The request body is larger than pollinate accepts."),
    422: _answer(InputProblem, "The request is not usable as sent."),
    429: _answer(Problem, "Too many attempts from this client.", headers=WAIT),
    503: _answer(Problem, "The database is not answering just now.", headers=WAIT),
}
