"""The `arxiv` package from PyPI, an independent client, pointed at the mirror.

It must see the same papers (ids, titles, authors, categories, dates, ...) as our own parser
reading the mirror's responses, and as the corpus the mirror serves.
"""

from __future__ import annotations

import urllib.request
from urllib.parse import parse_qs, urlencode

import arxiv
import pytest

from arxiv_radar.model import Paper
from arxiv_radar.sources.atom import parse_feed




def client_for(mirror, page_size: int) -> arxiv.Client:
    # arxiv 4.x has no base-URL argument; query_url_format is the documented class attribute
    # holding the endpoint, so setting it on the instance points this client at the mirror.
    client = arxiv.Client(page_size=page_size, delay_seconds=0.01, num_retries=0)
    client.query_url_format = mirror.api_url + "?{}"
    return client


def from_client(r: arxiv.Result) -> tuple:
    return (
        r.entry_id.split("/abs/", 1)[1],
        r.title,
        tuple((a.name, tuple(a.affiliation)) for a in r.authors),
        tuple(r.categories),
        r.primary_category,
        r.published,
        r.updated,
        r.summary,
        r.comment,
        r.journal_ref,
        r.doi,
    )


def from_paper(p: Paper) -> tuple:
    return (
        p.versioned_id,
        p.title,
        tuple((a.name, a.affiliations) for a in p.authors),
        p.categories,
        p.primary_category,
        p.published,
        p.updated or p.published,
        p.abstract,
        p.comment,
        p.journal_ref,
        p.doi,
    )


def ours(mirror, **params) -> list[Paper]:
    with urllib.request.urlopen(f"{mirror.api_url}?{urlencode(params)}", timeout=10) as resp:
        return parse_feed(resp.read()).papers


def test_id_list_through_the_arxiv_package(mirror) -> None:
    ids = sorted(p.id for p in mirror.corpus)[::4]  # bulk, 2016 and 2026 papers alike
    assert len(ids) > 40
    before = len(mirror.requests)
    results = list(client_for(mirror, page_size=17).results(arxiv.Search(id_list=ids)))
    client_requests = mirror.requests[before:]

    seen_by_client = [from_client(r) for r in results]
    seen_by_us = [from_paper(p) for p in ours(mirror, id_list=",".join(ids), max_results=2000)]
    in_corpus = [from_paper(mirror.corpus.get(i)) for i in ids]
    assert seen_by_client == seen_by_us == in_corpus

    # It paged through the mirror 17 at a time, and the totals held.
    starts = [int(parse_qs(r.query)["start"][0]) for r in client_requests]
    assert starts == list(range(0, len(ids), 17))


def test_versioned_ids_through_the_arxiv_package(mirror) -> None:
    results = list(client_for(mirror, 10).results(arxiv.Search(id_list=["0704.0001v1"])))
    (r,) = results
    assert r.get_short_id() == "0704.0001v1"
    assert r.updated == r.published == mirror.corpus.get("0704.0001").published


@pytest.mark.parametrize(
    "query",
    [
        "au:del_maestro",
        "au:del_maestro ANDNOT (ti:checkerboard OR ti:Pyrochlore)",
        'au:del_maestro AND ti:"quantum criticality"',
        "all:testing",
        "cat:hep-ph AND submittedDate:[200704010000 TO 200704030000]",
    ],
)
def test_search_through_the_arxiv_package(mirror, query: str) -> None:
    search = arxiv.Search(
        query=query,
        sort_by=arxiv.SortCriterion.SubmittedDate,
        sort_order=arxiv.SortOrder.Ascending,
    )
    results = list(client_for(mirror, page_size=6).results(search))
    mine = ours(mirror, search_query=query, sortBy="submittedDate", sortOrder="ascending",
                max_results=2000)
    assert len(results) == len(mine) > 0
    assert [from_client(r) for r in results] == [from_paper(p) for p in mine]
    assert [from_paper(p) for p in mine] == [from_paper(mirror.corpus.get(p.id)) for p in mine]
    published = [r.published for r in results]
    assert published == sorted(published)


def test_an_unknown_id_gives_the_arxiv_package_no_results(mirror) -> None:
    assert list(client_for(mirror, 10).results(arxiv.Search(id_list=["0000.0000"]))) == []


def test_the_arxiv_package_sees_a_bad_id_as_http_400(mirror) -> None:
    with pytest.raises(arxiv.HTTPError) as info:
        list(client_for(mirror, 10).results(arxiv.Search(id_list=["abc"])))
    assert info.value.status == 400
