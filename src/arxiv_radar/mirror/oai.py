"""``GET /oai``: arXiv's OAI-PMH 2.0 interface (https://oaipmh.arxiv.org/oai) over a Corpus.

Verbs: Identify, ListSets, ListMetadataFormats, ListIdentifiers, ListRecords, GetRecord.
Metadata formats: ``arXiv``, ``arXivRaw`` (version history with dates) and ``oai_dc``.

What we copy from arXiv (reference/arxiv-docs/oa_index.md and the recorded responses):

- Identifiers are ``oai:arXiv.org:<id>``; one item per paper, its latest version.
- The datestamp is the record's last change; we have no metadata-edit history, so it is the
  latest version's submission day (UTC). Day granularity: ``from``/``until`` are YYYY-MM-DD,
  a finer value is a badArgument (the protocol's rule for a coarser repository).
- Sets follow the 2025 structure ``group:archive:CATEGORY``: cs.CV is in ``cs:cs:CV`` (and so
  in ``cs``), hep-th in ``physics:hep-th`` (and ``physics``), astro-ph.CO in
  ``physics:astro-ph:CO``. Alias categories (math.MP = math-ph, cs.SY = eess.SY, ...) are in
  both sets, as arXiv says. Retired archives (chao-dyn, alg-geom, ...) count under the archive
  that replaced them.
- Resumption tokens are opaque and the last page carries an empty ``<resumptionToken/>`` (the
  2025 rewrite); ``legacy_tokens=True`` adds the old server's ``cursor`` and
  ``completeListSize`` attributes. Tokens are stateless (the query and an offset, with a
  checksum), so they survive a mirror restart; they do not expire.
- OAI errors come with HTTP 200, as the protocol asks: badVerb, badArgument, noRecordsMatch,
  badResumptionToken, cannotDisseminateFormat, idDoesNotExist.

Strings are escaped by hand, with the characters XML 1.0 forbids dropped, so hostile metadata
still gives a well-formed document.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from urllib.parse import parse_qs

from arxiv_radar.model import Paper, parse_arxiv_id

from .atom_writer import clean_xml_text
from .corpus import Corpus
from .messages import Request, Response

__all__ = [
    "CONTENT_TYPE",
    "DEFAULT_PAGE_SIZE",
    "METADATA_FORMATS",
    "OAIService",
    "datestamp",
    "error_response",
    "set_specs",
]

CONTENT_TYPE = "text/xml; charset=utf-8"
DEFAULT_PAGE_SIZE = 100
ID_PREFIX = "oai:arXiv.org:"
EARLIEST_DATESTAMP = date(2005, 9, 16)  # arXiv's since the 2025 rewrite

_OAI_NS = "http://www.openarchives.org/OAI/2.0/"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"

# prefix -> (schema, namespace)
METADATA_FORMATS: dict[str, tuple[str, str]] = {
    "oai_dc": ("http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
               "http://www.openarchives.org/OAI/2.0/oai_dc/"),
    "arXiv": ("http://arxiv.org/OAI/arXiv.xsd", "http://arxiv.org/OAI/arXiv/"),
    "arXivRaw": ("http://arxiv.org/OAI/arXivRaw.xsd", "http://arxiv.org/OAI/arXivRaw/"),
}

# -- sets ----------------------------------------------------------------------------------
GROUPS = {
    "cs": "Computer Science",
    "econ": "Economics",
    "eess": "Electrical Engineering and Systems Science",
    "math": "Mathematics",
    "physics": "Physics",
    "q-bio": "Quantitative Biology",
    "q-fin": "Quantitative Finance",
    "stat": "Statistics",
}
PHYSICS_ARCHIVES = {
    "astro-ph": "Astrophysics",
    "cond-mat": "Condensed Matter",
    "gr-qc": "General Relativity and Quantum Cosmology",
    "hep-ex": "High Energy Physics - Experiment",
    "hep-lat": "High Energy Physics - Lattice",
    "hep-ph": "High Energy Physics - Phenomenology",
    "hep-th": "High Energy Physics - Theory",
    "math-ph": "Mathematical Physics",
    "nlin": "Nonlinear Sciences",
    "nucl-ex": "Nuclear Experiment",
    "nucl-th": "Nuclear Theory",
    "physics": "Physics",
    "quant-ph": "Quantum Physics",
}
# Archives arXiv retired, and the archive their papers are listed under now.
_RETIRED = {
    "adap-org": "nlin", "chao-dyn": "nlin", "comp-gas": "nlin", "patt-sol": "nlin",
    "solv-int": "nlin", "alg-geom": "math", "dg-ga": "math", "funct-an": "math",
    "q-alg": "math", "cmp-lg": "cs", "mtrl-th": "cond-mat", "supr-con": "cond-mat",
    "acc-phys": "physics", "ao-sci": "physics", "atom-ph": "physics", "chem-ph": "physics",
    "plasm-ph": "physics", "bayes-an": "stat",
}
# Category aliases: a paper in one is in both sets.
_ALIASES = {
    "math.MP": "math-ph", "math-ph": "math.MP", "cs.SY": "eess.SY", "eess.SY": "cs.SY",
    "math.IT": "cs.IT", "cs.IT": "math.IT", "math.ST": "stat.TH", "stat.TH": "math.ST",
    "q-fin.EC": "econ.GN", "econ.GN": "q-fin.EC", "cs.NA": "math.NA", "math.NA": "cs.NA",
}
_SET_RE = re.compile(r"^[A-Za-z-]+(?::[A-Za-z-]+(?::[A-Za-z-]+)?)?$")


def _category_set(category: str) -> str | None:
    archive, _, sub = category.strip().partition(".")
    archive = archive.lower()
    if archive in _RETIRED:
        archive, sub = _RETIRED[archive], ""
    if archive in PHYSICS_ARCHIVES:
        group = "physics"
    elif archive in GROUPS:
        group = archive
    else:
        return None
    return f"{group}:{archive}:{sub}" if sub else f"{group}:{archive}"


def set_specs(categories: Iterable[str]) -> tuple[str, ...]:
    """The most specific setSpecs of a paper's categories (aliases included), in order."""
    out: dict[str, None] = {}
    for cat in categories:
        for name in (cat, _ALIASES.get(cat)):
            if name and (spec := _category_set(name)) is not None:
                out.setdefault(spec, None)
    return tuple(out)


