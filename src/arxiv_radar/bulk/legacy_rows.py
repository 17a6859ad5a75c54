"""Read cv-arxiv-daily's JSON databases (every row variant it has written over the years).

Pure: no store. ``parse_legacy_row`` turns one row into a :class:`LegacyRow`,
``read_legacy_json`` walks a whole file, ``paper_from_legacy`` makes the :class:`Paper` a row stands for.

Row variants recovered:
- table rows ``|**2021-10-14**|**Title**|Author et.al.|[2110.07546](http://arxiv.org/abs/2110.07546)|null|``
  with or without bold date/title, versioned ids (``2206.13455v1``), no Code cell, a Code cell
  ``**[link](url)**`` / ``[name](url)`` / ``null`` / empty, extra cells after the Code cell,
  titles containing ``|`` (the id cell is found from the right, the title is what lies between);
- wechat bullets ``- 2022-01-19, **Title**, A. Author et.al., Paper: [url](url)[, Code: **[url](url)**][, comment]``.
The date is cv-arxiv-daily's: the paper's *updated* date when the row was written.
"""

from __future__ import annotations

import datetime
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timezone

from ..errors import LegacyImportError
from ..model import Author, Paper, parse_arxiv_id

__all__ = ["LegacyRow", "paper_from_legacy", "parse_legacy_row", "read_legacy_json"]


@dataclass(frozen=True)
class LegacyRow:
    date: datetime.date
    title: str
    first_author: str
    arxiv_id: str  # versionless
    version: int | None
    code_url: str | None


_DATE = re.compile(r"^\s*(?:\*\*)?\s*(\d{4}-\d{2}-\d{2})\s*(?:\*\*)?\s*$")
# The PDF cell: [2110.07546](http://arxiv.org/abs/2110.07546), versioned or not, old-style ids too.
_PDF_CELL = re.compile(r"^\s*\[([^\]]*)\]\(\s*(https?://[^)\s]+)\s*\)\s*$")
_LINK = re.compile(r"\[([^\]]*)\]\(\s*([^)\s]+)\s*\)")
_ET_AL = re.compile(r"\s*,?\s*et\.?\s*al\.?\s*$", re.IGNORECASE)
_WECHAT = re.compile(
    r"^-\s*(?P<date>\d{4}-\d{2}-\d{2})\s*,\s*\*\*(?P<title>.*)\*\*\s*,\s*(?P<author>.*?)\s*,\s*"
    r"Paper:\s*\[[^\]]*\]\(\s*(?P<url>[^)\s]+)\s*\)(?P<rest>.*)$",
    re.DOTALL,
)
_WECHAT_CODE = re.compile(r"^\s*,\s*Code:\s*(?:\*\*)?\[[^\]]*\]\(\s*([^)\s]+)\s*\)")


def _date(text: str) -> datetime.date:
    m = _DATE.match(text)
    if not m:
        raise ValueError(f"no date in {text.strip()!r}")
    try:
        return datetime.date.fromisoformat(m.group(1))
    except ValueError as exc:
        raise ValueError(f"bad date {m.group(1)!r}") from exc


def _unbold(text: str) -> str:
    text = text.strip()
    if len(text) >= 4 and text.startswith("**") and text.endswith("**"):
        text = text[2:-2].strip()
    return text


def _first_author(cell: str) -> str:
    name = _ET_AL.sub("", cell.strip())
    # Forks that print every author separate them with commas; we keep the first.
    return name.split(",")[0].strip()


def _code_url(cell: str) -> str | None:
    cell = cell.strip()
    if cell in ("", "null", "None", "-"):
        return None
    m = _LINK.search(cell)
    if m:
        return m.group(2)
    if re.match(r"^https?://\S+$", cell):
        return cell
    raise ValueError(f"unreadable code cell {cell!r}")


def _paper_id(text: str) -> tuple[str, int | None]:
    try:
        return parse_arxiv_id(text)
    except ValueError:
        raise ValueError(f"no arXiv id in {text!r}") from None


