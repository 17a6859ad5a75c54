"""Environment faults: each ends in one line naming the file and what to do, a documented exit
code, never a traceback. The lock refuses a symlink; render/links/import-* take it; `doctor`
agrees with what a run would meet."""

from __future__ import annotations

import errno
import json
import os
import sqlite3
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from arxiv_radar.cli import main
from arxiv_radar.mirror import start_mirror
from arxiv_radar.ops.lock import UnsafeLock, lock_path_for, store_lock
from arxiv_radar.store import Store
from synthetic import bulk_line, ny, write_corpus

CONFIG = "keywords:\n  Radar:\n    filters: [radar]\nrequest_interval: 0\npublish_site: false\nenrich: {huggingface: false}\n"


def cli(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def one_error_line(result, *needles: str) -> str:
    """The run's only output line is our error; it names what it must."""
    lines = [l for l in result.output.splitlines() if l.strip()]
    assert "Traceback" not in result.output
    assert len(lines) == 1, result.output
    assert lines[0].startswith("arxiv-radar: error: "), lines[0]
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def project(tmp_path):
    """A config and a store holding one matched paper (a good first run)."""
    corpus = write_corpus(tmp_path / "c.jsonl", [bulk_line("2602.00001", "Radar one", [ny(2026, 2, 10, 10, 0)])])
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    with start_mirror([corpus]) as m:
        result = cli("run", "-c", str(tmp_path / "config.yaml"), "--api-url", m.api_url, "--date", "2026-02-12")
    assert result.exit_code == 0, result.output
    return tmp_path


def render(project: Path, *extra: str):
    return cli("render", "-c", str(project / "config.yaml"), "--date", "2026-02-12", *extra)


# --------------------------------------------------------------------------- the store


def test_a_corrupted_store_is_one_line(project):
    db = project / "arxiv-radar.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(db.read_bytes())
    page = 4096
    data[page: len(data)] = os.urandom(len(data) - page)  # every page but the first
    db.write_bytes(bytes(data))
    result = render(project)
    assert result.exit_code == 1
    one_error_line(result, str(db), "damaged")
    doctor = cli("doctor", "--offline", "-c", str(project / "config.yaml"))
    assert doctor.exit_code == 1 and "[FAIL] store" in doctor.output


def test_a_store_with_a_garbage_header_is_one_line(project):
    db = project / "arxiv-radar.sqlite"
    db.write_bytes(b"this is not sqlite" * 1000)
    for sidecar in ("-wal", "-shm"):
        db.with_name(db.name + sidecar).unlink(missing_ok=True)
    result = render(project)
    assert result.exit_code == 1
    one_error_line(result, str(db))


def test_a_store_path_that_is_a_folder_is_one_line(tmp_path):
    (tmp_path / "config.yaml").write_text(CONFIG + "database: store\n", encoding="utf-8")
    (tmp_path / "store").mkdir()
    for command in (["run", "--api-url", "http://127.0.0.1:9/api"], ["render"], ["links"],
                    ["export", "--format", "json"], ["import-snapshot", str(tmp_path / "config.yaml")]):
        result = cli(*command, "-c", str(tmp_path / "config.yaml"))
        assert result.exit_code in (1, 2), (command, result.output)
        one_error_line(result, str(tmp_path / "store"), "folder")


# --------------------------------------------------------------------------- read-only places


@contextmanager
def read_only(folder: Path):
    """Make ``folder`` read-only for this process: chmod for a normal user; for root (who
    ignores modes) a read-only tmpfs remount with the same files, or skip."""
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in [folder, *folder.rglob("*")]}
        for p in [*folder.rglob("*"), folder]:
            p.chmod(0o555 if p.is_dir() else 0o444)
        try:
            yield folder
        finally:
            for p, mode in modes.items():
                p.chmod(mode)
        return
    saved = {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(folder)],
                             capture_output=True).returncode == 0
    if not mounted:
        pytest.skip("running as root without mount: cannot make a folder read-only")
    try:
        for rel, data in saved.items():
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (folder / rel).write_bytes(data)
        assert subprocess.run(["mount", "-o", "remount,ro", str(folder)]).returncode == 0
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def test_render_on_a_read_only_store_says_what_is_wrong_and_doctor_agrees(project):
    with read_only(project):
        result = render(project)
        assert result.exit_code == 1
        line = one_error_line(result, str(project))
        assert "read-only" in line or "permission denied" in line
        for command in (["run", "--api-url", "http://127.0.0.1:9/api"], ["links"],
                        ["import-snapshot", str(project / "c.jsonl")]):
            other = cli(*command, "-c", str(project / "config.yaml"))
            assert other.exit_code == 1, (command, other.output)
            one_error_line(other, str(project))
        doctor = cli("doctor", "--offline", "-c", str(project / "config.yaml"))
    assert doctor.exit_code == 1, doctor.output
    assert "[FAIL] store" in doctor.output and "cannot be written" in doctor.output


def test_report_to_a_read_only_place_after_a_good_run(project, tmp_path_factory):
    place = tmp_path_factory.mktemp("ro")
    corpus = project / "c.jsonl"
    with start_mirror([corpus]) as m, read_only(place):
        result = cli("-q", "run", "-c", str(project / "config.yaml"), "--api-url", m.api_url,
                     "--date", "2026-02-13", "--report", str(place / "report.json"))
    assert result.exit_code == 1
    one_error_line(result, str(place / "report.json"), "the run itself finished: ok")


