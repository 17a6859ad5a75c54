"""The project's own GitHub workflows pass actionlint, and the release they make builds and checks.

The distributions are built once per session, offline (`python -m build --no-isolation` with this
environment's setuptools), from a copy of the project in a temporary folder so the checkout gets
no build/ or egg-info litter; then `twine check --strict` reads both, as the release workflow does.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest
import yaml
from test_init import _lint

from arxiv_radar import __version__
from arxiv_radar.ops.install import build_wheel

REPO = Path(__file__).resolve().parent.parent
WORKFLOWS = REPO / ".github" / "workflows"
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def _load(name: str) -> dict:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as True
    return data


@pytest.mark.parametrize("name", ["tests.yml", "release.yml"])
def test_project_workflow_passes_actionlint(name):
    done = _lint(WORKFLOWS / name)
    assert done.returncode == 0, done.stdout + done.stderr


def test_tests_run_on_every_supported_python_on_push_and_pull_request():
    wf = _load("tests.yml")
    assert {"push", "pull_request"} <= set(wf["on"])
    job = wf["jobs"]["test"]
    assert job["strategy"]["matrix"]["python"] == ["3.11", "3.12", "3.13"]
    assert PYPROJECT["project"]["requires-python"] == ">=3.11"
    # The README's test command, through .ci/run (test_docs keeps those two in step).
    assert [s.get("run") for s in job["steps"] if "run" in s] == [".ci/run"]
    assert os.access(REPO / ".ci" / "run", os.X_OK)


def test_release_publishes_by_trusted_publishing_on_a_version_tag_after_the_tests():
    wf = _load("release.yml")
    assert wf["on"] == {"push": {"tags": ["v[0-9]*"]}}
    jobs = wf["jobs"]
    assert jobs["tests"]["uses"] == "./.github/workflows/tests.yml"
    build = "\n".join(s.get("run", "") for s in jobs["build"]["steps"])
    assert "python -m build" in build and "twine check --strict dist/*" in build
    publish = jobs["publish"]
    assert set(publish["needs"]) == {"tests", "build"}
    assert publish["permissions"] == {"id-token": "write"}
    assert publish["environment"]["name"] == "pypi"
    uses = [s.get("uses", "") for s in publish["steps"]]
    assert any(u.startswith("pypa/gh-action-pypi-publish@") for u in uses)
    assert not [s for s in publish["steps"] if "with" in s and "password" in s["with"]]  # no token


@pytest.fixture(scope="session")
def dists(tmp_path_factory) -> dict[str, Path]:
    src = tmp_path_factory.mktemp("project")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(REPO / name, src / name)
    shutil.copytree(REPO / "src", src / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc"))
    out = tmp_path_factory.mktemp("dist")
    env = dict(os.environ, PIP_NO_INDEX="1", SOURCE_DATE_EPOCH="315532800")
    done = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(src)],
                          capture_output=True, text=True, encoding="utf-8", env=env, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    return {"wheel": wheel, "sdist": sdist}


def test_the_sdist_and_wheel_build_offline_and_pass_twine_check(dists):
    assert dists["wheel"].name == f"arxiv_radar-{__version__}-py3-none-any.whl"
    assert dists["sdist"].name == f"arxiv_radar-{__version__}.tar.gz"
    assert PYPROJECT["project"]["version"] == __version__
    done = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", str(dists["wheel"]), str(dists["sdist"])],
                          capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("PASSED") == 2


def test_the_distributions_carry_the_data_files_the_code_reads(dists):
    with zipfile.ZipFile(dists["wheel"]) as zf:
        names = set(zf.namelist())
    for needed in ("arxiv_radar/store/migrations/0001_initial.sql",
                   "arxiv_radar/ops/scaffold/templates/workflow.yml.j2",
                   "arxiv_radar/render/static/site.js", "arxiv_radar/demo/corpus.jsonl"):
        assert needed in names
    with tarfile.open(dists["sdist"]) as tf:
        members = {m.name.split("/", 1)[1] for m in tf.getmembers() if "/" in m.name}
    assert {"pyproject.toml", "README.md", "LICENSE", "src/arxiv_radar/cli.py"} <= members


def test_the_wheel_init_packs_holds_what_the_release_wheel_holds(dists, tmp_path):
    """`init`'s wheel (ops/install.py) is no stranger thing than the real one: every file of the
    release wheel's package is in it with the same bytes, and its metadata says the same."""
    ours = build_wheel(tmp_path)
    with zipfile.ZipFile(dists["wheel"]) as real, zipfile.ZipFile(ours) as packed:
        real_pkg = {n for n in real.namelist() if n.startswith("arxiv_radar/")}
        packed_pkg = {n for n in packed.namelist() if n.startswith("arxiv_radar/")}
        assert real_pkg <= packed_pkg
        assert all(real.read(n) == packed.read(n) for n in real_pkg)
        assert {n for n in packed_pkg - real_pkg if not n.endswith(".md")} == set()  # notes only
        info = f"arxiv_radar-{__version__}.dist-info"

        def requires(zf):
            text = zf.read(f"{info}/METADATA").decode("utf-8")
            return sorted(line for line in text.splitlines() if line.startswith(("Requires-Dist:", "Version:")))

        assert requires(packed) == requires(real)
        assert packed.read(f"{info}/entry_points.txt") == real.read(f"{info}/entry_points.txt")
