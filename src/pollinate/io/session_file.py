"""Session files: YAML in, a validated `SessionSpec` out, and the starter file for `init`.

    bytes ─▶ at most MAX_FILE_BYTES of UTF-8 ─▶ text
    text ─read_yaml─▶ data + node tree ─SessionYaml─▶ shape checked ─_build─▶ SessionSpec
                         (yaml_source)                (session_schema)     (rules below)

Every problem is an `InputError` naming the file, the line and the field, and saying what
is expected; `docs/session-file.md` describes each key. Hostile files end the same way, in
bounded time: too large, not text, or YAML whose aliases multiply it (yaml_source).
"""

from __future__ import annotations

import difflib
import re
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from pollinate.core.session import (
    AgendaBlock,
    BlockKind,
    Reading,
    Roles,
    Room,
    SessionSpec,
    Table,
)
from pollinate.errors import InputError
from pollinate.io.session_schema import (
    RoomsYaml,
    RoomYaml,
    SessionYaml,
    TablesYaml,
    TableYaml,
    field_name,
    input_error_from,
    wants_text,
)
from pollinate.io.yaml_source import YamlPath, YamlSource, read_yaml

_DEFAULT_TITLES = {
    BlockKind.INTRO: "Introduction",
    BlockKind.REPORT_BACK: "Report back",
    BlockKind.NEXT_STEPS: "Next steps",
}
# A goal (1-17) or a target: digits for outcome targets ("12.6", "17.10"), a letter for
# means of implementation ("6.a"), as the UN's SDG indicator framework numbers them.
_SDG = re.compile(r"(?P<goal>\d{1,2})(?:\.(?:\d{1,2}|[a-z]))?")
# The IGF example is 3.6 KB. PyYAML reads about 300 KB of session file a second here, so
# this keeps a wrong upload (a roster, a video) from holding a worker for long.
MAX_FILE_BYTES = 256 * 1024


def _too_large(file: str) -> InputError:
    return InputError(
        f"the file is larger than {MAX_FILE_BYTES // 1024} KB; a session file is a few KB",
        file=file,
        advice="Check that this is the session file (YAML), not the roster or another document.",
    )


def load_session(path: Path) -> SessionSpec:
    """Read and validate a session file; any problem is an `InputError` naming its line."""
    file = str(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)  # enough to refuse a file that is too large
    except FileNotFoundError:
        raise InputError(
            "there is no such file", file=file, advice="Check the path, or run `pollinate init`."
        ) from None
    except OSError as error:
        raise InputError(f"the file cannot be read ({error.strerror})", file=file) from None
    return parse_session_bytes(data, file=file)


def parse_session_bytes(data: bytes, *, file: str) -> SessionSpec:
    """Validate a session file given as bytes (an upload); `file` is the name errors show."""
    if len(data) > MAX_FILE_BYTES:
        raise _too_large(file)
    try:
        text = data.decode("utf-8-sig")  # -sig: editors on Windows add a BOM
    except UnicodeDecodeError:
        raise InputError(
            "the file is not UTF-8 text", file=file, advice="Save it again as UTF-8."
        ) from None
    return parse_session(text, file=file)


def parse_session(text: str, *, file: str) -> SessionSpec:
    """Validate session-file text; `file` is the name errors show."""
    if len(text) > MAX_FILE_BYTES:  # characters: at least as many bytes
        raise _too_large(file)
    source = read_yaml(text, file=file, as_text=wants_text)
    if source.data is None:
        raise InputError(
            "the file is empty",
            file=file,
            line=1,
            advice="Start from the commented example that `pollinate init` writes.",
        )
    if not isinstance(source.data, dict):
        raise InputError(
            "the file should be a block of keys such as title, duration_minutes and agenda",
            file=file,
            line=1,
            advice="Start from the commented example that `pollinate init` writes.",
        )
    try:
        doc = SessionYaml.model_validate(source.data)
    except ValidationError as error:
        raise input_error_from(error, source) from None
    return _build(doc, source)


def starter_text() -> str:
    """The commented starter session file: every key explained, valid as written."""
    return resources.files("pollinate.io").joinpath("starter.yaml").read_text(encoding="utf-8")


