"""Safe YAML loading that remembers the line of every key and item.

PyYAML's ``safe_load`` forgets where things were; validation messages must name the line,
so this loader returns dict/list subclasses carrying 1-based line numbers. It only ever uses
``SafeLoader`` constructors: tags such as ``!!python/object`` are rejected, never executed.

Parsing runs on libyaml (``CSafeLoader``) when PyYAML has it: about ten times faster than the
pure-Python parser (the bond-failover scenario: ~30 ms -> ~3 ms, paid on every replay page
load). The constructors are the same either way, so the data and its lines are identical; any
failure is parsed again by the pure-Python loader, so every error message stays word for word.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, SequenceNode

from ._fs import FileTooLarge, read_regular_file
from .errors import ScenarioError

#: Refuse files larger than this before parsing: a scenario is a few dozen KiB at most.
MAX_FILE_BYTES = 1_000_000
#: Values (keys, items, scalars) one document may hold with every alias expanded. The seed
#: scenario has about 530; nine aliases nested nine deep (an "alias bomb") would be 387 million,
#: tiny to load (aliases share one object) and huge to validate or render.
MAX_VALUES = 50_000
_TOO_MANY = "the YAML has more than {limit:,} values once its aliases are expanded (an alias bomb?)"


class LineDict(dict[str, Any]):
    """A mapping that knows its own line and the line of each key."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list[Any]):
    """A sequence that knows its own line and the line of each item."""

    line: int = 0
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


def _kind(node: Node) -> str:
    """``scalar``, ``sequence`` or ``mapping``: PyYAML's word for a node (a class attribute)."""
    return str(getattr(node, "id", type(node).__name__))


class _LineConstructor(yaml.constructor.SafeConstructor):
    """Mapping and sequence construction that keeps lines; mixed into a safe loader class
    (it derives from ``SafeConstructor`` so the loaders' method order keeps it in front)."""

    _path: str

    def construct_mapping(self, node: Node, deep: bool = False) -> LineDict:  # type: ignore[override]
        if not isinstance(node, MappingNode):
            raise yaml.constructor.ConstructorError(
                None, None, f"expected a mapping but found {_kind(node)}", node.start_mark
            )
        self.flatten_mapping(node)
        result = LineDict()
        result.line = node.start_mark.line + 1
        result.key_lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if not isinstance(key, (str, int, float, bool)) or key is None:
                raise ScenarioError.at(self._path, line, "", f"keys must be plain text, not {type(key).__name__}")
            key = str(key) if not isinstance(key, str) else key
            if key in result:
                raise ScenarioError.at(
                    self._path, line, f"field '{key}'", f"duplicate key '{key}' (first at line {result.key_lines[key]})"
                )
            result[key] = self.construct_object(value_node, deep=True)
            result.key_lines[key] = line
        return result

    def construct_sequence(self, node: Node, deep: bool = False) -> LineList:
        if not isinstance(node, SequenceNode):
            raise yaml.constructor.ConstructorError(
                None, None, f"expected a sequence but found {_kind(node)}", node.start_mark
            )
        result = LineList(self.construct_object(child, deep=True) for child in node.value)
        result.line = node.start_mark.line + 1
        result.item_lines = [child.start_mark.line + 1 for child in node.value]
        return result


class _LineLoader(_LineConstructor, yaml.SafeLoader):
    """The pure-Python loader: the reference, and the one that words every error.

    Its composer also counts the values the document holds with aliases expanded, while it
    composes: an alias adds the size of what it refers to, so an alias bomb is refused at the
    alias that crosses :data:`MAX_VALUES`, before anything walks the expanded tree.
    """

    def __init__(self, stream: str, path: str) -> None:
        yaml.SafeLoader.__init__(self, stream)
        self._path = path
        self._expanded = 0
        self._sizes: dict[int, int] = {}  # id(node) -> its expanded size, once composed

    def _count(self, values: int, mark: Any) -> None:
        self._expanded += values
        if self._expanded > MAX_VALUES:
            raise ScenarioError.at(self._path, mark.line + 1, "", _TOO_MANY.format(limit=MAX_VALUES))

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            target = self.anchors.get(event.anchor)
            if target is not None:
                if id(target) not in self._sizes:
                    raise ScenarioError.at(self._path, event.start_mark.line + 1, "",
                                           f"the alias *{event.anchor} refers to a value that contains it")
                self._count(self._sizes[id(target)], event.start_mark)
            return super().compose_node(parent, index)
        self._count(1, self.peek_event().start_mark)  # type: ignore[no-untyped-call]
        before = self._expanded
        node = super().compose_node(parent, index)
        self._sizes[id(node)] = self._expanded - before + 1
        return node


