"""md_cell and the seed row: no text can break a table or smuggle in a tag."""

from __future__ import annotations

import html
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from arxiv_radar.render.escape import collapse, html_text, md_cell, md_heading, md_url
from arxiv_radar.render.seed import seed_row
from arxiv_radar.render.view import Entry

from test_render_helpers import paper, unescaped_pipes

# Text rich in the characters that matter, plus anything else Unicode has.
hostile = st.text(
    alphabet=st.one_of(st.sampled_from(list("|\\*<>&$_`[]#!/ \n\r\t\x00\x0b\x1b\x7f\x85\u2028ab")),
                       st.characters()),
    max_size=60,
)
TAG = re.compile(r"<[A-Za-z/!?]")
_UNESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])|&(amp|lt|gt);")


def gfm_unescape(cell: str) -> str:
    """What GFM shows for a cell: backslash escapes and the three entities we write."""
    return _UNESCAPE.sub(lambda m: m.group(1) or {"amp": "&", "lt": "<", "gt": ">"}[m.group(2)], cell)


@given(hostile)
def test_md_cell_shows_the_text_and_nothing_else(text):
    cell = md_cell(text)
    assert "\n" not in cell and "\r" not in cell
    assert not TAG.search(cell)
    assert unescaped_pipes("|" + cell + "|") == 2
    assert gfm_unescape(cell) == collapse(text)


@settings(max_examples=300)
@given(hostile, hostile, hostile, hostile, st.booleans())
def test_seed_row_has_exactly_its_columns(title, author, abstract, url, show_abstract):
    e = Entry(paper("2501.00001", title=title, authors=(author, "B"), abstract=abstract),
              code_url="https://github.com/" + url, code_status="found")
    row = seed_row(e, show_abstract)
    assert row.endswith("|\n") and row.count("\n") == 1
    assert unescaped_pipes(row) == (7 if show_abstract else 6)
    assert not TAG.search(row)


@given(hostile)
def test_heading_and_html_text_carry_no_tags(text):
    for out in (md_heading(text), html_text(text)):
        assert not TAG.search(out) and "\n" not in out
    assert html.unescape(html_text(text)) == collapse(text)


def test_examples():
    assert md_cell("a|b") == "a\\|b"
    assert md_cell("<script>x</script>") == "&lt;script&gt;x&lt;/script&gt;"
    assert md_cell("line\nbreak") == "line break"
    assert md_cell("$\\alpha$ & $x^2$") == "$\\alpha$ &amp; $x^2$"  # LaTeX commands untouched
    assert md_cell("ends\\") == "ends\\\\"
    assert md_cell("**bold**") == "\\*\\*bold\\*\\*"


def test_md_url():
    assert md_url("https://github.com/x/y") == "https://github.com/x/y"
    assert md_url(" http://x.org/a(b)|c ") == "http://x.org/a%28b%29%7Cc"
    for bad in ("javascript:alert(1)", "ftp://x", "", None, "https://a b"):
        assert md_url(bad) is None


def test_a_title_cannot_make_a_link_or_an_image():
    from arxiv_radar.render.escape import md_cell

    cell = md_cell("See [my site](https://evil.example) ![](https://tracker.example/p.gif)")
    assert "](" not in cell.replace("\\](", "")
    assert cell == "See \\[my site\\](https://evil.example) !\\[\\](https://tracker.example/p.gif)"
