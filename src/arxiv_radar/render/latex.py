"""arXiv's LaTeX text macros as the text they stand for: ``\\textbf{Vi}sual`` -> ``Visual``.

Abstracts and titles arrive as their authors typed them. A reader of the site should see
"Visual", "50% faster", "foo_bar", not the markup. Only what is safe to read back is converted:

- ``\\textbf{X}``, ``\\textit{X}``, ``\\emph{X}``, ``\\texttt{X}`` (and ``\\textrm``, ``\\textsf``,
  ``\\textsc``, ``\\textup``, ``\\textsl``, ``\\underline``) -> X; old style ``{\\bf X}``,
  ``{\\em X}``, ``{\\it X}`` ... -> X;
- ``\\url{X}`` -> X untouched; ``\\href{URL}{TEXT}`` -> TEXT;
- the escapes ``\\% \\& \\_ \\# \\$ \\{ \\}`` -> the character; a tie ``~`` between a word and
  what follows (``Fig.~3``) -> a no-break space; a ``~`` meaning "about" (``~500``, ``B ~ 30``)
  or inside a URL (``/~name``) stays;
- accents such as ``\\"o``, ``\\'{e}``, ``{\\c c}`` -> the accented letter.

Math (``$...$``, ``$$...$$``, ``\\(...\\)``, ``\\[...\\]``) is left exactly as written, and so is any
macro not listed, or one whose braces do not close: a careful converter shows raw text rather
than drop it. (pylatexenc, considered first, reads a bare ``%`` as a comment and drops the rest
of the abstract, and turns ``\\texttt{...}`` into nothing.)
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["latex_to_text"]

_TEXT_MACROS = frozenset(
    "textbf textit emph texttt textrm textsf textsc textup textsl textmd textnormal underline mbox".split()
)
_SWITCHES = frozenset("bf it em tt rm sf sc sl up".split())
_ESCAPES = {"%": "%", "&": "&", "_": "_", "#": "#", "$": "$", "{": "{", "}": "}"}
_ACCENTS = {
    "'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304",
    ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328",
}
# Quick rejection: text with none of these has nothing to convert (most abstracts).
_INTERESTING = re.compile(r"[\\~{]")
_MACRO = re.compile(r"[A-Za-z]+")


def latex_to_text(text: str) -> str:
    if not text or not _INTERESTING.search(text):
        return text
    return unicodedata.normalize("NFC", _convert(text))


def _closing(text: str, start: int) -> int:
    """Index of the brace closing the group opened at ``text[start] == '{'``, or -1."""
    depth = 0
    i = start
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def _math_end(text: str, i: int) -> int:
    """When ``text[i:]`` opens math, the index just past its end; else -1 (also for unclosed)."""
    for opener, closer in (("$$", "$$"), ("$", "$"), ("\\(", "\\)"), ("\\[", "\\]")):
        if text.startswith(opener, i):
            j = i + len(opener)
            while True:
                k = text.find(closer, j)
                if k < 0:
                    return -1
                if text[k - 1] != "\\":  # \$ inside math is a dollar, not the end
                    return k + len(closer)
                j = k + 1
    return -1


def _convert(text: str) -> str:
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in "$\\" and not text.startswith("\\$", i):
            end = _math_end(text, i)
            if end > 0:
                out.append(text[i:end])
                i = end
                continue
        if c == "~":
            out.append("\u00a0" if _is_tie(text, i) else "~")
            i += 1
            continue
        if c == "{" and text.startswith("\\", i + 1):
            # {\bf X} and friends; {\'e} and {\c c} accents.
            close = _closing(text, i)
            m = _MACRO.match(text, i + 2)
            if close > 0 and m and m.group() in _SWITCHES:
                out.append(_convert(text[m.end():close].lstrip()))
                i = close + 1
                continue
            if close > 0:
                inner = _convert(text[i + 1:close])
                if _accent_only(text[i + 1:close]):
                    out.append(inner)
                    i = close + 1
                    continue
        if c == "\\" and i + 1 < n:
            nxt = text[i + 1]
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
                i += 2
                continue
            accented = _accent(text, i)
            if accented is not None:
                out.append(accented[0])
                i = accented[1]
                continue
            m = _MACRO.match(text, i + 1)
            if m and text.startswith("{", m.end()):
                name, open_ = m.group(), m.end()
                close = _closing(text, open_)
                if close > 0 and name in _TEXT_MACROS:
                    out.append(_convert(text[open_ + 1:close]))
                    i = close + 1
                    continue
                if close > 0 and name == "url":
                    out.append(text[open_ + 1:close])
                    i = close + 1
                    continue
                if close > 0 and name == "href" and text.startswith("{", close + 1):
                    close2 = _closing(text, close + 1)
                    if close2 > 0:
                        out.append(_convert(text[close + 2:close2]))
                        i = close2 + 1
                        continue
        out.append(c)
        i += 1
    return "".join(out)


def _is_tie(text: str, i: int) -> bool:
    """``Fig.~3``, ``Section~2``: a LaTeX tie between a word and what follows. Not ``~500``
    or ``B ~ 30`` (plain-text "about"), not ``/~name`` (a URL)."""
    if i == 0 or i + 1 >= len(text):
        return False
    before, after = text[i - 1], text[i + 1]
    return (before.isalnum() or before in ".,)]") and not after.isspace()


def _accent(text: str, i: int) -> tuple[str, int] | None:
    """``\\'e``, ``\\'{e}``, ``\\c c``, ``\\c{c}`` at ``i``: (the letter with its accent, end)."""
    mark = text[i + 1]
    if mark not in _ACCENTS:
        return None
    j = i + 2
    if mark.isalpha():  # \c c, \v{s}: a letter-named accent needs a space or a brace
        if text.startswith("{", j):
            pass
        elif text.startswith(" ", j) and j + 1 < len(text) and text[j + 1].isalpha():
            j += 1
        else:
            return None
    if text.startswith("{", j):
        close = _closing(text, j)
        letter = text[j + 1:close] if close > 0 else ""
        if len(letter) == 1 and letter.isalpha():
            return letter + _ACCENTS[mark], close + 1
        if letter in ("\\i", "\\j"):
            return letter[1] + _ACCENTS[mark], close + 1
        return None
    if j < len(text) and text[j].isalpha():
        return text[j] + _ACCENTS[mark], j + 1
    return None


def _accent_only(inner: str) -> bool:
    """``\\'e`` or ``\\c c`` alone inside braces: the braces only group the accent."""
    if len(inner) < 2 or not inner.startswith("\\"):
        return False
    found = _accent(inner, 0)
    return found is not None and found[1] == len(inner)
