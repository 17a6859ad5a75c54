"""The reader's library files: BibTeX, CSL-JSON, or one arXiv id / URL per line.

Each file becomes :class:`LibraryEntry` rows (what can identify a paper: an arXiv id, a DOI,
a title) and :class:`Problem` rows for entries that cannot be read, each naming its place
(``file:line``). A bad entry is reported, never fatal; a file that cannot be read at all is
one problem, and the other files still count.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Iterable

from ..model import parse_arxiv_id

__all__ = ["LibraryEntry", "Problem", "read_library", "read_file", "normalize_title", "arxiv_id_in"]

# A library file is text the user exported; past this it is not a library but a mistake.
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_ENTRIES = 200_000

# arXiv's DOIs (10.48550/arXiv.2101.00001) name the paper directly.
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)
# An arXiv id inside free text: "arXiv preprint arXiv:2101.00001", URLs, "arXiv:hep-th/9901001v2".
_ID_IN_TEXT = re.compile(
    r"(?:arxiv\.org/(?:abs|pdf)/|arxiv:\s*)"
    r"(\d{4}\.\d{4,5}(?:v\d+)?|[a-z]+(?:-[a-z]+)*(?:\.[A-Za-z]{2})?/\d{7}(?:v\d+)?)",
    re.IGNORECASE,
)
_DOI_RE = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)?(10\.\d{4,9}/\S+)$", re.IGNORECASE)
_LATEX_CMD = re.compile(r"\\[a-zA-Z]+\s*")


@dataclass(frozen=True)
class LibraryEntry:
    """One paper the reader keeps. ``place`` is ``file:line`` (or ``file:entry N`` for JSON)."""

    place: str
    arxiv_id: str | None = None
    doi: str | None = None
    title: str | None = None
    added: date | None = None  # when the reader added it, when the export says


@dataclass(frozen=True)
class Problem:
    place: str
    message: str

    def __str__(self) -> str:
        return f"{self.place}: {self.message}"


def normalize_title(title: str) -> str:
    """Lower case letters and digits only: "Attention Is {All} You Need" == "attention is all you need"."""
    text = unicodedata.normalize("NFKD", _LATEX_CMD.sub(" ", title))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def arxiv_id_in(text: str | None) -> str | None:
    """The versionless arXiv id an id, URL, arXiv DOI or free text names, or None."""
    if not text:
        return None
    text = text.strip()
    doi = _ARXIV_DOI.match(text)
    if doi:
        text = doi.group(1)
    try:
        return parse_arxiv_id(text)[0]
    except ValueError:
        pass
    m = _ID_IN_TEXT.search(text)
    if m:
        try:
            return parse_arxiv_id(m.group(1))[0]
        except ValueError:
            return None
    return None


def _doi(text: str | None) -> str | None:
    if not text:
        return None
    m = _DOI_RE.match(text.strip())
    return m.group(1).lower() if m else None


def _day(text: str | None) -> date | None:
    """The date at the start of a timestamp ("2024-03-01", "2024-03-01 10:00:00", "2024-03-01T…")."""
    if not text:
        return None
    m = re.match(r"\s*(\d{4})-(\d{2})-(\d{2})", text)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    text = " ".join(text.replace("{", "").replace("}", "").split())
    return text or None


def _entry(place: str, *, ids: Iterable[str | None], doi: str | None, title: str | None,
           added: date | None) -> LibraryEntry | Problem:
    arxiv_id = next((i for i in (arxiv_id_in(t) for t in ids) if i), None)
    if arxiv_id is None and doi:
        arxiv_id = arxiv_id_in(doi)
    doi = _doi(doi)
    title = _clean(title)
    if not (arxiv_id or doi or (title and normalize_title(title))):
        return Problem(place, "no arXiv id, DOI or title to find the paper by")
    return LibraryEntry(place, arxiv_id, doi, title, added)


# --------------------------------------------------------------------------- formats


def _bibtex(path: Path, text: str) -> tuple[list[LibraryEntry], list[Problem]]:
    import bibtexparser

    entries: list[LibraryEntry] = []
    problems: list[Problem] = []
    library = bibtexparser.parse_string(text)
    for block in library.failed_blocks:
        line = (getattr(block, "start_line", 0) or 0) + 1
        reason = str(getattr(block, "error", "") or "").strip().splitlines()
        problems.append(Problem(f"{path}:{line}", "unreadable BibTeX entry"
                                + (f" ({reason[0][:160]})" if reason else "")))
    for e in library.entries:
        fields = {k.lower(): str(f.value) for k, f in e.fields_dict.items()}
        place = f"{path}:{e.start_line + 1}"
        prefix = (fields.get("archiveprefix") or fields.get("eprinttype") or "").lower()
        eprint = fields.get("eprint") if prefix in ("", "arxiv") else None
        ids = [eprint, fields.get("arxivid"), fields.get("url"), fields.get("journal"),
               fields.get("note"), fields.get("howpublished"), fields.get("number")]
        added = None
        for key in ("dateadded", "date-added", "timestamp", "added-at", "urldate"):
            added = added or _day(fields.get(key))
        entries_or_problem = _entry(place, ids=ids, doi=fields.get("doi"), title=fields.get("title"), added=added)
        (entries if isinstance(entries_or_problem, LibraryEntry) else problems).append(entries_or_problem)
    return entries, problems


def _date_part(value: Any) -> int | None:
    """One number of CSL's date-parts (2024 or "2024"), or None: a superscript "²" passes
    str.isdigit() but not int(), and a 5,000-digit year would overflow date()."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdecimal() and len(value.strip()) <= 9:
        return int(value.strip())
    if isinstance(value, int) and abs(value) < 10**9:
        return value
    return None


