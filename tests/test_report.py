"""The run report (table, plain text, JSON) and secret redaction in reports and logs."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml
from rich.console import Console

from arxiv_radar.demo import corpus_path
from arxiv_radar.mirror import start_mirror
from arxiv_radar.pipeline import RunReport
from arxiv_radar.ops.report import (
    RedactingFilter,
    install_log_redaction,
    print_report,
    redact,
    report_data,
    report_lines,
    secret_values,
    write_report_json,
)

PASSWORD = "correct-horse-battery"
TOKEN = "ghp_0123456789abcdefSECRET"


def _report(**extra) -> RunReport:
    report = RunReport(day=date(2025, 3, 2))
    report.window = ("2025-02-21T19:00:00Z", "2025-02-28T19:00:00Z")
    report.harvested = 28
    report.new = ["2502.00001", "2502.00002"]
    report.updated = [("2502.00003", 2)]
    report.per_topic = {
        "Deepfake Detection": {"new": 2, "updated": 1, "total": 4},
        "[bold]Multimodal | LLMs": {"new": 0, "updated": 0, "total": 11},
    }
    report.requests = {"export.arxiv.org": {"requests": 3, "retries": 1, "failures": 0},
                       "oaipmh.arxiv.org": {"requests": 2, "retries": 0, "failures": 0}}
    report.failures = [("oai set cs", "HTTP 503 after 4 attempts")]
    report.written = ["/repo/README.md"]
    report.seconds = 3.25
    for key, value in extra.items():
        setattr(report, key, value)
    return report


def test_plain_lines_hold_topics_hosts_duration_and_problems():
    lines = report_lines(_report())
    text = "\n".join(lines)
    assert lines[0] == "arxiv-radar run for 2025-03-02: ok in 3.2 s"
    assert "harvested 28 papers: 2 new, 1 updated" in text
    assert any(l.split() == ["Deepfake", "Detection", "2", "1", "4"] for l in lines)
    assert any(l.split() == ["export.arxiv.org", "3", "1", "0"] for l in lines)
    assert "problem: could not fetch oai set cs: HTTP 503 after 4 attempts" in text
    assert "wrote /repo/README.md" in text


def test_print_report_is_plain_when_not_a_terminal_and_a_table_on_one():
    out = io.StringIO()
    print_report(_report(), Console(file=out, force_terminal=False, width=100))
    plain = out.getvalue()
    assert plain.splitlines() == report_lines(_report())
    assert "\x1b[" not in plain and "┃" not in plain

    out = io.StringIO()
    print_report(_report(), Console(file=out, force_terminal=True, width=100, color_system=None))
    table = out.getvalue()
    assert "┃" in table or "│" in table  # a rich table
    assert "Deepfake Detection" in table and "oaipmh.arxiv.org" in table
    # A topic name is text, never rich markup.
    assert "[bold]Multimodal | LLMs" in table


def test_json_report_round_trips(tmp_path):
    path = write_report_json(_report(), tmp_path / "out" / "report.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data == json.loads(json.dumps(_report().as_dict()))
    assert data["topics"]["Deepfake Detection"] == {"new": 2, "updated": 1, "total": 4}
    assert data["requests"]["export.arxiv.org"]["retries"] == 1


def test_duration_over_a_minute():
    assert report_lines(_report(seconds=125.4))[0].endswith("in 2 min 5 s")


# --------------------------------------------------------------------------- secrets


@pytest.fixture
def secrets(monkeypatch):
    monkeypatch.setenv("ARXIV_RADAR_SMTP_PASSWORD", PASSWORD)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("SOME_API_KEY", "k3y-value-long")
    monkeypatch.setenv("FEATURE_KEY", "1")  # too short to be a secret: left alone
    monkeypatch.setenv("HOME_DIR", "not-secret-value")


def test_secret_values_come_from_secret_looking_names(secrets):
    values = secret_values()
    assert PASSWORD in values and TOKEN in values and "k3y-value-long" in values
    assert "1" not in values and "not-secret-value" not in values


def test_redact_replaces_secrets_and_url_passwords(secrets):
    text = f"login {PASSWORD} with {TOKEN} at https://bot:pa55word@example.org/x and 1 item"
    out = redact(text)
    assert PASSWORD not in out and TOKEN not in out and "pa55word" not in out
    assert "https://bot:***@example.org/x" in out and "1 item" in out


def test_no_secret_reaches_json_table_or_plain_text(secrets, tmp_path):
    leaky = _report(
        failures=[("webhook", f"POST https://hooks.example.org/?token={TOKEN} failed")],
        written=[f"/tmp/{PASSWORD}/README.md"],
        notes=[f"smtp login as bot:{PASSWORD}"],
    )
    leaky.per_topic[f"topic {TOKEN}"] = {"new": 1, "total": 1}
    path = write_report_json(leaky, tmp_path / "report.json")
    outputs = [path.read_text(encoding="utf-8"), "\n".join(report_lines(leaky)), json.dumps(report_data(leaky))]
    for force in (False, True):
        out = io.StringIO()
        print_report(leaky, Console(file=out, force_terminal=force, width=200))
        outputs.append(out.getvalue())
    for text in outputs:
        assert PASSWORD not in text and TOKEN not in text
        assert "***" in text


def test_log_filter_redacts_messages_arguments_and_tracebacks(secrets):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    install_log_redaction(handler)
    install_log_redaction(handler)  # idempotent
    assert sum(isinstance(f, RedactingFilter) for f in handler.filters) == 1
    logger = logging.getLogger("arxiv_radar.test_report")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("smtp login failed for %s", PASSWORD)
        logger.info("not shown at WARNING")
        try:
            raise RuntimeError(f"token {TOKEN} refused")
        except RuntimeError:
            logger.exception("delivery failed")
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert "smtp login failed for ***" in text
    assert "RuntimeError: token *** refused" in text
    assert PASSWORD not in text and TOKEN not in text


def test_a_real_run_never_shows_an_environment_secret(tmp_path):
    """End to end: `arxiv-radar -vv run --report` with secrets in the environment, one of them
    also inside the API URL (as a proxy password would be), on stdout, stderr and the report."""
    config = yaml.safe_load((corpus_path().parent / "config.yaml").read_text(encoding="utf-8"))
    config.update({"lookback_days": 21, "request_interval": 0, "enrich": {"huggingface": False}})
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    with start_mirror([corpus_path()]) as mirror:
        api = mirror.api_url.replace("http://", f"http://radar:{TOKEN}@")
        env = {k: v for k, v in os.environ.items() if not k.startswith("ARXIV_RADAR_")}
        env.update({
            "ARXIV_RADAR_API_URL": api,
            "ARXIV_RADAR_OAI_URL": mirror.oai_url,
            "ARXIV_RADAR_HF_URL": mirror.url,
            "ARXIV_RADAR_SMTP_PASSWORD": PASSWORD,
            "MIRROR_TOKEN": TOKEN,
        })
        done = subprocess.run(
            [str(Path(sys.executable).parent / "arxiv-radar"), "-vv", "run", "-c", "config.yaml",
             "--date", "2025-03-02", "--report", "report.json"],
            cwd=tmp_path, env=env, capture_output=True, text=True, encoding="utf-8", timeout=120,
        )
    assert done.returncode == 0, done.stderr
    report = (tmp_path / "report.json").read_text(encoding="utf-8")
    assert json.loads(report)["status"] == "ok"
    assert "DEBUG" in done.stderr or "INFO" in done.stderr  # it did log
    for text in (done.stdout, done.stderr, report):
        assert TOKEN not in text and PASSWORD not in text


def test_an_error_message_never_shows_an_environment_secret(tmp_path):
    """A bad URL in the environment is echoed back in the config error: without its secret."""
    (tmp_path / "config.yaml").write_text("topics:\n  A:\n    filters: [agent]\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARXIV_RADAR_")}
    env.update({"ARXIV_RADAR_API_URL": f"ftp://radar:{TOKEN}@mirror.invalid/api", "MIRROR_TOKEN": TOKEN})
    done = subprocess.run(
        [str(Path(sys.executable).parent / "arxiv-radar"), "run", "-c", "config.yaml"],
        cwd=tmp_path, env=env, capture_output=True, text=True, encoding="utf-8", timeout=60,
    )
    assert done.returncode == 2
    assert "ARXIV_RADAR_API_URL" in done.stderr and "not an http(s) URL" in done.stderr
    assert TOKEN not in done.stderr + done.stdout
