"""Shared test plumbing: where the recorded fixtures live, and a guard against the internet."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def fixtures_root() -> Path:
    env = os.environ.get("ARXIV_RADAR_FIXTURES")
    return Path(env) if env else REPO.parent / "shared" / "fixtures"


@pytest.fixture(scope="session")
def fixtures() -> Path:
    """The real recorded responses in ../shared/fixtures (or $ARXIV_RADAR_FIXTURES).

    Absent fixtures skip the test with the reason, except under CI=true, where they fail it.
    """
    root = fixtures_root()
    if not (root / "PROVENANCE.tsv").is_file():
        reason = f"recorded fixtures not found at {root} (set ARXIV_RADAR_FIXTURES)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return root


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
