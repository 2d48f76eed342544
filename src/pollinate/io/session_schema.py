"""The shape of a session file, as pydantic models at the door, and their error sentences.

These models check types, required keys and unknown keys (every model forbids extras, so a
typo never passes silently). Rules that span several keys, such as "the agenda fits the
duration", live in `session_file.py`, which also turns a checked `SessionYaml` into the core
`SessionSpec`. Each field's `description` is the "expected" part of an error message, so
the sentence a person reads and the schema cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
import difflib
import types
from collections.abc import Sequence
from enum import Enum
from typing import Annotated, Literal, TypeGuard, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails

from pollinate.core.session import BlockKind
from pollinate.errors import InputError
from pollinate.io.yaml_source import YamlPath, YamlSource

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
# Strict: YAML already gives real integers, and lax mode would take `true` as 1.
PositiveInt = Annotated[int, Field(strict=True, gt=0)]

Platform = Literal["zoom", "bigbluebutton", "teams", "jitsi", "other"]


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RolesYaml(_Part):
    onsite_moderator: Text | None = Field(default=None, description="who moderates in the room")
    online_moderator: Text | None = Field(
        default=None, description="who moderates the online rooms"
    )
    rapporteur: Text | None = Field(default=None, description="who writes the report")


class AgendaBlockYaml(_Part):
    kind: BlockKind = Field(
        description="one of intro, round, report_back, next_steps or other",
    )
    title: Text | None = Field(
        default=None, description="a short title (rounds default to 'Round 1', 'Round 2', …)"
    )
    minutes: PositiveInt = Field(description="how long the block lasts, in whole minutes")
    question: Text | None = Field(
        default=None, description="the question the tables discuss (rounds only, and every round)"
    )


class TableYaml(_Part):
    name: Text = Field(description="the name on the table card")
    capacity: PositiveInt | None = Field(
        default=None, description="seats at this table (default: the tables' capacity)"
    )
    language: Text | None = Field(default=None, description="the language spoken at this table")


class TablesYaml(_Part):
    count: PositiveInt | None = Field(
        default=None, description="how many tables, named 'Table 1', 'Table 2', …"
    )
    names: list[Text] | None = Field(
        default=None, min_length=1, description="the table names, one per table"
    )
    entries: list[TableYaml] | None = Field(
        default=None,
        min_length=1,
        alias="list",
        description="one entry per table: name, capacity, language",
    )
    capacity: PositiveInt | None = Field(default=None, description="seats per table")
    language: Text | None = Field(default=None, description="the language spoken at every table")


class RoomYaml(_Part):
    name: Text = Field(description="the room's name")
    capacity: PositiveInt | None = Field(
        default=None, description="people in this room (default: the rooms' capacity)"
    )
    language: Text | None = Field(default=None, description="the language spoken in this room")
    link: Text | None = Field(default=None, description="this room's own meeting link")


class RoomsYaml(_Part):
    platform: Platform | None = Field(
        default=None, description="one of zoom, bigbluebutton, teams, jitsi or other"
    )
    link_template: Text | None = Field(
        default=None, description="a meeting link containing {room}, filled with each room's name"
    )
    count: PositiveInt | None = Field(
        default=None, description="how many rooms, named 'Room 1', 'Room 2', …"
    )
    names: list[Text] | None = Field(
        default=None, min_length=1, description="the room names, one per room"
    )
    entries: list[RoomYaml] | None = Field(
        default=None,
        min_length=1,
        alias="list",
        description="one entry per room: name, capacity, language, link",
    )
    capacity: PositiveInt | None = Field(default=None, description="people per room")
    language: Text | None = Field(default=None, description="the language spoken in every room")


class ReadingYaml(_Part):
    title: Text = Field(description="the title of the item")
    url: Text | None = Field(default=None, description="a web address starting with https://")


class SessionYaml(_Part):
    title: Text = Field(description="the session's title")
    event: Text | None = Field(default=None, description="the event it belongs to")
    date: dt.date | None = Field(default=None, description="the day, written 2025-06-24")
    start_time: dt.time | None = Field(
        default=None, description="the local start time, written 14:30"
    )
    timezone: Text = Field(default="UTC", description="an IANA time zone name such as Europe/Oslo")
    duration_minutes: PositiveInt = Field(description="how long the session lasts, in minutes")
    chatham_house: bool = Field(default=True, description="true or false: the Chatham House Rule")
    participant_notes: bool = Field(
        False, description="true or false: whether participants may send notes themselves"
    )
    roles: RolesYaml = Field(
        default_factory=RolesYaml, description="onsite_moderator, online_moderator, rapporteur"
    )
    agenda: list[AgendaBlockYaml] = Field(description="the agenda blocks, in order")
    tables: TablesYaml | None = Field(default=None, description="the onsite tables")
    rooms: RoomsYaml | None = Field(default=None, description="the online breakout rooms")
    languages: list[Text] = Field(default_factory=list, description="the languages spoken")
    sdg_targets: list[Text] = Field(
        default_factory=list, description='SDG goals or targets such as "9" or "12.6"'
    )
    reading: list[ReadingYaml] = Field(
        default_factory=list, description="reading list entries: title and url"
    )
    join_url: Text | None = Field(
        default=None, description="the address participants open to join (printed as a QR code)"
    )


def keys_of(model: type[BaseModel]) -> list[str]:
    """The keys a file may use for `model`, in declaration order."""
    return [field.alias or name for name, field in model.model_fields.items()]


def _bare(annotation: object) -> object:
    """`X` from `X | None` or `Annotated[X, ...]`; anything else unchanged."""
    while True:
        if get_origin(annotation) is Annotated:
            annotation = get_args(annotation)[0]
        elif get_origin(annotation) in (Union, types.UnionType):
            args = [arg for arg in get_args(annotation) if arg is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        else:
            return annotation


def _is_model(annotation: object) -> TypeGuard[type[BaseModel]]:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def field_at(
    path: Sequence[str | int], model: type[BaseModel] = SessionYaml
) -> tuple[FieldInfo | None, object]:
    """The field a path ends in (None for a list item) and the type expected there.

    Returns `(None, None)` when the path leaves the schema, e.g. through an unknown key.
    """
    expected: object = model
    field: FieldInfo | None = None
    for step in path:
        if isinstance(step, int):
            if get_origin(expected) is not list:
                return None, None
            expected, field = _bare(get_args(expected)[0]), None
            continue
        if not _is_model(expected):
            return None, None
        fields = {f.alias or name: f for name, f in expected.model_fields.items()}
        if step not in fields:
            return None, None
        field = fields[step]
        expected = _bare(field.annotation)
    return field, expected


def wants_text(path: YamlPath) -> bool:
    """True where the file holds text (or a time, which pydantic reads from text)."""
    return field_at(path)[1] in (str, dt.time)


def input_error_from(error: ValidationError, source: YamlSource) -> InputError:
    """The first problem in file order, as one sentence naming file, line and field."""
    problems = sorted(error.errors(include_url=False), key=lambda e: source.line_of(e["loc"]))
    first = problems[0]
    path = tuple(first["loc"])
    problem, advice = _explain(first, path)
    others = len(problems) - 1
    if others:
        advice += f" (The file has {others} more problem{'s' if others > 1 else ''}.)"
    return InputError(
        problem,
        file=source.file,
        line=source.line_of(path),
        field=field_name(path),
        advice=advice.strip(),
    )


def field_name(path: Sequence[str | int]) -> str | None:
    """`("agenda", 2, "question")` → `agenda[2].question`; list indexes count from 0."""
    name = ""
    for step in path:
        name += f"[{step}]" if isinstance(step, int) else f".{step}" if name else step
    return name or None


def _explain(error: ErrorDetails, path: YamlPath) -> tuple[str, str]:
    field, expected = field_at(path)
    expects = f"Expected: {field.description}." if field and field.description else ""
    kind, value = error["type"], error["input"]
    key = next((step for step in reversed(path) if isinstance(step, str)), "")
    if kind == "missing":
        return f"'{key}' is missing", f"Add '{key}:' here. {expects}"
    if kind == "extra_forbidden":
        allowed = _keys_at(path[:-1])
        return f"'{key}' is not a key pollinate knows here", (
            _did_you_mean(key, allowed) + f"The keys allowed here are: {', '.join(allowed)}."
        )
    if kind in ("enum", "literal_error"):
        choices = _choices(expected)
        return f"{_shown(value)} is not one of {', '.join(choices)}", (
            _did_you_mean(str(value), choices) + expects
        )
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        allowed = _keys_at(path)
        return f"this should be a block of keys, not {_shown(value)}", (
            f"Indent the keys under it: {', '.join(allowed)}." if allowed else expects
        )
    if kind == "list_type":
        return f"this should be a list, not {_shown(value)}", (
            f"Write one item per line, each starting with '- '. {expects}"
        )
    if kind == "too_short":
        return "this list is empty", f"Add at least one item, or remove the key. {expects}"
    if kind == "string_too_short":
        return "this is empty", f"Fill it in, or remove the key if it is optional. {expects}"
    message = error["msg"]
    if message.startswith("Input should be "):
        message = f"this should be {message.removeprefix('Input should be ')}"
        message = message.replace("a valid integer", "a whole number")
    return f"{message}, not {_shown(value)}", expects


def _keys_at(path: YamlPath) -> list[str]:
    expected = field_at(path)[1]
    return keys_of(expected) if _is_model(expected) else []


def _choices(expected: object) -> list[str]:
    if isinstance(expected, type) and issubclass(expected, Enum):
        return [str(member.value) for member in expected]
    return [str(arg) for arg in get_args(expected)]


def _did_you_mean(word: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(word.casefold(), choices, n=1, cutoff=0.6)
    return f"Did you mean '{close[0]}'? " if close else ""


def _shown(value: object) -> str:
    if isinstance(value, dict):
        return "a block of keys"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (the value is empty)"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "…"
