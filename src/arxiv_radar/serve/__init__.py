"""`arxiv-radar serve`: a private reading room over the store (Starlette + uvicorn, optional extra).

    app = create_app("arxiv-radar.sqlite")           # an ASGI app
    serve("arxiv-radar.sqlite", host="127.0.0.1", port=8000)

Starlette and uvicorn come with the ``serve`` extra (``pip install 'arxiv-radar[serve]'``);
importing this package without them raises a one-line error that says so.
"""

from __future__ import annotations

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
          topics: list[str] | None = None, log_level: str = "warning") -> None:
    """Check the address and token, then run the app with uvicorn until interrupted."""
    check_bind(host, token)
    _need_extra()
    import uvicorn

    app = create_app(db_path, token=token, loopback_only=is_loopback(host), topics=topics)
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False, server_header=False,
                proxy_headers=False)
