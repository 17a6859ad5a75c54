"""The end-of-run report: a table per topic, requests per host, duration; and the same as JSON.

Everything shown or written goes through :func:`redact` first: the values of environment
variables whose names say they are secret (``*PASSWORD*``, ``*TOKEN*``, ``*SECRET*``, ``*KEY*``,
``*WEBHOOK*``) and passwords inside URLs never reach a terminal, a log or a report file.
:class:`RedactingFilter` does the same for log records.

    print_report(report)                    # rich table on a terminal, plain lines otherwise
    write_report_json(report, "report.json")
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from ..fsutil import atomic_write_text

__all__ = [
    "REDACTED",
    "RedactingFilter",
    "install_log_redaction",
    "print_report",
    "redact",
    "redact_data",
    "report_data",
    "report_json",
    "report_lines",
    "secret_values",
    "write_report_json",
]

REDACTED = "***"
# WEBHOOK: a webhook URL carries its token (`url_env` names such a variable).
_SECRET_NAME = re.compile(r"PASSWORD|PASSWD|TOKEN|SECRET|KEY|CREDENTIAL|WEBHOOK", re.IGNORECASE)
# Shorter values ("1", "true", "yes") would blank out ordinary words; real secrets are longer.
_MIN_SECRET_LENGTH = 6
_URL_PASSWORD = re.compile(r"(?P<head>\b[a-z][a-z0-9+.-]*://[^\s/:@]*:)[^\s/@]+@", re.IGNORECASE)


def secret_values(env: Mapping[str, str] | None = None) -> list[str]:
    """Values of the secret-looking variables of ``env`` (default: os.environ), longest first."""
    env = os.environ if env is None else env
    found = {
        value
        for name, value in env.items()
        if _SECRET_NAME.search(name) and len(value.strip()) >= _MIN_SECRET_LENGTH
    }
    # Longest first, so a secret containing another is replaced whole.
    return sorted(found, key=len, reverse=True)


def redact(text: str, secrets: Iterable[str] | None = None) -> str:
    """``text`` with every secret value, and any password in a URL, replaced by ``***``."""
    for value in secret_values() if secrets is None else secrets:
        if value and value in text:
            text = text.replace(value, REDACTED)
    return _URL_PASSWORD.sub(lambda m: m.group("head") + REDACTED + "@", text)


def redact_data(data: Any, secrets: Iterable[str] | None = None) -> Any:
    """A copy of a JSON-like structure with every string (keys too) redacted."""
    secrets = list(secret_values() if secrets is None else secrets)
    if isinstance(data, str):
        return redact(data, secrets)
    if isinstance(data, Mapping):
        return {redact(str(k), secrets): redact_data(v, secrets) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [redact_data(v, secrets) for v in data]
    return data


class RedactingFilter(logging.Filter):
    """A logging filter that formats each record, then redacts it (message and traceback).

    Attach it to a *handler* (``install_log_redaction(handler)``) so records from every logger
    that reaches the handler pass through it.
    """

    def __init__(self, secrets: Iterable[str] | None = None) -> None:
        super().__init__()
        self._fixed = list(secrets) if secrets is not None else None

    @property
    def secrets(self) -> list[str]:
        # Read the environment per record when not fixed: a test or a caller may set it late.
        return self._fixed if self._fixed is not None else secret_values()

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = self.secrets
        message = record.getMessage()
        record.msg = redact(message, secrets)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, secrets)
        return True


def install_log_redaction(*targets: logging.Handler | logging.Logger) -> RedactingFilter:
    """Add one RedactingFilter to each handler (or logger) given; returns the filter."""
    flt = RedactingFilter()
    for target in targets:
        if not any(isinstance(f, RedactingFilter) for f in target.filters):
            target.addFilter(flt)
    return flt


# --------------------------------------------------------------------------- the report


def report_data(report: Any) -> dict[str, Any]:
    """The report as a redacted JSON-ready dict (from ``RunReport.as_dict()`` or a dict)."""
    data = report.as_dict() if hasattr(report, "as_dict") else dict(report)
    return redact_data(data)


def report_json(report: Any) -> str:
    return json.dumps(report_data(report), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_report_json(report: Any, path: str | Path) -> Path:
    """Write the redacted report as UTF-8 JSON (atomically); returns the path."""
    path = Path(path)
    atomic_write_text(path, report_json(report))
    return path


def _count(value: Any) -> int:
    return len(value) if isinstance(value, (list, tuple)) else int(value or 0)


def _problems(data: Mapping[str, Any]) -> list[str]:
    # Enrichment and delivery failures (whatever the pipeline names them) are listed, not fatal.
    out: list[str] = []
    for item in data.get("failures") or []:
        if isinstance(item, (list, tuple)) and len(item) == 2:
            out.append(f"could not fetch {item[0]}: {item[1]}")
        else:
            out.append(f"could not fetch {item}")
    for key in ("problems", "warnings", "errors"):
        value = data.get(key)
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, Mapping):
            out.extend(f"{k}: {v}" for k, v in value.items())
        elif isinstance(value, (list, tuple)):
            out.extend(str(v) for v in value)
    return out


def summary_lines(data: Mapping[str, Any] | None) -> list[str]:
    """The AI summaries' part of a report: calls, tokens in and out, papers made and left."""
    if not data:
        return []
    if "error" in data:
        return [f"summaries skipped: {data['error']}"]
    calls = int(data.get("calls") or 0)
    lines = [
        f"summaries: {data.get('summarised', 0)} summarised, {data.get('failed', 0)} failed, "
        f"{data.get('left', 0)} left for the next run; {calls} call{'s' if calls != 1 else ''}, "
        f"{int(data.get('tokens_in') or 0):,} tokens in, {int(data.get('tokens_out') or 0):,} out "
        f"(cap {int(data.get('token_cap') or 0):,})"
    ]
    if data.get("given_up"):
        lines.append(f"summaries: {_papers(data['given_up'])} failed too often and keep their abstract")
    if data.get("stopped"):
        lines.append(f"summaries stopped: {data['stopped']}")
    lines.extend(f"summary failed: {e}" for e in data.get("errors") or [])
    return lines


