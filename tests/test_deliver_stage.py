import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller

from _delivery_support import DAY1, DAY2, make_config, paper, seeded_store
from arxiv_radar.deliver.stage import deliver
from arxiv_radar.deliver.webhooks import channel_name
from arxiv_radar.store.deliveries import history


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


@pytest.fixture
def smtp():
    sink, port = Sink(), free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield sink, port
    controller.stop()


def config_for(tmp_path, smtp_port, httpserver, *, json_path="/json", slack_path="/slack/T0/SECRET"):
    return make_config(
        tmp_path,
        email={"to": "me@example.org", "from": "radar@example.org", "smtp_host": "127.0.0.1",
               "smtp_port": smtp_port, "security": "none"},
        webhooks=[{"url": httpserver.url_for(json_path), "format": "json"},
                  {"url": httpserver.url_for(slack_path), "format": "slack"}],
    )


def run(store, config, day):
    return deliver(store, config, day, env={}, sleep=lambda s: None, webhook_backoff=0)


def posted(httpserver, path):
    return [req.get_json() for req, _ in httpserver.log if req.path == path]


def test_first_run_sends_everything_once_and_a_rerun_sends_nothing(tmp_path, smtp, httpserver):
    sink, port = smtp
    httpserver.expect_request("/json", method="POST").respond_with_data("ok")
    httpserver.expect_request("/slack/T0/SECRET", method="POST").respond_with_data("ok")
    config = config_for(tmp_path, port, httpserver)
    store = seeded_store(tmp_path)

    report = run(store, config, DAY1)
    assert report.ok, report.as_dict()
    assert [(c.status, c.papers) for c in report.channels] == [("sent", 3)] * 3
    assert report.channels[2].target == "http://localhost:%d/…" % httpserver.port
    (msg,) = sink.messages
    plain = msg.get_body(("plain",)).get_content()
    # In both of its topics' sections, each naming the other.
    assert plain.count("Seeing robots") == 2 and "also in: Robots & <Agents>" in plain
    assert "Unmatched" not in plain
    (body,) = posted(httpserver, "/json")
    assert sorted(p["id"] for p in body["papers"]) == ["2502.00001", "2502.00002", "2502.00003"]
    assert len(posted(httpserver, "/slack/T0/SECRET")) == 1

    again = run(store, config, DAY1)
    assert [c.status for c in again.channels] == ["nothing-new"] * 3
    assert len(sink.messages) == 1 and len(httpserver.log) == 2

    # Next day: only the update and the new match go out.
    store.upsert_papers([paper("2502.00003", "Words", day=3, version=2), paper("2502.00009", "Fresh")], DAY2)
    store.add_matches("Vision", [("2502.00009", None)], DAY2)
    nxt = run(store, config, DAY2)
    assert [(c.status, c.papers) for c in nxt.channels] == [("sent", 2)] * 3
    assert sink.messages[-1]["Subject"] == "arxiv-radar 2025-03-04: 1 new paper, 1 updated"
    body = posted(httpserver, "/json")[-1]
    assert {p["id"]: p["event"] for p in body["papers"]} == {"2502.00003": "updated", "2502.00009": "new"}
    rows = history(store.conn)
    assert all("SECRET" not in r["channel"] for r in rows)
    assert {r["channel"] for r in rows} == {"email", channel_name(httpserver.url_for("/json")),
                                            channel_name(httpserver.url_for("/slack/T0/SECRET"))}
    store.close()


def test_failures_are_reported_not_raised_and_retried_next_run(tmp_path, smtp, httpserver):
    sink, port = smtp
    httpserver.expect_request("/json", method="POST").respond_with_data("down", status=503)
    httpserver.expect_request("/slack/T0/SECRET", method="POST").respond_with_data("ok")
    dead_port = free_port()
    config = config_for(tmp_path, dead_port, httpserver)
    store = seeded_store(tmp_path)

    report = run(store, config, DAY1)  # must not raise
    assert not report.ok
    assert [c.status for c in report.channels] == ["failed", "failed", "sent"]
    assert "SMTP 127.0.0.1" in report.channels[0].message
    assert "HTTP 503 after 3 attempts" in report.channels[1].message
    assert len(posted(httpserver, "/json")) == 3  # retried within the run

    # Second failing run: attempts count up, still no exception.
    second = run(store, config, DAY1)
    assert [c.attempts for c in second.channels[:2]] == [2, 2]
    assert second.channels[2].status == "nothing-new"

    # Next run with both back: the papers owed since the first run are sent.
    httpserver.clear()
    httpserver.expect_request("/json", method="POST").respond_with_data("ok")
    config = config_for(tmp_path, port, httpserver)
    third = run(store, config, DAY2)
    assert [(c.status, c.papers) for c in third.channels] == [("sent", 3), ("sent", 3), ("nothing-new", 0)]
    assert len(sink.messages) == 1
    email_rows = history(store.conn, "email")
    assert [(r["status"], r["attempts"]) for r in email_rows] == [("failed", 1), ("failed", 2), ("ok", 3)]
    store.close()


def test_a_broken_store_does_not_raise(tmp_path, httpserver):
    config = make_config(tmp_path, webhooks=[{"url": httpserver.url_for("/json")}])
    store = seeded_store(tmp_path)
    store.close()  # every query now fails
    report = deliver(store, config, DAY1, env={})
    assert not report.ok and report.channels[0].status == "failed"
    assert httpserver.log == []


def test_no_channels_configured(tmp_path):
    store = seeded_store(tmp_path)
    report = deliver(store, make_config(tmp_path), DAY1, env={})
    assert report.ok and report.channels == []
    store.close()
