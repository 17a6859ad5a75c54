"""Where the generated workflow installs arxiv-radar from, and `doctor`'s check of that line.

A workflow must install on GitHub, on day one, the arxiv-radar that wrote it. The rule, first
match wins (``choose_install``):

1. ``--install SPEC`` given: that, verbatim.
2. This arxiv-radar was installed from a remote VCS URL (PEP 610 ``direct_url.json`` with
   ``vcs_info``, an ``https``/``ssh`` URL): that URL pinned to the installed commit,
   ``arxiv-radar @ git+https://github.com/OWNER/arxiv-radar@<40-hex commit>``.
3. It was installed from a remote archive URL (``archive_info``, ``https``): that URL, with its
   hash when pip recorded one.
4. It was installed by name from a package index (no ``direct_url.json``: PEP 610 writes one for
   every direct URL, local folder or file) and its version is a public release (no ``+local``
   part, no ``.dev``): ``arxiv-radar==<version>``, from PyPI.
5. Otherwise (``pip install .``, an editable install, a local wheel or VCS clone, a development
   version): ``init`` writes a wheel of the running arxiv-radar into the new repository,
   ``.arxiv-radar/wheels/arxiv_radar-<version>-py3-none-any.whl``, and the workflow installs
   that file (pip fetches its dependencies from PyPI as usual).

The wheel is rebuilt from what runs: the package folder that Python imports (for an editable
install, the source tree) and the installed metadata (``METADATA``, entry points, licence), with
a fresh ``WHEEL`` and ``RECORD``. arxiv-radar is pure Python, so that is the whole wheel; no
build tool or network is needed, and the same installation gives the same bytes (fixed file
times, sorted entries).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import shlex
import zipfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from .. import __version__
from ..errors import ArxivRadarError

__all__ = ["InstallPlan", "choose_install", "build_wheel", "wheel_name", "check_install", "WHEELS_DIR",
           "DIST_NAME", "install_command"]

DIST_NAME = "arxiv-radar"
WHEELS_DIR = Path(".arxiv-radar/wheels")
Kind = Literal["explicit", "vcs", "url", "index", "wheel"]

_RELEASE = re.compile(r"^\d+(\.\d+)*((a|b|rc)\d+)?(\.post\d+)?$")
_COMMIT = re.compile(r"^[0-9a-f]{40}$")
# What `init` writes: `python -m pip install <one argument>`.
_INSTALL_RUN = re.compile(r"^python -m pip install (?P<spec>.+)$")
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can say: the same bytes on every build
_SKIP_METADATA = {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json", "WHEEL"}


class InstallError(ArxivRadarError):
    """The running arxiv-radar cannot be packed into a wheel for the workflow."""

    exit_code = 2


@dataclass(frozen=True)
class InstallPlan:
    kind: Kind
    spec: str  # the single argument to `pip install`
    reason: str  # one sentence, for `init`'s output
    wheel: Path | None = None  # relative to the new repository, for kind == "wheel"


def _direct_url(dist: Any) -> dict | None:
    text = dist.read_text("direct_url.json") if dist is not None else None
    if not text:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _remote(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("https", "ssh", "http") and bool(parts.netloc)


def wheel_name(version: str) -> str:
    return f"{DIST_NAME.replace('-', '_')}-{version}-py3-none-any.whl"


def _distribution() -> Any:
    try:
        return metadata.distribution(DIST_NAME)
    except metadata.PackageNotFoundError:
        return None


def choose_install(install_spec: str | None = None, dist: Any = "auto") -> InstallPlan:
    """What the workflow installs, by the module docstring's rule. ``dist``: for tests."""
    if install_spec:
        return InstallPlan("explicit", install_spec, "what was given with `init --install`")
    if dist == "auto":
        dist = _distribution()
    version = dist.version if dist is not None else __version__
    direct = _direct_url(dist)
    if direct is not None:
        url = str(direct.get("url", ""))
        vcs = direct.get("vcs_info")
        if isinstance(vcs, dict) and _remote(url) and _COMMIT.fullmatch(str(vcs.get("commit_id", ""))):
            spec = f"{DIST_NAME} @ {vcs.get('vcs', 'git')}+{url}@{vcs['commit_id']}"
            if direct.get("subdirectory"):
                spec += f"#subdirectory={direct['subdirectory']}"
            return InstallPlan("vcs", spec, f"the repository this arxiv-radar was installed from, at commit "
                                            f"{vcs['commit_id'][:12]}")
        archive = direct.get("archive_info")
        if isinstance(archive, dict) and _remote(url):
            digest = archive.get("hash") or ""
            spec = f"{DIST_NAME} @ {url}" + (f"#{digest}" if re.fullmatch(r"sha256=[0-9a-f]{64}", digest) else "")
            return InstallPlan("url", spec, "the archive this arxiv-radar was installed from")
    elif dist is not None and _RELEASE.fullmatch(version):
        return InstallPlan("index", f"{DIST_NAME}=={version}", f"release {version} from PyPI")
    rel = WHEELS_DIR / wheel_name(version)
    return InstallPlan("wheel", "./" + rel.as_posix(), f"a wheel of this arxiv-radar {version}, written "
                                                       f"into the repository", wheel=rel)


