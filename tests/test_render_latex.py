"""LaTeX text macros in titles and abstracts read as text on the site; math stays as written."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from arxiv_radar.model import Author, Paper
from arxiv_radar.render.latex import latex_to_text
from arxiv_radar.render.site import build_site
from arxiv_radar.render.view import Entry, RenderOptions, TopicView


@pytest.mark.parametrize(("raw", "text"), [
    (r"\textbf{Vi}sual odometry", "Visual odometry"),
    (r"\emph{deep} and \textit{wide}, \texttt{foo\_bar}", "deep and wide, foo_bar"),
    (r"\textbf{\emph{Nested}} x", "Nested x"),
    (r"50\% faster \& better, \#1, \$5", "50% faster & better, #1, $5"),
    (r"see \url{https://github.com/a/b_c} now", "see https://github.com/a/b_c now"),
    (r"\href{https://a.b}{the code} here", "the code here"),
    (r"Fig.~3 at http://x.org/~me", "Fig.\u00a03 at http://x.org/~me"),
    # A ~ that means "about", as plain-text abstracts use it, stays.
    ("velocities near ~500 km/s, B_0 ~ 30 T", "velocities near ~500 km/s, B_0 ~ 30 T"),
    (r"Djokovi\'{c}'s and Gr\"obner", "Djoković's and Gröbner"),
    (r"{\bf bold} and {\em em}", "bold and em"),
    (r"Schr\"odinger, \'{e}t\'e, {\c c}a, \v{S}koda", "Schrödinger, été, ça, Škoda"),
    # Math is left exactly as written, escapes and all.
    (r"cost $O(n^2)$ and $\alpha \_ \textbf{x}$", r"cost $O(n^2)$ and $\alpha \_ \textbf{x}$"),
    (r"$$ x = y $$ and \( a \% \)", r"$$ x = y $$ and \( a \% \)"),
    # What it does not know, or cannot close, it leaves alone rather than drop.
    (r"\cite{x} and \unknown{y}", r"\cite{x} and \unknown{y}"),
    (r"\textbf{unclosed", r"\textbf{unclosed"),
    ("100% done { brace", "100% done { brace"),
    ("A plain abstract.", "A plain abstract."),
])
def test_latex_to_text(raw, text):
    assert latex_to_text(raw) == text


def test_site_shows_the_text_not_the_markup(tmp_path):
    paper = Paper(id="2602.00001", title=r"\textbf{Vi}sual \emph{Odometry}",
                  abstract=r"We get 50\% better $O(n)$ with \texttt{vo\_net}.",
                  authors=(Author("A. Author"),), categories=("cs.CV",),
                  published=datetime(2026, 2, 10, tzinfo=timezone.utc))
    site = tmp_path / "site"
    build_site([TopicView("Vision", (Entry(paper),))], RenderOptions(date=date(2026, 2, 12)), site)
    html = (site / "topics" / "vision" / "index.html").read_text(encoding="utf-8")
    assert "Visual Odometry" in html and "We get 50% better $O(n)$ with vo_net." in html
    assert "\\textbf" not in html and "\\texttt" not in html
