from __future__ import annotations

import pytest

from pollinate.errors import InputError
from pollinate.io.yaml_source import read_yaml

TEXT = """\
title: Café
agenda:
  - kind: intro
    minutes: 5
  - kind: round
    question: >-
      A long question
      over two lines
tables: {count: 3}
"""


def test_line_of_finds_keys_list_items_and_flow_mappings():
    source = read_yaml(TEXT, file="s.yaml")
    assert source.line_of(()) == 1
    assert source.line_of(("title",)) == 1
    assert source.line_of(("agenda",)) == 2
    assert source.line_of(("agenda", 1)) == 5
    assert source.line_of(("agenda", 1, "question")) == 6
    assert source.line_of(("tables", "count")) == 9


def test_line_of_a_missing_key_is_its_enclosing_block():
    source = read_yaml(TEXT, file="s.yaml")
    assert source.line_of(("agenda", 1, "minutes")) == 5
    assert source.line_of(("agenda", 7)) == 2
    assert source.line_of(("nowhere", "deeper")) == 1


def test_empty_text_has_no_data_and_points_at_line_1():
    source = read_yaml("# nothing\n", file="s.yaml")
    assert source.data is None
    assert source.line_of(("title",)) == 1


def test_text_is_restored_only_where_asked_and_only_for_plain_scalars():
    text = "a: 10:30\nb: 10:30\nc: [17.10, '17.10', no]\n"
    source = read_yaml(text, file="s.yaml", as_text=lambda path: path[0] in ("a", "c"))
    assert source.data == {"a": "10:30", "b": 630, "c": ["17.10", "17.10", "no"]}


def test_syntax_error_carries_the_line():
    with pytest.raises(InputError) as caught:
        read_yaml("a: 1\nb: [1, 2\nc: 3\n", file="s.yaml")
    assert caught.value.file == "s.yaml"
    assert caught.value.line is not None
    assert caught.value.line >= 2


def test_unsafe_tags_are_refused_as_input_errors():
    with pytest.raises(InputError) as caught:
        read_yaml("a: !!python/object/apply:os.system ['true']\n", file="s.yaml")
    assert caught.value.line == 1


def test_duplicate_keys_are_refused_even_when_nested():
    with pytest.raises(InputError) as caught:
        read_yaml("a:\n  b: 1\n  c: 2\n  b: 3\n", file="s.yaml")
    assert caught.value.line == 4
    assert "first on line 2" in caught.value.problem


def test_merge_keys_and_aliases_are_not_duplicates():
    text = "base: &b {x: 1}\nthing:\n  <<: *b\n  y: 2\nother: *b\n"
    source = read_yaml(text, file="s.yaml")
    assert source.data == {"base": {"x": 1}, "thing": {"x": 1, "y": 2}, "other": {"x": 1}}
