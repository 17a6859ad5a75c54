"""`arxiv-radar init`: a commented config, a GitHub Actions workflow and a .gitignore (and, when
this arxiv-radar is on no index the runner can reach, a wheel of it: see ops/install.py).

Nothing here prompts: every choice is an argument with a default, so `init` works the same in a
terminal, a script or a test. Existing files are never replaced unless ``force=True``; the check
covers all files before any is written, so a refused `init` leaves the folder untouched.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import jinja2

from ...errors import ArxivRadarError
from ...fsutil import atomic_write_text
from ..install import WHEELS_DIR, InstallPlan, build_wheel, choose_install, install_command
from .schedule import Schedule, check_cron, default_schedule

__all__ = [
    "InitRefused",
    "InitResult",
    "init_project",
    "refresh_install",
    "render_files",
    "WORKFLOW_PATH",
    "default_schedule",
    "check_cron",
    "Schedule",
]

WORKFLOW_PATH = Path(".github/workflows/arxiv-radar.yml")
StoreMode = Literal["commit", "branch"]
PagesMode = Literal["artifact", "branch", "none"]

_BRANCH_RE = re.compile(r"^(?!-)(?!.*\.\.)(?!.*//)[A-Za-z0-9._/-]{1,100}(?<![./])$")
_SAFE_PATH_RE = re.compile(r"^[A-Za-z0-9._/-]{1,200}$")
_GITHUB_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
# The origin of a GitHub clone: https://github.com/OWNER/NAME(.git) or git@github.com:OWNER/NAME(.git).
_GITHUB_REMOTE = re.compile(r"github\.com[:/](?P<owner>[^/\s]+)/(?P<name>[^/\s]+?)(?:\.git)?/?$")
_EMAIL_RE = re.compile(r"^[^@\s\"'()<>;,]+@[^@\s\"'()<>;,]+$")


class InitRefused(ArxivRadarError):
    """`init` would overwrite a file, or was given a value it cannot write safely."""

    exit_code = 2


@dataclass
class InitResult:
    directory: Path
    written: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    schedule: Schedule | None = None
    store_mode: str = "commit"
    install: InstallPlan | None = None
    pages: str = "artifact"
    repository: str | None = None  # OWNER/NAME the Pages links use; None: not known


def _environment() -> jinja2.Environment:
    # GitHub's own `${{ }}` and shell's `${#x}` would clash with Jinja's defaults.
    return jinja2.Environment(
        loader=jinja2.PackageLoader("arxiv_radar.ops.scaffold", "templates"),
        variable_start_string="<@",
        variable_end_string="@>",
        block_start_string="<%",
        block_end_string="%>",
        comment_start_string="<#",
        comment_end_string="#>",
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
    )


def _check_inputs(store_mode: str, data_branch: str, store_path: str, contact_email: str | None,
                  python_version: str, install_spec: str | None, pages: str = "artifact") -> None:
    # Every value lands in YAML and shell unquoted or double-quoted: accept only plain shapes.
    if store_mode not in ("commit", "branch"):
        raise InitRefused(f"--store must be 'commit' or 'branch', not {store_mode!r}")
    if pages not in ("artifact", "branch", "none"):
        raise InitRefused(f"--pages must be 'artifact', 'branch' or 'none', not {pages!r}")
    if not _BRANCH_RE.fullmatch(data_branch):
        raise InitRefused(f"not a usable branch name: {data_branch!r}")
    if not _SAFE_PATH_RE.fullmatch(store_path) or store_path.startswith("/") or ".." in store_path.split("/"):
        raise InitRefused(f"the store path must be a plain relative path, got {store_path!r}")
    if contact_email is not None and not _EMAIL_RE.fullmatch(contact_email):
        raise InitRefused(f"not a plain e-mail address: {contact_email!r}")
    if not re.fullmatch(r"3\.\d{1,2}", python_version):
        raise InitRefused(f"--python must look like 3.12, got {python_version!r}")
    if install_spec is not None and (
            not install_spec.strip() or any(c in install_spec for c in "\n\r\"'`$;&|<>\\")):
        raise InitRefused(f"--install must be a plain pip requirement, got {install_spec!r}")


def render_files(
    *,
    store_mode: StoreMode = "commit",
    data_branch: str = "arxiv-radar-data",
    store_path: str = "arxiv-radar.sqlite",
    cron: str | None = None,
    contact_email: str | None = None,
    python_version: str = "3.12",
    install_spec: str | None = None,
    pages: PagesMode = "artifact",
    install: InstallPlan | None = None,
    repository: str | None = None,
) -> tuple[dict[Path, str], Schedule]:
    """The files `init` writes, as relative path -> text, and the schedule used.

    ``install``: where the workflow installs arxiv-radar from (default: ``choose_install``). A
    wheel it names is not among the returned files: `init_project` builds it.
    """
    _check_inputs(store_mode, data_branch, store_path, contact_email, python_version, install_spec, pages)
    install = install or choose_install(install_spec)
    user_name, _, repo_name = (repository or "").partition("/")
    if repository is not None and not (_GITHUB_NAME.fullmatch(user_name) and _GITHUB_NAME.fullmatch(repo_name)):
        raise InitRefused(f"not a GitHub OWNER/NAME: {repository!r}")
    schedule = default_schedule()
    if cron is not None:
        try:
            cron = check_cron(cron)
        except ValueError as exc:
            raise InitRefused(f"--cron: {exc}") from None
        schedule = Schedule(cron, ("Chosen with `arxiv-radar init --cron`.",) + schedule.reasoning)
    if store_mode == "branch":
        store_note = (
            f"the `{data_branch}` branch (one commit, replaced on each run that changes an output), "
            "so the main branch's history holds no database blobs."
        )
    else:
        store_note = (
            "committed next to the outputs on this branch, in the same commit "
            "(choose `arxiv-radar init --store branch` to keep it on a data branch instead)."
        )
    context = {
        "store_mode": store_mode,
        "data_branch": data_branch,
        "store_path": store_path,
        "store_note": "\n".join(f"#   {line}" for line in textwrap.wrap(store_note, 90)),
        "cron": schedule.cron,
        "reasoning": "\n".join(f"#   {line}" for line in schedule.reasoning),
        "contact_email": contact_email,
        "python_version": python_version,
        "install_command": install_command(install.spec),
        "install_note": install.reason,
        "pages": pages,
        "user_name": user_name,
        "repo_name": repo_name,
        "config_name": "config.yaml",
        "workflow_name": WORKFLOW_PATH.name,
    }
    env = _environment()
    files = {
        Path("config.yaml"): env.get_template("config.yaml.j2").render(context),
        WORKFLOW_PATH: env.get_template("workflow.yml.j2").render(context),
        Path(".gitignore"): env.get_template("gitignore.j2").render(context),
    }
    return files, schedule


def init_project(
    directory: str | Path = ".",
    *,
    force: bool = False,
    store_mode: StoreMode = "commit",
    data_branch: str = "arxiv-radar-data",
    store_path: str = "arxiv-radar.sqlite",
    cron: str | None = None,
    contact_email: str | None = None,
    python_version: str = "3.12",
    install_spec: str | None = None,
    pages: PagesMode = "artifact",
    install: InstallPlan | None = None,
    repository: str | None = None,
) -> InitResult:
    """Write config.yaml, the workflow and .gitignore into ``directory`` (created if needed), and
    the wheel the workflow installs when it installs one.

    Raises :class:`InitRefused` (exit code 2) listing every file that exists, unless ``force``.
    """
    directory = Path(directory)
    _check_inputs(store_mode, data_branch, store_path, contact_email, python_version, install_spec, pages)
    install = install or choose_install(install_spec)
    repository = repository if repository is not None else github_repository(directory)
    files, schedule = render_files(
        store_mode=store_mode, data_branch=data_branch, store_path=store_path, cron=cron,
        contact_email=contact_email, python_version=python_version, pages=pages, install=install,
        repository=repository,
    )
    if directory.exists() and not directory.is_dir():
        raise InitRefused(f"{directory} exists and is not a folder")
    targets = list(files) + ([install.wheel] if install.wheel else [])
    existing = [str(directory / rel) for rel in targets if (directory / rel).exists()]
    if existing and not force:
        raise InitRefused(
            "would overwrite " + ", ".join(existing) + " (use --force to replace them)"
        )
    result = InitResult(directory=directory, schedule=schedule, store_mode=store_mode, install=install,
                        pages=pages, repository=repository or None)
    for rel in targets:
        if (directory / rel).is_dir():
            raise InitRefused(f"{directory / rel} is a folder; cannot write a file there")
    if install.wheel:  # first: a failure to pack it leaves no half-made project behind
        result.written.append(build_wheel((directory / install.wheel).parent))
    for rel, text in files.items():
        path = directory / rel
        atomic_write_text(path, text)
        result.written.append(path)
    return result


def github_repository(directory: Path) -> str | None:
    """OWNER/NAME of ``directory``'s `origin` when it is a GitHub clone (for the Pages links)."""
    import subprocess

    if not directory.is_dir():
        return None
    try:
        done = subprocess.run(["git", "-C", str(directory), "config", "--get", "remote.origin.url"],
                              capture_output=True, text=True, encoding="utf-8", timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    match = _GITHUB_REMOTE.search(done.stdout.strip()) if done.returncode == 0 else None
    if not match or not (_GITHUB_NAME.fullmatch(match["owner"]) and _GITHUB_NAME.fullmatch(match["name"])):
        return None
    return f"{match['owner']}/{match['name']}"


def pages_link_hint(result: InitResult) -> str | None:
    """One line for `init` when Pages is on but the repository is unknown (no links possible)."""
    if result.pages == "none" or result.repository:
        return None
    return ("no GitHub remote 'origin': pass --repo OWNER/NAME so the README and feeds link to your "
            "Pages site (or set user_name and repo_name in config.yaml)")


_INSTALL_LINE = re.compile(r"^(?P<indent>[ \t]*)run: python -m pip install .*$", re.MULTILINE)


def refresh_install(directory: str | Path = ".", *, install_spec: str | None = None,
                    install: InstallPlan | None = None) -> InitResult:
    """Point the existing workflow's install step at this arxiv-radar (writing its wheel if it
    needs one); nothing else in the folder changes. What `doctor` suggests after an upgrade."""
    directory = Path(directory)
    _check_inputs("commit", "x", "x", None, "3.12", install_spec)
    install = install or choose_install(install_spec)
    workflow = directory / WORKFLOW_PATH
    try:
        text = workflow.read_text(encoding="utf-8")
    except OSError as exc:
        raise InitRefused(f"{workflow}: cannot read the workflow ({exc.strerror or exc}); run `arxiv-radar init`") from None
    found = _INSTALL_LINE.findall(text)
    if len(found) != 1:
        raise InitRefused(f"{workflow}: no single `run: python -m pip install ...` line to update; "
                          "edit its install step by hand")
    new = _INSTALL_LINE.sub(lambda m: f"{m['indent']}run: {install_command(install.spec)}", text)
    result = InitResult(directory=directory, install=install)
    if install.wheel:
        result.written.append(build_wheel((directory / install.wheel).parent))
    # Wheels of earlier versions in our folder are no longer named by anything: drop them.
    for old in sorted((directory / WHEELS_DIR).glob("arxiv_radar-*.whl")):
        if install.wheel is None or old.name != install.wheel.name:
            old.unlink()
            result.removed.append(old)
    if new != text:
        atomic_write_text(workflow, new)
        result.written.append(workflow)
    return result
