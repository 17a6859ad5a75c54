"""The configuration reference (docs/configuration.md), generated from the config models.

The text comes from the pydantic fields of :class:`arxiv_radar.config.Config` and the models it
nests (their descriptions, types, defaults and bounds), so it cannot drift from the code:
``tests/test_docs_gen.py`` fails when the committed file differs from a fresh generation.

    python -m arxiv_radar.ops.docs_gen > docs/configuration.md     # refresh
    python -m arxiv_radar.ops.docs_gen --check docs/configuration.md  # exit 1 when stale
"""

from __future__ import annotations

import sys
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

__all__ = ["generate", "main"]

_HEADER = """\
# Configuration reference

<!-- Generated from the config models (src/arxiv_radar/config.py) by
     `python -m arxiv_radar.ops.docs_gen > docs/configuration.md`. Do not edit by hand:
     tests/test_docs_gen.py fails when this file differs from a fresh generation. -->

The configuration is one YAML file, `config.yaml` by default (`-c FILE` to choose another).
cv-arxiv-daily's keys and arxiv-radar's own may be mixed in one file. An unknown key is an
error that names the nearest known key; `arxiv-radar doctor` reports every problem at once.
Relative paths are resolved against the folder holding the config file.
"""


def _anchor(model: type[BaseModel]) -> str:
    return model.__name__.lower()


_WHERE: dict[type, str] = {}


def _link(model: type[BaseModel]) -> str:
    where = _WHERE.get(model) or model.__name__
    return f"[`{where}`](#{_anchor(model)})"


def _title(model: type[BaseModel], where: str) -> str:
    return f"## `{where}`" if where else "## Top-level keys"


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _type_text(tp: Any) -> str:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        rest = [a for a in args if a is not type(None)]
        text = " or ".join(_type_text(a) for a in rest)
        return f"{text} (optional)" if len(rest) < len(args) else text
    if origin is Literal:
        return "one of " + ", ".join(f"`{a}`" for a in args)
    if origin is list:
        return f"list of {_plural(args[0])}" if args else "list"
    if origin is dict:
        return f"mapping of name to {_type_text(args[1])}" if len(args) == 2 else "mapping"
    if _is_model(tp):
        return _link(tp)
    return {bool: "boolean", int: "integer", float: "number", str: "text", Path: "path"}.get(
        tp, getattr(tp, "__name__", str(tp))
    )


def _plural(tp: Any) -> str:
    text = _type_text(tp)
    return {"text": "texts", "integer": "integers", "path": "paths"}.get(text, text)


def _is_text(tp: Any) -> bool:
    return tp is str or (typing.get_origin(tp) in (typing.Union, types.UnionType)
                         and str in typing.get_args(tp))


