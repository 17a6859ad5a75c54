"""Loading and validating a config: pydantic errors mapped back to file, key path and line."""

from __future__ import annotations

import difflib
import os
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import ConfigError
from .models import ENV_OVERRIDES, Config
from .yaml_lines import Path_, Source, compose, fmt_path

__all__ = ["load_config", "config_from_dict"]





def _model_at(path: Path_) -> type[BaseModel] | None:
    """The model class that validates the mapping at ``path`` (for 'did you mean')."""
    model: Any = Config
    for part in path:
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return None
        field = next(
            (
                f
                for n, f in model.model_fields.items()
                if part in (n, f.alias) or part in _choices(f.validation_alias)
            ),
            None,
        )
        if field is None:
            return None
        model = _unwrap(field.annotation)
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _choices(alias: Any) -> list[str]:
    return [c for c in getattr(alias, "choices", []) if isinstance(c, str)]


def _unwrap(annotation: Any) -> Any:
    # Optional[X] -> X; list[X] / dict[str, X] -> X, so the walk can step over keys and indexes.
    for arg in typing.get_args(annotation) or ():
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return annotation


def _known_keys(model: type[BaseModel]) -> list[str]:
    keys: list[str] = []
    for name, field in model.model_fields.items():
        keys.extend(_choices(field.validation_alias) or [field.alias or name])
    return keys


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _describe(error: Mapping[str, Any], loc: Path_) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        parent = _model_at(_model_loc(loc[:-1]))
        hint = ""
        if parent is not None:
            close = difflib.get_close_matches(str(loc[-1]), _known_keys(parent), n=1, cutoff=0.6)
            if close:
                hint = f" (did you mean {close[0]!r}?)"
        return f"unknown key{hint}"
    if kind == "missing":
        if loc == ("topics",):
            return "required: add a 'topics:' (or cv-arxiv-daily 'keywords:') mapping of topics"
        return "required key missing"
    if kind == "too_short" and loc == ("topics",):
        return "no topics: add at least one (see `arxiv-radar init` for an example)"
    message = str(error["msg"])
    if kind == "value_error":
        message = message.removeprefix("Value error, ")
        return message
    if kind in ("query_syntax", "path_clash"):
        return message
    value = error.get("input")
    if isinstance(value, (str, int, float, bool)) or value is None:
        message += f" (got {_short(value)})"
    return message


def _model_loc(loc: Path_) -> Path_:
    """Drop dict keys and list indexes (topic names, webhook positions) from a loc."""
    out: list[str | int] = []
    for i, part in enumerate(loc):
        if isinstance(part, int):
            continue
        if i == 1 and loc[0] == "topics":  # the topic name
            continue
        out.append(part)
    return tuple(out)


def _validate(
    data: Any, source: Source, base_dir: Path, config_path: Path | None, env: Mapping[str, str]
) -> Config:
    problems = list(source.problems)
    if not isinstance(data, dict):
        problems.append((1, f"the file must be a mapping of keys, not {type(data).__name__}"))
        _raise(problems, source)
    data = dict(data)

    # `topics` and its cv-arxiv-daily spelling `keywords`: remember which the user wrote.
    topics_key = "topics"
    if "topics" in data and "keywords" in data:
        problems.append(
            (
                source.line_of(("keywords",)),
                f"keywords: give either 'topics' or 'keywords', not both "
                f"('topics' is at line {source.line_of(('topics',))})",
            )
        )
        del data["keywords"]
    elif "keywords" in data:
        topics_key = "keywords"
        data["topics"] = data.pop("keywords")

    from_env: dict[str, str] = {}
    for key, var in ENV_OVERRIDES.items():
        if env.get(var):
            data[key] = env[var]
            from_env[key] = var

    config: Config | None = None
    try:
        config = Config.model_validate(
            data, context={"base_dir": base_dir, "config_path": config_path, "env": env}
        )
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            loc = tuple(p for p in error["loc"] if p != "[key]")
            user_loc = (topics_key, *loc[1:]) if loc[:1] == ("topics",) else loc
            if error["type"] == "path_clash":
                # Reported at the line of the key that collides (both keys are named).
                # A library file is named by position (library[0]): its line is the list's.
                written = [k.split("[")[0] for k in error["ctx"]["keys"] if k.split("[")[0] in data]
                line = source.line_of((written[0],)) if written else None
                problems.append((line, str(error["ctx"]["message"])))
                continue
            if loc and loc[0] in from_env:
                problems.append((None, f"${from_env[loc[0]]}: {_describe(error, loc)}"))
                continue
            line = source.line_of(user_loc)
            problems.append((line, f"{fmt_path(user_loc)}: {_describe(error, loc)}"))
    if problems or config is None:
        _raise(problems, source)
    assert config is not None

    # A secret held in an unset environment variable: other commands work, delivery reports it.
    for i, hook in enumerate(config.webhooks):
        if hook.url is None:
            line = source.line_of(("webhooks", i, "url_env"))
            config._warnings.append(f"{source.where(line)}: webhooks[{i}].url_env: environment variable "
                                    f"{hook.url_env} is not set; this webhook is not notified until it is")
    if config.email is not None:
        for missing in config.email.missing_env:
            key, var = missing.split(": ", 1)
            line = source.line_of(("email", key))
            config._warnings.append(f"{source.where(line)}: email.{key}: environment variable {var} is "
                                    "not set; the digest is not sent until it is")
    if config.base_url is not None:
        config._warnings.append(
            f"{source.where(source.line_of(('base_url',)))}: base_url: obsolete "
            "(Papers with Code shut down in 2025); ignored"
        )
    return config


def _raise(problems: list[tuple[int | None, str]], source: Source) -> typing.NoReturn:
    problems.sort(key=lambda p: (p[0] is None, p[0] or 0))
    lines = [f"{source.where(line)}: {text}" for line, text in problems]
    raise ConfigError("\n".join(lines))


# --------------------------------------------------------------------------- entry points


def load_config(path: str | Path, env: Mapping[str, str] | None = None) -> Config:
    """Read and validate a YAML config file; raise ConfigError naming file, key path and line.

    ``env`` defaults to ``os.environ`` (for the ``ARXIV_RADAR_*_URL`` overrides).
    """
    name = str(path)
    file = Path(path).expanduser()
    try:
        # utf-8-sig: UTF-8, tolerating the byte-order mark some Windows editors add.
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{name}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        hint = " (give -c PATH, or write one with `arxiv-radar init`)" if isinstance(exc, FileNotFoundError) else ""
        raise ConfigError(f"{name}: cannot read: {exc.strerror or exc}{hint}") from None
    data, source = compose(text, name)
    resolved = file.resolve()
    return _validate(data, source, resolved.parent, resolved, os.environ if env is None else env)


def config_from_dict(
    data: dict[str, Any],
    base_dir: Path,
    source_name: str = "<config>",
    env: Mapping[str, str] | None = None,
) -> Config:
    """Validate a config built in code; relative paths resolve against ``base_dir``.

    Errors name ``source_name`` and the key path (no line numbers: there is no file).
    """
    return _validate(
        data, Source(source_name), Path(base_dir), None, os.environ if env is None else env
    )
