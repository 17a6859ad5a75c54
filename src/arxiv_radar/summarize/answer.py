"""Reading a model's answer: untrusted text in, validated and capped fields out (or a reason why not).

The answer must be one JSON object holding every requested field as a non-empty string; extra
keys are dropped, so the fields chosen are the fields stored. Each field is cleaned (control
characters and line breaks become spaces, URLs are removed) and cut to its cap. Escaping for each output format is
the renderers' job, as for any paper field.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from .prompt import FIELD_MAX_CHARS

__all__ = ["BadAnswer", "MAX_ANSWER_CHARS", "clean_field", "parse_answer"]

# An answer longer than this is not a summary (max_output_tokens bounds it already).
MAX_ANSWER_CHARS = 50_000
_CODE_FENCE = re.compile(r"^```[A-Za-z]*\s*\n?(.*?)\n?```$", re.DOTALL)
# Control and format characters (bidi overrides, zero-width joiners...) and line separators.
_INVISIBLE = ("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn")
# A summary holds no links: chat apps, mail clients and GitHub would make a link of a bare URL
# (escaping cannot stop autolinks), so URLs go, and so do script-like schemes.
_URL = re.compile(r"(?i)\b(?:[a-z][a-z0-9+.-]{1,30}://|www\.)\S*")
_SCHEME = re.compile(r"(?i)\b(?:javascript|vbscript|data|file)\s*:(?=\S)")


class BadAnswer(ValueError):
    """The answer is not a usable summary; the message says why (short, no answer text)."""


@lru_cache(maxsize=32)
def _model(fields: tuple[str, ...]) -> type[BaseModel]:
    spec = {f: (str, Field(min_length=1)) for f in fields}
    return create_model(  # type: ignore[call-overload]
        "SummaryAnswer", __config__=ConfigDict(extra="ignore", strict=True), **spec
    )


def clean_field(text: str, limit: int) -> str:
    """One line of printable text without links, at most ``limit`` characters (cut at a word, with "…")."""
    text = "".join(" " if unicodedata.category(c) in _INVISIBLE else c for c in text)
    text = _SCHEME.sub("", _URL.sub("(link removed)", text))
    text = " ".join(text.split())
    if len(text) > limit:
        cut = text[: limit - 1]
        if " " in cut[limit // 2 :]:
            cut = cut.rsplit(" ", 1)[0]
        text = cut.rstrip(" ,.;:") + "…"
    return text


def parse_answer(content: str | None, fields: list[str]) -> dict[str, str]:
    """The requested fields of the answer, cleaned and capped; raises BadAnswer otherwise."""
    if content is None or not content.strip():
        raise BadAnswer("empty answer")
    if len(content) > MAX_ANSWER_CHARS:
        raise BadAnswer(f"answer too long ({len(content)} characters)")
    text = content.strip()
    fenced = _CODE_FENCE.match(text)
    if fenced:  # some servers wrap JSON mode answers in a Markdown code block
        text = fenced.group(1).strip()
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise BadAnswer(f"malformed JSON ({exc.msg} at character {exc.pos})") from None
    if not isinstance(data, dict):
        raise BadAnswer(f"off-schema answer (a JSON {type(data).__name__}, not an object)")
    try:
        parsed = _model(tuple(fields)).model_validate(data)
    except ValidationError as exc:
        problems = sorted({".".join(str(p) for p in e["loc"]) or "answer" for e in exc.errors()})
        raise BadAnswer(f"off-schema answer (missing or not text: {', '.join(problems)})") from None
    out = {}
    for f in fields:
        value = clean_field(getattr(parsed, f), FIELD_MAX_CHARS[f])
        if not value:
            raise BadAnswer(f"off-schema answer (empty field: {f})")
        out[f] = value
    return out