def write_starter(path: Path, *, force: bool = False) -> Path:
    """Write the starter file to `path` and return where it went (absolute).

    Refuses to replace an existing file unless `force`: a session file is someone's work.
    """
    file = str(path)
    if path.is_dir():
        raise InputError(
            "this is a folder", file=file, advice=f"Give a file name, e.g. {path / 'session.yaml'}."
        )
    if not path.parent.is_dir():
        raise InputError(
            f"the folder {path.parent} does not exist", file=file, advice="Create it first."
        )
    try:
        # "x" creates or fails atomically, so a file appearing meanwhile is not clobbered.
        with path.open("w" if force else "x", encoding="utf-8") as handle:
            handle.write(starter_text())
    except FileExistsError:
        raise InputError(
            "the file already exists and pollinate will not overwrite it",
            file=file,
            advice="Choose another path, or pass --force to replace it.",
        ) from None
    return path.resolve()


def _fail(source: YamlSource, problem: str, path: YamlPath, advice: str) -> InputError:
    return InputError(
        problem, file=source.file, line=source.line_of(path), field=field_name(path), advice=advice
    )


def _build(doc: SessionYaml, source: YamlSource) -> SessionSpec:
    agenda = _agenda(doc, source)
    _check_timezone(doc.timezone, source)
    if doc.start_time is not None and doc.start_time.tzinfo is not None:
        raise _fail(
            source,
            "the start time carries its own UTC offset",
            ("start_time",),
            "Write the local time alone (14:30) and the zone under 'timezone'.",
        )
    tables = _places(doc.tables, ("tables",), "Table", source)
    rooms = _places(doc.rooms, ("rooms",), "Room", source)
    if not tables and not rooms:
        raise _fail(
            source,
            "the session has neither tables nor rooms",
            ("tables",),
            "Add 'tables:' for people in the room, 'rooms:' for people online, or both.",
        )
    _check_places(tables + rooms, doc.languages, source)
    _check_links(doc, source)
    for index, target in enumerate(doc.sdg_targets):
        match = _SDG.fullmatch(target)
        if match is None or not 1 <= int(match["goal"]) <= 17:
            raise _fail(
                source,
                f"'{target}' is not an SDG goal or target",
                ("sdg_targets", index),
                'Write a goal from 1 to 17 ("9") or a target ("12.6", "17.10", "6.a").',
            )
    return SessionSpec(
        title=doc.title,
        duration_minutes=doc.duration_minutes,
        agenda=agenda,
        event=doc.event,
        date=doc.date,
        start_time=doc.start_time,
        timezone=doc.timezone,
        chatham_house=doc.chatham_house,
        roles=Roles(**doc.roles.model_dump()),
        tables=tuple(Table(p.name, p.capacity, p.language) for p in tables),
        rooms=tuple(Room(p.name, p.capacity, p.link, p.language) for p in rooms),
        video_platform=doc.rooms.platform if doc.rooms else None,
        room_link_template=doc.rooms.link_template if doc.rooms else None,
        languages=tuple(doc.languages),
        sdg_targets=tuple(doc.sdg_targets),
        reading=tuple(Reading(item.title, item.url) for item in doc.reading),
        join_url=doc.join_url,
        participant_notes=doc.participant_notes,
    )


def _agenda(doc: SessionYaml, source: YamlSource) -> tuple[AgendaBlock, ...]:
    blocks: list[AgendaBlock] = []
    for index, block in enumerate(doc.agenda):
        where = ("agenda", index)
        if block.kind is BlockKind.ROUND and block.question is None:
            raise _fail(
                source,
                "this round has no question",
                (*where, "question"),
                "Add 'question:' with the question the tables discuss in this round.",
            )
        if block.kind is not BlockKind.ROUND and block.question is not None:
            raise _fail(
                source,
                f"only rounds have a question, and this block is '{block.kind}'",
                (*where, "question"),
                "Change its kind to round, or remove the question.",
            )
        default: str | None
        if block.kind is BlockKind.ROUND:
            default = f"Round {sum(b.is_round for b in blocks) + 1}"
        else:
            default = _DEFAULT_TITLES.get(block.kind)
        title = block.title or default
        if title is None:
            raise _fail(source, "'title' is missing", where, "A block of kind other needs a title.")
        blocks.append(AgendaBlock(block.kind, title, block.minutes, block.question))
    if not any(block.is_round for block in blocks):
        raise _fail(
            source,
            "the agenda has no round",
            ("agenda",),
            "A World Café needs at least one block with 'kind: round' and a question.",
        )
    total = sum(block.minutes for block in blocks)
    if total > doc.duration_minutes:
        sum_shown = " + ".join(str(block.minutes) for block in blocks)
        raise _fail(
            source,
            f"the agenda blocks add up to {total} minutes ({sum_shown}) "
            f"but the session lasts {doc.duration_minutes}",
            ("agenda",),
            f"Shorten the blocks by {total - doc.duration_minutes} minutes in all, "
            "or raise duration_minutes.",
        )
    return tuple(blocks)


