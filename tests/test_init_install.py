"""`init` writes an install step that works on GitHub on day one, and `doctor` checks it.

The rule (ops/install.py): a remote VCS install -> that URL pinned to its commit; a PyPI release
-> `arxiv-radar==X`; anything else -> a wheel of the running arxiv-radar in the repository. The
offline test runs the generated install command in a fresh virtual environment with no index.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from arxiv_radar import __version__
from arxiv_radar.cli import main
from arxiv_radar.ops.doctor import DoctorResult, doctor
from arxiv_radar.ops.install import WHEELS_DIR, build_wheel, check_install, choose_install, wheel_name
from arxiv_radar.ops.scaffold import WORKFLOW_PATH, init_project, refresh_install

COMMIT = "0123456789abcdef0123456789abcdef01234567"
WHEEL = WHEELS_DIR / wheel_name(__version__)


class FakeDist:
    """What importlib.metadata gives for an installed distribution, reduced to what we read."""

    def __init__(self, version: str, direct_url: dict | None):
        self.version = version
        self._direct = direct_url

    def read_text(self, name: str) -> str | None:
        if name == "direct_url.json":
            return json.dumps(self._direct) if self._direct is not None else None
        return None


@pytest.mark.parametrize("direct,version,kind,spec", [
    ({"url": "https://github.com/alice/arxiv-radar", "vcs_info": {"vcs": "git", "commit_id": COMMIT,
                                                                   "requested_revision": "main"}},
     "0.1.0", "vcs", f"arxiv-radar @ git+https://github.com/alice/arxiv-radar@{COMMIT}"),
    ({"url": "https://github.com/alice/mono", "subdirectory": "radar",
      "vcs_info": {"vcs": "git", "commit_id": COMMIT}},
     "0.1.0", "vcs", f"arxiv-radar @ git+https://github.com/alice/mono@{COMMIT}#subdirectory=radar"),
    # A clone on this disk is no use to GitHub's runner: a wheel instead.
    ({"url": "file:///home/alice/arxiv-radar", "vcs_info": {"vcs": "git", "commit_id": COMMIT}},
     "0.1.0", "wheel", None),
    ({"url": "https://example.org/arxiv_radar-0.1.0-py3-none-any.whl",
      "archive_info": {"hash": "sha256=" + "a" * 64}},
     "0.1.0", "url", "arxiv-radar @ https://example.org/arxiv_radar-0.1.0-py3-none-any.whl#sha256=" + "a" * 64),
    ({"url": "file:///tmp/arxiv_radar-0.1.0-py3-none-any.whl", "archive_info": {}}, "0.1.0", "wheel", None),
    ({"url": "file:///home/alice/arxiv-radar", "dir_info": {"editable": True}}, "0.1.0", "wheel", None),
    ({"url": "file:///home/alice/arxiv-radar", "dir_info": {}}, "0.1.0", "wheel", None),  # pip install .
    (None, "0.3.1", "index", "arxiv-radar==0.3.1"),  # pip install arxiv-radar
    (None, "0.3.1rc1", "index", "arxiv-radar==0.3.1rc1"),
    (None, "0.3.1+g0123abc", "wheel", None),  # a local version no index has
    (None, "0.3.1.dev4", "wheel", None),
])
def test_the_install_rule(direct, version, kind, spec):
    plan = choose_install(None, dist=FakeDist(version, direct))
    assert plan.kind == kind
    if kind == "wheel":
        assert plan.spec == f"./.arxiv-radar/wheels/arxiv_radar-{version}-py3-none-any.whl"
        assert plan.wheel == WHEELS_DIR / wheel_name(version)
    else:
        assert plan.spec == spec and plan.wheel is None


def test_install_given_by_the_user_wins():
    direct = {"url": "https://github.com/alice/arxiv-radar", "vcs_info": {"vcs": "git", "commit_id": COMMIT}}
    plan = choose_install("arxiv-radar==0.9", dist=FakeDist("0.1.0", direct))
    assert (plan.kind, plan.spec) == ("explicit", "arxiv-radar==0.9")


def _install_run(directory: Path) -> str:
    workflow = yaml.safe_load((directory / WORKFLOW_PATH).read_text(encoding="utf-8"))
    (step,) = [s for s in workflow["jobs"]["run"]["steps"] if s.get("id") == "install"]
    return step["run"]


def test_a_vcs_install_is_written_pinned_and_quoted_for_the_shell(tmp_path):
    direct = {"url": "https://github.com/alice/arxiv-radar", "vcs_info": {"vcs": "git", "commit_id": COMMIT}}
    init_project(tmp_path, install=choose_install(None, dist=FakeDist(__version__, direct)))
    run = _install_run(tmp_path)
    assert run == f"python -m pip install 'arxiv-radar @ git+https://github.com/alice/arxiv-radar@{COMMIT}'"
    assert not (tmp_path / ".arxiv-radar").exists()
    result = DoctorResult()
    check_install(tmp_path, result, WORKFLOW_PATH)
    assert [c.status for c in result.checks] == ["ok"]


def _site_packages() -> str:
    import sysconfig

    return sysconfig.get_paths()["purelib"]


def test_the_generated_install_step_installs_arxiv_radar_offline_in_a_fresh_venv(tmp_path):
    repo = tmp_path / "repo"
    init_project(repo)
    assert (repo / WHEEL).is_file()
    run = _install_run(repo)
    assert run == f"python -m pip install ./{WHEEL.as_posix()}"

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True, timeout=300)
    bindir = venv / "bin"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PYTHON", "VIRTUAL_ENV"))}
    # Offline: no index at all. Dependencies are the only thing taken from elsewhere: this test's
    # own environment (below), since downloading them is not what is under test.
    env.update(PATH=f"{bindir}{os.pathsep}{env.get('PATH', '')}", PIP_NO_INDEX="1", PIP_NO_DEPS="1",
               PIP_DISABLE_PIP_VERSION_CHECK="1")
    done = subprocess.run(["bash", "-e", "-c", run], cwd=repo, env=env, capture_output=True, text=True,
                          encoding="utf-8", timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    (purelib,) = [p for p in (venv / "lib").glob("python3*/site-packages")]
    assert (purelib / "arxiv_radar" / "ops" / "scaffold" / "templates" / "workflow.yml.j2").is_file()
    # The dependencies, after the install so that pip saw none of them: our own site-packages.
    (purelib / "zz_test_dependencies.pth").write_text(_site_packages() + "\n", encoding="utf-8")

    version = subprocess.run([str(bindir / "arxiv-radar"), "--version"], env=env, capture_output=True, text=True,
                             encoding="utf-8", timeout=120)
    assert version.returncode == 0, version.stderr
    assert __version__ in version.stdout
    where = subprocess.run([str(bindir / "python"), "-c", "import arxiv_radar; print(arxiv_radar.__file__)"],
                           env=env, capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert Path(where.stdout.strip()).is_relative_to(purelib)
    # Every Requires-Dist of the installed wheel is met (other packages' complaints are not ours).
    check = subprocess.run([str(bindir / "python"), "-m", "pip", "check"], env=env, capture_output=True,
                           text=True, encoding="utf-8", timeout=120)
    assert "arxiv-radar" not in check.stdout.lower() and "arxiv_radar" not in check.stdout.lower()

    # The installed copy, asked to init, packs itself again (from its installed files now, as
    # after `pip install .`): the same bytes as the wheel it came from.
    again = tmp_path / "again"
    done = subprocess.run([str(bindir / "arxiv-radar"), "init", str(again)], env=env, capture_output=True,
                          text=True, encoding="utf-8", timeout=120)
    assert done.returncode == 0, done.stderr
    assert (again / WHEEL).read_bytes() == (repo / WHEEL).read_bytes()


def test_the_wheel_is_reproducible_and_complete(tmp_path):
    first = build_wheel(tmp_path / "a")
    second = build_wheel(tmp_path / "b")
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as zf:
        names = zf.namelist()
        info = f"arxiv_radar-{__version__}.dist-info"
        assert {f"{info}/METADATA", f"{info}/WHEEL", f"{info}/RECORD", f"{info}/entry_points.txt"} <= set(names)
        assert "arxiv_radar/store/migrations/0001_initial.sql" in names
        assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
        assert "arxiv-radar = arxiv_radar.cli:main" in zf.read(f"{info}/entry_points.txt").decode()
        record = zf.read(f"{info}/RECORD").decode().splitlines()
        assert len(record) == len(names)
        assert zf.testzip() is None


# --------------------------------------------------------------------------- doctor


def _workflow_checks(directory: Path) -> list[tuple[str, str]]:
    result = DoctorResult()
    check_install(directory, result, WORKFLOW_PATH)
    return [(c.status, c.message) for c in result.checks]


def test_doctor_on_a_fresh_init_is_happy_offline(tmp_path, monkeypatch):
    init_project(tmp_path)
    result = doctor(tmp_path / "config.yaml", offline=True, env={})
    assert result.exit_code == 0, [(c.status, c.message) for c in result.checks]
    assert any(c.area == "workflow" and c.status == "ok" and str(WHEEL) in c.message for c in result.checks)
    monkeypatch.chdir(tmp_path)
    for name in [k for k in os.environ if k.startswith("ARXIV_RADAR_")]:
        monkeypatch.delenv(name)
    cli = CliRunner().invoke(main, ["doctor", "--offline"])
    assert cli.exit_code == 0, cli.output
    assert f"workflow: {WORKFLOW_PATH}: installs arxiv-radar {__version__}" in cli.output


def test_doctor_says_how_to_fix_a_missing_wheel_and_refresh_install_fixes_it(tmp_path):
    init_project(tmp_path)
    (tmp_path / WHEEL).unlink()
    [(status, message)] = _workflow_checks(tmp_path)
    assert status == "fail" and "not in the repository" in message and "--refresh-install" in message
    assert doctor(tmp_path / "config.yaml", offline=True, env={}).exit_code == 1

    config_before = (tmp_path / "config.yaml").read_bytes()
    result = CliRunner().invoke(main, ["init", str(tmp_path), "--refresh-install"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / WHEEL).is_file()
    assert (tmp_path / "config.yaml").read_bytes() == config_before
    assert _workflow_checks(tmp_path)[0][0] == "ok"


def test_refresh_install_changes_only_the_install_line(tmp_path):
    init_project(tmp_path, install_spec="arxiv-radar==0.0.1")
    stale = tmp_path / WHEELS_DIR / "arxiv_radar-0.0.1-py3-none-any.whl"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"an older wheel")
    before = (tmp_path / WORKFLOW_PATH).read_text(encoding="utf-8")
    [(status, message)] = _workflow_checks(tmp_path)
    assert status == "warn" and "0.0.1" in message and __version__ in message
    refresh_install(tmp_path)
    after = (tmp_path / WORKFLOW_PATH).read_text(encoding="utf-8")
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines()) if a != b]
    assert changed == [("        run: python -m pip install arxiv-radar==0.0.1",
                        f"        run: python -m pip install ./{WHEEL.as_posix()}")]
    assert not stale.exists() and (tmp_path / WHEEL).is_file()


def _with_install_line(directory: Path, line: str) -> None:
    init_project(directory, install_spec="arxiv-radar")
    path = directory / WORKFLOW_PATH
    text = path.read_text(encoding="utf-8").replace("run: python -m pip install arxiv-radar\n", f"run: {line}\n")
    path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("line,status,words", [
    (f"python -m pip install 'arxiv-radar @ git+https://github.com/a/arxiv-radar@{COMMIT}'", "ok", "installs"),
    ("python -m pip install 'arxiv-radar @ git+https://github.com/a/arxiv-radar'", "warn", "without pinning"),
    ("python -m pip install 'arxiv-radar @ git+file:///home/a/arxiv-radar'", "fail", "runner can reach"),
    ("python -m pip install 'arxiv-radar @ git+https//github.com/a/x'", "fail", "runner can reach"),
    ("python -m pip install ./.arxiv-radar/wheels/arxiv_radar-9.9.9-py3-none-any.whl", "fail", "not in the repository"),
    (f"python -m pip install arxiv-radar=={__version__}", "ok", "from PyPI"),
    ("python -m pip install -r requirements.txt", "ok", "not checked"),
])
def test_doctor_reads_every_kind_of_install_line(tmp_path, line, status, words):
    _with_install_line(tmp_path, line)
    [(got, message)] = _workflow_checks(tmp_path)
    assert got == status and words in message, message


def test_doctor_notices_a_wheel_of_another_version(tmp_path):
    init_project(tmp_path)
    wheel = tmp_path / WHEEL
    with zipfile.ZipFile(wheel) as zf:
        entries = {n: zf.read(n) for n in zf.namelist()}
    meta = f"arxiv_radar-{__version__}.dist-info/METADATA"
    entries[meta] = entries[meta].replace(f"Version: {__version__}".encode(), b"Version: 0.0.1")
    with zipfile.ZipFile(wheel, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    [(status, message)] = _workflow_checks(tmp_path)
    assert status == "warn" and "0.0.1" in message and "--refresh-install" in message
    wheel.write_bytes(b"not a zip")
    assert _workflow_checks(tmp_path)[0][0] == "fail"
