"""The e-mail digest: one multipart/alternative message (plain text + HTML) per run. Pure.

Papers are grouped by topic (config order); a paper of several topics is listed in each of
their sections, marked "also in: X, Y" with the others. The whole encoded message stays under ``max_bytes`` (Gmail
clips messages past about 102 KB): when everything does not fit, the best-ranked (else newest) papers that fit
are listed and the rest are counted ("N more papers") with a link to the site.
"""

from __future__ import annotations

import hashlib
import textwrap
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

import jinja2

from .digest import Digest, DigestItem, clean_text, reading_order, safe_url

__all__ = ["MAX_BYTES", "DigestEmail", "build_email", "template_env"]

MAX_BYTES = 100_000
# A digest is for skimming: long abstracts are cut so more papers fit under the size cap.
ABSTRACT_CHARS = 600
TLDR_CHARS = 400
_PACKAGE_TEMPLATES = Path(__file__).with_name("templates")


@dataclass(frozen=True)
class DigestEmail:
    message: EmailMessage
    shown: tuple[str, ...]  # ids of the papers listed, the others are counted as "N more"
    total: int

    @property
    def size(self) -> int:
        return len(self.message.as_bytes(policy=SMTP))


def template_env(templates_dir: Path | None = None) -> jinja2.Environment:
    """Jinja2 environment: the user's templates folder first, then the shipped templates."""
    paths = [str(templates_dir)] if templates_dir else []
    paths.append(str(_PACKAGE_TEMPLATES))
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(paths, encoding="utf-8"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "html.j2"), default=False),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
    )


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:") + " …"


def _paper(item: DigestItem, topic: str) -> dict:
    p = item.entry.paper
    names = [clean_text(a.name) for a in p.authors if clean_text(a.name)]
    if not item.entry.authors_complete or len(names) > 8:
        authors = f"{names[0]} et al." if names else ""
    else:
        authors = ", ".join(names)
    abstract = _shorten(clean_text(p.abstract), ABSTRACT_CHARS)
    summary = item.entry.summary
    tldr = _shorten(clean_text(summary.tldr), TLDR_CHARS) if summary else ""
    return {
        "id": p.id,
        "title": clean_text(p.title) or p.id,
        "url": f"https://arxiv.org/abs/{p.id}",
        "pdf_url": f"https://arxiv.org/pdf/{p.id}",
        "authors": authors,
        "date": item.date.date().isoformat(),
        "categories": ", ".join(clean_text(c) for c in p.categories),
        "abstract": abstract,
        "abstract_text": textwrap.fill(abstract, 76, initial_indent="  ", subsequent_indent="  "),
        # The AI summary's TL;DR (untrusted text, escaped by the HTML template), "" when none.
        "tldr": tldr,
        "tldr_text": textwrap.fill("TL;DR: " + tldr, 76, initial_indent="  ", subsequent_indent="  ") if tldr else "",
        "code_url": safe_url(item.entry.code_url),
        "updated": item.updated,
        "version": item.event.version if item.event else p.version,
        "also_in": [clean_text(t) for t in item.topics if t != topic],
    }


def _subject(digest: Digest) -> str:
    new, upd = digest.new_count, digest.updated_count
    parts = [f"{new} new paper{'s' if new != 1 else ''}"] if new or not upd else []
    if upd:
        parts.append(f"{upd} updated")
    return f"arxiv-radar {digest.day.isoformat()}: {', '.join(parts)}"


def _message_id(digest: Digest, sender: str) -> str:
    # Deterministic (a retry of the same digest carries the same id, so clients can dedupe).
    domain = sender.rsplit("@", 1)[-1].strip(" >") or "arxiv-radar.invalid"
    key = ",".join(i.entry.paper.id for i in digest.items)
    h = hashlib.sha256(f"{digest.day}|{key}".encode()).hexdigest()[:16]
    return f"<arxiv-radar.{digest.day.isoformat()}.{h}@{domain}>"


def _compose(digest: Digest, shown: list[DigestItem], sender: str, to: list[str], env: jinja2.Environment) -> EmailMessage:
    subject = _subject(digest)
    context = {
        "subject": subject,
        "heading": subject,
        "day": digest.day.isoformat(),
        "groups": [(clean_text(t), [_paper(i, t) for i in items]) for t, items in digest.groups(shown, every_topic=True)],
        "more": len(digest.items) - len(shown),
        "site_url": safe_url(digest.site_url),
    }
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Message-ID"] = _message_id(digest, sender)
    msg.set_content(env.get_template("email/digest.txt.j2").render(context))
    msg.add_alternative(env.get_template("email/digest.html.j2").render(context), subtype="html")
    return msg


def build_email(
    digest: Digest,
    *,
    sender: str,
    to: list[str],
    max_bytes: int = MAX_BYTES,
    templates_dir: Path | None = None,
) -> DigestEmail:
    """The digest message, with as many papers as fit in ``max_bytes``: best-ranked first, else newest."""
    env = template_env(templates_dir)
    ordered = sorted(digest.items, key=reading_order)

    def size(k: int) -> tuple[int, EmailMessage]:
        msg = _compose(digest, ordered[:k], sender, to, env)
        return len(msg.as_bytes(policy=SMTP)), msg

    # Every paper costs well over 100 bytes, which bounds the search for a huge first digest.
    hi = min(len(ordered), max_bytes // 100)
    best_k, msg = hi, None
    if hi == len(ordered):
        s, msg = size(hi)
        if s >= max_bytes:
            # Papers cost roughly the same: search below a generous proportional guess.
            hi = min(hi, int(hi * max_bytes / s * 1.5) + 1)
            msg = None
    if msg is None:
        # The largest k that fits, by bisection.
        lo, best_k, msg = 0, 0, size(0)[1]
        while lo <= hi:
            mid = (lo + hi) // 2
            s, m = size(mid)
            if s < max_bytes:
                best_k, msg, lo = mid, m, mid + 1
            else:
                hi = mid - 1
    return DigestEmail(msg, tuple(i.entry.paper.id for i in ordered[:best_k]), len(ordered))
