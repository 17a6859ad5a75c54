import base64
import email
import email.policy
import logging
import os
import shutil
import socket
import ssl
import subprocess
from datetime import date

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from _delivery_support import HOSTILE_ABSTRACT, HOSTILE_TITLE, paper
from arxiv_radar.config import EmailConfig
from arxiv_radar.deliver import DeliveryError
from arxiv_radar.deliver.smtp import ENV_PASSWORD, ENV_USER, send_email
from arxiv_radar.render.digest import Digest, DigestItem, PaperEvent
from arxiv_radar.render.email import MAX_BYTES, build_email
from arxiv_radar.render.view import Entry

DAY = date(2025, 3, 3)
TOPICS = ("Vision", "Robots & <Agents>", "Language")
PASSWORD = "pa55-w0rd-do-not-log"


def digest(n_extra: int = 0, abstract_words: int = 10) -> Digest:
    items = [
        DigestItem(Entry(paper("2502.00001", "Seeing robots", day=1), code_url="https://github.com/x/y?a=1&b=2"),
                   ("Vision", "Robots & <Agents>", "Language")),
        DigestItem(Entry(paper("2502.00002", HOSTILE_TITLE, day=2, abstract=HOSTILE_ABSTRACT),
                         code_url="javascript:alert(1)"), ("Vision",)),
        DigestItem(Entry(paper("2502.00003", "Words", day=3, version=2)), ("Language",),
                   PaperEvent("updated", 2, DAY)),
    ]
    for i in range(n_extra):
        p = paper(f"2501.{i:05d}", f"Extra paper number {i}", day=1 + i % 28,
                  abstract=" ".join(f"word{j}" for j in range(abstract_words)))
        items.append(DigestItem(Entry(p), (TOPICS[i % 3],)))
    return Digest(DAY, tuple(items), TOPICS, "https://someone.github.io/radar/")


def parts(msg):
    plain = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    return plain, html


def test_digest_message_structure_grouping_and_escaping():
    built = build_email(digest(), sender="radar@example.org", to=["me@example.org", "you@example.org"])
    msg = email.message_from_bytes(built.message.as_bytes(), policy=email.policy.default)
    assert msg.get_content_type() == "multipart/alternative"
    assert msg["Subject"] == "arxiv-radar 2025-03-03: 2 new papers, 1 updated"
    assert msg["To"] == "me@example.org, you@example.org"
    plain, html = parts(msg)
    for text in (plain, html):
        # Listed in each of its topics' sections, with the other topics named each time.
        assert text.count("Seeing robots") == 3
        assert "Words" in text and "(updated v2)" in text
    assert "also in: Robots & <Agents>, Language" in plain
    assert "also in: Vision, Language" in plain and "also in: Vision, Robots & <Agents>" in plain
    assert "also in: Robots &amp; &lt;Agents&gt;, Language" in html
    # Every topic gets its section, even one whose only paper is filed first under another.
    assert "== Robots & <Agents> (1) ==" in plain
    # Topic order follows the config; each topic heading appears.
    assert html.index("Vision") < html.index("Robots &amp; &lt;Agents&gt;") < html.index("Language")
    # Hostile text is escaped in HTML, control characters are gone everywhere.
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert not any(c in plain + html for c in "\x00\x07\x0b\x1b")
    assert "javascript:" not in html and "javascript:" not in plain
    assert 'href="https://github.com/x/y?a=1&amp;b=2"' in html
    assert built.shown == ("2502.00003", "2502.00002", "2502.00001") and built.total == 3
    assert "more paper" not in plain


def test_size_cap_lists_what_fits_and_counts_the_rest():
    big = digest(n_extra=400, abstract_words=200)
    built = build_email(big, sender="radar@example.org", to=["me@example.org"])
    assert built.size < MAX_BYTES
    assert 0 < len(built.shown) < built.total == 403
    more = built.total - len(built.shown)
    plain, html = parts(built.message)
    assert f"{more} more papers not shown: https://someone.github.io/radar/" in plain
    assert f"{more} more papers not shown" in html and 'href="https://someone.github.io/radar/"' in html
    # The newest papers are the ones kept.
    shown_dates = {i.entry.paper.id: i.date for i in big.items}
    cutoff = min(shown_dates[s] for s in built.shown)
    assert all(shown_dates[pid] <= cutoff for pid in shown_dates if pid not in built.shown)


def test_same_digest_same_message_id():
    a = build_email(digest(), sender="radar@example.org", to=["me@example.org"]).message
    b = build_email(digest(), sender="radar@example.org", to=["me@example.org"]).message
    assert a["Message-ID"] == b["Message-ID"] and a["Message-ID"].endswith("@example.org>")


# --------------------------------------------------------------------------- a real SMTP server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def cert(tmp_path_factory):
    if shutil.which("openssl") is None:
        reason = "openssl CLI not available to make a self-signed certificate"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)  # CI must test TLS, not skip it
        pytest.skip(reason)
    d = tmp_path_factory.mktemp("tls")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(d / "key.pem"), "-out", str(d / "cert.pem"), "-subj", "/CN=localhost",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True,
    )
    return d / "cert.pem", d / "key.pem"


