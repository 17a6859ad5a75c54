"""PoliteClient: the rate gate, retries, backoff and headers, mostly with a fake clock."""

from __future__ import annotations

import threading
import time
from email.utils import format_datetime
from datetime import datetime, timezone

import httpx
import pytest
from werkzeug import Response

import arxiv_radar
from arxiv_radar.errors import ArxivAPIError, ConfigError, FetchError
from arxiv_radar.sources import PoliteClient, RetryableResponse
from arxiv_radar.sources.http import BadStatus, is_arxiv_host, parse_retry_after, redact_url

# Real arXiv host names, because the 3 s floor is decided by host name; every request in this
# file goes to an httpx.MockTransport or a loopback server, never to the network.
API = "https://export.arxiv.org/api/query"


class FakeTime:
    """A monotonic clock that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.now += seconds


class Script:
    """A MockTransport handler that answers from a list and records when it was asked."""

    def __init__(self, fake: FakeTime, *answers):
        self.fake = fake
        self.answers = list(answers)
        self.times: list[float] = []
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.times.append(self.fake.now)
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, int):
            return httpx.Response(answer, text=f"status {answer}")
        return answer


def make(fake: FakeTime, script: Script, **kw) -> PoliteClient:
    options = dict(
        transport=httpx.MockTransport(script),
        sleep=fake.sleep,
        clock=fake.clock,
        jitter=0.0,
        backoff_initial=0.5,
        max_attempts=3,
        max_retry_seconds=0.0,
    )
    options.update(kw)
    return PoliteClient(**options)


def gaps(times: list[float]) -> list[float]:
    return [round(b - a, 6) for a, b in zip(times, times[1:])]


# --- the gate ---------------------------------------------------------------------------


def test_arxiv_gets_a_3s_floor_even_with_min_interval_zero():
    fake = FakeTime()
    script = Script(fake, 200)
    client = make(fake, script, min_interval=0.0)
    for _ in range(3):
        client.get(API, params={"search_query": "all:x"})
    assert gaps(script.times) == [3.0, 3.0]
    assert client.interval_for("export.arxiv.org") == 3.0


def test_all_arxiv_hosts_share_one_gate():
    fake = FakeTime()
    script = Script(fake, 200)
    client = make(fake, script)
    client.get(API)
    client.get("https://oaipmh.arxiv.org/oai")
    client.get("https://rss.arxiv.org/rss/cs")
    assert gaps(script.times) == [3.0, 3.0]
    assert set(client.stats) == {"export.arxiv.org", "oaipmh.arxiv.org", "rss.arxiv.org"}


def test_a_larger_min_interval_applies_to_arxiv_too():
    fake = FakeTime()
    script = Script(fake, 200)
    client = make(fake, script, min_interval=5.0)
    client.get(API)
    client.get(API)
    assert gaps(script.times) == [5.0]


def test_other_hosts_use_min_interval_and_their_own_gate():
    fake = FakeTime()
    script = Script(fake, 200)
    client = make(fake, script, min_interval=0.0)
    client.get("https://huggingface.co/api/papers/1")
    client.get("https://huggingface.co/api/papers/2")
    client.get(API)  # arXiv's gate has not been used yet: no wait
    assert gaps(script.times) == [0.0, 0.0]
    assert fake.sleeps == []


def test_gate_counts_from_the_end_of_the_previous_request():
    fake = FakeTime()

    def slow(request: httpx.Request) -> httpx.Response:
        script.times.append(fake.now)
        fake.now += 2.0  # the response takes 2 s to arrive
        return httpx.Response(200)

    script = Script(fake, 200)
    client = PoliteClient(transport=httpx.MockTransport(slow), sleep=fake.sleep, clock=fake.clock)
    client.get(API)
    client.get(API)
    assert gaps(script.times) == [5.0]


@pytest.mark.parametrize(
    "host, expected",
    [
        ("export.arxiv.org", True),
        ("arxiv.org", True),
        ("ARXIV.ORG.", True),
        ("oaipmh.arxiv.org", True),
        ("notarxiv.org", False),
        ("arxiv.org.example.com", False),
        ("127.0.0.1", False),
    ],
)
def test_is_arxiv_host(host, expected):
    assert is_arxiv_host(host) is expected


# --- retries ----------------------------------------------------------------------------


def test_503_then_200_and_the_gate_wraps_the_retry():
    fake = FakeTime()
    script = Script(fake, 503, 200)
    client = make(fake, script)
    response = client.get(API)
    assert response.status_code == 200
    assert len(script.times) == 2
    # backoff 0.5 s, but the arXiv floor of 3 s applies to the retry as well
    assert gaps(script.times) == [3.0]
    assert client.stats == {"export.arxiv.org": {"requests": 2, "retries": 1, "failures": 0}}


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_retryable_statuses(status):
    fake = FakeTime()
    script = Script(fake, status, 200)
    client = make(fake, script, min_interval=0.0)
    assert client.get("http://127.0.0.1:9/x").status_code == 200
    assert len(script.times) == 2


def test_backoff_is_exponential_when_the_server_says_nothing():
    fake = FakeTime()
    script = Script(fake, 503)
    client = make(fake, script, max_attempts=5, backoff_initial=1.0, backoff_max=5.0)
    with pytest.raises(FetchError):
        client.get("http://127.0.0.1:9/x")
    assert fake.sleeps == [1.0, 2.0, 4.0, 5.0]


def test_jitter_adds_up_to_its_bound():
    fake = FakeTime()
    script = Script(fake, 503)
    client = make(fake, script, max_attempts=30, backoff_initial=1.0, backoff_max=1.0, jitter=0.5)
    with pytest.raises(FetchError):
        client.get("http://127.0.0.1:9/x")
    assert all(1.0 <= s <= 1.5 for s in fake.sleeps)
    assert len(set(fake.sleeps)) > 1


def test_retry_after_seconds_is_honoured():
    fake = FakeTime()
    script = Script(fake, httpx.Response(429, headers={"Retry-After": "7"}), 200)
    client = make(fake, script)
    client.get(API)
    assert gaps(script.times) == [7.0]


def test_retry_after_date_is_honoured():
    fake = FakeTime()
    when = datetime.fromtimestamp(time.time() + 20, tz=timezone.utc)
    answer = httpx.Response(503, headers={"Retry-After": format_datetime(when, usegmt=True)})
    script = Script(fake, answer, 200)
    client = make(fake, script)
    client.get(API)
    assert 18.0 <= gaps(script.times)[0] <= 21.0


def test_retry_after_beyond_our_patience_gives_up_at_once():
    fake = FakeTime()
    script = Script(fake, httpx.Response(503, headers={"Retry-After": "86400"}), 200)
    client = make(fake, script, max_retry_after=600)
    with pytest.raises(FetchError, match="asks us to wait 86400 s"):
        client.get(API)
    assert len(script.times) == 1


@pytest.mark.parametrize(
    "value, expected",
    [
        ("120", 120.0),
        (" 1.5 ", 1.5),
        ("-3", 0.0),
        ("Thu, 01 Jan 1970 00:01:40 GMT", 60.0),  # now=40 below
        ("soon", None),
        ("", None),
        (None, None),
        ("nan", None),
    ],
)
def test_parse_retry_after(value, expected):
    assert parse_retry_after(value, now=40.0) == expected


def test_retry_after_date_in_the_past_means_now():
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 422])
def test_other_4xx_are_not_retried(status):
    fake = FakeTime()
    script = Script(fake, status, 200)
    client = make(fake, script)
    with pytest.raises(BadStatus) as info:
        client.get(API, params={"id_list": "abc"})
    assert info.value.status == status
    assert info.value.body == f"status {status}"
    assert "export.arxiv.org/api/query?id_list=abc" in info.value.url
    assert len(script.times) == 1
    assert client.stats["export.arxiv.org"] == {"requests": 1, "retries": 0, "failures": 1}


@pytest.mark.parametrize(
    "error",
    [
        httpx.ConnectError("connection refused"),
        httpx.ReadTimeout("read timed out"),
        httpx.RemoteProtocolError("peer closed connection without sending complete message body"),
        httpx.ReadError("reset by peer"),
    ],
)
def test_connection_errors_and_timeouts_are_retried(error):
    fake = FakeTime()
    script = Script(fake, error, 200)
    client = make(fake, script)
    assert client.get(API).status_code == 200
    assert len(script.times) == 2


def test_exhausted_retries_name_the_url_and_the_last_problem():
    fake = FakeTime()
    script = Script(fake, 502, 503)
    client = make(fake, script, max_attempts=4)
    with pytest.raises(FetchError) as info:
        client.get(API, params={"search_query": "ti:x"})
    assert not isinstance(info.value, ArxivAPIError)
    assert len(script.times) == 4
    assert "export.arxiv.org/api/query?search_query=ti%3Ax" in str(info.value)
    assert "after 4 attempts" in str(info.value) and "HTTP 503" in str(info.value)
    assert info.value.url.startswith("https://export.arxiv.org/api/query")
    assert client.stats["export.arxiv.org"] == {"requests": 4, "retries": 3, "failures": 1}


def test_attempts_or_seconds_whichever_is_later():
    # Two attempts would be enough, but 60 s have not passed yet: keep going.
    fake = FakeTime()
    script = Script(fake, 503)
    client = make(fake, script, max_attempts=2, max_retry_seconds=60, backoff_initial=10,
                  backoff_max=40, min_interval=0)
    with pytest.raises(FetchError):
        client.get("http://127.0.0.1:9/x")
    assert [t - script.times[0] for t in script.times] == [0, 10, 30, 70]
    # Sixty seconds pass quickly, but six attempts are promised.
    fake2 = FakeTime()
    script2 = Script(fake2, 503)
    client2 = make(fake2, script2, max_attempts=6, max_retry_seconds=1, backoff_initial=30)
    with pytest.raises(FetchError):
        client2.get("http://127.0.0.1:9/x")
    assert len(script2.times) == 6


def test_defaults_promise_six_attempts_and_a_minute():
    fake = FakeTime()
    script = Script(fake, 503)
    client = PoliteClient(transport=httpx.MockTransport(script), sleep=fake.sleep, clock=fake.clock)
    with pytest.raises(FetchError):
        client.get(API)
    assert len(script.times) >= 6
    assert script.times[-1] - script.times[0] >= 60


# --- validate ---------------------------------------------------------------------------


def test_validate_can_make_an_attempt_retryable():
    fake = FakeTime()
    script = Script(fake, httpx.Response(200, text=""), httpx.Response(200, text="full"))
    client = make(fake, script)

    def validate(response: httpx.Response) -> None:
        if not response.text:
            raise RetryableResponse("empty page")

    assert client.get(API, validate=validate).text == "full"
    assert len(script.times) == 2


def test_validate_exhausted_says_why():
    fake = FakeTime()
    script = Script(fake, httpx.Response(200, text=""))
    client = make(fake, script)

    def validate(response: httpx.Response) -> None:
        raise RetryableResponse("empty page although totalResults=5")

    with pytest.raises(FetchError, match="totalResults=5"):
        client.get(API, validate=validate)
    assert len(script.times) == 3


def test_validate_other_errors_are_final():
    fake = FakeTime()
    script = Script(fake, 200)
    client = make(fake, script)

    def validate(response: httpx.Response) -> None:
        raise ArxivAPIError("bad query", str(response.request.url))

    with pytest.raises(ArxivAPIError, match="bad query"):
        client.get(API, validate=validate)
    assert len(script.times) == 1
    assert client.stats["export.arxiv.org"]["failures"] == 1


# --- headers, redirects, secrets ---------------------------------------------------------


def test_user_agent_and_accept_headers():
    fake = FakeTime()
    script = Script(fake, 200)
    client = make(fake, script, contact="someone@example.org")
    client.get(API)
    client.get("http://127.0.0.1:9/papers", accept="application/json")
    first, second = script.requests
    version = arxiv_radar.__version__
    assert first.headers["User-Agent"] == (
        f"arxiv-radar/{version} (+https://github.com/arxiv-radar/arxiv-radar; "
        "mailto:someone@example.org)"
    )
    assert first.headers["Accept"] == "application/atom+xml"
    assert second.headers["Accept"] == "application/json"


def test_user_agent_without_contact():
    client = PoliteClient()
    assert client.user_agent == (
        f"arxiv-radar/{arxiv_radar.__version__} (+https://github.com/arxiv-radar/arxiv-radar)"
    )
    client.close()


@pytest.mark.parametrize("contact", ["me@x.org\r\nX-Evil: 1", "me@x.org (admin)", "a b@x.org"])
def test_contact_cannot_inject_headers(contact):
    with pytest.raises(ConfigError):
        PoliteClient(contact=contact)


def test_redirects_are_followed_through_the_gate():
    fake = FakeTime()
    script = Script(
        fake, httpx.Response(301, headers={"Location": "https://export.arxiv.org/api/query2"}), 200
    )
    client = make(fake, script)
    response = client.get(API)
    assert str(response.request.url) == "https://export.arxiv.org/api/query2"
    assert gaps(script.times) == [3.0]
    assert client.stats["export.arxiv.org"]["retries"] == 0


def test_secrets_do_not_appear_in_errors():
    fake = FakeTime()
    script = Script(fake, 503)
    client = make(fake, script)
    with pytest.raises(FetchError) as info:
        client.get("https://user:hunter2@example.org/x", params={"api_key": "s3cret", "q": "a"})
    text = str(info.value) + info.value.url
    assert "s3cret" not in text and "hunter2" not in text
    assert "api_key=REDACTED" in text and "q=a" in text


def test_redact_url_keeps_ordinary_urls():
    url = "https://export.arxiv.org/api/query?search_query=ti%3Ax&start=0"
    assert redact_url(url) == url


def test_bad_urls_are_fetch_errors():
    client = PoliteClient()
    with pytest.raises(FetchError):
        client.get("ftp://example.org/x")
    client.close()


# --- real concurrency and real time on loopback ----------------------------------------


def test_two_threads_never_request_at_the_same_time():
    active = 0
    peak = 0
    guard = threading.Lock()

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal active, peak
        with guard:
            active += 1
            peak = max(peak, active)
        time.sleep(0.02)
        with guard:
            active -= 1
        return httpx.Response(200)

    client = PoliteClient(transport=httpx.MockTransport(handler), min_interval=0.0)
    threads = [
        threading.Thread(target=lambda i=i: [client.get(f"http://127.0.0.1:9/{i}") for _ in range(3)])
        for i in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak == 1
    assert client.stats["127.0.0.1"]["requests"] == 12


def test_real_interval_gate_on_loopback(httpserver):
    arrivals: list[float] = []

    def handler(request):
        arrivals.append(time.monotonic())
        return Response("ok")

    httpserver.expect_request("/x").respond_with_handler(handler)
    with PoliteClient(min_interval=0.2) as client:
        for _ in range(3):
            client.get(httpserver.url_for("/x"), accept="text/plain")
    assert len(arrivals) == 3
    assert all(g >= 0.2 for g in gaps(arrivals)), gaps(arrivals)


def test_read_timeout_on_loopback(httpserver):
    def stall(request):
        time.sleep(0.5)
        return Response("late")

    httpserver.expect_request("/slow").respond_with_handler(stall)
    client = PoliteClient(timeout=0.1, max_attempts=2, max_retry_seconds=0, backoff_initial=0.01,
                          jitter=0)
    t0 = time.monotonic()
    with pytest.raises(FetchError, match="ReadTimeout"):
        client.get(httpserver.url_for("/slow"))
    assert time.monotonic() - t0 < 2.0
    assert client.stats["localhost"]["requests"] == 2
    client.close()


def test_sources_exports():
    import arxiv_radar.sources as sources

    for name in ["PoliteClient", "ArxivAPI", "parse_feed", "AtomFeed", "RetryableResponse"]:
        assert name in sources.__all__ and getattr(sources, name) is not None


def test_arxiv_gate_is_shared_by_every_client_in_the_process(monkeypatch):
    # Two client objects (say, two runs in one process) still send arXiv one request per 3 s.
    import arxiv_radar.sources.http as http_mod

    sent = []
    monkeypatch.setattr(http_mod, "_ARXIV_LAST_DONE", {})
    slept = []
    monkeypatch.setattr(http_mod.time, "sleep", lambda s: slept.append(s))

    def handler(request):
        sent.append(request.url.host)
        return httpx.Response(200, text="ok")

    a = PoliteClient(transport=httpx.MockTransport(handler), sleep=lambda s: slept.append(s))
    b = PoliteClient(transport=httpx.MockTransport(handler), sleep=lambda s: slept.append(s))
    a.get(API)
    b.get("https://oaipmh.arxiv.org/oai")
    assert sent == ["export.arxiv.org", "oaipmh.arxiv.org"]
    assert len(slept) == 1 and 2.9 < slept[0] <= 3.0  # b waited for a's request
