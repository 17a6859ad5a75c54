"""Shared test plumbing: where the recorded fixtures live, and a guard against the internet."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"


@pytest.fixture(scope="session")
def fixtures() -> Path:
    """The real recorded responses shipped in tests/fixtures (their sources: PROVENANCE.tsv).

    They are part of the project, so a missing file is a broken checkout: the test fails.
    """
    if not (FIXTURES / "PROVENANCE.tsv").is_file():
        pytest.fail(f"recorded fixtures not found at {FIXTURES}: the checkout is incomplete")
    return FIXTURES


def corpus_files(fixtures: Path) -> list[Path]:
    """Every recorded arXiv response that holds papers (not the error feed), plus the bulk lines."""
    api = fixtures / "arxiv-api"
    atom = [p for p in sorted((api / "2026").glob("*.xml")) if not p.name.startswith("id_abc")]
    return [
        *atom,
        *sorted((api / "2016").glob("*.xml")),
        fixtures / "bulk" / "kaggle-arxiv-metadata-snapshot-first150.jsonl",
    ]


@pytest.fixture(scope="module")
def mirror(fixtures: Path):
    """Our mirror serving the recorded fixtures."""
    from arxiv_radar.mirror import start_mirror

    with start_mirror(corpus_files(fixtures)) as handle:
        yield handle


def pytest_runtest_setup(item):
    # No test touches the internet: only loopback sockets are allowed.
    from pytest_socket import socket_allow_hosts

    socket_allow_hosts(["127.0.0.1", "localhost", "::1"], allow_unix_socket=True)


# Debian's chromium, driven by Playwright (whose own browser download cannot work offline).
# The flags keep it from reaching for Google's hosts, which this machine's network refuses.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def missing_tool(reason: str) -> None:
    """A system tool the tests need is absent: a skip on a developer's machine, a failure in CI."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for every browser test (the site's and the reading room's)."""
    if not CHROMIUM.exists():
        missing_tool(f"{CHROMIUM} not found (Debian's chromium package; .ci/run installs it)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing_tool("playwright is not installed")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()
