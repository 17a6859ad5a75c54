"""What every stage that talks HTTP shares: bounded body reads and a scrubber for what comes back.

``bounded`` reads a streamed response with a cap on the *decoded* size and an overall deadline,
so a gzip bomb, an endless body or a dripping server ends in a clean error. ``scrub`` turns
text a service sent back (an error body, an exception message) into something safe to log,
report and store: no URLs, no query strings, no token-like strings.

Used by sources/ (arXiv), enrich/ (JSON APIs), deliver/ (webhooks) and ops/doctor; it imports
nothing of theirs, so delivery and enrichment need not import sources/.
"""

from .bounded import (
    ARXIV_MAX_BYTES,
    ERROR_BODY_BYTES,
    JSON_MAX_BYTES,
    BodyTooLarge,
    CorruptBody,
    DeadlineExceeded,
    aread_bounded,
    read_bounded,
    with_body,
)
from .scrub import scrub

__all__ = [
    "ARXIV_MAX_BYTES",
    "ERROR_BODY_BYTES",
    "JSON_MAX_BYTES",
    "BodyTooLarge",
    "CorruptBody",
    "DeadlineExceeded",
    "aread_bounded",
    "read_bounded",
    "scrub",
    "with_body",
]