def test_a_report_path_under_a_file_is_one_line(project):
    corpus = project / "c.jsonl"
    with start_mirror([corpus]) as m:
        result = cli("-q", "run", "-c", str(project / "config.yaml"), "--api-url", m.api_url,
                     "--date", "2026-02-13", "--report", str(project / "README.md" / "report.json"))
    assert result.exit_code == 1
    one_error_line(result, "README.md", "a file is in the way", "the run itself finished: ok")


def test_doctor_checks_every_output_folder(project, monkeypatch):
    real = os.access
    docs = project / "docs"
    # As root every folder is writable; say this one is not, as a normal user's would be.
    monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == docs else real(p, mode))
    result = cli("doctor", "--offline", "-c", str(project / "config.yaml"))
    assert result.exit_code == 1
    assert "[FAIL] outputs: json_readme_path: cannot be written" in result.output


# --------------------------------------------------------------------------- a full disk


def test_a_full_disk_while_writing_outputs_is_one_line(project, monkeypatch):
    import arxiv_radar.fsutil as fsutil

    def full(path, data):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr("arxiv_radar.publish.files.atomic_write_text", lambda p, t: full(p, t))
    (project / "README.md").unlink()
    result = render(project)
    assert result.exit_code == 1
    one_error_line(result, str(project / "README.md"), "disk is full")


def test_a_full_disk_under_the_store_is_one_line(project, monkeypatch):
    def full(*a, **k):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr("arxiv_radar.pipeline.rematch_changed_topics", full)
    result = render(project)
    assert result.exit_code == 1
    one_error_line(result, str(project / "arxiv-radar.sqlite"), "full")


def test_a_really_full_disk_during_import_is_one_line(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a tiny tmpfs")
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(disk)],
                      capture_output=True).returncode != 0:
        pytest.skip("mount is not available")
    try:
        lines = [bulk_line(f"2602.{i:05d}", f"Radar {i}", [ny(2026, 2, 10, 10, 0)], abstract="words " * 200)
                 for i in range(1, 400)]
        corpus = write_corpus(tmp_path / "big.jsonl", lines)
        result = cli("import-snapshot", str(corpus), "--db", str(disk / "store.sqlite"))
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    errors = [l for l in result.output.splitlines() if l.startswith("arxiv-radar: error:")]
    assert len(errors) == 1 and "full" in errors[0] and str(disk) in errors[0]


# --------------------------------------------------------------------------- the lock


def test_a_symlinked_lock_is_refused_and_its_target_untouched(tmp_path):
    db = tmp_path / "store.sqlite"
    target = tmp_path / "precious.txt"
    target.write_text("keep me\n", encoding="utf-8")
    lock_path_for(db).symlink_to(target)
    with pytest.raises(UnsafeLock, match="symbolic link"):
        with store_lock(db):
            pass
    assert target.read_text(encoding="utf-8") == "keep me\n"
    dangling = tmp_path / "other.sqlite"
    lock_path_for(dangling).symlink_to(tmp_path / "nowhere" / "file")
    with pytest.raises(UnsafeLock):
        with store_lock(dangling):
            pass
    assert not (tmp_path / "nowhere").exists()


def test_a_symlinked_lock_is_one_line_from_the_cli_and_doctor_fails(project):
    target = project / "precious.txt"
    target.write_text("keep me\n", encoding="utf-8")
    lock_path_for(project / "arxiv-radar.sqlite").symlink_to(target)
    result = render(project)
    assert result.exit_code == 1
    one_error_line(result, "symbolic link")
    assert target.read_text(encoding="utf-8") == "keep me\n"
    doctor = cli("doctor", "--offline", "-c", str(project / "config.yaml"))
    assert doctor.exit_code == 1 and "the lock file is a symbolic link" in doctor.output


@pytest.mark.parametrize("command", [
    ["render"], ["links"], ["import-snapshot", "c.jsonl"], ["import-legacy", "legacy.json"],
])
def test_render_links_and_imports_wait_for_a_run_and_say_who_holds_the_lock(project, command):
    (project / "legacy.json").write_text("{}", encoding="utf-8")
    args = [a if a not in ("c.jsonl", "legacy.json") else str(project / a) for a in command]
    with store_lock(project / "arxiv-radar.sqlite", command="run"):
        result = cli(*args, "-c", str(project / "config.yaml"))
    assert result.exit_code == 1, result.output
    one_error_line(result, "in use by `run` pid", str(os.getpid()))


def test_export_reads_one_snapshot_while_a_run_holds_the_lock(project):
    with store_lock(project / "arxiv-radar.sqlite", command="run"):
        result = cli("export", "--format", "json", "-c", str(project / "config.yaml"))
    assert result.exit_code == 0
    assert json.loads(result.stdout)["papers"][0]["id"] == "2602.00001"


@pytest.mark.parametrize("exc, words", [
    (OSError(errno.ENOSPC, "No space left on device", "/d/README.md"), "/d/README.md: the disk is full"),
    (OSError(errno.EROFS, "Read-only file system", "/d/x"), "/d/x: on a read-only file system"),
    (PermissionError(errno.EACCES, "Permission denied", "/d/x"), "/d/x: permission denied; make it"),
    (IsADirectoryError(errno.EISDIR, "Is a directory", "/d/x"), "/d/x: is a folder, not a file"),
    (OSError(errno.EADDRINUSE, "Address already in use"), "Address already in use"),
    (sqlite3.DatabaseError("database disk image is malformed"), "the store is damaged"),
    (sqlite3.OperationalError("attempt to write a readonly database"), "the store is read-only"),
    (sqlite3.DatabaseError("file is not a database"), "is not an SQLite database"),
])
def test_environment_errors_are_worded_in_one_place(exc, words):
    from arxiv_radar.errors import environment_error

    message = str(environment_error(exc))
    assert words in message and "\n" not in message
