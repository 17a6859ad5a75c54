"""The store lock: one run per store; a lock left by a killed run is taken over with a warning."""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import textwrap

import pytest

from arxiv_radar.ops import lock
from arxiv_radar.errors import ArxivRadarError
from arxiv_radar.ops.lock import StoreLocked, held_by_live_process, lock_path_for, read_lock, store_lock

_HOLDER = textwrap.dedent("""
    import sys, time
    from arxiv_radar.ops.lock import store_lock
    with store_lock(sys.argv[1], command="holder"):
        print("locked", flush=True)
        time.sleep(60)
""")


def _start_holder(db):
    proc = subprocess.Popen([sys.executable, "-c", _HOLDER, str(db)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    return proc


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid  # reaped: no such process any more (reuse within the test is unlikely)


def test_lock_file_holds_pid_host_and_start_and_goes_away(tmp_path):
    db = tmp_path / "store.sqlite"
    assert lock_path_for(db) == tmp_path / "store.sqlite.lock"
    with store_lock(db, command="run") as me:
        data = json.loads(lock_path_for(db).read_text(encoding="utf-8"))
        assert data["pid"] == os.getpid() == me.pid
        assert data["host"] == socket.gethostname()
        assert data["command"] == "run" and data["started"].endswith("Z")
        assert read_lock(db) == me
    assert not lock_path_for(db).exists()


def test_lock_is_released_when_the_block_raises(tmp_path):
    db = tmp_path / "store.sqlite"
    with pytest.raises(RuntimeError):
        with store_lock(db):
            raise RuntimeError("boom")
    with store_lock(db):
        pass


def test_second_lock_on_the_same_store_is_refused(tmp_path):
    db = tmp_path / "store.sqlite"
    holder = _start_holder(db)
    try:
        with pytest.raises(StoreLocked) as info:
            with store_lock(db):
                pytest.fail("took a lock another process holds")
        assert info.value.holder.pid == holder.pid
        assert f"pid {holder.pid}" in str(info.value)
        assert isinstance(info.value, ArxivRadarError) and info.value.exit_code == 1
        assert held_by_live_process(db).pid == holder.pid
    finally:
        holder.kill()
        holder.wait()


def test_in_process_double_lock_is_refused_too(tmp_path):
    db = tmp_path / "store.sqlite"
    with store_lock(db):
        with pytest.raises(StoreLocked):
            with store_lock(db):
                pass


def test_lock_of_a_killed_run_is_taken_over_with_a_warning(tmp_path, caplog):
    db = tmp_path / "store.sqlite"
    holder = _start_holder(db)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    assert lock_path_for(db).exists()  # SIGKILL leaves it behind
    assert held_by_live_process(db) is None
    with caplog.at_level(logging.WARNING, logger="arxiv_radar.ops.lock"):
        with store_lock(db) as me:
            assert read_lock(db).pid == me.pid == os.getpid()
    assert f"pid {holder.pid}" in caplog.text and "stale" in caplog.text


def test_garbled_lock_file_is_taken_over(tmp_path, caplog):
    db = tmp_path / "store.sqlite"
    lock_path_for(db).write_text("", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="arxiv_radar.ops.lock"):
        with store_lock(db):
            pass
    assert "unreadable" in caplog.text


# --------------------------------------------------------------------------- without fcntl


@pytest.fixture
def no_fcntl(monkeypatch):
    monkeypatch.setattr(lock, "_fcntl", None)


def _write_lock(db, pid, host=None):
    info = lock.LockInfo(pid=pid, host=host or socket.gethostname(), started="2025-01-01T00:00:00Z", command="run")
    lock_path_for(db).write_text(info.to_json(), encoding="utf-8")


def test_excl_fallback_takes_over_a_dead_pid(tmp_path, no_fcntl, caplog):
    db = tmp_path / "store.sqlite"
    dead = _dead_pid()
    _write_lock(db, dead)
    with caplog.at_level(logging.WARNING, logger="arxiv_radar.ops.lock"):
        with store_lock(db) as me:
            assert read_lock(db) == me
    assert f"pid {dead}" in caplog.text
    assert not lock_path_for(db).exists()


def test_excl_fallback_refuses_a_live_pid_and_another_host(tmp_path, no_fcntl):
    db = tmp_path / "store.sqlite"
    _write_lock(db, os.getppid())
    with pytest.raises(StoreLocked, match=f"pid {os.getppid()}"):
        with store_lock(db):
            pass
    _write_lock(db, _dead_pid(), host="some-other-host")
    with pytest.raises(StoreLocked, match="delete it"):
        with store_lock(db):
            pass
    assert lock_path_for(db).exists()  # never removed a lock it could not prove stale


def test_excl_fallback_excludes_a_second_holder(tmp_path, no_fcntl):
    db = tmp_path / "store.sqlite"
    with store_lock(db):
        with pytest.raises(StoreLocked):
            with store_lock(db):
                pass
    assert not lock_path_for(db).exists()