def _in_set(specs: tuple[str, ...], wanted: str) -> bool:
    return any(s == wanted or s.startswith(wanted + ":") for s in specs)


def _set_name(spec: str) -> str:
    parts = spec.split(":")
    if len(parts) == 1:
        return GROUPS.get(spec, spec)
    archive = parts[1]
    name = PHYSICS_ARCHIVES.get(archive) or GROUPS.get(archive, archive)
    return name if len(parts) == 2 else f"{name} - {archive}.{parts[2]}"


# -- dates ---------------------------------------------------------------------------------
def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def datestamp(paper: Paper) -> date:
    """The record's last change as a UTC day: the latest version's submission."""
    stamps = [paper.published]
    if paper.updated is not None:
        stamps.append(paper.updated)
    stamps.extend(v.submitted for v in paper.versions if v.submitted is not None)
    return max(_utc(s) for s in stamps).date()


def _versions(paper: Paper) -> list[tuple[int, datetime]]:
    """(number, submitted) of each version whose date we know; v1 always."""
    known = {v.number: v.submitted for v in paper.versions if v.number >= 1}
    if known.get(1) is None:
        known[1] = paper.published
    if paper.version > 1 and known.get(paper.version) is None and paper.updated is not None:
        known[paper.version] = paper.updated
    return sorted((n, _utc(d)) for n, d in known.items() if d is not None)


