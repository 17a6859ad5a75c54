"""`arxiv-radar doctor`: is this setup ready to run? Checks, reports, and changes nothing.

In order: the config (every problem, an unknown key with the nearest known one), each topic's
query (parsed and compiled to an arXiv API query), the store (schema version, SQLite integrity,
foreign keys, the full-text index, the run lock), template overrides, the README's size against
the 512 KB GitHub displays, the workflow's install step (ops/install.py), and, unless offline,
whether each endpoint the config uses answers.

It writes nothing: a store without a ``-wal`` file is opened ``immutable`` (SQLite then creates
no side files); one with a ``-wal`` file (a run in progress, or a killed one) is checked on a
copy in a temporary folder. A store that does not exist yet is fine: the first run creates it.

Exit code: 0 when every check is ok or a warning, 2 when the config is invalid, 1 otherwise.
"""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

from ..errors import ArxivRadarError, ConfigError

__all__ = ["Check", "DoctorResult", "doctor", "print_doctor", "check_store", "check_endpoints",
           "check_writable"]

Status = Literal["ok", "warn", "fail"]

_TABLES = ("papers", "versions", "matches", "events", "links", "runs", "state", "papers_fts")
# arXiv's API accepts long queries, but a URL past ~2,000 characters risks a 414 on the way.
_LONG_QUERY = 1500


@dataclass(frozen=True)
class Check:
    area: str  # config, topic, library, store, templates, workflow, endpoint
    name: str
    status: Status
    message: str


@dataclass
class DoctorResult:
    checks: list[Check] = field(default_factory=list)

    def add(self, area: str, name: str, status: Status, message: str) -> None:
        self.checks.append(Check(area, name, status, message))

    @property
    def ok(self) -> bool:
        return all(c.status != "fail" for c in self.checks)

    @property
    def exit_code(self) -> int:
        if any(c.status == "fail" and c.area == "config" for c in self.checks):
            return 2
        return 0 if self.ok else 1


def doctor(
    config_path: str | Path = "config.yaml",
    *,
    offline: bool = False,
    db_path: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 10.0,
    urls: Mapping[str, str | None] | None = None,
) -> DoctorResult:
    """Run every check; never raises for a problem it finds (each becomes a failed Check).

    ``urls`` (api_url, oai_url, rss_url, hf_url: the command line's --api-url ...) override
    the config the way their ARXIV_RADAR_*_URL variables do, so doctor checks what run uses.
    """
    import os

    from ..config import load_config
    from ..config.models import ENV_OVERRIDES

    result = DoctorResult()
    env = dict(os.environ if env is None else env)
    env.update({ENV_OVERRIDES[key]: value for key, value in (urls or {}).items() if value})
    try:
        config = load_config(config_path, env=env)
    except ConfigError as exc:
        for line in str(exc).splitlines():
            result.add("config", "invalid", "fail", line)  # the line names file and line
        result.add("config", "other checks", "warn", "skipped until the config is valid")
        return result
    result.add("config", str(config_path), "ok", f"valid, {len(config.topics)} topic{'' if len(config.topics) == 1 else 's'}")
    for warning in config.warnings:
        result.add("config", str(config_path), "warn", warning)

    _check_topics(config, result)
    _check_library(config, result)
    if db_path:
        from ..config.models import db_flag_clash

        clash = db_flag_clash(config, db_path)
        if clash:
            result.add("config", "--db", "fail", clash)
            return result
    store_path = Path(db_path) if db_path else config.path_of("database")
    check_store(store_path, result)
    check_writable(config, store_path, result)
    _check_templates(config, result)
    _check_readme_size(config, result)
    _check_workflow_install(Path(config_path), result)
    _check_pages_links(config, Path(config_path), result)
    _check_summaries(config, result, os.environ if env is None else env)
    if offline:
        result.add("endpoint", "network", "ok", "not contacted (--offline)")
    else:
        check_endpoints(config, result, timeout=timeout)
    return result


# --------------------------------------------------------------------------- summaries


