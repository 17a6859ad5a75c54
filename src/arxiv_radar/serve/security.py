"""Who may use the reading room, and which requests may change the store.

- Loopback by default. Any other address needs a token (``--token`` or
  ``ARXIV_RADAR_SERVE_TOKEN``): sent as ``Authorization: Bearer <token>`` or
  ``X-Arxiv-Radar-Token``, or once to ``/login``, which sets an HttpOnly session cookie.
- Every state-changing request is a POST carrying the CSRF token (form field ``csrf_token``
  or header ``X-CSRF-Token``). Pages embed it; scripts read it from ``GET /api/csrf``. Only a
  page of the same origin can read it, so a foreign site cannot forge a write; a foreign
  ``Origin`` header is refused as well.
- On loopback without a token, the Host header must name loopback: a DNS-rebinding page on
  another name cannot reach the app through the user's browser.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets

from ..errors import ArxivRadarError

__all__ = ["ServeConfigError", "is_loopback", "check_bind", "Guard", "COOKIE", "TOKEN_ENV", "MIN_TOKEN"]

COOKIE = "arxiv_radar_session"
TOKEN_ENV = "ARXIV_RADAR_SERVE_TOKEN"
MIN_TOKEN = 16
_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


class ServeConfigError(ArxivRadarError):
    """A serve option that cannot work (a public address without a token): a usage error."""

    exit_code = 2


def is_loopback(host: str) -> bool:
    host = host.strip().strip("[]").lower()
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_bind(host: str, token: str | None) -> None:
    """Refuse a non-loopback address without a token, or a token too short to guess hard."""
    if token is not None and len(token) < MIN_TOKEN:
        raise ServeConfigError(f"the serve token is shorter than {MIN_TOKEN} characters; "
                               "use a long random one (e.g. `python -c 'import secrets; print(secrets.token_urlsafe())'`)")
    if not is_loopback(host) and not token:
        raise ServeConfigError(f"--host {host} is not a loopback address: give a token with --token or "
                               f"{TOKEN_ENV} so that only you can use the reading room")


def _host_only(value: str) -> str:
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:].split("]", 1)[0]
    if value.count(":") == 1:
        return value.split(":", 1)[0]
    return value


class Guard:
    """The token and CSRF checks of one running app."""

    def __init__(self, token: str | None, *, loopback_only: bool):
        self.token = token or None
        self.loopback_only = loopback_only
        self._secret = secrets.token_bytes(32)
        self.csrf = hmac.new(self._secret, b"csrf", hashlib.sha256).hexdigest()
        # The cookie carries a digest of the token, never the token itself.
        self.session = (hmac.new(self.token.encode(), b"arxiv-radar session", hashlib.sha256).hexdigest()
                        if self.token else None)

    @property
    def needs_login(self) -> bool:
        return self.token is not None

    def token_ok(self, given: str | None) -> bool:
        return bool(self.token and given and hmac.compare_digest(given.encode(), self.token.encode()))

    def authenticated(self, headers, cookies) -> bool:
        if self.token is None:
            return True
        auth = headers.get("authorization", "")
        if auth[:7].lower() == "bearer " and self.token_ok(auth[7:].strip()):
            return True
        if self.token_ok(headers.get("x-arxiv-radar-token")):
            return True
        cookie = cookies.get(COOKIE)
        return bool(cookie and self.session and hmac.compare_digest(cookie.encode(), self.session.encode()))

    def csrf_ok(self, given: str | None) -> bool:
        return bool(given) and hmac.compare_digest(given.encode(), self.csrf.encode())

    def host_ok(self, host_header: str | None) -> bool:
        """On loopback without a token, only loopback names may be asked for (no DNS rebinding)."""
        if not self.loopback_only or self.token is not None:
            return True
        return bool(host_header) and is_loopback(_host_only(host_header))

    @staticmethod
    def origin_ok(origin: str | None, host_header: str | None) -> bool:
        """A browser's Origin, when sent, must be this app's own."""
        if not origin or origin == "null":
            return origin is None
        rest = origin.split("://", 1)[-1].rstrip("/").lower()
        return bool(host_header) and rest == host_header.strip().lower()