def _parse_table_row(row: str) -> LegacyRow:
    body = row.strip()
    if not (body.startswith("|") and body.endswith("|")):
        raise ValueError("a table row starts and ends with '|'")
    # cv-arxiv-daily never escapes: a title may hold a raw "|" (or LaTeX "\|"). Splitting on
    # every pipe and joining the title cells back with "|" recovers it exactly.
    cells = body[1:-1].split("|")
    # The PDF cell is the last cell holding an arXiv abs/pdf link; found from the right so a
    # title with "|" in it (which splits into extra cells) is still recovered.
    pdf_at = None
    for i in range(len(cells) - 1, 2, -1):
        m = _PDF_CELL.match(cells[i])
        if m and "arxiv.org/" in m.group(2):
            pdf_at = i
            break
    if pdf_at is None:
        raise ValueError("no arXiv link cell")
    arxiv_id, version = _paper_id(m.group(2))
    # The link text may carry a version the URL lacks (or the other way round).
    try:
        text_id, text_version = parse_arxiv_id(m.group(1))
        if text_id == arxiv_id and version is None:
            version = text_version
    except ValueError:
        pass
    date = _date(cells[0])
    title = _unbold("|".join(cells[1 : pdf_at - 1]))
    author = _first_author(cells[pdf_at - 1])
    code = _code_url(cells[pdf_at + 1]) if pdf_at + 1 < len(cells) else None
    if not title:
        raise ValueError("empty title")
    return LegacyRow(date, title, author, arxiv_id, version, code)


def _parse_wechat_row(row: str) -> LegacyRow:
    m = _WECHAT.match(row.strip())
    if not m:
        raise ValueError("not a cv-arxiv-daily wechat bullet")
    arxiv_id, version = _paper_id(m.group("url"))
    cm = _WECHAT_CODE.match(m.group("rest"))
    title = m.group("title").strip()
    if not title:
        raise ValueError("empty title")
    return LegacyRow(
        _date(m.group("date")),
        title,
        _first_author(m.group("author")),
        arxiv_id,
        version,
        cm.group(1) if cm else None,
    )


def parse_legacy_row(row: str) -> LegacyRow:
    """One cv-arxiv-daily row (table or wechat bullet) -> LegacyRow; ValueError if unreadable."""
    if not isinstance(row, str):
        raise ValueError(f"a row is a string, not {type(row).__name__}")
    text = row.strip()
    if text.startswith("|"):
        return _parse_table_row(text)
    if text.startswith("-"):
        return _parse_wechat_row(text)
    raise ValueError(f"not a cv-arxiv-daily row: {text[:80]!r}")


def read_legacy_json(
    path: str | os.PathLike,
) -> Iterator[tuple[str, str, LegacyRow | Exception]]:
    """Yield (topic, key, row or the error for that row) for every row of a cv-arxiv-daily
    JSON database, compact or indented. A file that cannot be read at all raises
    LegacyImportError; one bad row never stops the others."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise LegacyImportError(f"{os.fspath(path)}: cannot read: {exc}") from exc
    if not text.strip():
        return  # cv-arxiv-daily treats an empty file as an empty database
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LegacyImportError(f"{os.fspath(path)}: not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise LegacyImportError(f"{os.fspath(path)}: expected an object of topics")
    for topic, rows in data.items():
        if not isinstance(rows, dict):
            yield _shown(topic), "", ValueError(f"topic {topic!r} is not an object of rows")
            continue
        for key, row in rows.items():
            try:
                # A lone surrogate escape ("\ud800") decodes to a str nothing can write
                # (SQLite, the outputs, the terminal): the row is unreadable, named by a
                # topic and key the report can print.
                for what, text in (("topic", topic), ("key", key), ("row", row)):
                    if isinstance(text, str) and not _is_text(text):
                        bad = next(c for c in text if "\ud800" <= c <= "\udfff")
                        raise ValueError(f"the {what} holds an unpaired UTF-16 surrogate "
                                         f"({_shown(bad)}), which is not text")
                parsed = parse_legacy_row(row)
                key_id = _key_id(key)
                if key_id is not None and key_id != parsed.arxiv_id:
                    raise ValueError(f"key {key!r} but the row is about {parsed.arxiv_id}")
            except ValueError as exc:
                yield _shown(topic), _shown(key), exc
            else:
                yield topic, key, parsed


def _is_text(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _shown(text: str) -> str:
    """``text`` with any lone surrogate written as its escape (``\\ud800``), so it prints."""
    return text if _is_text(text) else text.encode("utf-8", "backslashreplace").decode("utf-8")


def _key_id(key: str) -> str | None:
    try:
        return parse_arxiv_id(key)[0]
    except ValueError:
        return None


def paper_from_legacy(row: LegacyRow) -> Paper:
    """The paper an imported row stands for. Only the first author is known; the row's date
    (cv-arxiv-daily's updated date) stands in for both dates."""
    when = datetime.datetime.combine(row.date, datetime.time(), tzinfo=timezone.utc)
    return Paper(
        id=row.arxiv_id,
        title=row.title,
        authors=(Author(row.first_author),) if row.first_author else (),
        published=when,
        updated=when,
        version=row.version or 1,
    )