def _check_summaries(config: Any, result: DoctorResult, env: Mapping[str, str]) -> None:
    """`summaries:` needs the openai package and an endpoint: a key, or a base URL (a local
    server takes any key). Nothing is sent: a request could cost money."""
    cfg = getattr(config, "summaries", None)
    if cfg is None:
        return
    import importlib.util

    if importlib.util.find_spec("openai") is None:
        result.add("summaries", cfg.model, "fail", "the openai package is missing: pip install 'arxiv-radar[ai]'")
        return
    base = (env.get(cfg.base_url_env) or "").strip()
    key = (env.get(cfg.api_key_env) or "").strip()
    if not key and not base:
        result.add("summaries", cfg.model, "fail",
                   f"{cfg.api_key_env} is not set (nor {cfg.base_url_env}): no summary can be made")
        return
    from ..sources.http import redact_url

    where = redact_url(base) if base else "OpenAI's endpoint"
    result.add("summaries", cfg.model, "ok",
               f"{where}, key {'set' if key else 'not set (a local server takes any)'}; "
               f"at most {cfg.max_papers_per_run} papers and {cfg.max_tokens_per_run:,} tokens a run, in {cfg.language}")


# --------------------------------------------------------------------------- topics


def _check_topics(config: Any, result: DoctorResult) -> None:
    from ..query import to_api
    from ..query.hygiene import query_warnings

    for name, topic in config.topics.items():
        try:
            query = to_api(topic.ast)
        except ArxivRadarError as exc:
            result.add("topic", name, "fail", f"does not compile: {exc}")
            continue
        except Exception as exc:  # a bug in the compiler should be reported, not crash doctor
            result.add("topic", name, "fail", f"does not compile ({type(exc).__name__}: {exc})")
            continue
        if len(quote(query)) > _LONG_QUERY:
            result.add("topic", name, "warn",
                       f"API query is {len(quote(query))} characters once encoded; arXiv may refuse it")
        else:
            result.add("topic", name, "ok", query)
        for warning in query_warnings(topic):
            result.add("topic", name, "warn", warning)


