import json
import socket
from datetime import date

import pytest

from _delivery_support import HOSTILE_TITLE, paper
from arxiv_radar.deliver import DeliveryError
from arxiv_radar.deliver.webhooks import (
    channel_name,
    discord_payload,
    json_payload,
    payload_for,
    post_webhook,
    redact,
    slack_payload,
)
from arxiv_radar.model import Author
from arxiv_radar.render.digest import Digest, DigestItem, PaperEvent
from arxiv_radar.render.view import Entry

DAY = date(2025, 3, 3)
SITE = "https://someone.github.io/radar/"


def small_digest() -> Digest:
    items = (
        DigestItem(Entry(paper("2502.00001", "Seeing robots", day=1), code_url="https://github.com/x/y"),
                   ("Vision", "Robots")),
        DigestItem(Entry(paper("2502.00002", HOSTILE_TITLE + " @everyone [x](http://evil)", day=2,
                               authors=(Author("<@&123> Mallory"),))), ("Vision",)),
        DigestItem(Entry(paper("2502.00003", "Words", day=3, version=2)), ("Language",), PaperEvent("updated", 2, DAY)),
    )
    return Digest(DAY, items, ("Vision", "Robots", "Language"), SITE)


def big_digest(n: int = 600, topics: int = 15) -> Digest:
    names = tuple(f"Topic {t} " + "x" * 40 for t in range(topics))
    items = tuple(
        DigestItem(Entry(paper(f"2501.{i:05d}", f"A rather long title about subject {i} " + "y" * 120, day=1 + i % 28)),
                   (names[i % topics],))
        for i in range(n)
    )
    return Digest(DAY, items, names, SITE)


def test_json_payload_fields():
    body = json_payload(small_digest())
    assert body["day"] == "2025-03-03" and body["new"] == 2 and body["updated"] == 1 and body["total"] == 3
    first = body["papers"][0]
    assert first["id"] == "2502.00003" and first["event"] == "updated" and first["version"] == 2
    by_id = {p["id"]: p for p in body["papers"]}
    assert by_id["2502.00001"]["topics"] == ["Vision", "Robots"]
    assert by_id["2502.00001"]["code_url"] == "https://github.com/x/y"
    assert "\x07" not in json.dumps(body) and "\\u0007" not in json.dumps(body)


def test_slack_payload_shape_and_escaping():
    body = slack_payload(small_digest())
    assert body["text"] == "arxiv-radar 2025-03-03: 2 new papers, 1 updated"
    assert body["blocks"][0]["type"] == "header"
    text = "\n".join(b["text"]["text"] for b in body["blocks"][1:])
    assert "<https://arxiv.org/abs/2502.00001|Seeing robots>" in text and "http://arxiv" not in text
    assert "also in: Robots" in text and "(updated v2)" in text and "<https://github.com/x/y|code>" in text
    assert "<script>" not in text and "&lt;script&gt;" in text


def test_slack_limits_on_a_huge_digest():
    body, shown = payload_for("slack", big_digest())
    blocks = body["blocks"]
    assert len(blocks) <= 50
    assert len(blocks[0]["text"]["text"]) <= 150
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks if b["type"] == "section")
    assert 0 < shown < 600
    assert blocks[-1]["type"] == "context"
    assert blocks[-1]["elements"][0]["text"] == f"{600 - shown} more papers: <{SITE}|see the site>"


def test_discord_payload_shape_and_escaping():
    body = discord_payload(small_digest())
    assert body["allowed_mentions"] == {"parse": []}
    assert body["content"].startswith("arxiv-radar 2025-03-03")
    assert [e["title"] for e in body["embeds"]] == ["Vision", "Language"]
    desc = body["embeds"][0]["description"]
    assert "[Seeing robots](https://arxiv.org/abs/2502.00001)" in desc and "also in: Robots" in desc
    assert "http://arxiv" not in desc
    # Markdown from a title cannot make a link of its own, and mentions are defused.
    assert "[x](http://evil)" not in desc and "\\[x\\]\\(http://evil\\)" in desc
    assert "@everyone" not in desc and "<@&123>" not in desc


def test_discord_limits_on_a_huge_digest():
    body, shown = payload_for("discord", big_digest())
    assert len(body["content"]) <= 2000
    assert len(body["embeds"]) <= 10
    assert all(len(e["title"]) <= 256 and len(e["description"]) <= 4096 for e in body["embeds"])
    assert sum(len(e["title"]) + len(e["description"]) for e in body["embeds"]) <= 6000
    assert 0 < shown < 600
    assert f"{600 - shown} more papers: {SITE}" in body["content"]


def test_unknown_format():
    with pytest.raises(ValueError):
        payload_for("teams", small_digest())


def test_secret_url_is_hashed_and_redacted():
    url = "https://hooks.slack.com/services/T000/B000/SECRETTOKEN"
    assert "SECRET" not in channel_name(url) and channel_name(url).startswith("webhook:")
    assert redact(url) == "https://hooks.slack.com/…"


# --------------------------------------------------------------------------- posting


class Sleeps(list):
    def __call__(self, seconds):
        self.append(seconds)


def test_retry_then_success(httpserver):
    httpserver.expect_ordered_request("/hook", method="POST").respond_with_data("busy", status=503)
    httpserver.expect_ordered_request("/hook", method="POST").respond_with_data("slow down", status=429, headers={"Retry-After": "2"})
    httpserver.expect_ordered_request("/hook", method="POST").respond_with_data("ok", status=200)
    sleeps = Sleeps()
    body = {"text": "hello"}
    result = post_webhook(httpserver.url_for("/hook"), body, sleep=sleeps, backoff=0.5, attempts=3)
    assert (result.status_code, result.attempts) == (200, 3)
    assert sleeps == [0.5, 2.0]  # backoff, then the server's Retry-After
    assert [req.get_json() for req, _ in httpserver.log] == [body] * 3
    assert all(req.headers["Content-Type"] == "application/json" for req, _ in httpserver.log)


def test_permanent_5xx_failure_is_reported(httpserver, caplog):
    caplog.set_level("DEBUG", logger="arxiv_radar")
    httpserver.expect_request("/hook/SECRET").respond_with_data("down", status=500)
    sleeps = Sleeps()
    with pytest.raises(DeliveryError, match="HTTP 500 after 3 attempts"):
        post_webhook(httpserver.url_for("/hook/SECRET"), {}, sleep=sleeps, backoff=0.1)
    assert len(httpserver.log) == 3 and sleeps == [0.1, 0.2]
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("arxiv_radar")]
    assert len(ours) == 2 and not any("SECRET" in m for m in ours)


def test_client_error_is_not_retried(httpserver):
    httpserver.expect_request("/hook").respond_with_data("no such hook", status=404)
    with pytest.raises(DeliveryError, match="HTTP 404 no such hook"):
        post_webhook(httpserver.url_for("/hook"), {}, sleep=Sleeps())
    assert len(httpserver.log) == 1


def test_connection_errors_are_retried_then_reported():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sleeps = Sleeps()
    with pytest.raises(DeliveryError, match="ConnectError after 3 attempts"):
        post_webhook(f"http://127.0.0.1:{port}/hook", {}, sleep=sleeps, backoff=0.01)
    assert len(sleeps) == 2
