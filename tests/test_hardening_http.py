"""Every HTTP response is bounded: a gzip bomb, an endless body and a dripping server end in a
clean failure, with memory and time bounded, for arXiv, enrichment and webhooks alike.

Real servers on loopback (tests/_hostile_servers.py); `arxiv-radar run` runs as a child
process so its peak memory can be read from the kernel (os.wait4's rusage).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from _hostile_servers import HostileServer, dripping_response, endless_response, gzip_bomb_response
from arxiv_radar.errors import FetchError
from arxiv_radar.net import BodyTooLarge, read_bounded
from arxiv_radar.sources.http import PoliteClient

EXE = str(Path(sys.executable).with_name("arxiv-radar"))
PEAK_RSS_LIMIT_MB = 300

CONFIG = """\
topics:
  Radar:
    query: "ti:radar"
source: api
request_interval: 0
publish_site: false
publish_feeds: false
enrich: {huggingface: false}
database: store.sqlite
"""


def _run_child(tmp_path: Path, api_url: str) -> tuple[int, str, float]:
    """`arxiv-radar run` against ``api_url``: (exit code, stderr, peak RSS in MB of that child)."""
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARXIV_RADAR_")}
    with open(tmp_path / "out.txt", "wb") as out, open(tmp_path / "err.txt", "wb") as err:
        child = subprocess.Popen(
            [EXE, "run", "-c", "config.yaml", "--api-url", api_url, "--date", "2026-02-12",
             "--report", "report.json"],
            cwd=tmp_path, stdout=out, stderr=err, env=env,
        )
        try:
            _, status, usage = os.wait4(child.pid, 0)
        except BaseException:
            child.kill()
            raise
        child.returncode = os.waitstatus_to_exitcode(status)
    return child.returncode, (tmp_path / "err.txt").read_text(encoding="utf-8"), usage.ru_maxrss / 1024


@pytest.mark.parametrize("responder", [gzip_bomb_response, endless_response], ids=["gzip-bomb", "1.5-GB-body"])
def test_a_hostile_arxiv_answer_ends_in_a_clean_partial_run(tmp_path, responder):
    with HostileServer(responder()) as server:
        started = time.monotonic()
        code, err, peak_mb = _run_child(tmp_path, server.url + "/api/query")
        took = time.monotonic() - started
    assert code == 3, err
    assert "Traceback" not in err
    assert "larger than 67,108,864 bytes once decoded" in err
    assert peak_mb < PEAK_RSS_LIMIT_MB, f"peak RSS {peak_mb:.0f} MB"
    # Oversized is final: not fetched again and again.
    assert server.requests == 1
    assert took < 60
    print(f"peak RSS of the child: {peak_mb:.0f} MB in {took:.1f} s")


def test_a_dripping_response_hits_the_overall_deadline():
    with HostileServer(dripping_response(every=0.1)) as server:
        client = PoliteClient(deadline=1.5, timeout=5, max_attempts=1, max_retry_seconds=0,
                              jitter=0)
        started = time.monotonic()
        with pytest.raises(FetchError, match="no complete response before the deadline"):
            client.get(server.url + "/api/query")
        client.close()
    # Each byte came well within the 5 s read timeout: only the deadline stopped it.
    assert 1.4 < time.monotonic() - started < 5


def test_the_cap_counts_decoded_bytes_not_wire_bytes():
    with HostileServer(gzip_bomb_response()) as server, httpx.Client() as client:
        with client.stream("GET", server.url) as response:
            with pytest.raises(BodyTooLarge):
                read_bounded(response, limit=10 * 1024 * 1024)


def test_enrichment_json_is_bounded_too():
    from arxiv_radar.enrich.fetch import Fetcher, SourceFailure

    async def ask(url: str) -> None:
        async with httpx.AsyncClient() as client:
            fetcher = Fetcher(client, deadline=time.monotonic() + 30, timeout=5, max_bytes=1 << 20)
            await fetcher.get_json("hf", url)

    with HostileServer(gzip_bomb_response("application/json")) as server:
        with pytest.raises(SourceFailure, match="larger than 1,048,576 bytes"):
            asyncio.run(ask(server.url + "/api/papers/x"))
    with HostileServer(dripping_response(every=0.1)) as server:
        started = time.monotonic()
        with pytest.raises(SourceFailure, match="deadline"):
            asyncio.run(ask_with_timeout(server.url))
        assert time.monotonic() - started < 5


async def ask_with_timeout(url: str) -> None:
    from arxiv_radar.enrich.fetch import Fetcher

    async with httpx.AsyncClient() as client:
        # Overall deadline: three read timeouts.
        await Fetcher(client, deadline=time.monotonic() + 30, timeout=0.5).get_json("hf", url)


def test_a_webhook_that_answers_with_a_bomb_or_a_drip_fails_cleanly():
    from arxiv_radar.deliver import DeliveryError
    from arxiv_radar.deliver.webhooks import post_webhook

    with HostileServer(gzip_bomb_response("text/plain")) as server:
        started = time.monotonic()
        # A 200 is a delivery; only the start of its (2 GB) answer is read.
        assert post_webhook(server.url + "/hook", {"text": "x"}, timeout=5, attempts=1).status_code == 200
        assert time.monotonic() - started < 5
    # An error answer dripping its body: only the deadline ends it.
    with HostileServer(dripping_response(every=0.1, status="500 Internal Server Error")) as server:
        started = time.monotonic()
        with pytest.raises(DeliveryError, match="DeadlineExceeded after 1 attempts"):
            post_webhook(server.url + "/hook", {"text": "x"}, timeout=0.5, attempts=1)
        assert time.monotonic() - started < 5
    # A success needs only its status line: a dripping body does not hold the run.
    with HostileServer(dripping_response(every=0.1)) as server:
        started = time.monotonic()
        assert post_webhook(server.url + "/hook", {"text": "x"}, timeout=5, attempts=1).status_code == 200
        assert time.monotonic() - started < 2