# --------------------------------------------------------------------------- the wheel


def _hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")


def _package_files(root: Path) -> list[tuple[str, Path]]:
    out = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if not path.is_file() or "__pycache__" in rel.parts or path.suffix in (".pyc", ".pyo"):
            continue
        if any(part.startswith(".") for part in rel.parts):
            continue
        if path.suffix in (".so", ".pyd", ".dylib"):
            raise InstallError(f"{path} is compiled code: cannot pack a pure-Python wheel; pass --install")
        out.append((f"{root.name}/{rel.as_posix()}", path))
    return out


def build_wheel(out_dir: Path, dist: Any = "auto") -> Path:
    """Write a wheel of the running arxiv-radar into ``out_dir``; return its path."""
    import arxiv_radar

    if dist == "auto":
        dist = _distribution()
    if dist is None or dist.read_text("METADATA") is None:
        raise InstallError("arxiv-radar is not installed (no package metadata), so init cannot pack it "
                           "into a wheel: install it (pip install .) or pass --install SPEC")
    version = dist.version
    info = f"{DIST_NAME.replace('-', '_')}-{version}.dist-info"
    entries: list[tuple[str, bytes]] = [
        (arc, path.read_bytes()) for arc, path in _package_files(Path(arxiv_radar.__file__).resolve().parent)
    ]
    for f in dist.files or []:
        if len(f.parts) < 2 or not f.parts[0].endswith(".dist-info") or f.parts[1] in _SKIP_METADATA:
            continue
        entries.append((f"{info}/{'/'.join(f.parts[1:])}", Path(dist.locate_file(f)).read_bytes()))
    if not any(arc == f"{info}/METADATA" for arc, _ in entries):
        entries.append((f"{info}/METADATA", dist.read_text("METADATA").encode("utf-8")))
    entries.append((f"{info}/WHEEL", (
        "Wheel-Version: 1.0\nGenerator: arxiv-radar init\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    ).encode("ascii")))
    entries.sort()
    record = "".join(f"{arc},{_hash(data)},{len(data)}\n" for arc, data in entries) + f"{info}/RECORD,,\n"
    entries.append((f"{info}/RECORD", record.encode("utf-8")))

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for arc, data in entries:
            zinfo = zipfile.ZipInfo(arc, date_time=_ZIP_TIME)
            zinfo.external_attr = 0o644 << 16
            zinfo.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(zinfo, data)
    from ..fsutil import atomic_write_bytes

    out = Path(out_dir) / wheel_name(version)
    atomic_write_bytes(out, buffer.getvalue())
    return out


def install_command(spec: str) -> str:
    """The install step's shell line (quoted when the spec has a space, as `name @ url` has)."""
    return f"python -m pip install {shlex.quote(spec)}"


# --------------------------------------------------------------------------- doctor


def _install_step(workflow: Path) -> str | None:
    import yaml

    try:
        data = yaml.safe_load(workflow.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    jobs = data.get("jobs") if isinstance(data, dict) else None
    for job in (jobs or {}).values():
        for step in (job or {}).get("steps") or []:
            if isinstance(step, dict) and (step.get("id") == "install" or step.get("name") == "Install arxiv-radar"):
                return str(step.get("run", "")).strip()
    return None


def check_install(directory: Path, result: Any, workflow_rel: Path) -> None:
    """Add `doctor` checks for the workflow's install step: does it install this arxiv-radar?"""
    workflow = directory / workflow_rel
    name = str(workflow_rel)
    if not workflow.is_file():
        return  # no workflow: arxiv-radar runs by hand or from cron
    fix = "`arxiv-radar init --refresh-install` points it at this arxiv-radar"
    run = _install_step(workflow)
    if run is None:
        result.add("workflow", name, "warn", f"has no install step (id: install) that doctor can read; {fix}")
        return
    match = _INSTALL_RUN.fullmatch(run)
    try:
        args = shlex.split(match["spec"]) if match else []
    except ValueError:
        args = []
    if len(args) != 1:
        result.add("workflow", name, "ok", f"installs with `{run}` (not a line init writes; not checked)")
        return
    spec = args[0]
    if spec.endswith(".whl"):
        wheel = directory / spec
        if not wheel.is_file():
            result.add("workflow", name, "fail", f"installs {spec}, which is not in the repository; {fix}")
            return
        found = _wheel_version(wheel)
        if found is None:
            result.add("workflow", name, "fail", f"installs {spec}, which is not a readable wheel; {fix}")
        elif found != __version__:
            result.add("workflow", name, "warn",
                       f"installs arxiv-radar {found} ({spec}), you run {__version__}; {fix}")
        else:
            result.add("workflow", name, "ok", f"installs arxiv-radar {found} from {spec}")
        return
    if " @ " in spec:
        _check_url(spec.split(" @ ", 1)[1].strip(), name, fix, result)
        return
    pinned = re.fullmatch(r"arxiv-radar==(\S+)", spec)
    if pinned:
        if pinned[1] != __version__:
            result.add("workflow", name, "warn", f"installs arxiv-radar {pinned[1]}, you run {__version__}; {fix}")
        else:
            result.add("workflow", name, "ok", f"installs arxiv-radar {pinned[1]} from PyPI")
        return
    result.add("workflow", name, "ok", f"installs {spec} (chosen with --install; not checked)")


def _check_url(url: str, name: str, fix: str, result: Any) -> None:
    vcs, _, rest = url.partition("+") if url.startswith(("git+", "hg+")) else ("", "", url)
    parts = urlsplit(rest)
    if parts.scheme not in ("https", "ssh", "http") or not parts.netloc:
        result.add("workflow", name, "fail", f"installs from {url}, not a URL GitHub's runner can reach; {fix}")
        return
    if not vcs:
        result.add("workflow", name, "ok", f"installs from {url}")
        return
    commit = parts.path.rpartition("@")[2] if "@" in parts.path else ""
    if not _COMMIT.fullmatch(commit):
        result.add("workflow", name, "warn",
                   f"installs from {url} without pinning a commit: each run may get a different arxiv-radar; {fix}")
        return
    running = _direct_url(_distribution()) or {}
    ours = (running.get("vcs_info") or {}).get("commit_id") if isinstance(running.get("vcs_info"), dict) else None
    if ours and ours != commit:
        result.add("workflow", name, "warn", f"installs commit {commit[:12]}, you run {ours[:12]}; {fix}")
    else:
        result.add("workflow", name, "ok", f"installs arxiv-radar from {url}")


def _wheel_version(wheel: Path) -> str | None:
    try:
        with zipfile.ZipFile(wheel) as zf:
            meta = next((n for n in zf.namelist() if n.endswith(".dist-info/METADATA")), None)
            text = zf.read(meta).decode("utf-8") if meta else ""
    except (OSError, zipfile.BadZipFile, UnicodeDecodeError):
        return None
    found = re.search(r"^Version: *(\S+)$", text, re.MULTILINE)
    return found[1] if found else None
