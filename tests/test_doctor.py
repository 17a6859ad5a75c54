"""`arxiv-radar doctor`: what it finds, the exit codes, and that it writes nothing."""

from __future__ import annotations

import socket
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from arxiv_radar.cli import main
from arxiv_radar.demo import corpus_path
from arxiv_radar.ops.doctor import doctor
from arxiv_radar.ops.lock import lock_path_for, store_lock
from arxiv_radar.mirror import start_mirror
from arxiv_radar.model import Author, Paper
from arxiv_radar.ops.scaffold import init_project
from arxiv_radar.store import Store

CONFIG = """\
topics:
  Deepfakes:
    filters: ["Deepfake"]
  Agents:
    query: 'ti:agent ANDNOT abs:survey'
    categories: [cs.AI]
source: api
enrich:
  huggingface: false
"""


def _project(tmp_path: Path, text: str = CONFIG) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*")) if p.is_file()
    }


def _paper(pid: str) -> Paper:
    from datetime import datetime, timezone

    when = datetime(2025, 2, 20, tzinfo=timezone.utc)
    return Paper(id=pid, version=1, title=f"Deepfake paper {pid}", abstract="About deepfakes.",
                 authors=(Author("A. Author"),), categories=("cs.CV",), published=when, updated=when)


def _store_with_papers(path: Path, n: int = 3) -> None:
    with Store.open(path) as store:
        store.upsert_papers([_paper(f"2502.{10000 + i}") for i in range(n)], date(2025, 3, 2))


def _checks(result, status=None, area=None):
    return [c for c in result.checks if (status is None or c.status == status) and (area is None or c.area == area)]


def _messages(result) -> str:
    return "\n".join(f"{c.status} {c.area} {c.name}: {c.message}" for c in result.checks)


def test_a_fresh_init_is_healthy_offline_and_a_missing_store_is_no_error(tmp_path):
    init_project(tmp_path)
    result = doctor(tmp_path / "config.yaml", offline=True, env={})
    assert result.exit_code == 0, _messages(result)
    assert not _checks(result, "fail")
    store = _checks(result, area="store")
    assert store[0].status == "ok" and "does not exist yet" in store[0].message
    assert len(_checks(result, "ok", "topic")) == 2
    assert not (tmp_path / "arxiv-radar.sqlite").exists()


def test_pages_without_user_and_repo_name_is_a_warning(tmp_path):
    init_project(tmp_path / "bare")  # no origin remote: the names stay commented out
    result = doctor(tmp_path / "bare" / "config.yaml", offline=True, env={})
    warned = [c for c in _checks(result, "warn", "config") if "user_name and repo_name not set" in c.message]
    assert len(warned) == 1 and "--repo OWNER/NAME" in warned[0].message
    assert result.exit_code == 0
    init_project(tmp_path / "named", repository="me/my-arxiv-daily")
    result = doctor(tmp_path / "named" / "config.yaml", offline=True, env={})
    assert "not set" not in _messages(result)
    init_project(tmp_path / "nopages", pages="none")
    result = doctor(tmp_path / "nopages" / "config.yaml", offline=True, env={})
    assert "not set" not in _messages(result)


def test_unknown_key_names_the_nearest_known_key_and_exits_2(tmp_path):
    path = _project(tmp_path, CONFIG + "publish_gitpages: true\nlookback_dayz: 3\n")
    result = doctor(path, offline=True, env={})
    assert result.exit_code == 2
    text = _messages(result)
    assert "publish_gitpages: unknown key (did you mean 'publish_gitpage'?)" in text
    assert "lookback_dayz: unknown key (did you mean 'lookback_days'?)" in text
    assert "config.yaml:10: publish_gitpages" in text  # file and line of the mistake
    runner = CliRunner()
    cli = runner.invoke(main, ["doctor", "-c", str(path), "--offline"])
    assert cli.exit_code == 2
    assert "did you mean 'publish_gitpage'" in cli.output


def test_a_query_that_does_not_parse_is_a_config_failure(tmp_path):
    path = _project(tmp_path, CONFIG.replace("ti:agent ANDNOT abs:survey", "ti:(agent OR"))
    result = doctor(path, offline=True, env={})
    assert result.exit_code == 2
    assert "query does not parse" in _messages(result)


def test_missing_config_file_exits_2(tmp_path):
    result = CliRunner().invoke(main, ["doctor", "-c", str(tmp_path / "nope.yaml"), "--offline"])
    assert result.exit_code == 2
    assert "cannot read" in result.output


def test_a_healthy_store_is_checked_without_writing_anything(tmp_path):
    path = _project(tmp_path)
    _store_with_papers(tmp_path / "arxiv-radar.sqlite")
    before = _snapshot(tmp_path)
    assert not any(name.endswith(("-wal", "-shm")) for name in before)
    result = doctor(path, offline=True, env={})
    assert result.exit_code == 0, _messages(result)
    text = _messages(result)
    assert "integrity check passed" in text and "3 papers" in text and "schema version" in text
    assert _snapshot(tmp_path) == before


def test_a_store_with_a_wal_is_checked_on_a_copy(tmp_path):
    path = _project(tmp_path)
    db = tmp_path / "arxiv-radar.sqlite"
    _store_with_papers(db)
    # A writer that has not checkpointed: its changes live in the -wal file only.
    writer = sqlite3.connect(db, isolation_level=None)
    try:
        writer.execute("PRAGMA wal_autocheckpoint = 0")
        writer.execute("UPDATE papers SET title = 'changed' WHERE id = '2502.10000'")
        assert (tmp_path / "arxiv-radar.sqlite-wal").stat().st_size > 0
        before = _snapshot(tmp_path)
        result = doctor(path, offline=True, env={})
        assert _snapshot(tmp_path) == before
    finally:
        writer.close()
    assert result.exit_code == 0, _messages(result)
    assert "checked on a copy" in _messages(result)


