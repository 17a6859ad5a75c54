"""The command line: argument handling and exit codes only; the work is in library functions.

Exit codes: 0 ok, 1 failure, 2 usage or configuration error, 3 partial harvest.
"""

from __future__ import annotations

import functools
import logging
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
            click.echo(f"arxiv-radar: error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("arxiv-radar: interrupted", err=True)
            sys.exit(130)

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
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
    # httpx logs every request at INFO; our client reports them itself.
    logging.getLogger("httpx").setLevel(logging.WARNING)


def _parse_day(ctx, param, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date in the form YYYY-MM-DD")


def _load_config(path: str):
    from .config import load_config

    config = load_config(path)
    for warning in config.warnings:
        log.warning("%s", warning)
    return config


config_option = click.option(
    "-c", "--config", "config_path", default="config.yaml", show_default=True,
    type=click.Path(dir_okay=False), help="The topics configuration file.",
)
db_option = click.option("--db", "db_path", type=click.Path(dir_okay=False), help="The SQLite store (default: the config's `database`).")
date_option = click.option("--date", "day", callback=_parse_day, metavar="YYYY-MM-DD", help="The day the run stands for (default: today in New York).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="arxiv-radar")
@click.option("-v", "--verbose", count=True, help="More detail (-vv for debugging).")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors.")
def main(verbose: int, quiet: bool) -> None:
    """Track new arXiv papers on your topics and publish them."""
    _setup_logging(verbose, quiet)


@main.command()
@config_option
@db_option
@click.option("--api-url", envvar="ARXIV_RADAR_API_URL", help="arXiv API endpoint (env ARXIV_RADAR_API_URL).")
@date_option
@_handle_errors
def run(config_path: str, db_path: str | None, api_url: str | None, day: date | None) -> None:
    """The daily job: harvest, store, match, render."""
    from . import calendar, pipeline

    config = _load_config(config_path)
    report = pipeline.run(config, day=day or calendar.today(), db_path=db_path, api_url=api_url)
    _print_report(report)


def _print_report(report) -> None:
    click.echo(f"Run for {report.day}: {report.harvested} papers harvested, {len(report.new)} new, {len(report.updated)} updated.")
    for name, counts in report.per_topic.items():
        click.echo(f"  {name}: {counts['new']} new, {counts['total']} in all")
    for path in report.written:
        click.echo(f"  wrote {path}")


@main.command()
@config_option
@db_option
@click.option("--style", type=click.Choice(["seed", "cv-arxiv-daily"]), help="Output style (default: the config's `style`).")
@date_option
@_handle_errors
def render(config_path: str, db_path: str | None, style: str | None, day: date | None) -> None:
    """Re-render every output from the store, without network."""
    from . import calendar, pipeline

    config = _load_config(config_path)
    written = pipeline.render(config, day=day or calendar.today(), db_path=db_path, style=style)
    for path in written:
        click.echo(f"wrote {path}")
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
    click.echo(f"Demo finished: {result.papers} papers in {len(result.topics)} topics.")
    for path in result.files:
        click.echo(f"  {path}")
    if result.site_index:
        click.echo(f"Open the site: {result.site_index.resolve().as_uri()}")


@main.group()
def mirror() -> None:
    """An arXiv-compatible server on loopback (API), for offline work and tests."""


@mirror.command("serve")
@click.option("--corpus", "corpus", multiple=True, required=True, type=click.Path(exists=True, dir_okay=False),
              help="An arXiv Atom file or bulk-metadata JSONL file (repeat for more).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (loopback by default).")
@click.option("--port", default=8080, show_default=True, type=int, help="Port to listen on (0 picks a free one).")
@_handle_errors
def mirror_serve(corpus: tuple[str, ...], host: str, port: int) -> None:
    """Serve papers in arXiv's API format until interrupted."""
    from .mirror import serve_forever

    serve_forever([Path(c) for c in corpus], host=host, port=port)


@main.command("import-legacy")
@click.argument("json_path", type=click.Path(exists=True, dir_okay=False))
@click.option("-c", "--config", "config_path", default=None, type=click.Path(dir_okay=False),
              help="A config whose `database` to use (default: ./arxiv-radar.sqlite unless --db).")
@db_option
@date_option
@_handle_errors
def import_legacy_cmd(json_path: str, config_path: str | None, db_path: str | None, day: date | None) -> None:
    """Import a cv-arxiv-daily JSON database (topic -> id -> row) into the store."""
    from . import calendar
    from .legacy_import import import_legacy
    from .store import Store

    if db_path is None:
        db_path = str(_load_config(config_path).path_of("database")) if config_path else "arxiv-radar.sqlite"
    with Store.open(db_path) as store:
        report = import_legacy(json_path, store, day or calendar.today())
    click.echo(f"Imported {report.rows} rows ({report.distinct_papers} distinct papers) from {json_path} into {db_path}.")
    for topic, count in report.topics.items():
        click.echo(f"  {topic}: {count} rows")
    if report.unreadable:
        click.echo(f"{len(report.unreadable)} rows could not be read:", err=True)
        for topic, key, why in report.unreadable:
            click.echo(f"  {topic} / {key}: {why}", err=True)
        sys.exit(1)
    click.echo("0 unreadable rows.")
