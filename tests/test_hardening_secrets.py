"""Nothing a service sends back reaches the log, the report or the store with a URL or a token
in it; a delivery failure of any kind leaves the other channels and the run alone; secrets
never appear in a message, even partly."""

from __future__ import annotations

import json
import os
import smtplib
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from arxiv_radar.mirror import start_mirror
from arxiv_radar.net import scrub
from synthetic import bulk_line, ny, write_corpus

EXE = str(Path(sys.executable).with_name("arxiv-radar"))
TOKEN = "tok9f8e7d6c5b4a3f2e1d0c"
# Pieces of the token a careless message could keep (a prefix, a middle, a suffix).
PIECES = ("9f8e7d6c", "b4a3f2e1", "3f2e1d0c", "tok9f8e")


def _dump_store(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        rows = []
        for table in tables:
            rows += [repr(tuple(r)) for r in conn.execute(f'SELECT * FROM "{table}"')]
        return "\n".join(rows)
    finally:
        conn.close()


def test_a_404_body_echoing_the_webhook_token_leaves_no_trace(tmp_path, httpserver):
    hook_path = f"/services/T0/B0/{TOKEN}"
    hook_url = httpserver.url_for(hook_path) + f"?token={TOKEN}"
    # Many frameworks echo the URL on a 404; this one echoes it every way it can.
    echo = (f"<html><body>No route for POST {hook_url}<br>path={hook_path} "
            f"token={TOKEN} ref {TOKEN[3:]}</body></html>")
    httpserver.expect_request(hook_path, method="POST").respond_with_data(echo, status=404, content_type="text/html")
    # A second channel after the failing one is still tried.
    httpserver.expect_request("/ok-hook", method="POST").respond_with_data("ok")

    corpus = write_corpus(tmp_path / "c.jsonl", [bulk_line("2602.00001", "Radar one", [ny(2026, 2, 10, 10, 0)])])
    (tmp_path / "config.yaml").write_text(
        "topics:\n  Radar:\n    filters: [radar]\nrequest_interval: 0\npublish_site: false\n"
        "enrich: {huggingface: false}\n"
        "webhooks:\n  - url_env: HOOK_URL\n    format: slack\n"
        f"  - url: {httpserver.url_for('/ok-hook')}\n    format: json\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARXIV_RADAR_")}
    env["HOOK_URL"] = hook_url  # a name that does not look secret: scrubbing must do the work
    with start_mirror([corpus]) as m:
        done = subprocess.run(
            [EXE, "-v", "run", "-c", "config.yaml", "--api-url", m.api_url, "--date", "2026-02-12",
             "--report", "report.json"],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
        )
    assert done.returncode == 0, done.stderr  # a delivery failure never fails the run
    log = done.stdout + done.stderr
    report = (tmp_path / "report.json").read_text(encoding="utf-8")
    store = _dump_store(tmp_path / "arxiv-radar.sqlite")
    channels = json.loads(report)["delivery"]["channels"]
    assert [c["status"] for c in channels] == ["failed", "sent"]
    assert "HTTP 404" in channels[0]["message"]  # the status and the service are kept
    assert "HTTP 404" in log and "HTTP 404" in store
    for where, text in (("log", log), ("report", report), ("store", store)):
        for piece in PIECES:
            assert piece not in text, f"{piece!r} of the token in the {where}"
        assert "/services/T0" not in text, where
    assert any(r.path == "/ok-hook" for r, _ in httpserver.log)


def test_scrub_keeps_words_and_drops_urls_queries_and_tokens():
    text = ("Not Found: https://hooks.slack.com/services/T0/B0/abc?x=1 "
            "see /api/v1/hooks/xyz; api_key=sk-live-0123456789abcdef for me@example.org\n"
            "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0 and aGVsbG8gd29ybGQgaGVsbG8gd29ybGQ=")
    out = scrub(text)
    assert out.startswith("Not Found: [url] see [path]")
    for secret in ("hooks.slack", "T0/B0", "sk-live", "0123456789", "me@example", "eyJhbG", "aGVsbG8g"):
        assert secret not in out
    assert "\n" not in out and len(scrub("x" * 10_000)) <= 200


