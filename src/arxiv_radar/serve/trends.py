"""Trends: papers per week per topic, and a topic's new terms this month against last, as SVG.

The charts are drawn on the server as plain SVG (no script, no external resource); every text
in them goes through ``xml_escape``. Weeks and months are counted back from the newest paper
in the store, so a store that stopped being updated still shows its last months.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from datetime import datetime, timedelta
from xml.sax.saxutils import escape as _escape

from ..query.text import words
from .data import latest_published
from .words import STOPWORDS

__all__ = ["weekly_counts", "new_terms", "weekly_svg", "terms_svg", "PALETTE"]

# Colour-blind-safe (Okabe-Ito), readable on light and dark backgrounds.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999")
_PAPERS_PER_MONTH = 1500  # newest papers read per month for the term counts: enough for a trend, ~100 ms


def xml_escape(text: str) -> str:
    return _escape(str(text), {'"': "&quot;", "'": "&#39;"})


def _week_start(day: datetime) -> datetime:
    day = day.replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday())


def weekly_counts(conn: sqlite3.Connection, topics: list[str], weeks: int = 26) -> dict:
    """{"weeks": [monday ISO dates], "series": {topic: [count per week]}} for the last ``weeks``."""
    latest = latest_published(conn)
    if latest is None or not topics:
        return {"weeks": [], "series": {}}
    first = _week_start(latest) - timedelta(weeks=weeks - 1)
    starts = [first + timedelta(weeks=i) for i in range(weeks)]
    labels = [s.strftime("%Y-%m-%d") for s in starts]
    series: dict[str, list[int]] = {}
    since = first.strftime("%Y-%m-%dT%H:%M:%SZ")
    for topic in topics:
        counts = [0] * weeks
        for (published,) in conn.execute(
                "SELECT p.published FROM matches m JOIN papers p ON p.id = m.paper_id "
                "WHERE m.topic = ? AND p.published >= ?", (topic, since)):
            day = datetime.fromisoformat(published.replace("Z", "+00:00"))
            i = (day - first).days // 7
            if 0 <= i < weeks:
                counts[i] += 1
        series[topic] = counts
    # Weeks before the first paper of any topic say nothing: start the chart there (4 weeks at least).
    first_used = min((next((i for i, v in enumerate(c) if v), weeks) for c in series.values()), default=0)
    cut = max(0, min(first_used, weeks - 4))
    return {"weeks": labels[cut:], "series": {t: c[cut:] for t, c in series.items()}}


def _month_bounds(latest: datetime) -> tuple[datetime, datetime, datetime]:
    this = latest.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    last = (this - timedelta(days=1)).replace(day=1)
    return last, this, (this + timedelta(days=32)).replace(day=1)


def _term_counts(conn: sqlite3.Connection, topic: str | None, start: datetime, stop: datetime) -> tuple[Counter, int]:
    """How many papers of the month use each word (once per paper), and how many papers."""
    a, b = start.strftime("%Y-%m-%dT%H:%M:%SZ"), stop.strftime("%Y-%m-%dT%H:%M:%SZ")
    if topic is None:
        rows = conn.execute("SELECT title, abstract FROM papers WHERE published >= ? AND published < ? "
                            "ORDER BY published DESC LIMIT ?", (a, b, _PAPERS_PER_MONTH))
    else:
        rows = conn.execute("SELECT p.title, p.abstract FROM matches m JOIN papers p ON p.id = m.paper_id "
                            "WHERE m.topic = ? AND p.published >= ? AND p.published < ? "
                            "ORDER BY p.published DESC LIMIT ?", (topic, a, b, _PAPERS_PER_MONTH))
    counts: Counter = Counter()
    n = 0
    for title, abstract in rows:
        n += 1
        counts.update({w for w in words(f"{title} {abstract}")
                       if len(w) > 3 and not w.isdigit() and w not in STOPWORDS})
    return counts, n


def new_terms(conn: sqlite3.Connection, topic: str | None, k: int = 12) -> dict:
    """The words whose share of the topic's papers rose most from last month to this month.

    "This month" is the month of the newest paper. A word must appear in at least 3 papers this
    month; it is ranked by the rise of its share of papers (this month minus last month), so a
    word new this month ranks by how many papers use it.
    """
    latest = latest_published(conn)
    if latest is None:
        return {"this_month": None, "last_month": None, "terms": [], "papers": [0, 0]}
    last_start, this_start, next_start = _month_bounds(latest)
    now_counts, n_now = _term_counts(conn, topic, this_start, next_start)
    old_counts, n_old = _term_counts(conn, topic, last_start, this_start)
    rows = []
    for term, c in now_counts.items():
        if c < 3:
            continue
        share_now = c / max(1, n_now)
        share_old = old_counts.get(term, 0) / max(1, n_old)
        rows.append((share_now - share_old, c, term))
    rows.sort(key=lambda r: (-r[0], -r[1], r[2]))
    terms = [{"term": t, "this_month": c, "last_month": old_counts.get(t, 0)} for rise, c, t in rows[:k] if rise > 0]
    return {"this_month": this_start.strftime("%Y-%m"), "last_month": last_start.strftime("%Y-%m"),
            "terms": terms, "papers": [n_now, n_old]}


# --------------------------------------------------------------------------- SVG


def weekly_svg(data: dict, width: int = 760, height: int = 280) -> str:
    """A line chart: one line per topic, weeks along the bottom, papers up the side."""
    weeks, series = data["weeks"], data["series"]
    if not weeks or not series:
        return ""
    left, right, top, bottom = 44, 12, 12, 40
    w, h = width - left - right, height - top - bottom
    peak = max(1, max((max(v) for v in series.values() if v), default=1))
    step = _nice_step(peak)
    ymax = step * -(-peak // step)
    n = len(weeks)

    def x(i: int) -> float:
        return left + (w * i / max(1, n - 1))

    def y(v: float) -> float:
        return top + h - h * v / ymax

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
           f'role="img" aria-labelledby="weekly-title"><title id="weekly-title">Papers per week per topic</title>']
    for v in range(0, ymax + 1, step):
        out.append(f'<line x1="{left}" x2="{left + w}" y1="{y(v):.1f}" y2="{y(v):.1f}" class="grid"/>'
                   f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end" class="axis">{v}</text>')
    every = max(1, n // 6)
    for i in range(0, n, every):
        out.append(f'<text x="{x(i):.1f}" y="{top + h + 16}" text-anchor="middle" class="axis">'
                   f'{xml_escape(weeks[i][5:])}</text>')
    out.append(f'<text x="{left + w}" y="{top + h + 32}" text-anchor="end" class="axis">week starting (month-day), '
               f'{xml_escape(weeks[0][:4])}–{xml_escape(weeks[-1][:4])}</text>')
    for k, (topic, values) in enumerate(series.items()):
        colour = PALETTE[k % len(PALETTE)]
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}">'
                   f'<title>{xml_escape(topic)}</title></polyline>')
        for i, v in enumerate(values):
            out.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="2.5" fill="{colour}">'
                       f'<title>{xml_escape(topic)}, week of {xml_escape(weeks[i])}: {v} papers</title></circle>')
    out.append("</svg>")
    return "".join(out)


def _nice_step(peak: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if peak / step <= 6:
            return step
    return max(1, peak // 5)


def terms_svg(data: dict, width: int = 760) -> str:
    """Paired horizontal bars per term: papers using it this month (dark) and last month (light)."""
    terms = data["terms"]
    if not terms:
        return ""
    row, label_w, top = 26, 150, 24
    height = top + row * len(terms) + 10
    bar_w = width - label_w - 60
    peak = max(max(t["this_month"], t["last_month"]) for t in terms) or 1
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" role="img" '
           f'aria-labelledby="terms-title"><title id="terms-title">New terms in {xml_escape(data["this_month"])} '
           f'against {xml_escape(data["last_month"])}</title>',
           f'<rect x="{label_w}" y="4" width="10" height="10" fill="{PALETTE[0]}"/>'
           f'<text x="{label_w + 14}" y="13" class="axis">{xml_escape(data["this_month"])}</text>'
           f'<rect x="{label_w + 90}" y="4" width="10" height="10" fill="{PALETTE[4]}" opacity="0.6"/>'
           f'<text x="{label_w + 104}" y="13" class="axis">{xml_escape(data["last_month"])}</text>']
    for i, t in enumerate(terms):
        y0 = top + i * row
        a = bar_w * t["this_month"] / peak
        b = bar_w * t["last_month"] / peak
        out.append(f'<text x="{label_w - 8}" y="{y0 + 15}" text-anchor="end" class="label">{xml_escape(t["term"])}</text>'
                   f'<rect x="{label_w}" y="{y0 + 2}" width="{a:.1f}" height="10" fill="{PALETTE[0]}">'
                   f'<title>{xml_escape(t["term"])}: {t["this_month"]} papers in {xml_escape(data["this_month"])}</title></rect>'
                   f'<rect x="{label_w}" y="{y0 + 13}" width="{b:.1f}" height="8" fill="{PALETTE[4]}" opacity="0.6">'
                   f'<title>{xml_escape(t["term"])}: {t["last_month"]} papers in {xml_escape(data["last_month"])}</title></rect>'
                   f'<text x="{label_w + a + 4:.1f}" y="{y0 + 11}" class="axis">{t["this_month"]}</text>')
    out.append("</svg>")
    return "".join(out)
