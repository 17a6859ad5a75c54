"""Generate a realistic synthetic arXiv bulk-metadata corpus (the Kaggle JSON-lines format).

    .venv/bin/python bench/gen_corpus.py --records 1000000 --out /tmp/corpus.jsonl [--gz]

Shapes come from real lines (default: tests/fixtures/bulk/kaggle-...-first150.jsonl): each
synthetic record copies the field layout of a randomly chosen real one (which optional fields
are present, how many versions, authors and categories, title/abstract/comment word counts,
license and journal-ref text), so the joint distribution of presence and length follows the
real data. Words are drawn from a Zipf distribution whose head is the real lines' vocabulary in
frequency order and whose tail is ~200k pronounceable synthetic words, so the full-text index
sees both very common terms and rare ones. Ids are new-style and increase with the date, from
0704 to 2512; about 0.5% of papers are withdrawn (arXiv's wording), and ``--malformed`` adds
broken lines to exercise error reporting. Deterministic for a given ``--seed``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import statistics
import sys
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

# The project's own recorded sample (tests/fixtures; its source is in tests/fixtures/PROVENANCE.tsv).
DEFAULT_SAMPLE = (
    Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "bulk" / "kaggle-arxiv-metadata-snapshot-first150.jsonl"
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
_SYLLABLES = [c + v for c in "bcdfghjklmnprstvwz" for v in ("a", "e", "i", "o", "u", "ai", "ou", "ie")]
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def load_sample(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def describe(sample: list[dict]) -> str:
    """A one-paragraph summary of the measured distributions (printed to stderr)."""
    n = len(sample)

    def share(key: str) -> str:
        return f"{key} {100 * sum(1 for r in sample if r.get(key)) / n:.0f}%"

    def mean(values) -> float:
        return statistics.fmean(values)

    return (
        f"sample of {n} real lines: "
        + ", ".join(share(k) for k in ("comments", "journal-ref", "doi", "report-no", "license"))
        + f"; words/abstract {mean(len(r['abstract'].split()) for r in sample):.0f}, "
        f"words/title {mean(len(r['title'].split()) for r in sample):.1f}, "
        f"authors {mean(len(r['authors_parsed']) for r in sample):.2f}, "
        f"versions {mean(len(r['versions']) for r in sample):.2f}, "
        f"categories {mean(len(r['categories'].split()) for r in sample):.2f}"
    )


def _synthetic_words(rng: random.Random, count: int, taken: set[str]) -> list[str]:
    out: list[str] = []
    seen = set(taken)
    while len(out) < count:
        word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.choice((2, 2, 3, 3, 3, 4, 5))))
        if word not in seen:
            seen.add(word)
            out.append(word)
    return out


class Generator:
    def __init__(self, sample: list[dict], seed: int = 1, vocab_tail: int = 200_000, pool: int = 4_000_000):
        self.rng = rng = random.Random(seed)
        self.sample = sample
        counts = Counter(
            w.lower() for r in sample for w in _WORD.findall(r["title"] + " " + r["abstract"] + " " + (r.get("comments") or ""))
        )
        head = [w for w, _ in counts.most_common()]
        vocab = head + _synthetic_words(rng, vocab_tail, set(head))
        # Zipf's law with s slightly above 1, as measured for English scientific text.
        cum, total = [], 0.0
        for rank in range(1, len(vocab) + 1):
            total += 1.0 / rank**1.07
            cum.append(total)
        # A long pool of Zipf-drawn words; each text is a slice at a random offset (fast, and
        # every slice keeps the Zipf frequencies).
        self.pool = rng.choices(vocab, cum_weights=cum, k=pool)
        lasts = Counter(a[0] for r in sample for a in r["authors_parsed"] if a and a[0])
        firsts = [a[1] for r in sample for a in r["authors_parsed"] if len(a) > 1 and a[1]]
        last_vocab = [w for w, _ in lasts.most_common()] + [w.capitalize() for w in _synthetic_words(rng, 50_000, set())]
        lcum, total = [], 0.0
        for rank in range(1, len(last_vocab) + 1):
            total += 1.0 / rank**0.9
            lcum.append(total)
        self.last_pool = rng.choices(last_vocab, cum_weights=lcum, k=500_000)
        self.firsts = firsts or ["A."]
        self.start = datetime(2007, 4, 1, tzinfo=timezone.utc)
        self.end = datetime(2025, 12, 31, tzinfo=timezone.utc)

    def words(self, n: int) -> list[str]:
        off = self.rng.randrange(0, len(self.pool) - n - 1)
        return self.pool[off : off + n]

    def _text(self, n: int, *, wrap: bool) -> str:
        ws = self.words(max(1, n))
        if ws:
            ws[0] = ws[0].capitalize()
        if not wrap:
            return " ".join(ws)
        # Real abstracts are hard-wrapped near 80 columns with a two-space indent.
        lines = [" ".join(ws[i : i + 12]) for i in range(0, len(ws), 12)]
        return "  " + "\n".join(lines) + ".\n"

    def record(self, i: int, total: int) -> dict:
        rng = self.rng
        tpl = rng.choice(self.sample)
        when = self.start + (self.end - self.start) * (i / max(1, total))
        when += timedelta(seconds=rng.randrange(0, 86_400))
        # Ids increase with time: YYMM plus a sequence number within the month.
        yymm = f"{when:%y%m}"
        number = self._seq.get(yymm, 0) + 1
        self._seq[yymm] = number
        pid = f"{yymm}.{number:05d}" if when.year >= 2015 else f"{yymm}.{number:04d}"

        jitter = lambda n: max(1, int(n * rng.uniform(0.7, 1.3)))  # noqa: E731
        title = self._text(jitter(len(tpl["title"].split())), wrap=False).replace(".", "")
        abstract = self._text(jitter(len(tpl["abstract"].split())), wrap=True)
        comments = None
        if tpl.get("comments"):
            comments = f"{rng.randint(3, 60)} pages, {rng.randint(0, 20)} figures"
            extra = len(tpl["comments"].split()) - 4
            if extra > 0:
                comments += "; " + self._text(extra, wrap=False)
        if rng.random() < 0.005:
            comments = "This paper has been withdrawn by the author due to an error in the main result"
            abstract = "  This paper has been withdrawn.\n"
        authors_parsed = []
        for _ in range(len(tpl["authors_parsed"])):
            last = self.last_pool[rng.randrange(len(self.last_pool))]
            authors_parsed.append([last, rng.choice(self.firsts), ""])
        names = [f"{a[1]} {a[0]}" for a in authors_parsed]
        authors = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]

        versions, t = [], when
        for v in range(1, len(tpl["versions"]) + 1):
            versions.append({"version": f"v{v}", "created": f"{_DAYS[t.weekday()]}, {t.day} {_MONTHS[t.month - 1]} {t.year} {t:%H:%M:%S} GMT"})
            t += timedelta(days=rng.randint(1, 400), seconds=rng.randrange(86_400))
        last_version = when if len(versions) == 1 else t - timedelta(days=1)
        return {
            "id": pid,
            "submitter": names[0] if names else None,
            "authors": authors,
            "title": title,
            "comments": comments,
            "journal-ref": tpl.get("journal-ref"),
            "doi": f"10.1103/Synth.{pid}" if tpl.get("doi") else None,
            "report-no": tpl.get("report-no"),
            "categories": tpl["categories"],
            "license": tpl.get("license"),
            "abstract": abstract,
            "versions": versions,
            "update_date": f"{last_version:%Y-%m-%d}",
            "authors_parsed": authors_parsed,
        }

    def lines(self, total: int, malformed: float = 0.0):
        self._seq: dict[str, int] = {}
        rng = self.rng
        for i in range(total):
            if malformed and rng.random() < malformed:
                yield rng.choice(('{"id": "0704.0001", "title": ', "not json at all", '{"id": 12}', '{"title": "no id"}'))
                continue
            yield json.dumps(self.record(i, total), ensure_ascii=False)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--out", type=Path, required=True, help="output file; .gz is gzip-compressed")
    ap.add_argument("--sample", type=Path, default=DEFAULT_SAMPLE, help="real bulk lines to measure")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--malformed", type=float, default=0.0, help="share of broken lines (0..1)")
    args = ap.parse_args(argv)

    sample = load_sample(args.sample)
    print(describe(sample), file=sys.stderr)
    t0 = time.perf_counter()
    gen = Generator(sample, seed=args.seed)
    opener = (lambda p: gzip.open(p, "wt", encoding="utf-8", compresslevel=3)) if args.out.suffix == ".gz" else (
        lambda p: open(p, "w", encoding="utf-8")
    )
    with opener(args.out) as fh:
        batch = []
        for line in gen.lines(args.records, args.malformed):
            batch.append(line)
            if len(batch) >= 10_000:
                fh.write("\n".join(batch) + "\n")
                batch.clear()
        if batch:
            fh.write("\n".join(batch) + "\n")
    dt = time.perf_counter() - t0
    size = args.out.stat().st_size
    print(f"wrote {args.records:,} records ({size / 1e6:.0f} MB) to {args.out} in {dt:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
