"""Shared bits of the bench scripts: the machine description and a corpus on demand."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank ``p``-th percentile of ``values``."""
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def machine() -> str:
    """nproc, CPU model, memory, Python and SQLite versions, and the load right now."""
    import sqlite3

    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text(encoding="utf-8").split()[1])
        mem = f", {kb / 1024 / 1024:.1f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    load = ", load average %.2f %.2f %.2f" % os.getloadavg() if hasattr(os, "getloadavg") else ""
    return (
        f"{os.cpu_count()} CPUs ({cpu}){mem}, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, {platform.system()} {platform.release()}{load}"
    )


def corpus(path: Path, records: int) -> Path:
    """The generated corpus at ``path``, made with gen_corpus.py if it is not there yet."""
    if not path.exists():
        subprocess.run(
            [sys.executable, str(HERE / "gen_corpus.py"), "--records", str(records), "--out", str(path)], check=True
        )
    return path


def store_with(db: Path, corpus_path: Path) -> Path:
    """A store holding the corpus, imported with the CLI if it is not there yet."""
    if not db.exists():
        subprocess.run([str(Path(sys.executable).parent / "arxiv-radar"), "-q", "import-snapshot", str(corpus_path),
                        "--db", str(db)], check=True)
    return db