def _papers(n: Any) -> str:
    n = _count(n)
    return f"{n} paper{'' if n == 1 else 's'}"


def _duration(seconds: float) -> str:
    seconds = float(seconds or 0)
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s"


def _header(data: Mapping[str, Any]) -> str:
    return (
        f"arxiv-radar {data.get('command') or 'run'} for {data.get('day', '?')}: {data.get('status', '?')} "
        f"in {_duration(data.get('seconds', 0))}"
    )


def _topic_rows(data: Mapping[str, Any]) -> list[tuple[str, str, str, str]]:
    rows = []
    for name, counts in (data.get("topics") or {}).items():
        counts = counts or {}
        updated = counts.get("updated")
        rows.append((
            str(name),
            str(counts.get("new", 0)),
            "-" if updated is None else str(updated),
            str(counts.get("total", 0)),
        ))
    return rows


def _host_rows(data: Mapping[str, Any]) -> list[tuple[str, str, str, str]]:
    rows = []
    for host, counts in sorted((data.get("requests") or {}).items()):
        counts = counts or {}
        rows.append((
            str(host),
            str(counts.get("requests", 0)),
            str(counts.get("retries", 0)),
            str(counts.get("failures", 0)),
        ))
    return rows


def report_lines(report: Any) -> list[str]:
    """The report as plain text lines (what a log file or a non-terminal gets)."""
    data = report_data(report)
    lines = [_header(data)]
    window = data.get("window") or []
    if len(window) == 2 and all(window):
        lines.append(f"window: {window[0]} .. {window[1]}")
    lines.append(
        f"harvested {_papers(data.get('harvested', 0))}: {_count(data.get('new'))} new, "
        f"{_count(data.get('updated'))} updated"
    )
    topics = _topic_rows(data)
    if topics:
        width = max(len("topic"), *(len(r[0]) for r in topics))
        lines.append(f"{'topic':<{width}}  {'new':>5}  {'updated':>7}  {'total':>6}")
        lines.extend(f"{r[0]:<{width}}  {r[1]:>5}  {r[2]:>7}  {r[3]:>6}" for r in topics)
    hosts = _host_rows(data)
    if hosts:
        width = max(len("host"), *(len(r[0]) for r in hosts))
        lines.append(f"{'host':<{width}}  {'requests':>8}  {'retried':>7}  {'failed':>6}")
        lines.extend(f"{r[0]:<{width}}  {r[1]:>8}  {r[2]:>7}  {r[3]:>6}" for r in hosts)
    else:
        lines.append("no requests made")
    lines.extend(f"problem: {p}" for p in _problems(data))
    lines.extend(summary_lines(data.get("summaries")))
    lines.extend(f"note: {n}" for n in data.get("notes") or [])
    lines.extend(ranking_lines(data))
    lines.extend(written_lines(data.get("written") or []))
    return lines


