"""Peak memory and time of `arxiv-radar run` against hostile arXiv answers, and the cost of the
bounded reader on an ordinary large answer.

    python bench/hostile_responses.py

Prints, for a 2 MB gzip body inflating to 2 GB and a 1.5 GB plain body, the exit code, the
wall time and the peak RSS of the `arxiv-radar run` child (os.wait4); then the time to read a
16 MB (decoded) gzip answer with net.read_bounded and with httpx's own (unbounded) read.
"""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import httpx  # noqa: E402
from _hostile_servers import HostileServer, _head, endless_response, gzip_bomb_response  # noqa: E402
from _common import machine  # noqa: E402

from arxiv_radar.net import read_bounded  # noqa: E402

EXE = str(Path(sys.executable).with_name("arxiv-radar"))
CONFIG = ("topics:\n  Radar:\n    query: 'ti:radar'\nsource: api\nrequest_interval: 0\n"
          "publish_site: false\npublish_feeds: false\nenrich: {huggingface: false}\n")


def run_against(url: str) -> tuple[int, float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "config.yaml").write_text(CONFIG, encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith("ARXIV_RADAR_")}
        started = time.monotonic()
        child = subprocess.Popen([EXE, "-q", "run", "-c", "config.yaml", "--api-url", url, "--date", "2026-02-12"],
                                 cwd=tmp, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        return os.waitstatus_to_exitcode(status), time.monotonic() - started, usage.ru_maxrss / 1024


def main() -> None:
    print(machine())
    for name, responder in (("gzip bomb (2 MB -> 2 GB)", gzip_bomb_response()),
                            ("plain body (1.5 GB claimed)", endless_response())):
        with HostileServer(responder) as server:
            code, took, peak = run_against(server.url + "/api/query")
        print(f"{name:32s} exit {code}  {took:5.1f} s  peak RSS {peak:6.0f} MB")

    body = gzip.compress(os.urandom(8 << 20).hex().encode(), 6)  # 16 MB of text, ~9 MB of gzip

    def ordinary():
        yield _head("200 OK", {"Content-Type": "application/atom+xml", "Content-Encoding": "gzip",
                               "Content-Length": str(len(body))})
        yield body

    with HostileServer(ordinary) as server, httpx.Client() as client:
        for label in ("read_bounded (64 MB cap)", "httpx read (no cap)"):
            best = float("inf")
            for _ in range(3):
                started = time.perf_counter()
                with client.stream("GET", server.url, headers={"Connection": "close"}) as response:
                    if label.startswith("read_bounded"):
                        data = read_bounded(response, limit=64 << 20)
                    else:
                        data = response.read()
                best = min(best, time.perf_counter() - started)
            print(f"{label:32s} {len(data) / 1e6:.0f} MB decoded in {best * 1000:6.0f} ms (best of 3)")


if __name__ == "__main__":
    main()
