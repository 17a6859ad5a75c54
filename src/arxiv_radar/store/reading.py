"""What a reader keeps about papers in the reading room: tags, one note per paper, read marks.

Written only by ``arxiv-radar serve`` (serve/) on a reader's request; call the writers inside a
transaction. Papers are named by versionless id, as in feedback.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from typing import Iterable

__all__ = [
    "TAG_MAX", "NOTE_MAX", "clean_tag", "add_tag", "remove_tag", "delete_tag", "tags", "tags_of",
    "tagged_ids", "set_note", "notes_of", "mark_read", "read_ids", "is_read",
]

TAG_MAX = 100
NOTE_MAX = 20_000


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def clean_tag(name: str) -> str:
    """A tag name as stored: control characters gone, whitespace collapsed; ValueError if empty/long."""
    text = " ".join("".join(c if c.isprintable() else " " for c in name).split())
    if not text:
        raise ValueError("a tag needs a name")
    if len(text) > TAG_MAX:
        raise ValueError(f"a tag name is at most {TAG_MAX} characters")
    if text in (".", ".."):
        # A browser resolves /tag/.. to another page: such a tag could never be opened.
        raise ValueError("a tag cannot be named '.' or '..'")
    return text


def add_tag(conn: sqlite3.Connection, paper_id: str, name: str) -> str:
    """Put ``paper_id`` under tag ``name`` (created if new); returns the stored name."""
    name = clean_tag(name)
    now = _now()
    conn.execute("INSERT INTO tags (name, created) VALUES (?, ?) ON CONFLICT (name) DO NOTHING", (name, now))
    tag_id = conn.execute("SELECT id FROM tags WHERE name = ?", (name,)).fetchone()[0]
    conn.execute("INSERT OR IGNORE INTO paper_tags (tag_id, paper_id, added) VALUES (?, ?, ?)",
                 (tag_id, paper_id, now))
    return name


def remove_tag(conn: sqlite3.Connection, paper_id: str, name: str) -> bool:
    """Take ``paper_id`` out of tag ``name``; the tag itself stays (empty tags are kept)."""
    cur = conn.execute("DELETE FROM paper_tags WHERE paper_id = ? AND tag_id = (SELECT id FROM tags WHERE name = ?)",
                       (paper_id, clean_tag(name)))
    return cur.rowcount > 0


def delete_tag(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("DELETE FROM tags WHERE name = ?", (clean_tag(name),)).rowcount > 0


def tags(conn: sqlite3.Connection) -> list[tuple[str, int]]:
    """Every tag with how many papers it holds, by name."""
    return [(r[0], r[1]) for r in conn.execute(
        "SELECT t.name, count(pt.paper_id) FROM tags t LEFT JOIN paper_tags pt ON pt.tag_id = t.id "
        "GROUP BY t.id ORDER BY t.name COLLATE NOCASE, t.name")]


def _chunks(ids: list[str], size: int = 500):
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def tags_of(conn: sqlite3.Connection, ids: Iterable[str]) -> dict[str, list[str]]:
    """paper id -> its tag names, by name."""
    out: dict[str, list[str]] = {}
    for chunk in _chunks(list(ids)):
        marks = ",".join("?" * len(chunk))
        for r in conn.execute(f"SELECT pt.paper_id, t.name FROM paper_tags pt JOIN tags t ON t.id = pt.tag_id "
                              f"WHERE pt.paper_id IN ({marks}) ORDER BY t.name COLLATE NOCASE", chunk):
            out.setdefault(r[0], []).append(r[1])
    return out


def tagged_ids(conn: sqlite3.Connection, name: str | None = None) -> list[str]:
    """Paper ids under tag ``name`` (or under any tag), most recently tagged first."""
    if name is None:
        sql, args = "SELECT paper_id, max(added) AS a FROM paper_tags GROUP BY paper_id ORDER BY a DESC, paper_id", ()
    else:
        sql = ("SELECT pt.paper_id FROM paper_tags pt JOIN tags t ON t.id = pt.tag_id WHERE t.name = ? "
               "ORDER BY pt.added DESC, pt.paper_id")
        args = (name,)
    return [r[0] for r in conn.execute(sql, args)]


def set_note(conn: sqlite3.Connection, paper_id: str, text: str) -> str:
    """Store the note (line breaks kept, other controls dropped); an empty one deletes it."""
    text = "".join(c for c in text.replace("\r\n", "\n") if c.isprintable() or c in "\n\t").strip()
    if len(text) > NOTE_MAX:
        raise ValueError(f"a note is at most {NOTE_MAX:,} characters")
    if not text:
        conn.execute("DELETE FROM notes WHERE paper_id = ?", (paper_id,))
        return ""
    conn.execute("INSERT INTO notes (paper_id, text, updated) VALUES (?, ?, ?) ON CONFLICT (paper_id) "
                 "DO UPDATE SET text = excluded.text, updated = excluded.updated", (paper_id, text, _now()))
    return text


def notes_of(conn: sqlite3.Connection, ids: Iterable[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for chunk in _chunks(list(ids)):
        marks = ",".join("?" * len(chunk))
        for r in conn.execute(f"SELECT paper_id, text FROM notes WHERE paper_id IN ({marks})", chunk):
            out[r[0]] = r[1]
    return out


def mark_read(conn: sqlite3.Connection, paper_id: str, read: bool = True) -> None:
    if read:
        conn.execute("INSERT OR IGNORE INTO reads (paper_id, read_at) VALUES (?, ?)", (paper_id, _now()))
    else:
        conn.execute("DELETE FROM reads WHERE paper_id = ?", (paper_id,))


def read_ids(conn: sqlite3.Connection, ids: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for chunk in _chunks(list(ids)):
        marks = ",".join("?" * len(chunk))
        out.update(r[0] for r in conn.execute(f"SELECT paper_id FROM reads WHERE paper_id IN ({marks})", chunk))
    return out


def is_read(conn: sqlite3.Connection, paper_id: str) -> bool:
    return conn.execute("SELECT 1 FROM reads WHERE paper_id = ?", (paper_id,)).fetchone() is not None