def _sizes(paper: Paper) -> dict[int, str]:
    return {v.number: v.size for v in paper.versions if v.size}


def _rfc2822(value: datetime) -> str:
    # arXivRaw writes "Mon, 2 Apr 2007 19:18:42 GMT": the day of the month is not padded.
    v = _utc(value)
    return f"{v:%a}, {v.day} {v:%b %Y %H:%M:%S} GMT"


def _zulu(value: datetime) -> str:
    return _utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- escaping ------------------------------------------------------------------------------
def _t(value: str | None) -> str:
    value = clean_xml_text(value or "")
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _a(value: str) -> str:
    return (_t(value).replace('"', "&quot;").replace("\n", "&#10;")
            .replace("\r", "&#13;").replace("\t", "&#9;"))


def _el(name: str, value: str | None) -> str:
    """``<name>value</name>``, or nothing for an empty value (optional elements)."""
    return f"<{name}>{_t(value)}</{name}>\n" if value else ""


# -- the three metadata formats ----------------------------------------------------------------
def _meta_open(prefix: str, root: str) -> str:
    schema, ns = METADATA_FORMATS[prefix]
    if prefix == "oai_dc":
        return (f'<oai_dc:dc xmlns:oai_dc="{ns}" xmlns:dc="http://purl.org/dc/elements/1.1/" '
                f'xmlns:xsi="{_XSI}" xsi:schemaLocation="{ns} {schema}">\n')
    return f'<{root} xmlns="{ns}" xmlns:xsi="{_XSI}" xsi:schemaLocation="{ns} {schema}">\n'


def _split_name(name: str) -> tuple[str, str]:
    """(keyname, forenames): the last word is the keyname, so "forenames keyname" rebuilds it."""
    words = " ".join(clean_xml_text(name).split()).rsplit(" ", 1)
    return (words[0], "") if len(words) == 1 else (words[1], words[0])


def _arxiv_raw(paper: Paper) -> str:
    sizes = _sizes(paper)
    out = [_meta_open("arXivRaw", "arXivRaw"), _el("id", paper.id)]
    # <submitter> is required by the schema; we do not know who submitted, the first author is
    # the usual answer.
    out.append(f"<submitter>{_t(paper.first_author or 'unknown')}</submitter>\n")
    for number, submitted in _versions(paper):
        out.append(f'<version version="v{number}"><date>{_rfc2822(submitted)}</date>')
        if number in sizes:
            out.append(f"<size>{_t(sizes[number])}</size>")
        out.append("</version>\n")
    out += [
        _el("title", paper.title),
        _el("authors", ", ".join(a.name for a in paper.authors)),
        f"<categories>{_t(' '.join(paper.categories))}</categories>\n",
        *_shared_tail(paper),
        "</arXivRaw>\n",
    ]
    return "".join(out)


def _shared_tail(paper: Paper) -> list[str]:
    # arXiv and arXivRaw end with the same elements in the same order.
    return [
        _el("comments", paper.comment),
        _el("report-no", paper.report_no),
        _el("journal-ref", paper.journal_ref),
        _el("doi", paper.doi),
        _el("license", paper.license),
        _el("abstract", paper.abstract),
    ]


def _arxiv(paper: Paper) -> str:
    versions = _versions(paper)
    out = [_meta_open("arXiv", "arXiv"), _el("id", paper.id),
           f"<created>{versions[0][1].date().isoformat()}</created>\n"]
    if len(versions) > 1:
        out.append(f"<updated>{versions[-1][1].date().isoformat()}</updated>\n")
    if paper.authors:
        out.append("<authors>")
        for author in paper.authors:
            keyname, forenames = _split_name(author.name)
            out.append(f"<author><keyname>{_t(keyname)}</keyname>")
            if forenames:
                out.append(f"<forenames>{_t(forenames)}</forenames>")
            out.extend(f"<affiliation>{_t(aff)}</affiliation>" for aff in author.affiliations)
            out.append("</author>")
        out.append("</authors>\n")
    out += [
        _el("title", paper.title),
        _el("categories", " ".join(paper.categories)),
        *_shared_tail(paper),
        "</arXiv>\n",
    ]
    return "".join(out)


