"""YAML text together with its line numbers, so an error can say where to look.

PyYAML's composer keeps a start mark on every node; constructing the data from that same
node tree (instead of a second `safe_load`) lets us trace a path such as
`("agenda", 2, "question")` back to the line a person opens in an editor:

    text ──compose──▶ node tree ──construct──▶ plain data (dicts, lists, scalars)
                          │                         ▲
                          │                         └── as_text: plain scalars that YAML
                          │                             guessed as numbers or dates go back
                          │                             to the text as written
                          └── line_of(path): a key's own line, else the nearest enclosing node

Syntax errors and duplicate keys (which PyYAML silently resolves to the last one) become
`InputError`s carrying the line. So do documents that would take unbounded time: aliases
that repeat a block into more than `MAX_VALUES` values (the "billion laughs": 442 bytes
of nine aliases, nine deep, make 387 million), an alias inside the block it names (a
loop), and nesting deeper than Python's recursion limit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeAlias

import yaml

from pollinate.errors import InputError

YamlPath: TypeAlias = tuple[str | int, ...]

# YAML 1.1 (PyYAML's dialect) reads `10:30` as the sexagesimal integer 630, `17.10` as the
# float 17.1 and `no` as False: the text a person typed is gone after construction.
_GUESSED_TYPES = (bool, int, float, dt.date)
# Values (scalars, lists, blocks) with every alias written out. A session file has a few
# hundred; each is validated one by one, however many aliases share it.
MAX_VALUES = 100_000


@dataclass(frozen=True, slots=True)
class YamlSource:
    """A parsed YAML document: its data, its node tree (None when empty) and its file name."""

    file: str
    root: yaml.Node | None
    data: object

    def line_of(self, path: Sequence[str | int]) -> int:
        """The 1-based line of the deepest node `path` reaches.

        For a mapping entry this is the key's line (a block value starts on the next line,
        but people look for the key). A path that leaves the tree, such as a missing key,
        stops at the enclosing mapping or list item, which is where the key belongs.
        """
        if self.root is None:
            return 1
        node: yaml.Node = self.root
        line = node.start_mark.line
        for step in path:
            if isinstance(node, yaml.MappingNode) and isinstance(step, str):
                entry = _entry(node, step)
                if entry is None:
                    break
                key, node = entry
                line = key.start_mark.line
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
                if not 0 <= step < len(node.value):
                    break
                node = node.value[step]
                line = node.start_mark.line
            else:
                break
        return line + 1


def read_yaml(
    text: str, *, file: str, as_text: Callable[[YamlPath], bool] = lambda path: False
) -> YamlSource:
    """Parse one YAML document, keeping the node tree for line numbers.

    `as_text(path)` says where the reader expects text: there a plain scalar that YAML
    resolved to a number, boolean or date is replaced by the characters as written, so
    `start_time: 10:30` stays "10:30" and `- 17.10` stays "17.10".
    """
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is not None:
            _reject_alias_bombs(root, file)
        data = None if root is None else loader.construct_document(root)
        if root is not None:
            _reject_duplicate_keys(root, file)
            data = _restore_text(root, data, (), as_text)
    except yaml.MarkedYAMLError as error:
        raise _syntax_error(error, file) from None
    except yaml.YAMLError as error:
        raise InputError(
            f"the file is not valid YAML: {error}", file=file, advice=_SYNTAX_ADVICE
        ) from None
    except RecursionError:
        # PyYAML composes and constructs recursively; "[[[[…" a few thousand deep ends here.
        raise InputError(
            "the file nests lists or blocks too deeply to read",
            file=file,
            advice="A session file nests a few levels deep; check the brackets and indentation.",
        ) from None
    finally:
        loader.dispose()
    return YamlSource(file=file, root=root, data=data)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _reject_alias_bombs(root: yaml.Node, file: str) -> None:
    """Refuse a node graph that aliases multiply past `MAX_VALUES` values, or that loops.

    An alias is the very node its anchor names, so the tree is a graph; each node's
    written-out size is counted once (depth first, without recursion), in time linear in
    the graph however large the written-out document would be.
    """
    values: dict[int, int] = {}  # id(node) -> values once its aliases are written out
    open_nodes: set[int] = set()  # on the current path: meeting one again is a loop
    pending: list[tuple[yaml.Node, bool]] = [(root, False)]
    while pending:
        node, children_done = pending.pop()
        key = id(node)
        if children_done:
            open_nodes.discard(key)
            values[key] = 1 + sum(values[id(child)] for child in _children(node))
            if values[key] > MAX_VALUES:
                raise InputError(
                    f"aliases (*name) repeat blocks here into more than {MAX_VALUES:,} values",
                    file=file,
                    line=node.start_mark.line + 1,
                    advice="Write the blocks out, or use fewer aliases; a session file "
                    "has a few hundred values.",
                )
        elif key in open_nodes:
            raise InputError(
                "an alias (*name) refers to a block that contains it, so it never ends",
                file=file,
                line=node.start_mark.line + 1,
                advice="Point the alias at another block, or write the values out.",
            )
        elif key not in values:
            open_nodes.add(key)
            pending.append((node, True))
            pending.extend((child, False) for child in _children(node))


_SYNTAX_ADVICE = (
    "Check the indentation (spaces, not tabs) on that line and the one before it; "
    "put text that contains ': ' or starts with one of * & ! [ { | > in quotes."
)


def _syntax_error(error: yaml.MarkedYAMLError, file: str) -> InputError:
    mark = error.problem_mark or error.context_mark
    problem = error.problem or error.context or "it cannot be read"
    return InputError(
        f"the file is not valid YAML: {problem}",
        file=file,
        line=None if mark is None else mark.line + 1,
        advice=_SYNTAX_ADVICE,
    )


def _entry(node: yaml.MappingNode, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return key_node, value_node
    return None


def _reject_duplicate_keys(root: yaml.Node, file: str) -> None:
    seen: set[int] = set()  # aliases can make the tree a graph, even a cycle
    pending = [root]
    while pending:
        node = pending.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first_line: dict[str, int] = {}
            for key_node, value_node in node.value:
                pending.append(value_node)
                if not isinstance(key_node, yaml.ScalarNode) or key_node.value == "<<":
                    continue
                line = key_node.start_mark.line + 1
                if key_node.value in first_line:
                    raise InputError(
                        f"the key '{key_node.value}' appears twice in the same block "
                        f"(first on line {first_line[key_node.value]})",
                        file=file,
                        line=line,
                        field=key_node.value,
                        advice="Keep one of them; YAML would silently use the last.",
                    )
                first_line[key_node.value] = line
        elif isinstance(node, yaml.SequenceNode):
            pending.extend(node.value)


def _restore_text(
    node: yaml.Node, data: object, path: YamlPath, as_text: Callable[[YamlPath], bool]
) -> object:
    if isinstance(node, yaml.MappingNode) and isinstance(data, dict):
        for key_node, value_node in node.value:
            key = key_node.value
            if isinstance(key_node, yaml.ScalarNode) and key in data:
                data[key] = _restore_text(value_node, data[key], (*path, key), as_text)
    elif isinstance(node, yaml.SequenceNode) and isinstance(data, list):
        for index, item_node in enumerate(node.value):
            if index < len(data):
                data[index] = _restore_text(item_node, data[index], (*path, index), as_text)
    elif (
        isinstance(node, yaml.ScalarNode)
        and node.style is None  # plain, not quoted: only those are guessed at
        and isinstance(data, _GUESSED_TYPES)
        and as_text(path)
    ):
        return node.value
    return data