def _check_timezone(name: str, source: YamlSource) -> None:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        close = difflib.get_close_matches(name, sorted(zoneinfo.available_timezones()), n=1)
        hint = f"Did you mean '{close[0]}'? " if close else ""
        raise _fail(
            source,
            f"'{name}' is not a time zone pollinate knows",
            ("timezone",),
            hint + "Use an IANA name such as Europe/Oslo, Africa/Nairobi or America/Sao_Paulo.",
        ) from None


@dataclass(frozen=True, slots=True)
class _Place:
    """A table or room as the file gave it, with the path errors about it point to."""

    name: str
    capacity: int
    language: str | None
    link: str | None
    path: YamlPath


def _places(
    layout: TablesYaml | RoomsYaml | None, path: YamlPath, noun: str, source: YamlSource
) -> list[_Place]:
    if layout is None:
        return []
    given = (("count", layout.count), ("names", layout.names), ("list", layout.entries))
    forms = [key for key, value in given if value is not None]
    if len(forms) != 1:
        problem = (
            f"say how many {noun.lower()}s there are"
            if not forms
            else f"give only one of {' and '.join(forms)}"
        )
        raise _fail(
            source,
            problem,
            path if not forms else (*path, forms[1]),
            "Use 'count' (with 'capacity'), 'names' (with 'capacity') or 'list'.",
        )
    if layout.entries is not None:
        places = []
        entries: Sequence[TableYaml | RoomYaml] = layout.entries
        for index, entry in enumerate(entries):
            where = (*path, "list", index)
            capacity = entry.capacity or layout.capacity
            if capacity is None:
                raise _fail(
                    source,
                    "'capacity' is missing",
                    (*where, "capacity"),
                    f"Give this {noun.lower()} a capacity, or one for all under {path[0]}.",
                )
            link = entry.link if isinstance(entry, RoomYaml) else None
            language = entry.language or layout.language
            places.append(_Place(entry.name, capacity, language, link, where))
        return places
    if layout.capacity is None:
        raise _fail(
            source,
            "'capacity' is missing",
            path,
            f"Add 'capacity:' with the number of seats per {noun.lower()}.",
        )
    if layout.names is not None:
        named = [(name, (*path, "names", i)) for i, name in enumerate(layout.names)]
    else:
        count = layout.count or 0
        named = [(f"{noun} {n}", (*path, "count")) for n in range(1, count + 1)]
    return [_Place(name, layout.capacity, layout.language, None, at) for name, at in named]


def _check_places(places: Sequence[_Place], languages: Sequence[str], source: YamlSource) -> None:
    # Notes and plans name a table or room by its name alone, so names must not repeat.
    seen: set[str] = set()
    known = {language.casefold() for language in languages}
    for place in places:
        if place.name.casefold() in seen:
            raise _fail(
                source,
                f"the name '{place.name}' is used twice",
                place.path,
                "Give every table and room its own name.",
            )
        seen.add(place.name.casefold())
        if languages and place.language and place.language.casefold() not in known:
            close = difflib.get_close_matches(place.language, languages, n=1)
            raise _fail(
                source,
                f"'{place.language}' is not among the session's languages",
                place.path,
                (f"Did you mean '{close[0]}'? " if close else "")
                + f"Add it to 'languages' ({', '.join(languages)}) or correct it.",
            )


def _check_links(doc: SessionYaml, source: YamlSource) -> None:
    links: list[tuple[str | None, YamlPath]] = [(doc.join_url, ("join_url",))]
    links += [(item.url, ("reading", i, "url")) for i, item in enumerate(doc.reading)]
    if doc.rooms is not None:
        template = doc.rooms.link_template
        if template is not None and "{room}" not in template:
            raise _fail(
                source,
                "the link template has no {room} in it",
                ("rooms", "link_template"),
                "Put {room} where each room's name goes, or give each room its own link.",
            )
        links.append((template, ("rooms", "link_template")))
        entries = doc.rooms.entries or []
        links += [(room.link, ("rooms", "list", i, "link")) for i, room in enumerate(entries)]
    for link, path in links:
        if link is not None and not link.startswith(("https://", "http://")):
            raise _fail(
                source,
                f"'{link}' is not a web address",
                path,
                "Write the whole address, starting with https://.",
            )
