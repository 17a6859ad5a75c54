"""An arXiv-compatible server on loopback over a corpus of papers (API now; OAI-PMH, RSS and
fault injection to come), for offline demos, tests and a shared lab cache."""

from .corpus import Corpus, LoadProblem
from .server import MirrorHandle, MirrorServer, RequestRecord, serve_forever, start_mirror

__all__ = [
    "Corpus",
    "LoadProblem",
    "MirrorHandle",
    "MirrorServer",
    "RequestRecord",
    "serve_forever",
    "start_mirror",
]
