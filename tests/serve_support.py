"""A small store for the reading-room tests: two topics over two months, code links, hostile text."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from arxiv_radar.model import Author, Paper, Version
from arxiv_radar.store import Store

HOSTILE = '<script>alert("x")</script> & <b>bold</b>'
START = datetime(2026, 9, 1, 12, tzinfo=timezone.utc)

# Words that make the trends' new terms: "mamba" only in the last month, "diffusion" throughout.
_FILL = ("we study images and vision with attention layers under real settings on benchmark datasets "
         "for segmentation tracking detection and recognition")


def papers() -> list[Paper]:
    out = []
    for i in range(48):
        day = START + timedelta(days=i * 1.25)
        late = day.month == 10
        topic_word = "diffusion" if i % 2 == 0 else "graph"
        extra = " mamba state space" if late and i % 2 == 0 else ""
        title = f"{topic_word.capitalize()} paper number {i}{extra}"
        if i == 5:
            title = f"Robust diffusion {HOSTILE}"
        abstract = f"A {topic_word} method {i}.{extra} {_FILL}"
        out.append(Paper(
            id=f"2609.{10000 + i:05d}",
            title=title,
            abstract=abstract,
            authors=(Author(f"Ada Lovelace{i % 3}"), Author("Alan Turing", ("Bletchley Park",))),
            categories=("cs.CV", "cs.LG") if i % 2 == 0 else ("cs.LG",),
            primary_category="cs.CV" if i % 2 == 0 else "cs.LG",
            published=day,
            updated=day + timedelta(days=2) if i % 5 == 0 else None,
            version=2 if i % 5 == 0 else 1,
            versions=((Version(1, day, "1 MB"), Version(2, day + timedelta(days=2), "2 MB")) if i % 5 == 0
                      else (Version(1, day, "1 MB"),)),
            comment="10 pages, code at https://github.com/example/repo" if i % 4 == 0 else None,
        ))
    # An old-style id (holds a slash).
    out.append(Paper(id="hep-th/9901001", title="Strings diffusion of old", abstract="An old diffusion paper.",
                     authors=(Author("E. Witten"),), categories=("hep-th",), primary_category="hep-th",
                     published=datetime(1999, 1, 4, tzinfo=timezone.utc)))
    return out


def make_store(path: Path) -> Path:
    with Store.open(path) as store:
        ps = papers()
        store.upsert_papers(ps, date(2026, 11, 1))
        store.add_matches("Diffusion", [(p.id, "abs:diffusion") for p in ps if "iffusion" in p.title], date(2026, 11, 1))
        store.add_matches("Graphs", [(p.id, "ti:graph") for p in ps if "Graph" in p.title], date(2026, 11, 1))
        for p in ps[::4]:
            store.record_link(p.id, "comment", "found", url="https://github.com/example/repo")
    return path


@contextmanager
def running(app, host: str = "127.0.0.1"):
    """Serve ``app`` with a real uvicorn on a free loopback port, in a thread; yields the base URL."""
    import socket

    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