def _oai_dc(paper: Paper) -> str:
    out = [_meta_open("oai_dc", ""), _el("dc:title", paper.title)]
    for author in paper.authors:
        keyname, forenames = _split_name(author.name)
        out.append(_el("dc:creator", f"{keyname}, {forenames}" if forenames else keyname))
    # arXiv writes subject names ("Computer Science - Computer Vision ..."); we have no name
    # table, so the codes stand in (our parser ignores dc:subject either way).
    out.extend(_el("dc:subject", cat) for cat in paper.categories)
    out.append(_el("dc:description", paper.abstract))
    if paper.comment:
        out.append(_el("dc:description", f"Comment: {paper.comment}"))
    # One dc:date per version, as arXiv does.
    days = dict.fromkeys(d.date().isoformat() for _, d in _versions(paper))
    out.extend(f"<dc:date>{day}</dc:date>\n" for day in days)
    out.append("<dc:type>text</dc:type>\n")
    out.append(_el("dc:identifier", f"http://arxiv.org/abs/{paper.id}"))
    if paper.doi:
        out.append(_el("dc:identifier", f"doi:{paper.doi}"))
    out.append("</oai_dc:dc>\n")
    return "".join(out)


_WRITERS: dict[str, Callable[[Paper], str]] = {
    "arXivRaw": _arxiv_raw, "arXiv": _arxiv, "oai_dc": _oai_dc,
}


def _header(paper: Paper) -> str:
    specs = "".join(f"<setSpec>{_t(s)}</setSpec>\n" for s in set_specs(paper.categories))
    return (f"<header>\n<identifier>{_t(ID_PREFIX + paper.id)}</identifier>\n"
            f"<datestamp>{datestamp(paper).isoformat()}</datestamp>\n{specs}</header>\n")


def _record(paper: Paper, prefix: str) -> str:
    return f"<record>\n{_header(paper)}<metadata>\n{_WRITERS[prefix](paper)}</metadata>\n</record>\n"


# -- the envelope --------------------------------------------------------------------------
class _OAIError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def _envelope(base_url: str, request_attrs: dict[str, str], body: str, now: datetime) -> bytes:
    attrs = "".join(f' {k}="{_a(v)}"' for k, v in request_attrs.items())
    doc = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<OAI-PMH xmlns="{_OAI_NS}" xmlns:xsi="{_XSI}" '
        f'xsi:schemaLocation="{_OAI_NS} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">\n'
        f"<responseDate>{_zulu(now)}</responseDate>\n"
        f"<request{attrs}>{_t(base_url)}</request>\n"
        f"{body}</OAI-PMH>\n"
    )
    return doc.encode("utf-8")


def error_response(request: Request, code: str, message: str, *,
                   now: datetime | None = None) -> Response:
    """An OAI-PMH error document (HTTP 200, as the protocol asks)."""
    attrs: dict[str, str] = {}
    if code not in ("badVerb", "badArgument"):
        # Only a request the repository understood is echoed back in <request>.
        attrs = _single_params(request)
    body = f'<error code="{_a(code)}">{_t(message)}</error>\n'
    return Response(200, _envelope(_base(request), attrs, body, now or _now()), CONTENT_TYPE)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _base(request: Request) -> str:
    return f"{request.base_url or 'https://oaipmh.arxiv.org'}/oai"


def _single_params(request: Request) -> dict[str, str]:
    raw = parse_qs(request.query_string, keep_blank_values=True, errors="replace")
    return {k: v[0] for k, v in raw.items() if len(v) == 1}


