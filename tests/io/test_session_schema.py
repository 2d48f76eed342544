from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pydantic import BaseModel

from pollinate.io import session_schema
from pollinate.io.session_file import starter_text
from pollinate.io.session_schema import SessionYaml, field_at, field_name, keys_of, wants_text

DOCS = Path(__file__).resolve().parents[2] / "docs" / "session-file.md"

MODELS: list[type[BaseModel]] = [
    value
    for value in vars(session_schema).values()
    if isinstance(value, type) and issubclass(value, BaseModel) and value.__name__.endswith("Yaml")
]
KEYS = sorted({key for model in MODELS for key in keys_of(model)})


def test_schema_has_the_models_of_every_part_of_the_file():
    assert {model.__name__ for model in MODELS} >= {
        "SessionYaml",
        "RolesYaml",
        "AgendaBlockYaml",
        "TablesYaml",
        "TableYaml",
        "RoomsYaml",
        "RoomYaml",
        "ReadingYaml",
    }


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_every_field_describes_what_is_expected(model: type[BaseModel]):
    # The description is the "Expected: …" part of error messages.
    undescribed = [name for name, field in model.model_fields.items() if not field.description]
    assert undescribed == []


@pytest.mark.parametrize("key", KEYS)
def test_every_key_is_documented(key: str):
    assert f"`{key}`" in DOCS.read_text(encoding="utf-8")


@pytest.mark.parametrize("key", KEYS)
def test_every_key_appears_in_the_starter(key: str):
    assert key in starter_text()


def test_field_at_follows_lists_into_their_items():
    field, expected = field_at(("tables", "list", 2, "capacity"))
    assert field is not None
    assert field.description == "seats at this table (default: the tables' capacity)"
    assert expected is int


def test_field_at_leaves_the_schema_at_an_unknown_key():
    assert field_at(("tables", "capcity")) == (None, None)


def test_text_is_wanted_for_text_and_time_fields_only():
    assert wants_text(("sdg_targets", 0))
    assert wants_text(("start_time",))
    assert wants_text(("agenda", 1, "question"))
    assert not wants_text(("duration_minutes",))
    assert not wants_text(("agenda", 1, "minutes"))
    assert not wants_text(("chatham_house",))


def test_field_names_count_list_items_from_zero():
    assert field_name(("agenda", 2, "question")) == "agenda[2].question"
    assert field_name(("tables", "list", 0, "name")) == "tables.list[0].name"
    assert field_name(()) is None


def test_model_accepts_dates_from_yaml_and_from_text():
    base = {"title": "T", "duration_minutes": 5, "agenda": []}
    assert SessionYaml.model_validate({**base, "date": dt.date(2025, 6, 24)}).date == dt.date(
        2025, 6, 24
    )
    assert SessionYaml.model_validate({**base, "date": "2025-06-24"}).date == dt.date(2025, 6, 24)
