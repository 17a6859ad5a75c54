"""The command line: argument handling and exit codes only; the work is in library functions.

Exit codes: 0 ok, 1 failure, 2 usage or configuration error, 3 partial harvest.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import sqlite3
import sys
from datetime import date
from pathlib import Path

import click

from . import __version__
from .errors import ArxivRadarError

log = logging.getLogger("arxiv_radar")


def _handle_errors(fn):
    """Turn our errors into one-line messages and exit codes; never a traceback for user mistakes."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ArxivRadarError as exc:
            from .ops.report import redact

            click.echo(f"arxiv-radar: error: {redact(str(exc))}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("arxiv-radar: interrupted", err=True)
            sys.exit(130)
        except BrokenPipeError:
            # The reader went away (`arxiv-radar demo | head`): not an error of ours. Point
            # stdout at devnull so the interpreter's final flush does not complain either.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)
        except (OSError, sqlite3.Error) as exc:
            # The machine got in the way (full disk, read-only folder, damaged store): one
            # line naming the file and what to do, made in errors.environment_error.
            from .errors import environment_error
            from .ops.report import redact

            fault = environment_error(exc)
            click.echo(f"arxiv-radar: error: {redact(str(fault))}", err=True)
            sys.exit(fault.exit_code)

    return wrapper


def _setup_logging(verbose: int, quiet: bool) -> None:
    level = logging.WARNING if quiet else (logging.DEBUG if verbose > 1 else logging.INFO)
    if sys.stderr.isatty():
        from rich.logging import RichHandler

        handler: logging.Handler = RichHandler(show_path=False, show_time=False)
        handler.setFormatter(logging.Formatter("%(message)s"))
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    root = logging.getLogger("arxiv_radar")
    from .ops.report import install_log_redaction

    install_log_redaction(handler)
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
    # httpx logs every request at INFO; our client reports them itself.
    logging.getLogger("httpx").setLevel(logging.WARNING)


def _info(line: str) -> None:
    """A progress or summary line, left out under -q (warnings and errors still show)."""
    ctx = click.get_current_context(silent=True)
    if not (ctx and ctx.find_root().meta.get(_LOGGING, {}).get("quiet")):
        click.echo(line)


def _count(n: int, noun: str) -> str:
    """"1 paper", "2 papers" (English plural by -s: every noun we count takes it)."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _parse_day(ctx, param, value: str | None) -> date | None:
    if value is None:
        return None
    from .config.models import MAX_DAY, MIN_DAY

    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date in the form YYYY-MM-DD")
    if not MIN_DAY <= day <= MAX_DAY:
        raise click.BadParameter(f"{value} is outside {MIN_DAY} .. {MAX_DAY}")
    return day


def _load_config(path: str, urls: dict[str, str | None] | None = None):
    """Load the config; ``urls`` (api_url, oai_url, rss_url, hf_url) from the command line
    override the file the way their environment variables do, and are checked the same way."""
    import os

    from .config import load_config
    from .config.models import ENV_OVERRIDES

    env = dict(os.environ)
    env.update({ENV_OVERRIDES[key]: value for key, value in (urls or {}).items() if value})
    config = load_config(path, env=env)
    for warning in config.warnings:
        log.warning("%s", warning)
    return config


config_option = click.option(
    "-c", "--config", "config_path", default="config.yaml", show_default=True,
    type=click.Path(dir_okay=False), help="The topics configuration file.",
)
store_config_option = click.option(
    "-c", "--config", "config_path", default=None, type=click.Path(dir_okay=False),
    help="A config whose `database` to use (default: ./arxiv-radar.sqlite unless --db).",
)
db_option = click.option("--db", "db_path", type=click.Path(dir_okay=False), help="The SQLite store (default: the config's `database`).")


def url_options(fn):
    """--api-url, --oai-url, --rss-url and --hf-url, shared by run, backfill and doctor."""
    for opt in reversed((
        click.option("--api-url", envvar="ARXIV_RADAR_API_URL", help="arXiv API endpoint (env ARXIV_RADAR_API_URL)."),
        click.option("--oai-url", envvar="ARXIV_RADAR_OAI_URL", help="arXiv OAI-PMH endpoint (env ARXIV_RADAR_OAI_URL)."),
        click.option("--rss-url", envvar="ARXIV_RADAR_RSS_URL", help="arXiv RSS base (env ARXIV_RADAR_RSS_URL)."),
        click.option("--hf-url", envvar="ARXIV_RADAR_HF_URL", help="Hugging Face base URL (env ARXIV_RADAR_HF_URL)."),
    )):
        fn = opt(fn)
    return fn


date_option = click.option("--date", "day", callback=_parse_day, metavar="YYYY-MM-DD", help="The day the run stands for (default: today in New York; for export, the store's latest run).")


_LOGGING = "arxiv_radar.logging"


def _late_logging(ctx: click.Context, param: click.Parameter, value) -> None:
    """-q / -v given after the subcommand (``arxiv-radar run -q``): add them to the ones given
    before it and set logging up again, before the command runs."""
    if not value:
        return
    state = ctx.find_root().meta.setdefault(_LOGGING, {"verbose": 0, "quiet": False})
    if param.name == "quiet":
        state["quiet"] = True
    else:
        state["verbose"] += value
    _setup_logging(state["verbose"], state["quiet"])


_GLOBAL_OPTIONS = (
    click.Option(["-v", "--verbose"], count=True, expose_value=False, callback=_late_logging,
                 help="More detail (-vv for debugging)."),
    click.Option(["-q", "--quiet"], is_flag=True, expose_value=False, callback=_late_logging,
                 help="Only warnings and errors."),
)


class _Group(click.Group):
    """A group whose commands (and sub-groups' commands) also take the global -q and -v, so
    they work where people type them: before the subcommand or after it."""

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        if not isinstance(cmd, click.Group):
            known = {opt for p in cmd.params for opt in getattr(p, "opts", ())}
            cmd.params.extend(o for o in _GLOBAL_OPTIONS if not known & set(o.opts))
        super().add_command(cmd, name)


_Group.group_class = _Group


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="arxiv-radar")
@click.option("-v", "--verbose", count=True, help="More detail (-vv for debugging).")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors.")
@click.pass_context
def main(ctx: click.Context, verbose: int, quiet: bool) -> None:
    """Track new arXiv papers on your topics and publish them.

    -q and -v may be given before or after the command: `arxiv-radar run -q` and `arxiv-radar -q run`.
    """
    ctx.meta[_LOGGING] = {"verbose": verbose, "quiet": quiet}
    _setup_logging(verbose, quiet)


@main.command()
@config_option
@db_option
@url_options
@date_option
@click.option("--report", "report_path", type=click.Path(dir_okay=False), help="Also write the run report to this JSON file.")
@_handle_errors
def run(config_path: str, db_path: str | None, api_url: str | None, oai_url: str | None, rss_url: str | None,
        hf_url: str | None, day: date | None, report_path: str | None) -> None:
    """The daily job: harvest what arXiv announced since the last run, store, match, render.

    Exit codes: 0 ok (enrichment and delivery failures are reported, not fatal), 1 failure,
    2 usage or configuration error, 3 partial harvest (what was fetched is kept).
    """
    from . import pipeline
    from .ops.lock import store_lock

    config = _load_config(config_path, dict(api_url=api_url, oai_url=oai_url, rss_url=rss_url, hf_url=hf_url))
    _warn_about_queries(config)
    with store_lock(_checked_store(config, db_path), command="run"):
        report = pipeline.run(config, day=day, db_path=db_path)
    _finish(report, report_path)


def _checked_store(config, db_path: str | None) -> Path:
    """The store a command uses; ``--db`` aimed at the config, an output or into an output
    folder is refused (exit 2) before the lock file or its folder is made."""
    if not db_path:
        return config.path_of("database")
    from .config.models import db_flag_clash
    from .errors import ConfigError

    clash = db_flag_clash(config, db_path)
    if clash:
        raise ConfigError(clash)
    return Path(db_path)


def _existing_store(path) -> str:
    """``path`` when it exists; a missing store is named plainly before any lock file is made."""
    from .errors import MissingStore

    if not Path(path).exists():
        raise MissingStore(f"{path}: no such database (check --db or the config's `database`; "
                           "`arxiv-radar run` creates it)")
    return str(path)


@contextlib.contextmanager
def _snapshot(store):
    """One read transaction: everything read inside sees the store as it was at its first read,
    whatever a concurrent run commits meanwhile (SQLite's WAL keeps that snapshot)."""
    store.conn.execute("BEGIN")
    try:
        yield store
    finally:
        store.conn.execute("COMMIT")


def _warn_about_queries(config) -> None:
    """What doctor warns about the topics' queries, logged as warnings (never fatal)."""
    from .query.hygiene import query_warnings

    for name, topic in config.topics.items():
        for warning in query_warnings(topic):
            log.warning("topic %r: %s", name, warning)


def _finish(report, report_path: str | None) -> None:
    from .ops.report import print_report, write_report_json

    if report_path:
        try:
            write_report_json(report, report_path)
        except OSError as exc:
            from .errors import environment_error

            fault = environment_error(exc)
            raise type(fault)(f"{fault} (the run itself finished: {report.status}; "
                              "its outputs and store are written)") from None
    # -q: only warnings and errors (the failures were logged as errors already).
    if logging.getLogger("arxiv_radar").level <= logging.INFO:
        print_report(report)
    if report.status == "partial":
        sys.exit(3)


@main.command()
@config_option
@db_option
@url_options
@click.option("--from", "start", required=True, callback=_parse_day, metavar="YYYY-MM-DD", help="First day (New York).")
@click.option("--to", "end", required=True, callback=_parse_day, metavar="YYYY-MM-DD", help="Last day (New York), inclusive.")
@click.option("--notify", is_flag=True, help="Announce the papers it adds as new in the next feeds, e-mail and webhooks.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False), help="Also write the backfill report to this JSON file.")
@_handle_errors
def backfill(config_path: str, db_path: str | None, api_url: str | None, oai_url: str | None,
             rss_url: str | None, hf_url: str | None, start: date, end: date, notify: bool,
             report_path: str | None) -> None:
    """Harvest every announcement in a range of days; the next run or render shows them.

    The papers it adds are not announced as new (feeds, e-mail, webhooks) unless --notify,
    or unless the next run would have announced them (those past the watermark)."""
    from . import pipeline

    if end < start:
        raise click.BadParameter("--to is before --from")
    from .ops.lock import store_lock

    config = _load_config(config_path, dict(api_url=api_url, oai_url=oai_url, rss_url=rss_url, hf_url=hf_url))
    _warn_about_queries(config)
    with store_lock(_checked_store(config, db_path), command="backfill"):
        report = pipeline.backfill(config, start=start, end=end, db_path=db_path, notify=notify)
    _finish(report, report_path)


@main.command()
@config_option
@db_option
@date_option
@_handle_errors
def links(config_path: str, db_path: str | None, day: date | None) -> None:
    """Find code links for matched papers (abstract and comment URLs, Hugging Face, ...).

    Only this stage runs. A source that fails leaves its papers "unknown" for the next run;
    the exit code stays 0 and the failures are reported.
    """
    from . import pipeline
    from .harvest import calendar
    from .enrich import enrich

    from .ops.lock import store_lock

    config = _load_config(config_path)
    day = day or calendar.today()
    # The same lock as `run`: never enrich a store a run is half-way through.
    with store_lock(_existing_store(_checked_store(config, db_path)), command="links"), \
            pipeline.open_store(config, db_path, must_exist=True) as store:
        run_id = store.begin_run("links", day)
        report = enrich(store, config, day=day)
        store.finish_run(run_id, "ok", report.as_dict())
    for line in report.lines():
        _info(line)


@main.command()
@config_option
@db_option
@date_option
@click.option("--report", "report_path", type=click.Path(dir_okay=False), help="Also write the stage's report to this JSON file.")
@_handle_errors
def summarize(config_path: str, db_path: str | None, day: date | None, report_path: str | None) -> None:
    """Write AI summaries of matched papers (needs `summaries:` in the config and the [ai] extra).

    Only this stage runs, within the config's budget; `render` shows the summaries. A paper whose
    summary fails keeps its abstract and is tried again next time; the exit code stays 0 and the
    failures are reported. Exit code 2 when summaries are not configured or the key is missing.
    """
    from . import pipeline
    from .errors import ConfigError
    from .harvest import calendar
    from .ops.lock import store_lock
    from .ops.report import redact_data, write_report_json
    from .summarize import summarize as run_summaries

    config = _load_config(config_path)
    if config.summaries is None:
        raise ConfigError(f"{config_path}: no `summaries:` section; add one (model, language, ...) to turn summaries on")
    day = day or calendar.today()
    with store_lock(_checked_store(config, db_path), command="summarize"):
        with pipeline.open_store(config, db_path, must_exist=True) as store:
            run_id = store.begin_run("summarize", day)
            status = "failed"
            report = None
            try:
                report = run_summaries(store, config, day=day)
                status = "ok"
            finally:
                store.finish_run(run_id, status, redact_data(report.as_dict()) if report else None)
    if report_path:
        write_report_json(report, report_path)
    for line in report.lines():
        click.echo(line)
    if report.summarised:
        click.echo("`arxiv-radar render` shows them in the outputs (the next run does too).")


@main.command()
@config_option
@db_option
@click.option("--style", type=click.Choice(["seed", "cv-arxiv-daily"]), help="Output style (default: the config's `style`).")
@date_option
@click.option("--full", is_flag=True, help="Rebuild every part of the site, not only the parts whose papers changed.")
@_handle_errors
def render(config_path: str, db_path: str | None, style: str | None, day: date | None, full: bool) -> None:
    """Re-render every output from the store, without network."""
    from . import pipeline
    from .ops.lock import store_lock
    from .ops.report import written_lines

    config = _load_config(config_path)
    # The same lock as `run`: never render a half-harvested store.
    with store_lock(_existing_store(_checked_store(config, db_path)), command="render"):
        written = pipeline.render(config, day=day, db_path=db_path, style=style, full=full)
    for line in written_lines([str(p) for p in written]):
        click.echo(line)
    if not written:
        click.echo("all outputs already up to date")


@main.command()
@click.option("--out", "out_dir", default="arxiv-radar-demo", show_default=True, type=click.Path(file_okay=False),
              help="Where to write the demo's outputs.")
@_handle_errors
def demo(out_dir: str) -> None:
    """Run the daily job offline on the bundled sample, through a local arXiv mirror."""
    from .demo import run_demo

    result = run_demo(Path(out_dir))
    click.echo(f"Demo finished: {_count(result.papers, 'paper')} in {_count(len(result.topics), 'topic')}.")
    for path in result.files:
        click.echo(f"  {path}")
    if result.site_index:
        site_dir = result.site_index.parent.resolve()
        click.echo(f"Open the site: {result.site_index.resolve().as_uri()}")
        click.echo(f"  (its search needs http: python3 -m http.server -d {site_dir} 8000, then open http://127.0.0.1:8000/)")


@main.group()
def mirror() -> None:
    """An arXiv-compatible server on loopback (API, OAI-PMH and RSS), for offline work and tests."""


@mirror.command("serve")
@click.option("--corpus", "corpus", multiple=True, required=True, type=click.Path(exists=True, dir_okay=False),
              help="An arXiv Atom file or bulk-metadata JSONL file (repeat for more).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (loopback by default).")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on (0 picks a free one).")
@click.option("--faults", "faults", metavar="SPEC", help="Inject faults at these rates: 429, 429ra (with Retry-After), 503, stall, truncate, empty, 400; settings seed, stall_seconds, retry_after; reject=TERM 400s every search containing TERM. E.g. 429=0.1,503=0.05,stall=0.05,seed=42.")
@click.option("--now", "now", metavar="ISO", help="Fix the mirror's clock (RSS picks its announcement by it), e.g. 2026-03-05T12:00:00Z.")
@_handle_errors
def mirror_serve(corpus: tuple[str, ...], host: str, port: int, faults: str | None, now: str | None) -> None:
    """Serve papers in arXiv's API, OAI-PMH and RSS formats until interrupted."""
    from .mirror import FaultSpec, serve_forever
    from .mirror.server import parse_now

    serve_forever([Path(c) for c in corpus], host=host, port=port,
                  faults=FaultSpec.parse(faults) if faults else None, now=parse_now(now))


@main.command("import-legacy")
@click.argument("json_path", type=click.Path(exists=True, dir_okay=False))
@store_config_option
@db_option
@date_option
@_handle_errors
def import_legacy_cmd(json_path: str, config_path: str | None, db_path: str | None, day: date | None) -> None:
    """Import a cv-arxiv-daily JSON database (topic -> id -> row) into the store."""
    from .harvest import calendar
    from .bulk.legacy import import_legacy
    from .store import Store

    if db_path is None:
        db_path = str(_load_config(config_path).path_of("database")) if config_path else "arxiv-radar.sqlite"
    from .ops.lock import store_lock

    with store_lock(db_path, command="import-legacy"), Store.open(db_path) as store:
        report = import_legacy(json_path, store, day or calendar.today())
    click.echo(f"Imported {_count(report.rows, 'row')} ({_count(report.distinct_papers, 'distinct paper')}) "
               f"from {json_path} into {db_path}.")
    for topic, count in report.topics.items():
        click.echo(f"  {topic}: {_count(count, 'row')}")
    if report.unreadable:
        click.echo(f"{len(report.unreadable)} rows could not be read:", err=True)
        for topic, key, why in report.unreadable:
            click.echo(f"  {topic} / {key}: {why}", err=True)
        sys.exit(1)
    click.echo("0 unreadable rows.")
    click.echo("To keep cv-arxiv-daily's exact look, set `style: cv-arxiv-daily` in your config "
               "(or pass --style to render); the default seed style sorts by date and archives older papers.")


@main.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option("--store", "store_mode", type=click.Choice(["commit", "branch"]), default="commit", show_default=True,
              help="Keep the store between workflow runs committed next to the outputs, or on a data branch.")
@click.option("--data-branch", default="arxiv-radar-data", show_default=True, help="The data branch (with --store branch).")
@click.option("--store-path", default="arxiv-radar.sqlite", show_default=True, help="The store's path, relative to DIRECTORY.")
@click.option("--cron", default=None, metavar="'M H * * D'",
              help="The workflow's schedule (UTC, GitHub's cron: minute 0-59, hour 0-23, day 1-31, month 1-12, "
                   "weekday 0-6); default: just after arXiv's announcement.")
@click.option("--contact-email", default=None, help="Your address, put in the User-Agent as arXiv asks.")
@click.option("--python", "python_version", default="3.12", show_default=True, help="Python version for the workflow.")
@click.option("--install", "install_spec", default=None,
              help="What the workflow pip-installs (default: where this arxiv-radar came from, or a wheel of it).")
@click.option("--pages", type=click.Choice(["artifact", "branch", "none"]), default="artifact", show_default=True,
              help="GitHub Pages: built and deployed by the workflow (artifact), committed under docs/ (branch), or off.")
@click.option("--repo", "repository", default=None, metavar="OWNER/NAME",
              help="The GitHub repository, for links to its Pages site (default: read from the `origin` remote).")
@click.option("--refresh-install", is_flag=True,
              help="Only point the existing workflow's install step at this arxiv-radar (after an upgrade).")
@click.option("--force", is_flag=True, help="Replace files that already exist.")
@_handle_errors
def init(directory: str, store_mode: str, data_branch: str, store_path: str, cron: str | None,
         contact_email: str | None, python_version: str, install_spec: str | None, pages: str,
         repository: str | None, refresh_install: bool, force: bool) -> None:
    """Write config.yaml, a GitHub Actions workflow and .gitignore into DIRECTORY (never prompts)."""
    from .ops.scaffold import init_project, refresh_install as refresh

    if refresh_install:
        result = refresh(directory, install_spec=install_spec)
        for path in result.written:
            _info(f"wrote {path}")
        for path in result.removed:
            _info(f"removed {path} (no longer installed by the workflow)")
        _info(f"The workflow installs {result.install.reason}.")
        return
    result = init_project(directory, force=force, store_mode=store_mode, data_branch=data_branch,
                          store_path=store_path, cron=cron, contact_email=contact_email,
                          python_version=python_version, install_spec=install_spec, pages=pages,
                          repository=repository)
    for path in result.written:
        _info(f"wrote {path}")
    from .ops.scaffold.schedule import cron_note

    note = cron_note(result.schedule.cron) if cron else None
    if note:
        click.echo(f"note: {note}")
    _info(f"Schedule: '{result.schedule.cron}' (UTC); the store is kept "
               + ("on the data branch." if store_mode == "branch" else "in the repository."))
    _info(f"The workflow installs {result.install.reason}.")
    if pages == "artifact":
        _info("Pages: after the first push, Settings -> Pages -> Build and deployment -> Source: GitHub Actions.")
    elif pages == "branch":
        _info("Pages: Settings -> Pages -> Build and deployment -> Source: Deploy from a branch, this branch, /docs.")
    from .ops.scaffold import pages_link_hint

    hint = pages_link_hint(result)
    if hint:  # a warning, so -q does not hide it
        click.echo(f"hint: {hint}", err=True)
    _info("Next: edit the topics in config.yaml, check them with `arxiv-radar doctor`, then commit and push.")


@main.command()
@config_option
@db_option
@url_options
@click.option("--offline", is_flag=True, help="Do not contact any endpoint.")
@click.option("--timeout", default=10.0, show_default=True, type=click.FloatRange(0.1, 600), help="Seconds to wait for each endpoint.")
@_handle_errors
def doctor(config_path: str, db_path: str | None, api_url: str | None, oai_url: str | None, rss_url: str | None,
           hf_url: str | None, offline: bool, timeout: float) -> None:
    """Check the config, the topics' queries, the store, templates and endpoints; write nothing.

    Exit code 0 when all is well (warnings allowed), 2 for an invalid config, 1 for any other problem.
    """
    from .ops.doctor import doctor as run_doctor, print_doctor

    urls = dict(api_url=api_url, oai_url=oai_url, rss_url=rss_url, hf_url=hf_url)
    result = run_doctor(config_path, offline=offline, db_path=db_path, timeout=timeout, urls=urls)
    print_doctor(result)
    sys.exit(result.exit_code)


@main.command()
@click.option("-c", "--config", "config_path", default=None, type=click.Path(dir_okay=False),
              help="The topics configuration file: its topics in its order, its `database` "
                   "(default: config.yaml unless --db is given, then every topic in the store).")
@db_option
@click.option("--format", "fmt", required=True, type=click.Choice(["json", "jsonl", "bibtex"]),
              help="json / jsonl: the documented schema (docs/export-schema.md); bibtex: @misc entries.")
@click.option("--topic", "topic", default=None, metavar="NAME", help="Only the papers of this topic.")
@click.option("-o", "--output", "output", default=None, type=click.Path(dir_okay=False),
              help="Write to this file (atomically) instead of standard output.")
@date_option
@_handle_errors
def export(config_path: str | None, db_path: str | None, fmt: str, topic: str | None,
           output: str | None, day: date | None) -> None:
    """Export the stored papers of your topics as JSON, JSONL or BibTeX, without network.

    --date sets the JSON's `generated_for` (default: the day of the store's latest finished run).
    """
    import io

    from .publish.export import export_to_file, latest_run_day, select_topics, store_topics, write_export
    from .publish.views import summary_key_for
    from .store import Store

    config = _load_config(config_path or "config.yaml") if config_path or not db_path else None
    with Store.open(db_path or config.path_of("database"), readonly=True) as store, _snapshot(store):
        known = list(config.topics) if config is not None else store_topics(store)
        topics = select_topics(known, topic)
        generated_for = day or latest_run_day(store)
        # The config's summaries (its language, model, prompt) when it has them; else the newest.
        key = summary_key_for(config) if config is not None else None
        if output:
            result = export_to_file(store, output, fmt, topics, known_topics=known, generated_for=generated_for,
                                    summary_key=key)
            click.echo(f"{'wrote' if result.changed else 'unchanged'} {output} ({_count(result.papers, 'paper')})", err=True)
            return
        # UTF-8 bytes to stdout, whatever the locale says.
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is None:
            write_export(store, sys.stdout, fmt, topics, known_topics=known, generated_for=generated_for,
                         summary_key=key)
            return
        sys.stdout.flush()
        out = io.TextIOWrapper(buffer, encoding="utf-8", newline="\n")
        try:
            write_export(store, out, fmt, topics, known_topics=known, generated_for=generated_for, summary_key=key)
            out.flush()
        finally:
            out.detach()


@main.command("import-snapshot")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@store_config_option
@db_option
@date_option
@_handle_errors
def import_snapshot_cmd(file: str, config_path: str | None, db_path: str | None, day: date | None) -> None:
    """Import arXiv's bulk metadata (Kaggle JSON lines, .jsonl or .jsonl.gz) into the store.

    Malformed lines are reported with their line numbers and skipped; the exit code is 0 when
    the file was read to its end. Importing the same file again changes nothing.
    """
    from .bulk.snapshot import default_progress, import_snapshot
    from .harvest import calendar
    from .store import Store

    if db_path is None:
        db_path = str(_load_config(config_path).path_of("database")) if config_path else "arxiv-radar.sqlite"
    from .ops.lock import store_lock

    progress, done = default_progress()
    try:
        with store_lock(db_path, command="import-snapshot"), Store.open(db_path) as store:
            report = import_snapshot(file, store, day=day or calendar.today(), progress=progress)
    finally:
        done()
    rate = report.lines / report.seconds if report.seconds else 0.0
    click.echo(
        f"Imported {report.imported:,} of {report.lines:,} lines from {file} into {db_path} in "
        f"{report.seconds:.1f} s ({rate:,.0f} lines/s): {report.new:,} new, {report.updated:,} updated, "
        f"{report.unchanged:,} unchanged, {report.malformed_count:,} malformed."
    )
    for line_no, message in report.malformed[:20]:
        shown = "".join(c if c.isprintable() else "?" for c in message)[:200]
        click.echo(f"  line {line_no}: {shown}", err=True)
    if report.malformed_count > 20:
        click.echo(f"  ... and {report.malformed_count - 20:,} more malformed lines", err=True)
    if not report.complete:
        click.echo(f"arxiv-radar: error: {file} ends early; the lines before the damage were imported", err=True)
        sys.exit(1)


@main.command("search")
@click.argument("query", required=False)
@store_config_option
@db_option
@click.option("--topic", default=None, metavar="NAME", help="Only papers matched to this topic.")
@click.option("--since", callback=_parse_day, metavar="YYYY-MM-DD", help="Only papers first published on or after this day.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10_000), help="How many results.")
@click.option("--order", type=click.Choice(["rank", "date"]), default="rank", show_default=True,
              help="BM25 relevance, or newest first.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of papers.")
@_handle_errors
def search_cmd(query: str | None, config_path: str | None, db_path: str | None, topic: str | None, since: date | None,
               limit: int, order: str, as_json: bool) -> None:
    """Search the stored papers with an arXiv query (ti:, abs:, au:, cat:, AND, OR, ANDNOT ...).

    Without QUERY, --topic NAME lists that topic's papers, newest first.
    """
    import json

    from .bulk.search import paper_dict, search, topic_papers
    from .store import Store

    if query is None and topic is None:
        raise click.UsageError("give a QUERY, or --topic NAME to list a topic's papers")
    if db_path is None:
        db_path = str(_load_config(config_path).path_of("database")) if config_path else "arxiv-radar.sqlite"
    with Store.open(db_path, readonly=True) as store:
        if query is None:
            papers = topic_papers(store, topic, since=since, limit=limit)
        else:
            papers = search(store, query, topic=topic, since=since, limit=limit, order=order)
    if as_json:
        click.echo(json.dumps([paper_dict(p) for p in papers], ensure_ascii=False, indent=1))
        return
    for p in papers:
        click.echo(f"{p.id}  {p.published:%Y-%m-%d}  {p.title}  ({p.first_author}{' et al.' if len(p.authors) > 1 else ''})")
    if not papers:
        click.echo("no papers found", err=True)


# --------------------------------------------------------------------------- ranking


def _store_path(config_path: str | None, db_path: str | None):
    """(config or None, store path): the config's topics and database when there is a config."""
    config = None
    if config_path or not db_path:
        if config_path or Path("config.yaml").exists():
            config = _load_config(config_path or "config.yaml")
    path = db_path or (str(config.path_of("database")) if config else "arxiv-radar.sqlite")
    return config, path


@main.command("rank")
@config_option
@db_option
@click.option("--topic", "topic", default=None, metavar="NAME", help="Only this topic.")
@click.option("--since", callback=_parse_day, metavar="YYYY-MM-DD", help="Only papers first published on or after this day.")
@click.option("--until", callback=_parse_day, metavar="YYYY-MM-DD", help="Only papers first published on or before this day.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 100_000), help="How many papers.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list: id, topic, score, why (and title, published, url).")
@click.option("--offline", is_flag=True, help="Do not fetch library papers missing from the store.")
@date_option
@_handle_errors
def rank_cmd(config_path: str, db_path: str | None, topic: str | None, since: date | None, until: date | None,
             limit: int, as_json: bool, offline: bool, day: date | None) -> None:
    """Score your topics' papers by your library and likes, and print them best first.

    Scores are kept in the store (recomputed only when the library, the likes or the method
    change); digests, webhooks and the site use them. Library papers missing from the store are
    fetched from arXiv unless --offline.
    """
    import json

    from . import pipeline
    from .harvest import calendar
    from .ops.lock import store_lock
    from .rank import rank
    from .rank.listing import ranked, score_text, why_text

    config = _load_config(config_path)
    if topic is not None and topic not in config.topics:
        raise click.BadParameter(f"no topic {topic!r} in {config_path} (topics: {', '.join(config.topics)})",
                                 param_hint="--topic")
    topics = [topic] if topic else list(config.topics)
    with store_lock(_checked_store(config, db_path), command="rank"):
        with pipeline.open_store(config, db_path, must_exist=True) as store:
            client = None
            try:
                fetch = None
                if not offline:
                    from .sources import PoliteClient

                    client = PoliteClient(min_interval=config.request_interval, contact=config.contact_email)
                    fetch = pipeline.library_fetcher(config, client)
                report = rank(store, config, fetch=fetch, day=day or calendar.today(), topics=topics)
            finally:
                if client is not None:
                    client.close()
            papers = ranked(store, topics, since=since, until=until, limit=limit)
    for line in report.lines():
        click.echo(line, err=True)
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in papers], ensure_ascii=False, indent=1))
        return
    for r in papers:
        click.echo(f"{score_text(r.score)}  {r.paper.id}  {r.paper.published:%Y-%m-%d}  [{r.topic}]  {' '.join(r.paper.title.split())}")
        why = why_text(r.why)
        if why:
            click.echo(f"       {why}")
    if not papers:
        click.echo("no scored papers: give a `library:` in the config or like a paper (arxiv-radar like ID)", err=True)


def _feedback_ids(ids: tuple[str, ...]) -> list[str]:
    from .model import parse_arxiv_id

    out = []
    for text in ids:
        try:
            out.append(parse_arxiv_id(text)[0])
        except ValueError:
            raise click.BadParameter(f"{text!r} is not an arXiv id or arXiv URL", param_hint="ID")
    return list(dict.fromkeys(out))


def _feedback_command(name: str, value: int | None, doc: str):
    @main.command(name, help=doc)
    @click.argument("ids", nargs=-1, required=True, metavar="ID...")
    @store_config_option
    @db_option
    @click.option("--topic", default="", metavar="NAME", help="Only for this topic (default: every topic).")
    @_handle_errors
    def command(ids: tuple[str, ...], config_path: str | None, db_path: str | None, topic: str) -> None:
        from .store import Store

        pids = _feedback_ids(ids)
        config, path = _store_path(config_path, db_path)
        if topic and config is not None and topic not in config.topics:
            raise click.BadParameter(f"no topic {topic!r} (topics: {', '.join(config.topics)})", param_hint="--topic")
        # Like search and rank: a mistyped folder or --db must not grow a new, empty store.
        with Store.open(path, must_exist=True) as store:
            if value is None:
                n = store.clear_feedback(pids, topic=topic)
                click.echo(f"forgot {n} of {len(pids)} like(s)/dislike(s){f' for {topic}' if topic else ''}")
            else:
                store.set_feedback(pids, value, topic=topic)
                verb = "liked" if value > 0 else "disliked"
                click.echo(f"{verb} {_count(len(pids), 'paper')}{f' for {topic}' if topic else ''}; "
                           "the next run, render or `arxiv-radar rank` re-ranks")

    return command


like = _feedback_command("like", 1, "Mark papers you want more of: they and papers like them rank higher.")
dislike = _feedback_command("dislike", -1, "Mark papers as not interesting: they and papers like them rank lower.")
unlike = _feedback_command("unlike", None, "Forget your like or dislike of papers.")


@main.command()
@click.argument("arxiv_id")
@config_option
@db_option
@click.option("--topic", "topic_name", default=None, metavar="NAME", help="Only this topic (default: every topic).")
@_handle_errors
def explain(arxiv_id: str, config_path: str, db_path: str | None, topic_name: str | None) -> None:
    """Say, per topic, whether the stored paper ARXIV_ID matches and why.

    A match names each clause that matched, the field and the stemmed term; a miss names the
    first clause that failed. Works on the store alone, without network.
    """
    from . import pipeline
    from .model import parse_arxiv_id
    from .ops.explain import explain_lines

    config = _load_config(config_path)
    try:
        paper_id = parse_arxiv_id(arxiv_id.strip())[0]
    except ValueError:
        raise click.BadParameter(f"{arxiv_id!r} is not an arXiv identifier (e.g. 2602.01234)", param_hint="ARXIV_ID")
    if topic_name is not None and topic_name not in config.topics:
        known = ", ".join(repr(n) for n in config.topics)
        raise click.BadParameter(f"no topic {topic_name!r} in {config_path} (topics: {known})", param_hint="--topic")
    with pipeline.open_store(config, db_path, must_exist=True) as store:
        lines, found = explain_lines(store, config, paper_id, topic_name)
    for line in lines:
        click.echo(line)
    if not found:
        sys.exit(1)


@main.command("serve")
@store_config_option
@db_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind. Anything but loopback needs --token.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port (0 picks a free one).")
@click.option("--token", envvar="ARXIV_RADAR_SERVE_TOKEN", default=None, metavar="TOKEN",
              help="Require this token (header or login); env ARXIV_RADAR_SERVE_TOKEN. Needed off loopback.")
@_handle_errors
def serve_cmd(config_path: str | None, db_path: str | None, host: str, port: int, token: str | None) -> None:
    """A private reading room over the store: newest papers, search, tags, likes, notes, trends.

    Open http://127.0.0.1:8000/ (the JSON API is under /api/; docs/serve-api.md). Exit codes:
    0 after Ctrl-C, 2 for a usage error (no store, a public address without a token).
    """
    from .serve import check_bind, serve

    token = token or None  # an empty ARXIV_RADAR_SERVE_TOKEN means none
    check_bind(host, token)  # before anything else: a refused start says so in one line
    config, db_path = _store_path(config_path, db_path)
    topics = list(config.topics) if config is not None else []
    serve(db_path, host=host, port=port, token=token, topics=topics,
          announce=lambda url: click.echo(f"arxiv-radar reading room on {url} over {db_path} (Ctrl-C to stop)", err=True))
