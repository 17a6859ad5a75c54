"""An arXiv-compatible server on loopback over a corpus of papers (API, OAI-PMH, RSS, with
optional fault injection), for offline demos, tests and a shared lab cache."""

from .corpus import Corpus, LoadProblem
from .faults import FaultInjector, FaultSpec
from .server import MirrorHandle, MirrorServer, RequestRecord, serve_forever, start_mirror

__all__ = [
    "Corpus",
    "FaultInjector",
    "FaultSpec",
    "LoadProblem",
    "MirrorHandle",
    "MirrorServer",
    "RequestRecord",
    "serve_forever",
    "start_mirror",
]