# -- tokens ------------------------------------------------------------------------------------
_TOKEN_KEY = b"arxiv-radar mirror oai token v1"


@dataclass(frozen=True, slots=True)
class _ListQuery:
    prefix: str
    set_spec: str
    from_: str
    until: str
    offset: int = 0

    def token(self, offset: int) -> str:
        payload = json.dumps(
            [self.prefix, self.set_spec, self.from_, self.until, offset], separators=(",", ":")
        ).encode("utf-8")
        check = hashlib.sha256(_TOKEN_KEY + payload).hexdigest()[:12]
        return base64.urlsafe_b64encode(payload).decode("ascii").rstrip("=") + "." + check

    @classmethod
    def from_token(cls, token: str) -> "_ListQuery":
        try:
            data, _, check = token.strip().partition(".")
            payload = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
            if hashlib.sha256(_TOKEN_KEY + payload).hexdigest()[:12] != check:
                raise ValueError("checksum")
            prefix, set_spec, from_, until, offset = json.loads(payload.decode("utf-8"))
            if prefix not in METADATA_FORMATS or not isinstance(offset, int) or offset < 0:
                raise ValueError("content")
            return cls(str(prefix), str(set_spec), str(from_), str(until), offset)
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
            raise _OAIError("badResumptionToken",
                            "The value of the resumptionToken argument is invalid or expired.") from None


# -- the service -------------------------------------------------------------------------------
_VERBS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    # verb -> (required, optional) arguments besides "verb"
    "Identify": (frozenset(), frozenset()),
    "ListMetadataFormats": (frozenset(), frozenset({"identifier"})),
    "ListSets": (frozenset(), frozenset({"resumptionToken"})),
    "GetRecord": (frozenset({"identifier", "metadataPrefix"}), frozenset()),
    "ListIdentifiers": (frozenset({"metadataPrefix"}),
                        frozenset({"from", "until", "set", "resumptionToken"})),
    "ListRecords": (frozenset({"metadataPrefix"}),
                    frozenset({"from", "until", "set", "resumptionToken"})),
}
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FINER = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
_CACHE_SIZE = 8