def ranking_lines(data: Mapping[str, Any]) -> list[str]:
    """What the rank stage did (only when a library or a like asked for ranking)."""
    ranking = data.get("ranking") or {}
    if not ranking:
        return []
    if ranking.get("error"):
        return [f"ranking skipped: {ranking['error']}"]
    lines = []
    for name, t in (ranking.get("topics") or {}).items():
        if t.get("note"):
            lines.append(f"ranking {name}: {t['note']}")
        else:
            lines.append(f"ranking {name}: {t.get('scored', 0)} scored, {t.get('reused', t.get('kept', 0))} reused "
                         f"({t.get('method', '')}; library {t.get('library', 0)}, {t.get('likes', 0)} liked, "
                         f"{t.get('dislikes', 0)} disliked)")
    fetched = ranking.get("fetched") or []
    lines.append(f"library: {ranking.get('entries', 0)} entries, {len(fetched)} papers fetched from arXiv")
    problems = ranking.get("problems") or []
    lines.extend(f"library entry not used: {p}" for p in problems[:10])
    if len(problems) > 10:
        lines.append(f"library: {len(problems) - 10} more entries not used (see the report JSON)")
    return lines


def written_lines(paths: list[str]) -> list[str]:
    """One line per output, except the site's many files: one line for its search-index files
    and one for its topic pages."""
    out, groups = [], {}
    for path in paths:
        for folder, what in (("/search/", "search-index files"), ("/topics/", "topic pages")):
            head, sep, _ = path.partition(folder)
            if sep and (folder == "/search/" or path.endswith(".html")):
                groups.setdefault((head + folder.rstrip("/"), what), []).append(path)
                break
        else:
            out.append(f"wrote {path}")
    out += [f"wrote {len(files)} {what} in {folder}" for (folder, what), files in groups.items()]
    return out


def print_report(report: Any, console: Console | None = None) -> None:
    """Show the report: rich tables on a terminal, :func:`report_lines` otherwise."""
    console = console or Console()
    if not console.is_terminal:
        for line in report_lines(report):
            # markup/highlight off: a topic named "[red]x" is text, not a style.
            console.print(line, markup=False, highlight=False, soft_wrap=True)
        return
    data = report_data(report)
    console.print(_header(data), markup=False, style="bold")
    console.print(
        f"harvested {_papers(data.get('harvested', 0))}: {_count(data.get('new'))} new, "
        f"{_count(data.get('updated'))} updated",
        markup=False,
    )
    topics = Table(title="Topics", title_justify="left")
    topics.add_column("topic")
    for name in ("new", "updated", "total"):
        topics.add_column(name, justify="right")
    for row in _topic_rows(data):
        topics.add_row(*(_plain(c) for c in row))
    console.print(topics)
    hosts = _host_rows(data)
    if hosts:
        table = Table(title="Requests", title_justify="left")
        table.add_column("host")
        for name in ("requests", "retried", "failed"):
            table.add_column(name, justify="right")
        for row in hosts:
            table.add_row(*(_plain(c) for c in row))
        console.print(table)
    for problem in _problems(data):
        console.print(f"problem: {problem}", markup=False, style="yellow")
    for line in summary_lines(data.get("summaries")):
        console.print(line, markup=False, highlight=False)
    for note in data.get("notes") or []:
        console.print(f"note: {note}", markup=False)
    for line in ranking_lines(data):
        console.print(line, markup=False, highlight=False)
    for line in written_lines(data.get("written") or []):
        console.print(line, markup=False, highlight=False)


def _plain(text: str):
    from rich.text import Text

    return Text(text)  # never parsed as markup