def expanded_size(node: Node, limit: int = MAX_VALUES) -> int:
    """Values under ``node`` with aliases expanded (shared nodes counted each time), stopping
    with ValueError past ``limit`` or on a node that contains itself."""
    sizes: dict[int, int] = {}
    visiting: set[int] = set()

    def size(current: Node) -> int:
        key = id(current)
        if key in sizes:
            return sizes[key]
        if key in visiting:
            raise ValueError("recursive alias")
        visiting.add(key)
        total = 1
        children = current.value if isinstance(current, (SequenceNode, MappingNode)) else ()
        for child in children:
            for part in (child if isinstance(child, tuple) else (child,)):
                total += size(part)
                if total > limit:
                    raise ValueError("too many values")
        visiting.discard(key)
        sizes[key] = total
        return total

    return size(node)


_CSafeLoader: type | None = getattr(yaml, "CSafeLoader", None)

if _CSafeLoader is not None:
    class _FastLineLoader(_LineConstructor, _CSafeLoader):  # type: ignore[misc, valid-type]
        """libyaml's scanner and parser, with the same safe constructors as :class:`_LineLoader`."""

        def __init__(self, stream: str, path: str) -> None:
            _CSafeLoader.__init__(self, stream)  # type: ignore[misc]
            self._path = path

        def construct_document(self, node: Node) -> Any:
            # libyaml composes in C, so the expanded size is measured here, before construction;
            # past the limit the pure-Python loader runs and words the error at the alias's line
            expanded_size(node)
            return super().construct_document(node)
else:  # PyYAML built without libyaml
    _FastLineLoader = None  # type: ignore[assignment, misc]


# PyYAML's stubs type a constructor's loader as one of PyYAML's own loader classes; ours are
# those classes with _LineConstructor in front, which the assertions state.
def _construct_map(loader: yaml.SafeLoader, node: MappingNode) -> LineDict:
    assert isinstance(loader, _LineConstructor)
    return loader.construct_mapping(node)


def _construct_seq(loader: yaml.SafeLoader, node: SequenceNode) -> LineList:
    assert isinstance(loader, _LineConstructor)
    return loader.construct_sequence(node)


for _loader in (_LineLoader, _FastLineLoader):
    if _loader is not None:
        _loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
        _loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
        _loader.add_constructor("tag:yaml.org,2002:omap", _construct_map)


def load_text(text: str, path: str) -> Any:
    """Parse YAML text; every failure becomes a ScenarioError naming ``path`` and a line."""
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ScenarioError.at(path, line, "", "the file contains a NUL byte; is it binary?")
    if _FastLineLoader is not None:
        try:
            fast = _FastLineLoader(text, path)
        except yaml.YAMLError:  # the pure-Python loader below reports it, in its words
            pass
        else:
            try:
                return fast.get_single_data()
            except Exception:  # noqa: BLE001 - the pure-Python loader below reports it, in its words
                pass
            finally:
                fast.dispose()
    try:
        loader = _LineLoader(text, path)
    except yaml.reader.ReaderError as exc:  # YAML refuses control characters before parsing
        line = text.count("\n", 0, exc.position) + 1
        raise ScenarioError.at(path, line, "", f"the file contains the control character U+{exc.character:04X}; "
                                               "is it binary?") from None
    try:
        return loader.get_single_data()
    except ScenarioError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = mark.line + 1 if mark else None
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        if "could not determine a constructor" in problem:
            problem = f"YAML tags like {problem.split('for the tag')[-1].strip()} are not allowed: drillbook files are plain data"
        raise ScenarioError.at(path, where, "", f"YAML syntax error: {problem}") from None
    except yaml.YAMLError as exc:
        raise ScenarioError.at(path, loader.get_mark().line + 1, "", f"YAML error: {exc}") from None
    except RecursionError:
        raise ScenarioError.at(path, loader.get_mark().line + 1, "", "the YAML nests too deeply") from None
    finally:
        loader.dispose()


def load_file(path: str | Path) -> Any:
    """Read and parse a YAML file, refusing oversized, binary or undecodable input."""
    shown = str(path)
    try:
        raw = read_regular_file(path, MAX_FILE_BYTES)
    except FileTooLarge as exc:
        raise ScenarioError.at(
            shown, 1, "", f"the file is {exc.size:,} bytes; scenarios are limited to {MAX_FILE_BYTES:,}"
        ) from None
    except OSError as exc:
        raise ScenarioError.at(shown, None, "", f"cannot read the file ({exc.strerror or exc})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ScenarioError.at(shown, line, "", "the file is not UTF-8 text; is it binary?") from None
    return load_text(text, shown)
