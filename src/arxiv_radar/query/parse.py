"""A parser for arXiv's ``search_query`` language, into the AST of ``nodes``.

Syntax (API user manual 5.1, and arXiv's own notes in arxiv-search README_classic_search_query):

- ``prefix:value`` with prefixes ti au abs co jr cat rn id all (any case); a bare value is ``all:``.
- values: a word, a ``"quoted phrase"``, or a word with a trailing ``*`` (``ti:detect*``).
  An underscore joins the words of a name: ``au:del_maestro`` is the phrase "del maestro".
- ``prefix:(...)``: the prefix applies to every unprefixed value inside, as on arXiv.
- ``submittedDate:[YYYYMMDDHHMM TO YYYYMMDDHHMM]`` and ``lastUpdatedDate:[...]``; the ends may
  also be ``YYYYMMDD`` (a start means 00:00, an end 23:59), both inclusive, UTC. arXiv also
  accepts the quoted form ``submittedDate:"... TO ..."``, and so do we.
- ``AND``, ``OR``, ``ANDNOT`` (also written ``AND NOT``), upper case only: arXiv reads a lower
  case ``and`` as a search word, and so do we. Parentheses group.
- ``+`` is a space, as in the API's URLs, so a query pasted from a URL parses.

Two choices where arXiv's behaviour is not something one would want to copy:

- Precedence. arXiv's Lucene 2.3 does not have a true precedence (``a AND b OR c`` makes ``c``
  optional, i.e. it means ``a AND b``). We use the standard one: ``AND``/``ANDNOT`` bind tighter
  than ``OR``, and operators of one level associate to the left, so ``a OR b AND c ANDNOT d``
  is ``a OR ((b AND c) ANDNOT d)``.
- Juxtaposition. arXiv's default operator is ``OR`` (``notarealword space`` finds "space"), but
  a topic like ``ti:diffusion video`` is almost always meant as both words, so two values with no
  operator between them mean ``AND`` here, like a web search. ``to_api`` always writes the
  operator out, so what arXiv is sent means exactly what we evaluate locally.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from arxiv_radar.errors import QuerySyntaxError

from .nodes import DATE_FIELDS, FIELDS, And, AndNot, DateRange, Node, Or, Term
from .text import words as text_words

__all__ = ["parse", "MAX_QUERY_LENGTH"]

MAX_QUERY_LENGTH = 10_000
# Deeper than any real topic; keeps recursion (here and in evaluation) far from Python's limit.
_MAX_PAREN_DEPTH = 50
_MAX_TREE_DEPTH = 200

_FIELD_NAMES = {f.lower(): f for f in (*FIELDS, *DATE_FIELDS)}
_PREFIX = re.compile(r"([A-Za-z]+):")
_OPERATORS = {"AND", "OR", "ANDNOT", "NOT"}
# A value word ends at white space, a parenthesis, a quote or a bracket.
_WORD_END = re.compile(r'[\s()"\[\]]')
_RANGE = re.compile(r"^\s*(\d{8}|\d{12})\s+TO\s+(\d{8}|\d{12})\s*$", re.IGNORECASE)
# Fields whose value is an identifier compared as a string, not text to tokenize.
_RAW_FIELDS = ("cat", "id")


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str  # LP RP AND OR ANDNOT NOT FIELD WORD PHRASE RANGE EOF
    text: str
    start: int
    end: int


def _fail(query: str, pos: int, message: str) -> QuerySyntaxError:
    """A QuerySyntaxError whose one-line message shows the query with a marker at ``pos``."""
    pos = max(0, min(pos, len(query)))
    lo, hi = max(0, pos - 40), min(len(query), pos + 40)
    # Control characters and the like would garble a terminal; show them as '?'.
    shown = "".join(c if c.isprintable() else "?" for c in query[lo:hi])
    cut = pos - lo
    excerpt = ("..." if lo else "") + shown[:cut] + ">>>" + shown[cut:] + ("..." if hi < len(query) else "")
    return QuerySyntaxError(f"{message} (position {pos}): {excerpt}", query, pos)


def _lex(query: str, s: str) -> list[_Tok]:
    toks: list[_Tok] = []
    i, n = 0, len(s)
    after_field = False  # the previous token was a prefix glued to this position
    while i < n:
        c = s[i]
        if c.isspace():
            i += 1
            after_field = False
            continue
        if c in "()":
            toks.append(_Tok("LP" if c == "(" else "RP", c, i, i + 1))
            i += 1
        elif c == '"':
            j = s.find('"', i + 1)
            if j < 0:
                raise _fail(query, i, "unclosed quote")
            toks.append(_Tok("PHRASE", s[i + 1 : j], i, j + 1))
            i = j + 1
        elif c == "[":
            j = s.find("]", i + 1)
            if j < 0:
                raise _fail(query, i, "unclosed '['")
            toks.append(_Tok("RANGE", s[i + 1 : j], i, j + 1))
            i = j + 1
        elif c == "]":
            raise _fail(query, i, "unmatched ']'")
        else:
            m = _WORD_END.search(s, i)
            j = m.start() if m else n
            word = s[i:j]
            pm = _PREFIX.match(word)
            canon = _FIELD_NAMES.get(pm.group(1).lower()) if pm else None
            if after_field and canon is not None:
                raise _fail(query, i, f"a field prefix cannot follow another one ('{pm.group(0)}')")
            if pm and not after_field:
                # A value may hold a colon (ti:foo:bar), but a word that starts one is a prefix.
                name = pm.group(1)
                if canon is None:
                    known = ", ".join((*FIELDS, *DATE_FIELDS))
                    raise _fail(
                        query,
                        i,
                        f"unknown field prefix '{name}:' (known: {known}); "
                        "quote the word to search for it as text",
                    )
                end = i + len(pm.group(0))
                toks.append(_Tok("FIELD", canon, i, end))
                i = end
                after_field = True
                continue
            if word in _OPERATORS and not after_field:
                toks.append(_Tok(word, word, i, j))
            else:
                toks.append(_Tok("WORD", word, i, j))
            i = j
        after_field = False
    toks.append(_Tok("EOF", "", n, n))
    return toks


def _describe(tok: _Tok) -> str:
    if tok.kind == "EOF":
        return "the end of the query"
    if tok.kind == "PHRASE":
        return f'"{tok.text}"'
    if tok.kind == "FIELD":
        return f"'{tok.text}:'"
    return f"'{tok.text}'"


class _Parser:
    def __init__(self, query: str):
        self.query = query
        # '+' is a space in the API's URLs; replacing it one for one keeps positions right.
        self.toks = _lex(query, query.replace("+", " "))
        self.i = 0
        self.depth = 0

    def fail(self, pos: int, message: str) -> QuerySyntaxError:
        return _fail(self.query, pos, message)

    def peek(self) -> _Tok:
        return self.toks[self.i]

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        if tok.kind != "EOF":
            self.i += 1
        return tok

    # query := or_expr EOF
    def parse(self) -> Node:
        if self.peek().kind == "EOF":
            raise self.fail(0, "empty query")
        node = self.or_expr("all", None)
        tok = self.peek()
        if tok.kind == "RP":
            raise self.fail(tok.start, "unmatched ')'")
        if tok.kind != "EOF":  # pragma: no cover - or_expr consumes everything else
            raise self.fail(tok.start, f"unexpected {_describe(tok)}")
        return node

    # or_expr := and_expr (OR and_expr)*
    def or_expr(self, field: str, after: _Tok | None) -> Node:
        items = [self.and_expr(field, after)]
        while self.peek().kind == "OR":
            op = self.take()
            items.append(self.and_expr(field, op))
        return items[0] if len(items) == 1 else Or(tuple(items))

    # and_expr := unary ((AND | AND NOT | ANDNOT | nothing) unary)*
    def and_expr(self, field: str, after: _Tok | None) -> Node:
        items = [self.unary(field, after)]
        while True:
            tok = self.peek()
            if tok.kind == "AND":
                op = self.take()
                negate = self.peek().kind == "NOT"
                if negate:
                    op = self.take()
            elif tok.kind == "ANDNOT":
                op, negate = self.take(), True
            elif tok.kind == "NOT":
                raise self.fail(tok.start, "NOT must follow AND: write 'a ANDNOT b' (or 'a AND NOT b')")
            elif tok.kind in ("LP", "FIELD", "WORD", "PHRASE", "RANGE"):
                op, negate = None, False  # juxtaposition means AND (see the module docstring)
            else:
                break
            operand = self.unary(field, op)
            if negate:
                left = items[0] if len(items) == 1 else And(tuple(items))
                items = [AndNot(left, operand)]
            else:
                items.append(operand)
        return items[0] if len(items) == 1 else And(tuple(items))

    def unary(self, field: str, after: _Tok | None) -> Node:
        tok = self.take()
        kind = tok.kind
        if kind == "LP":
            return self.group(tok, field)
        if kind == "FIELD":
            return self.prefixed(tok)
        if kind in ("WORD", "PHRASE"):
            return self.term(field, tok)
        if kind == "RANGE":
            raise self.fail(tok.start, "a date range needs submittedDate: or lastUpdatedDate: before it")
        # Nothing usable here: say which operator is left dangling, or what is misplaced.
        if after is not None:
            if kind == "EOF":
                raise self.fail(after.start, f"'{after.text}' has nothing after it")
            raise self.fail(tok.start, f"expected a search term after '{after.text}', found {_describe(tok)}")
        if kind in ("AND", "OR", "ANDNOT"):
            raise self.fail(tok.start, f"'{tok.text}' has nothing before it")
        if kind == "NOT":
            raise self.fail(tok.start, "NOT must follow AND: write 'a ANDNOT b' (or 'a AND NOT b')")
        if kind == "RP":
            raise self.fail(tok.start, "unmatched ')'" if self.depth == 0 else "empty parentheses")
        raise self.fail(tok.start, f"expected a search term, found {_describe(tok)}")

    def group(self, lp: _Tok, field: str) -> Node:
        if self.depth >= _MAX_PAREN_DEPTH:
            raise self.fail(lp.start, f"parentheses nested deeper than {_MAX_PAREN_DEPTH}")
        if self.peek().kind == "RP":
            raise self.fail(lp.start, "empty parentheses")
        self.depth += 1
        node = self.or_expr(field, None)
        self.depth -= 1
        if self.peek().kind != "RP":
            raise self.fail(lp.start, "unclosed '('")
        self.take()
        return node

    def prefixed(self, ftok: _Tok) -> Node:
        field = ftok.text
        val = self.peek()
        if val.start != ftok.end or val.kind not in ("LP", "WORD", "PHRASE", "RANGE"):
            raise self.fail(ftok.end, f"expected a value right after '{ftok.text}:'")
        self.take()
        if field in DATE_FIELDS:
            if val.kind not in ("RANGE", "PHRASE"):
                raise self.fail(val.start, f"{field} takes a range: {field}:[YYYYMMDDHHMM TO YYYYMMDDHHMM]")
            return self.date_range(field, val)
        if val.kind == "RANGE":
            raise self.fail(val.start, "only submittedDate: and lastUpdatedDate: take a [from TO to] range")
        if val.kind == "LP":
            return self.group(val, field)
        return self.term(field, val)

    def term(self, field: str, tok: _Tok) -> Node:
        if field in DATE_FIELDS:
            # Only reachable inside submittedDate:( ... ): a group of ranges is not a thing.
            raise self.fail(tok.start, f"{field} takes a range: {field}:[YYYYMMDDHHMM TO YYYYMMDDHHMM]")
        wildcard = False
        if tok.kind == "PHRASE":
            words = tuple(tok.text.split())
            if not words:
                raise self.fail(tok.start, "empty phrase")
            phrase = True
        else:
            text = tok.text
            star = text.find("*")
            if star >= 0:
                if star == 0:
                    raise self.fail(tok.start, "a word cannot start with '*' (only a trailing * is supported)")
                if star != len(text) - 1:
                    raise self.fail(tok.start + star, "only a trailing * is supported")
                text, wildcard = text[:-1], True
            words, phrase = (text,), False
        if field in _RAW_FIELDS:
            if len(words) > 1:
                raise self.fail(tok.start, f"{field}: takes a single value, not a phrase")
        elif not text_words(" ".join(words)):
            raise self.fail(tok.start, f"{_describe(tok)} has no letters or digits to search for")
        return Term(field, words, phrase, wildcard)

    def date_range(self, field: str, tok: _Tok) -> DateRange:
        m = _RANGE.match(tok.text)
        if not m:
            raise self.fail(tok.start, f"{field} takes [YYYYMMDDHHMM TO YYYYMMDDHHMM] (or YYYYMMDD ends)")
        start = _parse_stamp(m.group(1), end=False)
        end = _parse_stamp(m.group(2), end=True)
        if start is None:
            raise self.fail(tok.start + 1 + m.start(1), f"'{m.group(1)}' is not a valid date")
        if end is None:
            raise self.fail(tok.start + 1 + m.start(2), f"'{m.group(2)}' is not a valid date")
        if start > end:
            raise self.fail(tok.start, "the range starts after it ends")
        return DateRange(field, start, end)


def _parse_stamp(digits: str, *, end: bool) -> datetime | None:
    try:
        if len(digits) == 8:
            day = datetime.strptime(digits, "%Y%m%d").replace(tzinfo=timezone.utc)
            return day + timedelta(hours=23, minutes=59) if end else day
        return datetime.strptime(digits, "%Y%m%d%H%M").replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def _tree_depth(node: Node) -> int:
    deepest, stack = 0, [(node, 1)]
    while stack:
        cur, d = stack.pop()
        deepest = max(deepest, d)
        if isinstance(cur, (And, Or)):
            stack.extend((c, d + 1) for c in cur.items)
        elif isinstance(cur, AndNot):
            stack.extend(((cur.left, d + 1), (cur.right, d + 1)))
    return deepest


def parse(text: str) -> Node:
    """Parse an arXiv search_query into an AST; raise QuerySyntaxError on any mistake."""
    if not isinstance(text, str):
        raise QuerySyntaxError(f"a query must be text, not {type(text).__name__}", "", 0)
    if len(text) > MAX_QUERY_LENGTH:
        raise _fail(text, MAX_QUERY_LENGTH, f"query longer than {MAX_QUERY_LENGTH} characters")
    node = _Parser(text).parse()
    if _tree_depth(node) > _MAX_TREE_DEPTH:
        raise _fail(text, 0, f"query nested deeper than {_MAX_TREE_DEPTH} levels")
    return node
