"""Sending one message over SMTP: plain, STARTTLS or implicit TLS (SSL).

Credentials come only from the environment (``ARXIV_RADAR_SMTP_USER`` and
``ARXIV_RADAR_SMTP_PASSWORD``), never from the config file, and the client logs in only when
both are set. The password is never logged or put into an error message.
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate

from ..config import EmailConfig
from ..net import scrub
from . import DeliveryError

log = logging.getLogger(__name__)

__all__ = ["ENV_USER", "ENV_PASSWORD", "send_email"]

ENV_USER = "ARXIV_RADAR_SMTP_USER"
ENV_PASSWORD = "ARXIV_RADAR_SMTP_PASSWORD"


def send_email(
    msg: EmailMessage,
    cfg: EmailConfig,
    *,
    env: Mapping[str, str] | None = None,
    ssl_context: ssl.SSLContext | None = None,
    timeout: float = 30.0,
) -> dict[str, tuple[int, bytes]]:
    """Send ``msg`` to ``cfg.to``; returns the recipients the server refused (others got it).

    Raises DeliveryError when nothing was sent. ``ssl_context`` defaults to the system's
    verified context (tests pass one trusting their own certificate).
    """
    env = os.environ if env is None else env
    user = env.get(ENV_USER) or None
    password = env.get(ENV_PASSWORD) or None
    where = f"{cfg.smtp_host}:{cfg.smtp_port}"
    if "Date" not in msg:
        msg["Date"] = formatdate(usegmt=True)
    context = ssl_context or ssl.create_default_context()
    try:
        if cfg.security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(cfg.smtp_host, cfg.smtp_port, timeout=timeout, context=context)
        else:
            smtp = smtplib.SMTP(cfg.smtp_host, cfg.smtp_port, timeout=timeout)
        with smtp:
            smtp.ehlo()
            if cfg.security == "starttls":
                smtp.starttls(context=context)
                smtp.ehlo()  # the capabilities (AUTH among them) change after TLS starts
            if user and password:
                if cfg.security == "none":
                    log.warning("SMTP %s: logging in as %s over an unencrypted connection", where, user)
                smtp.login(user, password)
                log.info("SMTP %s: logged in as %s", where, user)
            elif user or password:
                log.warning("SMTP %s: set both %s and %s to log in; sending without", where, ENV_USER, ENV_PASSWORD)
            refused = smtp.send_message(msg, from_addr=cfg.sender, to_addrs=list(cfg.to))
    except smtplib.SMTPAuthenticationError as exc:
        # The server's reply names the problem; our message never includes the password.
        raise DeliveryError(f"SMTP {where}: login refused for {user}: {exc.smtp_code} {scrub(_text(exc.smtp_error))}") from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise DeliveryError(f"SMTP {where}: every recipient refused ({', '.join(exc.recipients)})") from None
    except smtplib.SMTPResponseException as exc:
        raise DeliveryError(f"SMTP {where}: {exc.smtp_code} {scrub(_text(exc.smtp_error))}") from None
    except (smtplib.SMTPException, ssl.SSLError, OSError) as exc:
        raise DeliveryError(f"SMTP {where}: {type(exc).__name__}: {scrub(exc)}") from None
    except UnicodeError:
        # smtplib encodes the login as ASCII; its UnicodeEncodeError quotes the offending
        # character of the password. Say which setting is wrong, never what it holds.
        raise DeliveryError(
            f"SMTP {where}: {ENV_USER} or {ENV_PASSWORD} (or an address) holds characters the "
            "server's login cannot take (only ASCII); change it"
        ) from None
    except Exception as exc:  # anything else: its type only, its text may quote a secret
        raise DeliveryError(f"SMTP {where}: unexpected {type(exc).__name__}") from None
    if refused:
        log.warning("SMTP %s: refused recipients: %s", where, ", ".join(sorted(refused)))
    log.info("SMTP %s: sent %s to %d recipient(s)", where, msg.get("Subject", ""), len(cfg.to) - len(refused))
    return refused


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
