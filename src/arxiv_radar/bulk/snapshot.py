"""``import-snapshot``: the arXiv bulk-metadata file (Kaggle JSON lines, plain or .gz) into the store.

Constant memory: the file is read in blocks of whole lines, at most two per worker in flight.
Speed: worker processes turn lines into rows while the main process writes them, so parsing
and writing overlap on two cores (threads would not: the parser holds the GIL, and the writer,
which gives it up on every row SQLite steps, then waits for it each time). Rows are built straight from the
decoded JSON (``_rows``), without Paper objects; any line off the common shape goes through
``sources.bulk.paper_from_record`` + ``store.codec.paper_row``, the reference path, which a
test checks gives identical rows. A malformed line is counted and reported with its line
number and never stops the import.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import multiprocessing
import re
import sys
import time
import zlib
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..errors import ArxivRadarError
from ..model import parse_arxiv_id
from ..sources.bulk import MAX_LINE_BYTES, load_record, paper_from_record
from ..store import Store
from ..store.codec import PAPER_COLUMNS, iso, paper_row
from ..store.snapshot import SnapshotLoader

log = logging.getLogger(__name__)

__all__ = ["ImportReport", "import_snapshot", "snapshot_rows", "MAX_REPORTED"]

# Malformed lines kept with their message; beyond this only the count grows (constant memory).
MAX_REPORTED = 1000

# The fast path writes rows in this column order; fail loudly if the codec ever changes it.
assert PAPER_COLUMNS == (
    "id", "version", "title", "abstract", "authors", "authors_text", "authors_complete",
    "categories", "primary_category", "published", "updated", "comment", "journal_ref",
    "doi", "report_no", "license", "origin",
), "store.codec.PAPER_COLUMNS changed: update importer._rows"

_NEW_ID = re.compile(r"\d{4}\.\d{4,5}")
_MONTHS = {m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)}
_DAYS_IN = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_dumps = json.JSONEncoder(ensure_ascii=False).encode


class _OffShape(Exception):
    """The line is not in the common shape: let the reference path decide."""


def _stamp(created: str) -> str:
    """"Mon, 2 Apr 2007 19:18:42 GMT" -> "2007-04-02T19:18:42Z", by string work only."""
    parts = created.split()
    if len(parts) != 6 or parts[5] != "GMT":
        raise _OffShape
    month = _MONTHS.get(parts[2])
    hms = parts[4].split(":")
    if month is None or len(hms) != 3:
        raise _OffShape
    day, year = int(parts[1]), int(parts[3])
    h, m, s = int(hms[0]), int(hms[1]), int(hms[2])
    # Anything datetime() would reject (or Feb 29 of a non-leap year) goes the slow way.
    if not (1 <= day <= _DAYS_IN[month] and 1000 <= year <= 9999 and h < 24 and m < 60 and s < 60) or (
        month == 2 and day == 29 and not (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0))
    ) or min(h, m, s) < 0:
        raise _OffShape
    return f"{year:04d}-{month:02d}-{day:02d}T{h:02d}:{m:02d}:{s:02d}Z"


def _opt(value) -> str | None:
    if value is None:
        return None
    if value.__class__ is not str:
        raise _OffShape
    return " ".join(value.split()) or None


def _rows(record: dict) -> tuple[tuple, list[tuple]]:
    """(papers row, versions rows) for one decoded record in the common shape; else _OffShape."""
    raw_id = record["id"]
    if raw_id.__class__ is not str:
        raise _OffShape
    # New-style ids are stored as written; old-style ones (hep-th/9901001) need normalising.
    paper_id = raw_id if _NEW_ID.fullmatch(raw_id) else parse_arxiv_id(raw_id)[0]
    title = record["title"]
    if title.__class__ is not str:
        raise _OffShape
    title = " ".join(title.split())
    if not title:
        raise _OffShape
    versions = []
    for v in record["versions"]:
        number = v["version"]
        created = v["created"]
        if number.__class__ is not str or created.__class__ is not str:
            raise _OffShape
        versions.append((int(number.lstrip("vV")), _stamp(created), v.get("size")))
    if not versions:
        raise _OffShape
    versions.sort(key=lambda t: t[0])
    names, authors = [], []
    parsed = record["authors_parsed"]
    if not parsed:
        raise _OffShape
    for item in parsed:
        if item.__class__ is not list:
            raise _OffShape
        n = len(item)
        name = " ".join(p for p in (item[1] if n > 1 else "", item[0] if n else "", item[2] if n > 2 else "") if p)
        name = " ".join(name.split())
        if not name:
            continue
        affs = [a for a in (" ".join(x.split()) for x in item[3:]) if a] if n > 3 else []
        names.append(name)
        authors.append([name, affs])
    cats = record.get("categories") or ""
    if cats.__class__ is not str:
        raise _OffShape
    categories = tuple(dict.fromkeys(cats.split()))
    abstract = record.get("abstract")
    if abstract is not None and abstract.__class__ is not str:
        raise _OffShape
    row = (
        paper_id,
        versions[-1][0],
        title,
        " ".join(abstract.split()) if abstract else "",
        _dumps(authors),
        ", ".join(names),
        1,
        " ".join(categories),
        categories[0] if categories else "",
        versions[0][1],
        versions[-1][1],
        _opt(record.get("comments")),
        _opt(record.get("journal-ref")),
        _opt(record.get("doi")),
        _opt(record.get("report-no")),
        _opt(record.get("license")),
        "snapshot",
    )
    return row, [(paper_id, n, when, size) for n, when, size in versions]


def snapshot_rows(line: str | bytes) -> tuple[tuple, list[tuple]]:
    """(papers row, versions rows) for one bulk line; ValueError names what is wrong with it."""
    record = load_record(line)  # ValueError: too long, not JSON, too deep, not an object
    try:
        return _rows(record)
    except (_OffShape, KeyError, TypeError, AttributeError, IndexError, ValueError):
        pass
    # The reference path: slower, and the one that words the error messages.
    try:
        paper = paper_from_record(record)
    except (KeyError, TypeError, AttributeError, IndexError) as exc:
        raise ValueError(f"unexpected record shape: {exc!r}") from exc
    if paper.versions:
        version_rows = [(paper.id, v.number, iso(v.submitted), v.size) for v in paper.versions]
    else:  # only an update_date: v1 dated by it, as store.papers does for undated records
        version_rows = [(paper.id, 1, iso(paper.published), None)]
    return paper_row(paper, origin="snapshot"), version_rows


@dataclass
class ImportReport:
    path: Path
    lines: int = 0  # non-blank lines read
    imported: int = 0  # lines that parsed and were handed to the store
    new: int = 0  # papers the store did not have
    updated: int = 0  # stored papers this file changed
    malformed: list[tuple[int, str]] = field(default_factory=list)  # first MAX_REPORTED
    malformed_count: int = 0
    complete: bool = True  # False when the file ended early (a truncated .gz)
    seconds: float = 0.0
    fts: str = ""  # how the full-text index was kept: "rebuild" or "triggers"

    @property
    def unchanged(self) -> int:
        return self.imported - self.new - self.updated

    def note_malformed(self, line_no: int, message: str) -> None:
        self.malformed_count += 1
        if len(self.malformed) < MAX_REPORTED:
            self.malformed.append((line_no, message))


# progress(bytes_done, bytes_total, lines_read): called after every chunk.
Progress = Callable[[int, int, int], None]

# Stands in for a line too long to keep (see _Chunks); no JSON line can look like it.
_TOO_LONG = b"\x00line-too-long"
_CHUNK = 4 << 20  # bytes of raw lines per parse task: big enough to amortise the hand-over
_SMALL_FILE = 16 << 20  # below this, parsing in-process beats starting worker processes


def _parse_chunk(data: bytes, first_line: int) -> tuple[list[tuple], list[tuple], list[tuple[int, str]], int]:
    """Parse the lines of ``data`` (numbered from ``first_line``): (rows, version rows, bad, lines)."""
    rows: list[tuple] = []
    vrows: list[tuple] = []
    bad: list[tuple[int, str]] = []
    count = 0
    lineno = first_line - 1
    for line in data.split(b"\n"):
        lineno += 1
        if not line.strip():
            continue
        count += 1
        if line == _TOO_LONG:
            bad.append((lineno, f"line longer than {MAX_LINE_BYTES:,} bytes; skipped"))
            continue
        try:
            row, vs = snapshot_rows(line)
        except ValueError as exc:
            bad.append((lineno, str(exc)))
            continue
        rows.append(row)
        vrows.extend(vs)
    return rows, vrows, bad, count


class _Chunks:
    """The file as chunks of whole lines (``bytes``, first line number), constant memory.

    Reads big blocks and cuts them at the last newline. A truncated or corrupt ``.gz`` raises
    in the middle of a block; the file is then re-read line by line from the start of that
    block, so every good line before the damage is still imported (as ``iter_bulk`` does), and
    ``error`` names the line where the data ended.
    """

    def __init__(self, path: Path, block: int = _CHUNK):
        self.path = path
        self.block = block
        self.total = path.stat().st_size
        self.gz = path.suffix == ".gz"
        self._raw = open(path, "rb")
        self._fh = gzip.GzipFile(fileobj=self._raw, mode="rb") if self.gz else self._raw
        self.error: tuple[int, str] | None = None

    def position(self) -> int:
        try:
            return self._raw.tell()
        except (OSError, ValueError):
            return 0

    def __iter__(self) -> Iterator[tuple[bytes, int]]:
        next_line = 1
        consumed = 0  # bytes (uncompressed) handed out so far
        rest = b""
        skipping = False
        while True:
            try:
                block = self._fh.read(self.block)
            except (OSError, EOFError, zlib.error):
                yield from self._salvage(consumed, next_line)
                return
            if not block:
                if rest:
                    yield rest, next_line
                return
            if skipping:
                # The rest of an over-long line: drop it up to its newline.
                cut = block.find(b"\n")
                consumed += len(block) if cut < 0 else cut + 1
                if cut < 0:
                    continue
                skipping, block = False, block[cut + 1 :]
            data = rest + block
            cut = data.rfind(b"\n")
            if cut < 0:
                if len(data) > MAX_LINE_BYTES:
                    # One line longer than any real record: report it, never hold it whole.
                    consumed += len(data)
                    yield _TOO_LONG + b"\n", next_line
                    next_line += 1
                    rest, skipping = b"", True
                    continue
                rest = data
                continue
            whole, rest = data[: cut + 1], data[cut + 1 :]
            consumed += len(whole)
            yield whole, next_line
            next_line += whole.count(b"\n")

    def _salvage(self, offset: int, next_line: int) -> Iterator[tuple[bytes, int]]:
        with gzip.open(self.path, "rb") as fh:
            good: list[bytes] = []
            lineno = next_line - 1
            try:
                fh.seek(offset)
                while True:
                    line = fh.readline()
                    if not line:
                        break
                    good.append(line)
                    lineno += 1
                message = "file ends early"
            except (OSError, EOFError, zlib.error) as exc:
                message = f"file ends early: {exc}"
        if good:
            yield b"".join(good), next_line
        self.error = (lineno + 1, message)

    def close(self) -> None:
        self._fh.close()
        self._raw.close()


def _parsed(chunks: _Chunks, workers: int) -> Iterator[tuple]:
    """Parse results in file order; with workers, at most 2 per worker in flight (flat memory)."""
    if workers <= 0:
        for data, first in chunks:
            yield _parse_chunk(data, first)
        return
    # spawn, not fork: the parent holds an open SQLite connection and threads.
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        pending: deque = deque()
        try:
            for data, first in chunks:
                pending.append(pool.submit(_parse_chunk, data, first))
                if len(pending) >= 2 * workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for fut in pending:
                fut.cancel()


def import_snapshot(
    path: str | Path,
    store: Store,
    *,
    day: date,
    progress: Progress | None = None,
    fts: str = "auto",
    workers: int | None = None,
    chunk_bytes: int = _CHUNK,
) -> ImportReport:
    """Import a bulk-metadata file into ``store``; malformed lines are reported, never fatal.

    Idempotent: importing the same file twice leaves the store as the first import left it.
    ``workers``: parsing processes (default: one per CPU for files of 16 MB and more, none
    below). They are started with "spawn", so a script that calls this with workers must do
    so under ``if __name__ == "__main__":``, as multiprocessing requires. ``day`` is the run day
    recorded as the papers' first-seen day (the caller owns the clock).
    """
    path = Path(path)
    if not path.is_file():
        raise ArxivRadarError(f"{path}: no such file")
    report = ImportReport(path)
    t0 = time.perf_counter()
    chunks = _Chunks(path, chunk_bytes)
    if workers is None:
        workers = (os.cpu_count() or 1) if chunks.total >= _SMALL_FILE else 0
    try:
        with SnapshotLoader(store.conn, day, fts=fts) as loader:
            report.fts = loader.fts
            for rows, vrows, bad, count in _parsed(chunks, workers):
                report.lines += count
                report.imported += len(rows)
                for line_no, message in bad:
                    report.note_malformed(line_no, message)
                if rows:
                    loader.write(rows, vrows)
                if progress is not None:
                    progress(chunks.position(), chunks.total, report.lines)
        report.new = loader.inserted
        report.updated = loader.changed - loader.inserted
    finally:
        chunks.close()
    if chunks.error is not None:
        report.complete = False
        report.lines += 1  # the unreadable tail counts as a line read
        report.note_malformed(*chunks.error)
    report.seconds = time.perf_counter() - t0
    return report


def default_progress(stream=None) -> tuple[Progress, Callable[[], None]]:
    """(progress callback, close): a rich bar on a terminal, a line every 10 s otherwise."""
    stream = stream or sys.stderr
    if stream.isatty() and os.environ.get("TERM") != "dumb":
        from rich.console import Console
        from rich.progress import BarColumn, DownloadColumn, Progress as Bar, TextColumn, TimeRemainingColumn

        bar = Bar(
            TextColumn("importing"), BarColumn(), DownloadColumn(), TextColumn("{task.fields[lines]:,} lines"),
            TimeRemainingColumn(), console=Console(file=stream), transient=False,
        )
        task = bar.add_task("import", total=None, lines=0)
        bar.start()

        def update(done: int, total: int, lines: int) -> None:
            bar.update(task, completed=done, total=total, lines=lines)

        return update, bar.stop

    t0 = time.monotonic()
    last = [t0]

    def plain(done: int, total: int, lines: int) -> None:
        now = time.monotonic()
        if now - last[0] >= 10:
            last[0] = now
            share = f"{100 * done / total:.0f}%, " if total else ""
            print(f"importing: {lines:,} lines ({share}{lines / (now - t0):,.0f} lines/s)", file=stream, flush=True)

    return plain, lambda: None
