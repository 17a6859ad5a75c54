"""Synthetic papers for the site tests: 30 entries over 3 topics, with known search answers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from arxiv_radar.model import Author, Paper
from arxiv_radar.render.view import Entry, RenderOptions, TopicView

TOPICS = ("Diffusion Models", "Robot Learning", "Language & <Models>")
HOSTILE_TITLE = '<script>alert(1)</script> Hostile "title" & <b>bold</b>'
START = dt.date(2024, 1, 1)
DAY = dt.date(2024, 4, 1)


@dataclass(frozen=True)
class Spec:
    index: int
    id: str
    title: str
    abstract: str
    authors: tuple[str, ...]
    day: dt.date
    topics: tuple[str, ...]
    code: str | None


def specs() -> list[Spec]:
    out = []
    for i in range(30):
        words = ["zebrafish"] if i in (3, 10, 17, 24) else []
        title = " ".join(["Study", str(i), *words, "of", ["generative", "embodied", "textual"][i % 3], "systems"])
        abstract = f"We examine problem number {i} with careful experiments."
        if i == 8:
            abstract += " Photosynthesis appears only in this abstract."
        authors = ("Ann Lee", f"Author{i} Smith") + (("Wilma Quispe",) if i == 5 else ())
        topics = (TOPICS[i % 3],) + ((TOPICS[1],) if i == 6 else ())
        if i == 29:
            title = HOSTILE_TITLE
        out.append(
            Spec(
                index=i,
                id=f"2401.{i + 1:05d}",
                title=title,
                abstract=abstract,
                authors=authors,
                day=START + dt.timedelta(days=3 * i),
                topics=topics,
                code=f"https://github.com/lab/repo{i}" if i % 4 == 0 else None,
            )
        )
    return out


def views(items: list[Spec] | None = None) -> list[TopicView]:
    items = specs() if items is None else items
    by_topic: dict[str, list[Entry]] = {t: [] for t in TOPICS}
    for s in items:
        paper = Paper(
            id=s.id,
            title=s.title,
            abstract=s.abstract,
            authors=tuple(Author(a) for a in s.authors),
            categories=("cs.LG",),
            primary_category="cs.LG",
            published=dt.datetime(s.day.year, s.day.month, s.day.day, 12, tzinfo=dt.timezone.utc),
        )
        entry = Entry(paper=paper, code_url=s.code, code_status="found" if s.code else "none")
        for t in s.topics:
            by_topic[t].append(entry)
    return [TopicView(name=t, entries=tuple(by_topic[t])) for t in TOPICS]


def options() -> RenderOptions:
    return RenderOptions(date=DAY)


def parted_specs() -> list[Spec]:
    """specs() plus "axolotl" papers in older years, so the site has a year part ("2022") next
    to the newest year's month parts; two of them are outside the browser test's filters."""

    def extra(i: int, day: dt.date, title: str, topic: str) -> Spec:
        return Spec(100 + i, f"{day:%y%m}.{90000 + i:05d}", title, f"Axolotl regeneration, case {i}.",
                    ("Ann Lee",), day, (topic,), None)

    return specs() + [
        extra(1, dt.date(2022, 5, 4), "An old axolotl study", TOPICS[0]),
        extra(2, dt.date(2024, 3, 30), "A newer axolotl study", TOPICS[0]),
        extra(3, dt.date(2023, 6, 1), "Axolotl regeneration by grasping", TOPICS[1]),
        extra(4, dt.date(2021, 1, 5), "Axolotl before the range", TOPICS[0]),
    ]