def _yaml_scalar(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Path):
        return value.as_posix()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_yaml_scalar(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{}" if not value else str(value)
    return str(value)


def _default_text(field: FieldInfo) -> str:
    if field.default_factory is not None:
        value = field.default_factory()  # type: ignore[call-arg]
        if isinstance(value, BaseModel):
            return f"see {_link(type(value))}"
        return f"`{_yaml_scalar(value)}`"
    if field.default is PydanticUndefined:
        return "**required**"
    return f"`{_yaml_scalar(field.default)}`"


def _bounds(field: FieldInfo) -> str:
    parts = []
    for meta in field.metadata:
        if isinstance(meta, annotated_types.Ge):
            parts.append(f"at least {meta.ge}")
        elif isinstance(meta, annotated_types.Gt):
            parts.append(f"more than {meta.gt}")
        elif isinstance(meta, annotated_types.Le):
            parts.append(f"at most {meta.le}")
        elif isinstance(meta, annotated_types.Lt):
            parts.append(f"less than {meta.lt}")
        elif isinstance(meta, annotated_types.MinLen) and meta.min_length:
            parts.append("not empty" if _is_text(field.annotation)
                         else f"at least {meta.min_length} item{'s' * (meta.min_length != 1)}")
    return f" ({', '.join(parts)})" if parts else ""


def _keys(name: str, field: FieldInfo) -> str:
    choices = [c for c in getattr(field.validation_alias, "choices", []) if isinstance(c, str)]
    keys = choices or [field.alias or name]
    return " / ".join(f"`{k}`" for k in keys)


def _cell(text: str) -> str:
    # One table cell: no line breaks, and a literal pipe must not end the cell.
    return " ".join(text.split()).replace("|", "\\|")


def _nested(tp: Any) -> Iterator[type[BaseModel]]:
    if _is_model(tp):
        yield tp
    for arg in typing.get_args(tp):
        yield from _nested(arg)


def _models() -> list[tuple[type[BaseModel], str]]:
    """Config, then every model it nests (breadth-first), each with the key path it lives at."""
    from ..config import Config

    found: list[tuple[type[BaseModel], str]] = [(Config, "")]
    seen = {Config}
    i = 0
    while i < len(found):
        model, where = found[i]
        i += 1
        for name, field in model.model_fields.items():
            for sub in _nested(field.annotation):
                if sub in seen:
                    continue
                seen.add(sub)
                key = field.alias or name
                origin = typing.get_origin(field.annotation)
                if origin is dict:
                    path = f"{key}.<name>"
                elif origin is list or any(typing.get_origin(a) is list for a in typing.get_args(field.annotation)):
                    path = f"{key}[]"
                else:
                    path = key
                found.append((sub, f"{where}.{path}" if where else path))
    return found


def _section(model: type[BaseModel], where: str) -> list[str]:
    lines = []
    lines.append(f'<a id="{_anchor(model)}"></a>')
    lines.append("")
    lines.append(_title(model, where))
    lines.append("")
    # The top level's docstring speaks to programmers; the header above speaks to users.
    doc = (model.__doc__ or "").strip().splitlines() if where else []
    if doc:
        lines.append(" ".join(doc[0].split()))
        lines.append("")
    lines.append("| Key | Type | Default | Description |")
    lines.append("| --- | --- | --- | --- |")
    for name, field in model.model_fields.items():
        lines.append(
            f"| {_keys(name, field)} | {_cell(_type_text(field.annotation))} | "
            f"{_cell(_default_text(field))} | {_cell((field.description or '') + _bounds(field))} |"
        )
    lines.append("")
    return lines


def generate() -> str:
    """The whole reference as Markdown text."""
    from ..config import ENV_OVERRIDES, PATH_KEYS

    lines = [_HEADER]
    models = _models()
    _WHERE.clear()
    _WHERE.update({model: where for model, where in models if where})
    for model, where in models:
        lines.extend(_section(model, where))
    lines.append("## Paths")
    lines.append("")
    lines.append("These keys are paths, relative to the config file's folder: "
                 + ", ".join(f"`{k}`" for k in PATH_KEYS) + ".")
    lines.append("")
    lines.append("## Environment variables")
    lines.append("")
    lines.append("Each overrides its key in the file, so a test or a mirror can redirect a run "
                 "without editing the config.")
    lines.append("")
    lines.append("| Variable | Overrides |")
    lines.append("| --- | --- |")
    for key, var in ENV_OVERRIDES.items():
        lines.append(f"| `{var}` | `{key}` |")
    lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    text = generate()
    if argv[:1] == ["--check"] and len(argv) == 2:
        try:
            current = Path(argv[1]).read_text(encoding="utf-8")
        except OSError as exc:
            print(f"{argv[1]}: cannot read ({exc.strerror or exc})", file=sys.stderr)
            return 1
        if current != text:
            print(f"{argv[1]} is stale: run `python -m arxiv_radar.ops.docs_gen > {argv[1]}`",
                  file=sys.stderr)
            return 1
        return 0
    if argv:
        print("usage: python -m arxiv_radar.ops.docs_gen [--check FILE]", file=sys.stderr)
        return 2
    # Bytes, so the file is UTF-8 whatever the locale of the shell doing the redirect.
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
