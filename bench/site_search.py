"""Time searches on a built site in real headless Chromium (Debian's, driven by Playwright).

    .venv/bin/python bench/site_build.py 100000 --out /tmp/site-bench   # keeps the site
    .venv/bin/python bench/site_search.py /tmp/site-bench/100000

Serves the site on loopback and, in a fresh browser context per query (nothing cached),
times from typing to the first results shown, and sums the bytes the page fetched for it.
Queries: a common word, a rare word, a word prefix, and filters alone (topic and a date
range, no words). Prints figures; judges nothing.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("site", type=Path)
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    manifest = json.loads((args.site / "search/manifest.json").read_text(encoding="utf-8"))
    newest = manifest["parts"][0]["to"]
    oldest = manifest["parts"][-1]["from"]
    queries = [
        ("common word", {"q": "w10"}),
        ("rare word", {"q": "w2f00"}),
        ("prefix of 256 words", {"q": "w2f0"}),
        ("two words", {"q": "w10 w2f00"}),
        ("topic + 1 year, no words", {"topic": manifest["topics"][0][0], "from": f"{int(newest[:4]) - 1}{newest[4:]}"}),
    ]
    handler = functools.partial(_Quiet, directory=str(args.site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}/"
    print(machine())
    print(f"site {args.site}: {manifest['docs']:,} papers in {len(manifest['parts'])} parts ({oldest} .. {newest})")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for label, form in queries:
                context = browser.new_context()
                page = context.new_page()
                page.goto(base + "index.html")
                page.wait_for_function("document.documentElement.dataset.search === 'ready'")
                before = page.evaluate("performance.getEntriesByType('resource').reduce((s, e) => s + e.encodedBodySize, 0)")
                t0 = time.perf_counter()
                for key in ("topic",):
                    if key in form:
                        page.select_option("#topic", form[key])
                if "from" in form:
                    page.fill("#from", form["from"])
                    page.locator("#from").dispatch_event("change")
                if "q" in form:
                    page.fill("#q", form["q"])
                    page.locator("#search").dispatch_event("submit")
                page.wait_for_function("document.documentElement.dataset.search === 'ready' && "
                                       "!document.getElementById('results').hidden", timeout=120_000)
                took = time.perf_counter() - t0
                fetched = page.evaluate("performance.getEntriesByType('resource').reduce((s, e) => s + e.encodedBodySize, 0)")
                status = page.inner_text("#status")
                print(f"  {label:<26} {took * 1000:>7.0f} ms  {(fetched - before) / 1e6:6.2f} MB fetched  {status}")
                context.close()
            browser.close()
    finally:
        server.shutdown()


if __name__ == "__main__":
    sys.exit(main())