def test_damaged_and_foreign_stores_fail_with_exit_1(tmp_path):
    path = _project(tmp_path)
    db = tmp_path / "arxiv-radar.sqlite"
    db.write_bytes(b"this is not a database" * 100)
    result = doctor(path, offline=True, env={})
    assert result.exit_code == 1
    assert "not a readable SQLite database" in _messages(result)

    db.unlink()
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE other (x)")
    result = doctor(path, offline=True, env={})
    assert result.exit_code == 1 and "not an arxiv-radar store" in _messages(result)


def test_store_newer_than_the_code_fails(tmp_path):
    path = _project(tmp_path)
    db = tmp_path / "arxiv-radar.sqlite"
    _store_with_papers(db)
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA user_version = 999")
    result = doctor(path, offline=True, env={})
    assert result.exit_code == 1 and "newer than this arxiv-radar" in _messages(result)


def test_full_text_index_out_of_step_fails(tmp_path):
    path = _project(tmp_path)
    db = tmp_path / "arxiv-radar.sqlite"
    _store_with_papers(db)
    with sqlite3.connect(db) as conn:
        conn.execute("DROP TRIGGER papers_ai")
        conn.execute(
            "INSERT INTO papers (id, version, title, published, first_seen, changed) "
            "VALUES ('2502.99999', 1, 't', '2025-02-20', '2025-03-02', '2025-03-02')"
        )
    result = doctor(path, offline=True, env={})
    assert result.exit_code == 1
    assert "full-text index holds 3 papers, the store 4" in _messages(result)


def test_lock_states_are_reported_as_warnings(tmp_path):
    path = _project(tmp_path)
    db = tmp_path / "arxiv-radar.sqlite"
    _store_with_papers(db)
    with store_lock(db):
        result = doctor(path, offline=True, env={})
        assert result.exit_code == 0
        assert "a run holds the store" in _messages(result)
    lock_path_for(db).write_text('{"pid": 999999999, "host": "%s", "started": "x"}' % socket.gethostname(),
                                 encoding="utf-8")
    result = doctor(path, offline=True, env={})
    assert result.exit_code == 0 and "stale lock" in _messages(result)


def test_template_overrides_must_exist(tmp_path):
    path = _project(tmp_path, CONFIG + "templates_dir: my-templates\n")
    result = doctor(path, offline=True, env={})
    assert result.exit_code == 1
    assert "templates_dir does not exist" in _messages(result)
    (tmp_path / "my-templates").mkdir()
    result = doctor(path, offline=True, env={})
    assert result.exit_code == 0 and "holds no .j2 template" in _messages(result)

    email = tmp_path / "my-templates" / "email"
    email.mkdir()
    (email / "digest.txt.j2").write_text("{{ papers | length }} new papers\n", encoding="utf-8")
    (email / "digest.text.j2").write_text("typo in the name\n", encoding="utf-8")
    result = doctor(path, offline=True, env={})
    text = _messages(result)
    assert result.exit_code == 0, text
    assert "overrides email/digest.txt.j2" in text
    assert "did you mean 'email/digest.txt.j2'" in text

    (email / "digest.html.j2").write_text("{% if %}broken", encoding="utf-8")
    result = doctor(path, offline=True, env={})
    assert result.exit_code == 1
    assert "digest.html.j2: does not load (line 1)" in _messages(result)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_endpoints_that_answer_and_one_that_does_not(tmp_path):
    path = _project(tmp_path)
    with start_mirror([corpus_path()]) as mirror:
        result = doctor(path, env={"ARXIV_RADAR_API_URL": mirror.api_url}, timeout=5)
        assert result.exit_code == 0, _messages(result)
        ok = _checks(result, "ok", "endpoint")
        assert [c.name for c in ok] == ["arXiv API"] and "HTTP 200" in ok[0].message
        assert any(r.path == "/api/query" for r in mirror.requests)

    dead = f"http://127.0.0.1:{_closed_port()}/api/query"
    result = doctor(path, env={"ARXIV_RADAR_API_URL": dead}, timeout=5)
    assert result.exit_code == 1
    assert "no answer" in _checks(result, "fail", "endpoint")[0].message


def test_offline_contacts_nothing(tmp_path):
    path = _project(tmp_path)
    with start_mirror([corpus_path()]) as mirror:
        result = doctor(path, offline=True, env={"ARXIV_RADAR_API_URL": mirror.api_url})
        assert mirror.requests == []
    assert result.exit_code == 0


@pytest.mark.parametrize("offline_flag", [["--offline"]])
def test_cli_prints_a_line_per_check_and_a_verdict(tmp_path, offline_flag):
    path = _project(tmp_path)
    result = CliRunner().invoke(main, ["doctor", "-c", str(path), *offline_flag])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("[ok] config:")
    assert lines[-1] == "all is well"


def test_webhook_secrets_in_the_url_path_are_not_shown(tmp_path, monkeypatch):
    # Slack and Discord keep their secret in the path, not in a query or a password.
    secret = "https://hooks.slack.com/services/T0AAA/B0BBB/SlackSecret333"
    monkeypatch.setenv("MY_HOOK", secret)
    path = _project(tmp_path, CONFIG + "webhooks: [{url_env: MY_HOOK, format: slack}]\n")
    with start_mirror([corpus_path()]) as mirror:
        result = doctor(path, env={"ARXIV_RADAR_API_URL": mirror.api_url, "MY_HOOK": secret}, timeout=5)
    text = _messages(result)
    assert "hooks.slack.com" in text
    assert "SlackSecret333" not in text and "T0AAA" not in text
