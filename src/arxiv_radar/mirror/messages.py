"""The request and response a mirror route sees: plain data, no sockets.

Routes are functions ``Request -> Response``; fault injection (faults.py) wraps such a function,
so it can answer instead, delay, or alter the response (truncate the body, drop entries).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qs

__all__ = ["Handler", "Request", "Response"]


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    path: str
    query_string: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    base_url: str = ""

    @property
    def params(self) -> dict[str, str]:
        """Query parameters, first value wins; ``+`` is a space, as in any form encoding."""
        parsed = parse_qs(self.query_string, keep_blank_values=True, errors="replace")
        return {key: values[0] for key, values in parsed.items()}


@dataclass(slots=True)
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    # Set by fault injection to the fault's name; goes to the request log, not to the client.
    fault: str = ""

    @classmethod
    def text(cls, status: int, message: str) -> "Response":
        return cls(status, (message + "\n").encode("utf-8"))


Handler = Callable[[Request], Response]