class Sink:
    def __init__(self):
        self.messages = []
        self.logins = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content, session.authenticated))
        return "250 OK"

    def authenticator(self, server, session, envelope, mechanism, auth_data):
        self.logins.append((auth_data.login, auth_data.password))
        ok = auth_data.password == PASSWORD.encode()
        # handled=False: let the server send its own 235 / 535 reply.
        return AuthResult(success=ok, handled=False)


@pytest.fixture
def smtp(request, cert):
    mode = getattr(request, "param", "none")
    sink = Sink()
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(*cert)
    kw = dict(authenticator=sink.authenticator, auth_require_tls=False)
    if mode == "starttls":
        kw.update(tls_context=server_ctx, require_starttls=True, auth_require_tls=True)
    elif mode == "ssl":
        kw.update(ssl_context=server_ctx)
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port, **kw)
    controller.start()
    client_ctx = ssl.create_default_context(cafile=str(cert[0]))
    yield sink, port, client_ctx, mode
    controller.stop()


def cfg(port: int, security: str) -> EmailConfig:
    return EmailConfig.model_validate(
        {"to": ["me@example.org", "you@example.org"], "from": "radar@example.org",
         "smtp_host": "127.0.0.1", "smtp_port": port, "security": security}
    )


def received(sink):
    assert len(sink.messages) == 1
    mail_from, rcpts, content, authed = sink.messages[0]
    return mail_from, rcpts, email.message_from_bytes(content, policy=email.policy.default), authed, content


@pytest.mark.parametrize("smtp", ["none", "starttls", "ssl"], indirect=True)
def test_sends_over_each_security_mode(smtp):
    sink, port, ctx, mode = smtp
    built = build_email(digest(n_extra=2), sender="radar@example.org", to=["me@example.org", "you@example.org"])
    assert send_email(built.message, cfg(port, mode), env={}, ssl_context=ctx, timeout=10) == {}
    mail_from, rcpts, msg, authed, raw = received(sink)
    assert mail_from == "radar@example.org" and rcpts == ["me@example.org", "you@example.org"]
    assert msg["Subject"].startswith("arxiv-radar 2025-03-03: 4 new papers")
    assert msg["Date"]
    plain, html = parts(msg)
    assert "also in: Robots & <Agents>, Language" in plain and "<script>" not in html
    assert len(raw) < MAX_BYTES
    assert not authed and sink.logins == []


@pytest.mark.parametrize("smtp", ["starttls"], indirect=True)
def test_login_only_with_both_env_vars_and_password_never_logged(smtp, caplog):
    sink, port, ctx, mode = smtp
    caplog.set_level(logging.DEBUG)
    msg = build_email(digest(), sender="radar@example.org", to=["me@example.org"]).message
    send_email(msg, cfg(port, mode), env={ENV_USER: "alice"}, ssl_context=ctx)
    assert sink.logins == [] and not sink.messages[-1][3]
    send_email(msg, cfg(port, mode), env={ENV_USER: "alice", ENV_PASSWORD: PASSWORD}, ssl_context=ctx)
    assert sink.logins == [(b"alice", PASSWORD.encode())] and sink.messages[-1][3] is True
    with pytest.raises(DeliveryError) as err:
        send_email(msg, cfg(port, mode), env={ENV_USER: "alice", ENV_PASSWORD: PASSWORD + "x"}, ssl_context=ctx, timeout=5)
    assert "login refused" in str(err.value)
    # Everything logged on our side (the test server's own "mail.log" debug trace is not ours).
    ours = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail.log"))
    assert "logged in as alice" in ours  # the user name is fine to log
    secrets = [PASSWORD, base64.b64encode(f"\0alice\0{PASSWORD}".encode()).decode()]
    for secret in secrets:
        assert secret not in ours and secret not in str(err.value)


@pytest.mark.parametrize("smtp", ["none"], indirect=True)
def test_starttls_against_a_server_without_it_fails_cleanly(smtp):
    sink, port, ctx, _ = smtp
    msg = build_email(digest(), sender="radar@example.org", to=["me@example.org"]).message
    with pytest.raises(DeliveryError, match="STARTTLS"):
        send_email(msg, cfg(port, "starttls"), env={}, ssl_context=ctx)
    assert sink.messages == []


@pytest.mark.parametrize("smtp", ["ssl"], indirect=True)
def test_untrusted_certificate_is_refused(smtp):
    _, port, _, _ = smtp
    msg = build_email(digest(), sender="radar@example.org", to=["me@example.org"]).message
    with pytest.raises(DeliveryError, match="SMTP 127.0.0.1"):
        send_email(msg, cfg(port, "ssl"), env={}, timeout=5)  # system trust store: self-signed fails


def test_nothing_listening_is_a_delivery_error():
    msg = build_email(digest(), sender="radar@example.org", to=["me@example.org"]).message
    with pytest.raises(DeliveryError):
        send_email(msg, cfg(free_port(), "none"), env={}, timeout=5)