def _check_library(config: Any, result: DoctorResult) -> None:
    """Every library file readable, and how many of its entries cannot be used (never a failure:
    a run ranks with what it can read)."""
    from ..rank.library import read_file

    files = list(dict.fromkeys(list(config.library) + [f for t in config.topics.values() for f in (t.library or [])]))
    for path in files:
        entries, problems = read_file(path)
        if not entries and problems:
            result.add("library", str(path), "warn", str(problems[0]))
        elif problems:
            result.add("library", str(path), "warn",
                       f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'}, {len(problems)} unreadable (first: {problems[0]})")
        else:
            result.add("library", str(path), "ok", f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'}")
    if files and config.rank.method == "embed":
        from ..rank import embed

        if not embed.available():
            result.add("library", "rank.method", "fail",
                       "embed needs the [embed] extra: pip install 'arxiv-radar[embed]'")


# --------------------------------------------------------------------------- store


@contextmanager
def _open_without_writing(path: Path) -> Iterator[tuple[sqlite3.Connection, str]]:
    wal = path.with_name(path.name + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        # Committed changes may sit in the WAL; only a writable connection replays them, so
        # replay them on a copy rather than touch the user's files.
        with tempfile.TemporaryDirectory(prefix="arxiv-radar-doctor-") as tmp:
            copy = Path(tmp) / path.name
            shutil.copyfile(path, copy)
            shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
            conn = sqlite3.connect(copy, isolation_level=None)
            try:
                yield conn, "checked on a copy: its -wal file holds changes not yet checkpointed"
            finally:
                conn.close()
        return
    uri = f"{path.resolve().as_uri()}?immutable=1"
    conn = sqlite3.connect(uri, uri=True, isolation_level=None)
    try:
        yield conn, ""
    finally:
        conn.close()


def check_store(path: Path, result: DoctorResult) -> None:
    """Schema version, integrity, foreign keys, the FTS index and the run lock of ``path``."""
    from .lock import held_by_live_process, lock_path_for, read_lock
    from ..store.db import LATEST_VERSION

    name = str(path)
    if not path.exists():
        result.add("store", name, "ok", "does not exist yet; the first run creates it")
        return
    if not path.is_file():
        result.add("store", name, "fail", "is not a file")
        return
    try:
        with _open_without_writing(path) as (conn, note):
            _inspect(conn, name, LATEST_VERSION, result)
            if note:
                result.add("store", name, "warn", note)
    except sqlite3.DatabaseError as exc:
        result.add("store", name, "fail", f"not a readable SQLite database ({exc})")
    except OSError as exc:
        result.add("store", name, "fail", f"cannot be read ({exc.strerror or exc})")

    lock = lock_path_for(path)
    if lock.is_symlink():
        result.add("store", str(lock), "fail",
                   "the lock file is a symbolic link; remove it (runs refuse to write through it)")
    elif lock.exists():
        holder = held_by_live_process(path)
        if holder is not None:
            result.add("store", str(lock), "warn", f"a run holds the store: {holder.describe()}")
        else:
            old = read_lock(path)
            who = old.describe() if old else "an unreadable lock file"
            result.add("store", str(lock), "warn",
                       f"stale lock from {who}; the next run takes it over")


def _nearest_existing(path: Path) -> Path:
    while not path.exists() and path.parent != path:
        path = path.parent
    return path


def _writable(path: Path) -> str | None:
    """Why ``path`` (a file or folder, existing or to be created) cannot be written, or None."""
    import os

    target = _nearest_existing(path)
    folder = target if target.is_dir() else target.parent
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return f"{folder} is on a read-only file system"
    except (OSError, AttributeError):
        pass
    if target == path and path.exists() and not path.is_dir() and not os.access(path, os.W_OK):
        return f"{path} is not writable by this user"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"the folder {folder} is not writable by this user"
    return None


def check_writable(config: Any, store_path: Path, result: DoctorResult) -> None:
    """The store (with its folder, for the lock and journal files) and every output's folder."""
    from .lock import lock_path_for

    why = _writable(store_path) or _writable(lock_path_for(store_path))
    if why:
        result.add("store", str(store_path), "fail", f"cannot be written: {why}; runs and renders will fail")
    else:
        result.add("store", str(store_path), "ok", "writable (the store, its lock and journal files)")
    outputs = []
    for flag, keys in (("publish_readme", ("md_readme_path", "json_readme_path", "archive_dir")),
                       ("publish_gitpage", ("md_gitpage_path", "json_gitpage_path")),
                       ("publish_wechat", ("md_wechat_path", "json_wechat_path")),
                       ("publish_feeds", ("feeds_dir",)), ("publish_site", ("site_dir",))):
        if getattr(config, flag):
            outputs += [(key, config.path_of(key)) for key in keys]
    bad = [(key, why) for key, path in outputs if (why := _writable(path))]
    for key, why in bad:
        result.add("outputs", key, "fail", f"cannot be written: {why}")
    if not bad:
        result.add("outputs", "folders", "ok", f"{len(outputs)} outputs can be written")


def _inspect(conn: sqlite3.Connection, name: str, latest: int, result: DoctorResult) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if version == 0 and not tables & set(_TABLES):
        result.add("store", name, "fail", "is an SQLite file but not an arxiv-radar store")
        return
    if version > latest:
        result.add("store", name, "fail",
                   f"schema version {version} is newer than this arxiv-radar ({latest}); upgrade it")
        return
    if version < latest:
        result.add("store", name, "warn",
                   f"schema version {version}; the next run migrates it to {latest}")
    else:
        result.add("store", name, "ok", f"schema version {version} (current)")
    missing = [t for t in _TABLES if t not in tables]
    if missing and version == latest:
        result.add("store", name, "fail", "missing tables: " + ", ".join(missing))
        return

    problems = [r[0] for r in conn.execute("PRAGMA quick_check")]
    if problems != ["ok"]:
        shown = "; ".join(problems[:5]) + (" ..." if len(problems) > 5 else "")
        result.add("store", name, "fail", f"integrity check failed: {shown}")
    else:
        result.add("store", name, "ok", "integrity check passed")
    orphans = conn.execute("PRAGMA foreign_key_check").fetchall()
    if orphans:
        result.add("store", name, "fail", f"{len(orphans)} row{'s point' if len(orphans) != 1 else ' points'} at missing papers")

    if "papers" in tables:
        papers = conn.execute("SELECT count(*) FROM papers").fetchone()[0]
        if "papers_fts_docsize" in tables:
            # One docsize row per indexed paper: a mismatch means the triggers were bypassed.
            indexed = conn.execute("SELECT count(*) FROM papers_fts_docsize").fetchone()[0]
            if indexed != papers:
                result.add("store", name, "fail",
                           f"full-text index holds {indexed} papers, the store {papers}; "
                           "rebuild it with INSERT INTO papers_fts(papers_fts) VALUES('rebuild')")
        last = None
        if "runs" in tables:
            last = conn.execute(
                "SELECT command, day, status FROM runs ORDER BY id DESC LIMIT 1"
            ).fetchone()
        where = f"; last run: {last[0]} for {last[1]}, {last[2]}" if last else ""
        result.add("store", name, "ok", f"{papers} paper{'' if papers == 1 else 's'}{where}")


# --------------------------------------------------------------------------- templates


def _j2_files(root: Any, prefix: str = "") -> Iterator[str]:
    for entry in root.iterdir():
        if entry.is_dir():
            yield from _j2_files(entry, f"{prefix}{entry.name}/")
        elif entry.name.endswith(".j2"):
            yield prefix + entry.name


def _shipped_templates() -> set[str]:
    """Relative paths (``email/digest.txt.j2``) of the templates a user folder can override."""
    try:
        root = resources.files("arxiv_radar.render").joinpath("templates")
        return set(_j2_files(root)) if root.is_dir() else set()
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError):
        return set()


def _check_templates(config: Any, result: DoctorResult) -> None:
    import difflib

    import jinja2

    folder = config.path_of("templates_dir")
    if folder is None:
        return
    if not folder.exists():
        result.add("templates", str(folder), "fail", "templates_dir does not exist")
        return
    if not folder.is_dir():
        result.add("templates", str(folder), "fail", "templates_dir is not a folder")
        return
    overrides = sorted(_j2_files(folder))
    if not overrides:
        result.add("templates", str(folder), "warn", "holds no .j2 template: nothing is overridden")
        return
    shipped = _shipped_templates()
    env = jinja2.Environment()
    used = []
    for rel in overrides:
        try:
            env.parse((folder / rel).read_text(encoding="utf-8"))
        except (jinja2.TemplateSyntaxError, UnicodeDecodeError, OSError) as exc:
            line = f" (line {exc.lineno})" if isinstance(exc, jinja2.TemplateSyntaxError) else ""
            result.add("templates", str(folder / rel), "fail", f"does not load{line}: {exc}")
            continue
        if shipped and rel not in shipped:
            close = difflib.get_close_matches(rel, sorted(shipped), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            result.add("templates", str(folder / rel), "warn", f"overrides no shipped template{hint}; it is never used")
        else:
            used.append(rel)
    if used:
        result.add("templates", str(folder), "ok", "overrides " + ", ".join(used))


# --------------------------------------------------------------------------- workflow


def _check_workflow_install(config_path: Path, result: DoctorResult) -> None:
    # The workflow `init` wrote beside the config: does its install step give this arxiv-radar?
    from .install import check_install
    from .scaffold import WORKFLOW_PATH

    check_install(config_path.resolve().parent, result, WORKFLOW_PATH)


def _check_pages_links(config: Any, config_path: Path, result: DoctorResult) -> None:
    # A project whose workflow publishes a Pages site but whose config does not name the
    # repository: the README and the feeds can never link to that site, and nothing else says so.
    from .scaffold import WORKFLOW_PATH

    if not config.publish_gitpage or not (config_path.resolve().parent / WORKFLOW_PATH).is_file():
        return
    missing = [k for k in ("user_name", "repo_name") if not getattr(config, k)]
    if missing:
        result.add("config", str(config_path), "warn",
                   f"{' and '.join(missing)} not set: the README and feeds cannot link to your GitHub Pages "
                   "site (set them, or rerun `arxiv-radar init --force --repo OWNER/NAME`)")


def _check_readme_size(config: Any, result: DoctorResult) -> None:
    """A README past the 512 KB GitHub displays (the cv-arxiv-daily look keeps every row)."""
    from ..publish.files import GITHUB_README_LIMIT

    path = config.path_of("md_readme_path")
    if not config.publish_readme or path is None or not path.is_file():
        return
    size = path.stat().st_size
    if size > GITHUB_README_LIMIT:
        result.add("outputs", str(path), "warn",
                   f"{size / 1024:,.0f} KB, over the 512 KB GitHub displays; "
                   "the seed style (`style: seed`) moves older papers to archive pages")


# --------------------------------------------------------------------------- endpoints


# Services a run can do without: their failures leave the exit code alone (papers stay
# "unknown", the digest waits), so doctor warns about them rather than failing.
_OPTIONAL = {"Hugging Face", "SMTP"}


def _endpoints(config: Any) -> list[tuple[str, str, dict[str, str]]]:
    source = config.source
    out: list[tuple[str, str, dict[str, str]]] = []
    if source in ("auto", "api"):
        out.append(("arXiv API", config.api_url,
                    {"search_query": "all:electron", "start": "0", "max_results": "1"}))
    if source in ("auto", "oai"):
        out.append(("arXiv OAI-PMH", config.oai_url, {"verb": "Identify"}))
    if source in ("auto", "rss"):
        categories = [c for t in config.topics.values() for c in t.categories if "*" not in c]
        out.append(("arXiv RSS", f"{config.rss_url}/{categories[0] if categories else 'cs'}", {}))
    if config.enrich.huggingface:
        out.append(("Hugging Face", f"{config.hf_url}/api/daily_papers", {"limit": "1"}))
    return out


def check_endpoints(config: Any, result: DoctorResult, *, timeout: float = 10.0) -> None:
    """One GET per endpoint the config uses (no retries: doctor reports, it does not insist)."""
    import httpx

    from ..net import scrub
    from ..sources.http import _user_agent, redact_url

    headers = {"User-Agent": _user_agent(config.contact_email)}
    with httpx.Client(timeout=timeout, headers=headers, follow_redirects=True) as client:
        for name, url, params in _endpoints(config):
            shown = redact_url(url)
            started = time.monotonic()
            try:
                # Only the status is wanted: the body is never read (it could be endless).
                with client.stream("GET", url, params=params) as response:
                    pass
            except httpx.HTTPError as exc:
                result.add("endpoint", name, _failed(name),
                           f"{shown}: no answer ({type(exc).__name__}: {scrub(exc)})" + _optional_note(name))
                continue
            took = time.monotonic() - started
            status = response.status_code
            message = f"{shown}: HTTP {status} in {took:.1f} s"
            if status >= 500:
                result.add("endpoint", name, _failed(name), message + _optional_note(name))
            elif status >= 400:
                result.add("endpoint", name, "warn", message)
            else:
                result.add("endpoint", name, "ok", message)
    if config.email is not None and config.email.smtp_host:
        _check_smtp(config.email.smtp_host, config.email.smtp_port, result, timeout)
    from ..deliver.webhooks import redact as redact_webhook

    for hook in config.webhooks:
        if hook.url is not None:  # an unset url_env is a config warning already
            # Slack and Discord keep their secret in the path: show the host only, as `run` does.
            result.add("endpoint", "webhook", "ok", f"{redact_webhook(hook.url)}: not contacted (it would notify)")


def _failed(name: str) -> Status:
    return "warn" if name in _OPTIONAL else "fail"


def _optional_note(name: str) -> str:
    return "; optional: runs still succeed without it" if name in _OPTIONAL else ""


def _check_smtp(host: str, port: int, result: DoctorResult, timeout: float) -> None:
    # A TCP connection only: no login, no mail.
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except OSError as exc:
        result.add("endpoint", "SMTP", _failed("SMTP"),
                   f"{host}:{port}: no answer ({exc.strerror or exc})" + _optional_note("SMTP"))
        return
    result.add("endpoint", "SMTP", "ok", f"{host}:{port}: accepts connections")


# --------------------------------------------------------------------------- output

_MARK = {"ok": ("ok", "green"), "warn": ("warn", "yellow"), "fail": ("FAIL", "bold red")}


def print_doctor(result: DoctorResult, console: Any = None) -> None:
    """One line per check, ``[ok]``/``[warn]``/``[FAIL]``, then a verdict line."""
    from rich.console import Console
    from rich.text import Text

    from .report import redact

    console = console or Console()
    for check in result.checks:
        label, style = _MARK[check.status]
        line = Text()
        line.append(f"[{label}]", style=style if console.is_terminal else None)
        line.append(f" {check.area}: {redact(check.name)}: {redact(check.message)}")
        console.print(line, highlight=False, soft_wrap=True)
    fails = sum(c.status == "fail" for c in result.checks)
    warns = sum(c.status == "warn" for c in result.checks)
    verdict = "all is well" if not fails else f"{fails} problem{'s' * (fails != 1)}"
    if warns:
        verdict += f", {warns} warning{'s' * (warns != 1)}"
    console.print(verdict, highlight=False, markup=False)
