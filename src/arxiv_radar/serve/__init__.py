"""`arxiv-radar serve`: a private reading room over the store (Starlette + uvicorn, optional extra).

    app = create_app("arxiv-radar.sqlite")           # an ASGI app
    serve("arxiv-radar.sqlite", host="127.0.0.1", port=8000)

Starlette and uvicorn come with the ``serve`` extra (``pip install 'arxiv-radar[serve]'``);
importing this package without them raises a one-line error that says so.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..errors import ArxivRadarError
from .security import ServeConfigError, check_bind, is_loopback

__all__ = ["create_app", "serve", "check_bind", "is_loopback", "ServeConfigError", "MissingExtra"]


class MissingExtra(ArxivRadarError):
    exit_code = 2


def _need_extra() -> None:
    try:
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        raise MissingExtra("`arxiv-radar serve` needs the serve extra: pip install 'arxiv-radar[serve]'") from None


def create_app(db_path: str | Path, *, token: str | None = None, loopback_only: bool = True,
               topics: list[str] | None = None):
    _need_extra()
    from .app import create_app as _create

    return _create(db_path, token=token, loopback_only=loopback_only, topics=topics)


def serve(db_path: str | Path, *, host: str = "127.0.0.1", port: int = 8000, token: str | None = None,
          topics: list[str] | None = None, log_level: str = "warning",
          announce: Callable[[str], None] | None = None) -> None:
    """Check the address and token, then run the app with uvicorn until interrupted.

    The socket is bound here, so ``port=0`` picks a free port and ``announce`` gets the real
    address ("http://127.0.0.1:8000/") before the first request.
    """
    check_bind(host, token)
    _need_extra()
    import socket

    import uvicorn

    app = create_app(db_path, token=token, loopback_only=is_loopback(host), topics=topics)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ServeConfigError(f"cannot listen on {host} port {port}: {exc.strerror or exc}") from None
    bound = sock.getsockname()[1]
    if announce is not None:
        shown = f"[{host}]" if ":" in host else host
        announce(f"http://{shown}:{bound}/")
    config = uvicorn.Config(app, log_level=log_level, access_log=False, server_header=False, proxy_headers=False)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
