"""The generated GitHub Actions workflow, run for real: its own shell steps, in a temporary git
repository pushing to a bare "origin", against a loopback arXiv mirror.

And a run killed with SIGKILL mid-harvest, followed by a normal run, must leave the same store
and byte-identical outputs as one uninterrupted run.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml

from arxiv_radar.demo import corpus_path
from arxiv_radar.mirror import start_mirror
from arxiv_radar.ops.scaffold import WORKFLOW_PATH

BIN = Path(sys.executable).parent
DAY = "2025-03-02"


def _git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 0, f"git {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout.strip()


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GITHUB_", "ARXIV_RADAR_", "GIT_", "RUNNER_"))}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    # No user or system git config leaks into the test (signing, hooks, default branch).
    env["GIT_CONFIG_GLOBAL"] = os.devnull
    env["GIT_CONFIG_NOSYSTEM"] = "1"
    return env


@pytest.fixture(scope="module")
def mirror():
    with start_mirror([corpus_path()]) as handle:
        yield handle


def _mirror_env(m) -> dict[str, str]:
    return {
        "ARXIV_RADAR_API_URL": m.api_url,
        "ARXIV_RADAR_OAI_URL": m.oai_url,
        "ARXIV_RADAR_RSS_URL": m.rss_url,
        "ARXIV_RADAR_HF_URL": m.url,
    }


def _new_project(tmp: Path, *init_args: str, enrich: bool = True) -> tuple[Path, Path]:
    """A bare origin and a user's working copy holding what `arxiv-radar init` wrote, pushed."""
    origin = tmp / "origin.git"
    _git(tmp, "init", "--quiet", "--bare", "-b", "main", str(origin))
    work = tmp / "work"
    work.mkdir()
    _git(work, "init", "--quiet", "-b", "main")
    _git(work, "config", "user.name", "Test User")
    _git(work, "config", "user.email", "user@example.org")
    done = subprocess.run([str(BIN / "arxiv-radar"), "init", *init_args], cwd=work, env=_clean_env(),
                          capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 0, done.stderr
    # The user's one edit: the loopback mirror needs no 3 s courtesy gap between requests.
    with (work / "config.yaml").open("a", encoding="utf-8") as fh:
        fh.write("request_interval: 0\n")
        if not enrich:  # the mirror has no code links to find; lookups only cost time here
            fh.write("enrich:\n  huggingface: false\n")
    _git(work, "add", "--all")
    _git(work, "commit", "--quiet", "-m", "arxiv-radar init")
    _git(work, "remote", "add", "origin", str(origin))
    _git(work, "push", "--quiet", "-u", "origin", "main")
    return origin, work


_IF = re.compile(r"^steps\.(\w+)\.outputs\.(\w+) == '([^']*)'$")


def _run_workflow(repo: Path, tmp: Path, mirror, *, day: str | None = DAY,
                  failing: dict[str, int] | None = None) -> dict[str, dict[str, str]]:
    """Run the workflow's shell steps in ``repo`` as the runner would; returns each step's outputs.

    Steps that `uses:` an action (checkout, setup-python) and the install step are skipped: the
    checkout is ``repo`` itself and arxiv-radar is installed in this venv. ``failing`` names the
    steps expected to fail, with their exit code; like GitHub, the job stops at the first failure.
    """
    failing = failing or {}
    workflow = yaml.safe_load((repo / WORKFLOW_PATH).read_text(encoding="utf-8"))
    job = workflow["jobs"]["run"]
    runner_temp = tmp / "runner-temp"
    runner_temp.mkdir(exist_ok=True)
    expressions = {"${{ inputs.date }}": day or "", "${{ github.token }}": "not-a-real-token"}
    env = _clean_env()
    env.update(_mirror_env(mirror))
    env.update({
        "GITHUB_REF_NAME": "main",
        "GITHUB_REPOSITORY": "someone/papers",
        "GITHUB_STEP_SUMMARY": str(runner_temp / "summary.md"),
        "RUNNER_TEMP": str(runner_temp),
        "CI": "true",
    })
    for key, value in job.get("env", {}).items():
        env[key] = expressions.get(str(value), str(value))
    outputs: dict[str, dict[str, str]] = {}
    for index, step in enumerate(job["steps"]):
        if "uses" in step or step.get("id") == "install":
            continue
        step_id = step.get("id", f"step{index}")
        condition = step.get("if")
        if condition is not None:
            match = _IF.match(condition)
            assert match, f"the test does not know how to evaluate if: {condition}"
            if outputs.get(match[1], {}).get(match[2]) != match[3]:
                continue
        out_file = runner_temp / f"{step_id}.out"
        out_file.write_text("", encoding="utf-8")
        step_env = dict(env, GITHUB_OUTPUT=str(out_file))
        for key, value in step.get("env", {}).items():
            step_env[key] = expressions.get(str(value), str(value))
        script = runner_temp / f"{step_id}.sh"
        script.write_text(step["run"], encoding="utf-8")
        # What GitHub runs for a `run:` step without `shell:` on Linux.
        done = subprocess.run(["bash", "--noprofile", "--norc", "-e", str(script)], cwd=repo,
                              env=step_env, capture_output=True, text=True, encoding="utf-8", timeout=120)
        assert done.returncode == failing.get(step_id, 0), (
            f"step {step.get('name')!r} exited {done.returncode}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
        )
        outputs[step_id] = dict(
            line.split("=", 1) for line in out_file.read_text(encoding="utf-8").splitlines() if "=" in line
        )
        if done.returncode != 0:
            break
    assert set(failing) <= set(outputs), f"expected failures did not happen: {failing}"
    return outputs


def _checkout(origin: Path, where: Path) -> Path:
    """What actions/checkout does: a fresh clone of the branch."""
    subprocess.run(["git", "clone", "--quiet", "-b", "main", str(origin), str(where)], check=True,
                   env=_clean_env())
    return where


def test_workflow_commits_new_papers_then_nothing_when_nothing_is_new(tmp_path, mirror):
    origin, work = _new_project(tmp_path)
    init_head = _git(origin, "rev-parse", "main")

    runner = _checkout(origin, tmp_path / "run1")
    # Someone pushes while the job runs: the job's first push is refused, it rebases and retries.
    (work / "NOTES.md").write_text("my notes\n", encoding="utf-8")
    _git(work, "add", "NOTES.md")
    _git(work, "commit", "--quiet", "-m", "notes")
    _git(work, "push", "--quiet", "origin", "main")

    outputs = _run_workflow(runner, tmp_path, mirror)
    assert outputs["run"]["status"] == "0"
    assert outputs["commit"]["changed"] == "true"
    log = _git(origin, "log", "--format=%s", "main").splitlines()
    assert log == [f"arxiv-radar: papers for {DAY}", "notes", "arxiv-radar init"]
    changed = _git(origin, "diff", "--name-only", f"{init_head}", "main").splitlines()
    assert "README.md" in changed and "arxiv-radar.sqlite" in changed and "NOTES.md" in changed
    readme = _git(origin, "show", "main:README.md")
    assert "Deepfake Detection" in readme and "2502.20225" in readme  # a paper of the sample
    # Side files never reach a commit.
    files = _git(origin, "ls-tree", "-r", "--name-only", "main").splitlines()
    assert not [f for f in files if f.endswith(("-wal", "-shm", ".lock", "report.json"))]
    # Pages by artifact (init's default): the site is built in the checkout for the upload step
    # but never committed; the Pages front page and the feeds are.
    assert (runner / "docs" / "site" / "index.html").is_file()
    assert not [f for f in files if f.startswith("docs/site/")]
    assert "docs/index.md" in files and "docs/feeds/all.atom.xml" in files
    summary = (tmp_path / "runner-temp" / "summary.md").read_text(encoding="utf-8")
    assert '"status": "ok"' in summary

    head = _git(origin, "rev-parse", "main")
    # The next day's job: a fresh checkout with the store from the commit; nothing new.
    outputs = _run_workflow(_checkout(origin, tmp_path / "run2"), tmp_path, mirror)
    assert outputs["run"]["status"] == "0"
    assert outputs["commit"]["changed"] == "false"
    assert _git(origin, "rev-parse", "main") == head


def test_workflow_with_a_data_branch_keeps_the_store_off_main(tmp_path, mirror):
    origin, _ = _new_project(tmp_path, "--store", "branch", "--data-branch", "radar-data", enrich=False)
    assert "arxiv-radar.sqlite" in (tmp_path / "work" / ".gitignore").read_text(encoding="utf-8")

    outputs = _run_workflow(_checkout(origin, tmp_path / "run1"), tmp_path, mirror)
    assert outputs["commit"]["changed"] == "true"
    main_files = _git(origin, "ls-tree", "-r", "--name-only", "main").splitlines()
    assert "README.md" in main_files and "arxiv-radar.sqlite" not in main_files
    assert _git(origin, "ls-tree", "--name-only", "radar-data").splitlines() == ["arxiv-radar.sqlite"]
    data_head = _git(origin, "rev-parse", "radar-data")
    main_head = _git(origin, "rev-parse", "main")

    # Second run: the store comes back from the data branch (so its watermark says "done"),
    # nothing is new, nothing is pushed anywhere.
    runner = _checkout(origin, tmp_path / "run2")
    outputs = _run_workflow(runner, tmp_path, mirror)
    assert (runner / "arxiv-radar.sqlite").is_file()
    assert outputs["commit"]["changed"] == "false"
    assert "save" not in outputs
    assert _git(origin, "rev-parse", "main") == main_head
    assert _git(origin, "rev-parse", "radar-data") == data_head
    with sqlite3.connect(runner / "arxiv-radar.sqlite") as conn:
        assert [r[0] for r in conn.execute("SELECT status FROM runs ORDER BY id")] == ["ok", "ok"]


def test_partial_harvest_commits_what_was_fetched_then_fails_the_job(tmp_path, mirror):
    from arxiv_radar.mirror.messages import Response

    origin, _ = _new_project(tmp_path, enrich=False)

    def refuse_oai(handler):
        # A 400 is not retried: the OAI step fails at once, the API step still succeeds.
        return lambda request: Response.text(400, "no") if request.path.startswith("/oai") else handler(request)

    mirror.server.wrappers.append(refuse_oai)
    try:
        outputs = _run_workflow(_checkout(origin, tmp_path / "run1"), tmp_path, mirror,
                                failing={"partial": 3})
    finally:
        mirror.server.wrappers.remove(refuse_oai)
    assert outputs["run"]["status"] == "3"
    assert outputs["commit"]["changed"] == "true"
    readme = _git(origin, "show", "main:README.md")
    assert "2502.20225" in readme  # the API topic's papers were committed


# --------------------------------------------------------------------------- SIGKILL mid-harvest


def _demo_project(where: Path) -> Path:
    where.mkdir()
    config = yaml.safe_load((corpus_path().parent / "config.yaml").read_text(encoding="utf-8"))
    config.update({"lookback_days": 21, "request_interval": 0,
                   "publish_gitpage": True, "enrich": {"huggingface": False}})
    (where / "config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return where


def _run_cli(project: Path, mirror, **popen) -> subprocess.Popen:
    env = _clean_env()
    env.update(_mirror_env(mirror))
    return subprocess.Popen(
        [str(BIN / "arxiv-radar"), "run", "-c", "config.yaml", "--date", DAY],
        cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        encoding="utf-8", **popen,
    )


def _store_rows(db: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(db) as conn:
        return {
            "papers": conn.execute("SELECT * FROM papers ORDER BY id").fetchall(),
            "versions": conn.execute("SELECT * FROM versions ORDER BY paper_id, number").fetchall(),
            "matches": conn.execute("SELECT * FROM matches ORDER BY topic, paper_id").fetchall(),
            "events": conn.execute(
                "SELECT paper_id, kind, version, day FROM events ORDER BY paper_id, kind, version"
            ).fetchall(),
            "state": conn.execute("SELECT * FROM state ORDER BY key").fetchall(),
        }


def _outputs(project: Path) -> dict[str, bytes]:
    """Every output file's bytes, the site's search index included (it is byte-deterministic)."""
    out = {}
    for p in sorted(project.rglob("*")):
        rel = p.relative_to(project).as_posix()
        if not p.is_file() or ".sqlite" in p.name:
            continue
        out[rel] = p.read_bytes()
    return out


def test_sigkill_mid_harvest_then_a_normal_run_equals_one_uninterrupted_run(tmp_path, mirror):
    reference = _demo_project(tmp_path / "reference")
    done = _run_cli(reference, mirror)
    out, err = done.communicate(timeout=120)
    assert done.returncode == 0, err

    # Hold the first request until the run has been killed: it is then surely mid-harvest (the
    # API's pages are 1,000 papers, so this small harvest is one request; what a harvest fetched
    # is stored in one transaction after it, so a later kill leaves the store no different).
    arrived = threading.Event()
    release = threading.Event()
    count = 0
    lock = threading.Lock()

    def hold_third(handler):
        def wrapped(request):
            nonlocal count
            with lock:
                count += 1
                mine = count
            if mine == 1:
                arrived.set()
                release.wait(30)
            return handler(request)
        return wrapped

    killed = _demo_project(tmp_path / "killed")
    mirror.server.wrappers.append(hold_third)
    try:
        proc = _run_cli(killed, mirror)
        try:
            assert arrived.wait(60), "the run never made its first request"
            os.kill(proc.pid, signal.SIGKILL)
            proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
        assert proc.returncode == -signal.SIGKILL
    finally:
        release.set()
        mirror.server.wrappers.remove(hold_third)
    assert not (killed / "README.md").exists()  # it died before rendering anything

    lock_left = (killed / "arxiv-radar.sqlite.lock").exists()
    again = _run_cli(killed, mirror)
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    if lock_left:  # the lock is taken over, with a warning, not an error
        assert "stale lock" in err
    assert not (killed / "arxiv-radar.sqlite.lock").exists()

    assert _store_rows(killed / "arxiv-radar.sqlite") == _store_rows(reference / "arxiv-radar.sqlite")
    assert _outputs(killed) == _outputs(reference)
    assert "README.md" in _outputs(reference)
    with sqlite3.connect(killed / "arxiv-radar.sqlite") as conn:
        statuses = [r[0] for r in conn.execute("SELECT status FROM runs ORDER BY id")]
    assert statuses == ["running", "ok"]  # the killed run never finished; the log says so