def test_a_non_ascii_smtp_password_is_never_shown(tmp_path):
    """smtplib encodes the login as ASCII; its error quotes the offending character."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    from arxiv_radar.config import EmailConfig
    from arxiv_radar.deliver import DeliveryError
    from arxiv_radar.deliver.smtp import send_email
    from email.message import EmailMessage

    class Sink:
        async def handle_DATA(self, server, session, envelope):
            return "250 OK"

    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(Sink(), hostname="127.0.0.1", port=port, auth_require_tls=False,
                            authenticator=lambda *a: AuthResult(success=False))
    controller.start()
    try:
        cfg = EmailConfig.model_validate({"to": "me@example.org", "from": "r@example.org",
                                          "smtp_host": "127.0.0.1", "smtp_port": port, "security": "none"})
        msg = EmailMessage()
        msg["Subject"] = "x"
        msg.set_content("x")
        password = "pässwörd-Ωmega"
        with pytest.raises(DeliveryError) as info:
            send_email(msg, cfg, env={"ARXIV_RADAR_SMTP_USER": "me", "ARXIV_RADAR_SMTP_PASSWORD": password})
    finally:
        controller.stop()
    message = str(info.value)
    assert "ARXIV_RADAR_SMTP_PASSWORD" in message and "ASCII" in message
    # Not one of the password's own characters, in any spelling.
    for ch in "äöΩ":
        for spelling in (ch, ascii(ch)[1:-1], repr(ch)[1:-1]):
            assert spelling not in message
    assert "pässw" not in message and "Ωmega" not in message and "mega" not in message


def test_any_delivery_exception_is_reported_and_the_next_channel_still_goes(tmp_path, httpserver, monkeypatch):
    from _delivery_support import DAY1, make_config, seeded_store
    from arxiv_radar.deliver import stage

    httpserver.expect_request("/second", method="POST").respond_with_data("ok")
    config = make_config(tmp_path, webhooks=[
        {"url": httpserver.url_for("/first"), "format": "json"},
        {"url": httpserver.url_for("/second"), "format": "json"},
    ])
    real = stage.post_webhook

    def boom(url, body, **kw):
        if url.endswith("/first"):
            raise RuntimeError(f"unexpected state for {url}?sig={TOKEN}")
        return real(url, body, **kw)

    monkeypatch.setattr(stage, "post_webhook", boom)
    store = seeded_store(tmp_path)
    try:
        report = stage.deliver(store, config, DAY1, env={}, sleep=lambda s: None, webhook_backoff=0)
    finally:
        store.close()
    assert [c.status for c in report.channels] == ["failed", "sent"]
    assert report.channels[0].message.startswith("RuntimeError: unexpected state for")
    assert TOKEN not in report.channels[0].message and "/first" not in report.channels[0].message


def test_init_passes_delivery_secrets_to_the_run_from_github_secrets(tmp_path):
    import yaml

    from arxiv_radar.config import load_config
    from arxiv_radar.ops.scaffold import WORKFLOW_PATH, init_project

    init_project(tmp_path, store_mode="commit")
    workflow = yaml.safe_load((tmp_path / WORKFLOW_PATH).read_text(encoding="utf-8"))
    steps = {s.get("id"): s for job in workflow["jobs"].values() for s in job["steps"]}
    env = steps["run"]["env"]
    for name in ("ARXIV_RADAR_WEBHOOK_URL", "ARXIV_RADAR_SMTP_HOST", "ARXIV_RADAR_SMTP_USER",
                 "ARXIV_RADAR_SMTP_PASSWORD"):
        assert env[name] == "${{ secrets.%s }}" % name
    # The config it writes names the variable, never a URL, and still loads.
    config_text = (tmp_path / "config.yaml").read_text(encoding="utf-8")
    assert "url_env: ARXIV_RADAR_WEBHOOK_URL" in config_text and "hooks.slack.com" not in config_text
    load_config(tmp_path / "config.yaml", env={})
