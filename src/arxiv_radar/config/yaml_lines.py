"""YAML composed with line numbers: key path -> line, for error messages that point at the file."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import yaml

from ..errors import ConfigError

__all__ = ["Path_", "Source", "compose", "fmt_path"]


Path_ = tuple[str | int, ...]

def fmt_path(path: Iterable[str | int]) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        text = str(part)
        # Quote names that would be ambiguous or unsafe on one line (dots, control characters).
        if not text or "." in text or not text.isprintable() or text != text.strip():
            text = repr(text)
        out += f".{text}" if out else text
    return out



class Source:
    """The composed YAML: key path -> line (1-based), plus problems found while walking it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.lines: dict[Path_, int] = {}
        self.problems: list[tuple[int | None, str]] = []

    def line_of(self, path: Iterable[str | int]) -> int | None:
        path = tuple(path)
        # Walk up: a missing key's error points at its parent mapping.
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return None

    def where(self, line: int | None) -> str:
        return f"{self.name}:{line}" if line is not None else self.name

    def walk(self, node: yaml.Node, path: Path_, seen: set[int]) -> None:
        # Aliases make the node graph a DAG (or a cycle): visit each node once, or a
        # billion-laughs document would take exponential time here.
        if id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first: dict[str, int] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag.endswith(":merge"):
                    continue
                key = key_node.value
                line = key_node.start_mark.line + 1
                child = (*path, key)
                if key in first:
                    self.problems.append(
                        (line, f"{fmt_path(child)}: duplicate key (first at line {first[key]})")
                    )
                else:
                    first[key] = line
                # PyYAML keeps the last duplicate, so its lines are the ones errors refer to.
                self.lines[child] = line
                self.walk(value_node, child, seen)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                child = (*path, index)
                self.lines[child] = item.start_mark.line + 1
                self.walk(item, child, seen)


def compose(text: str, name: str) -> tuple[Any, Source]:
    source = Source(name)
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, source
        source.walk(node, (), set())
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = "; ".join(p for p in (exc.context, exc.problem) if p)
        col = f" (column {mark.column + 1})" if mark is not None else ""
        raise ConfigError(f"{source.where(line)}: YAML syntax error: {problem}{col}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{name}: YAML error: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{name}: YAML nesting too deep") from None
    finally:
        loader.dispose()
    return data, source