class OAIService:
    """The ``/oai`` route: ``OAIService(corpus)(request) -> Response``.

    ``page_size`` records per ListRecords/ListIdentifiers page; ``legacy_tokens`` adds the old
    server's cursor/completeListSize attributes; ``clock`` gives responseDate.
    """

    def __init__(self, corpus: Corpus, *, page_size: int = DEFAULT_PAGE_SIZE,
                 legacy_tokens: bool = False, clock: Callable[[], datetime] = _now):
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        self.corpus = corpus
        self.page_size = page_size
        self.legacy_tokens = legacy_tokens
        self.clock = clock
        # (set, from, until) -> the matching papers in list order. The corpus is read-only
        # while served, so paging through one list filters the corpus once.
        self._lists: dict[tuple[str, str, str], list[Paper]] = {}
        self._lock = threading.Lock()

    def __call__(self, request: Request) -> Response:
        try:
            verb, params = self._arguments(request)
            body = getattr(self, f"_{verb}")(request, params)
        except _OAIError as exc:
            return error_response(request, exc.code, exc.message, now=self.clock())
        return Response(200, _envelope(_base(request), params, body, self.clock()), CONTENT_TYPE)

    # -- arguments ---------------------------------------------------------------------------
    @staticmethod
    def _arguments(request: Request) -> tuple[str, dict[str, str]]:
        raw = parse_qs(request.query_string, keep_blank_values=True, errors="replace")
        verbs = raw.get("verb", [])
        if len(verbs) != 1 or verbs[0] not in _VERBS:
            shown = verbs[0] if len(verbs) == 1 else ""
            raise _OAIError("badVerb", f"Illegal verb: {shown!r}" if shown else
                            "The verb argument is missing or repeated.")
        verb = verbs[0]
        repeated = sorted(k for k, v in raw.items() if len(v) > 1)
        if repeated:
            raise _OAIError("badArgument", f"Repeated argument: {', '.join(repeated)}")
        params = {k: v[0] for k, v in raw.items()}
        required, optional = _VERBS[verb]
        given = set(params) - {"verb"}
        illegal = sorted(given - required - optional)
        if illegal:
            raise _OAIError("badArgument", f"Illegal argument for {verb}: {', '.join(illegal)}")
        if "resumptionToken" in given:
            if given != {"resumptionToken"}:
                raise _OAIError("badArgument", "resumptionToken is an exclusive argument")
        else:
            missing = sorted(required - given)
            if missing:
                raise _OAIError("badArgument", f"Missing argument for {verb}: {', '.join(missing)}")
        return verb, params

    @staticmethod
    def _prefix(params: dict[str, str]) -> str:
        prefix = params["metadataPrefix"]
        if prefix not in METADATA_FORMATS:
            raise _OAIError("cannotDisseminateFormat",
                            f"Metadata format {prefix!r} is not supported; "
                            f"use one of {', '.join(sorted(METADATA_FORMATS))}.")
        return prefix

    def _paper(self, identifier: str) -> Paper:
        paper = None
        if identifier.startswith(ID_PREFIX):
            try:
                base, version = parse_arxiv_id(identifier[len(ID_PREFIX):])
            except ValueError:
                base, version = "", None
            # Items are papers, not versions: a versioned identifier names no item.
            paper = self.corpus.get(base) if base and version is None else None
        if paper is None:
            raise _OAIError("idDoesNotExist", f"No record with identifier {identifier!r}.")
        return paper

    # -- verbs -------------------------------------------------------------------------------
    def _Identify(self, request: Request, params: dict[str, str]) -> str:  # noqa: N802
        earliest = min((datestamp(p) for p in self.corpus), default=EARLIEST_DATESTAMP)
        return (
            "<Identify>\n<repositoryName>arXiv</repositoryName>\n"
            f"<baseURL>{_t(_base(request))}</baseURL>\n"
            "<protocolVersion>2.0</protocolVersion>\n"
            "<adminEmail>help@arxiv.org</adminEmail>\n"
            f"<earliestDatestamp>{min(earliest, EARLIEST_DATESTAMP).isoformat()}</earliestDatestamp>\n"
            "<deletedRecord>persistent</deletedRecord>\n"
            "<granularity>YYYY-MM-DD</granularity>\n"
            "</Identify>\n"
        )

    def _ListMetadataFormats(self, request: Request, params: dict[str, str]) -> str:  # noqa: N802
        if "identifier" in params:
            self._paper(params["identifier"])
        formats = "".join(
            f"<metadataFormat>\n<metadataPrefix>{p}</metadataPrefix>\n<schema>{s}</schema>\n"
            f"<metadataNamespace>{ns}</metadataNamespace>\n</metadataFormat>\n"
            for p, (s, ns) in METADATA_FORMATS.items()
        )
        return f"<ListMetadataFormats>\n{formats}</ListMetadataFormats>\n"

    def _ListSets(self, request: Request, params: dict[str, str]) -> str:  # noqa: N802
        if "resumptionToken" in params:
            # The whole list fits in one response, so no token was ever handed out.
            raise _OAIError("badResumptionToken", "ListSets is not paged; the token is invalid.")
        specs: dict[str, None] = dict.fromkeys(GROUPS)
        specs.update(dict.fromkeys(f"{g}:{g}" for g in GROUPS if g != "physics"))
        specs.update(dict.fromkeys(f"physics:{a}" for a in PHYSICS_ARCHIVES))
        for paper in self.corpus:
            specs.update(dict.fromkeys(set_specs(paper.categories)))
        sets = "".join(
            f"<set>\n<setSpec>{_t(s)}</setSpec>\n<setName>{_t(_set_name(s))}</setName>\n</set>\n"
            for s in sorted(specs)
        )
        return f"<ListSets>\n{sets}</ListSets>\n"

    def _GetRecord(self, request: Request, params: dict[str, str]) -> str:  # noqa: N802
        prefix = self._prefix(params)
        paper = self._paper(params["identifier"])
        return f"<GetRecord>\n{_record(paper, prefix)}</GetRecord>\n"

    def _ListRecords(self, request: Request, params: dict[str, str]) -> str:  # noqa: N802
        return self._list("ListRecords", params)

    def _ListIdentifiers(self, request: Request, params: dict[str, str]) -> str:  # noqa: N802
        return self._list("ListIdentifiers", params)

    # -- lists -------------------------------------------------------------------------------
    def _list(self, verb: str, params: dict[str, str]) -> str:
        if "resumptionToken" in params:
            query = _ListQuery.from_token(params["resumptionToken"])
        else:
            query = _ListQuery(self._prefix(params), self._set(params.get("set")),
                               *self._range(params.get("from"), params.get("until")))
        papers = self._matching(query)
        if not papers:
            raise _OAIError("noRecordsMatch",
                            "The combination of the values of the arguments results in an empty list.")
        if query.offset >= len(papers):
            raise _OAIError("badResumptionToken", "The resumptionToken points past the list's end.")
        end = query.offset + self.page_size
        page = papers[query.offset:end]
        if verb == "ListRecords":
            items = "".join(_record(p, query.prefix) for p in page)
        else:
            items = "".join(_header(p) for p in page)
        token = ""
        counts = (f' cursor="{query.offset}" completeListSize="{len(papers)}"'
                  if self.legacy_tokens else "")
        if end < len(papers):
            token = f"<resumptionToken{counts}>{query.token(end)}</resumptionToken>\n"
        elif query.offset > 0:
            # The page that completes a list in several parts ends with an empty token.
            token = f"<resumptionToken{counts}/>\n"
        return f"<{verb}>\n{items}{token}</{verb}>\n"

    @staticmethod
    def _set(value: str | None) -> str:
        if value is None:
            return ""
        if not _SET_RE.match(value) or value.split(":")[0] not in GROUPS:
            raise _OAIError("badArgument", f"Unknown set {value!r}.")
        return value

    @staticmethod
    def _range(from_: str | None, until: str | None) -> tuple[str, str]:
        for name, value in (("from", from_), ("until", until)):
            if value is None:
                continue
            if _FINER.match(value):
                raise _OAIError("badArgument",
                                f"{name}={value!r}: this repository's granularity is YYYY-MM-DD.")
            if not _DAY.match(value):
                raise _OAIError("badArgument", f"{name}={value!r} is not a date (YYYY-MM-DD).")
            try:
                date.fromisoformat(value)
            except ValueError:
                raise _OAIError("badArgument", f"{name}={value!r} is not a valid date.") from None
        if from_ and until and from_ > until:
            raise _OAIError("badArgument", f"from ({from_}) is after until ({until}).")
        return from_ or "", until or ""

    def _matching(self, query: _ListQuery) -> list[Paper]:
        key = (query.set_spec, query.from_, query.until)
        with self._lock:
            cached = self._lists.get(key)
        if cached is not None:
            return cached
        lo = date.fromisoformat(query.from_) if query.from_ else date.min
        hi = date.fromisoformat(query.until) if query.until else date.max
        found = []
        for paper in self.corpus:
            stamp = datestamp(paper)
            if lo <= stamp <= hi and (
                not query.set_spec or _in_set(set_specs(paper.categories), query.set_spec)
            ):
                found.append((stamp, paper.id, paper))
        found.sort(key=lambda item: (item[0], item[1]))
        papers = [p for _, _, p in found]
        with self._lock:
            if len(self._lists) >= _CACHE_SIZE:
                self._lists.pop(next(iter(self._lists)))
            self._lists[key] = papers
        return papers