def _csl_date(value: Any) -> date | None:
    """The day a CSL date names, or None when it names none (a bad date is ignored, the entry kept)."""
    if isinstance(value, dict):
        parts = value.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and len(parts[0]) >= 1:
            p = [_date_part(x) for x in parts[0][:3]] + [1, 1]
            if p[0] is None:
                return None
            try:
                return date(p[0], p[1] or 1, p[2] or 1)
            except (ValueError, OverflowError):
                return None
        return _day(value.get("raw") if isinstance(value.get("raw"), str) else None)
    return _day(value) if isinstance(value, str) else None


def _json_int(text: str) -> int | None:
    # A number too long for int() (over 4,300 digits) would fail the whole file in json.loads;
    # no CSL field needs one, so it reads as null and only its entry's field is lost.
    return int(text) if len(text) <= 40 else None


def _csl_json(path: Path, text: str) -> tuple[list[LibraryEntry], list[Problem]]:
    try:
        data = json.loads(text, parse_int=_json_int)
    except json.JSONDecodeError as exc:
        return [], [Problem(f"{path}:{exc.lineno}", f"not valid JSON ({exc.msg}, column {exc.colno})")]
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        data = data["items"]
    if not isinstance(data, list):
        return [], [Problem(str(path), "CSL-JSON must be a list of items")]
    entries: list[LibraryEntry] = []
    problems: list[Problem] = []
    for n, item in enumerate(data, 1):
        place = f"{path}:entry {n}"
        if not isinstance(item, dict):
            problems.append(Problem(place, "an item must be a JSON object"))
            continue

        def text_of(key: str) -> str | None:
            value = item.get(key)
            return value if isinstance(value, str) else (str(value) if isinstance(value, (int, float)) else None)

        try:
            ids = [text_of(k) for k in ("URL", "number", "archive_location", "note", "container-title", "id")]
            added = _csl_date(item.get("accessed")) if item.get("accessed") else None
            got = _entry(place, ids=ids, doi=text_of("DOI"), title=text_of("title"), added=added)
        except (ValueError, OverflowError, TypeError, RecursionError) as exc:
            # One odd item costs that item, never the rest of the file.
            got = Problem(place, f"unreadable entry ({type(exc).__name__}: {str(exc)[:120]})")
        (entries if isinstance(got, LibraryEntry) else problems).append(got)
    return entries, problems


def _plain(path: Path, text: str) -> tuple[list[LibraryEntry], list[Problem]]:
    entries: list[LibraryEntry] = []
    problems: list[Problem] = []
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip() if not raw.lstrip().startswith("http") else raw.strip()
        if not line:
            continue
        arxiv_id = arxiv_id_in(line)
        if arxiv_id is None:
            shown = "".join(c if c.isprintable() else "?" for c in line)[:80]
            problems.append(Problem(f"{path}:{n}", f"not an arXiv id or arXiv URL: {shown!r}"))
            continue
        entries.append(LibraryEntry(f"{path}:{n}", arxiv_id))
    return entries, problems


def _kind(path: Path, text: str) -> str:
    suffix = path.suffix.lower()
    if suffix in (".bib", ".bibtex"):
        return "bibtex"
    if suffix in (".json", ".csljson"):
        return "csl-json"
    if suffix in (".txt", ".list", ".ids"):
        return "plain"
    head = text.lstrip()[:1]
    if head in ("[", "{"):
        return "csl-json"
    if re.search(r"^\s*@[A-Za-z]+\s*[{(]", text, re.MULTILINE):
        return "bibtex"
    return "plain"


def read_file(path: str | Path) -> tuple[list[LibraryEntry], list[Problem]]:
    """The entries of one library file and the problems found in it (never raises for its content)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return [], [Problem(str(path), f"file is {size:,} bytes; a library file may be at most {MAX_FILE_BYTES:,}")]
        text = path.read_bytes().decode("utf-8-sig", errors="replace")
    except OSError as exc:
        return [], [Problem(str(path), f"cannot read the library file ({exc.strerror or exc})")]
    kind = _kind(path, text)
    reader = {"bibtex": _bibtex, "csl-json": _csl_json, "plain": _plain}[kind]
    try:
        entries, problems = reader(path, text)
    except Exception as exc:  # a parser failing on hostile input must not stop the run
        return [], [Problem(str(path), f"cannot read as {kind}: {exc}")]
    if len(entries) > MAX_ENTRIES:
        problems.append(Problem(str(path), f"only the first {MAX_ENTRIES:,} of {len(entries):,} entries are used"))
        entries = entries[:MAX_ENTRIES]
    return entries, problems


def read_library(paths: Iterable[str | Path]) -> tuple[list[LibraryEntry], list[Problem]]:
    entries: list[LibraryEntry] = []
    problems: list[Problem] = []
    for path in paths:
        e, p = read_file(path)
        entries += e
        problems += p
    return entries, problems
