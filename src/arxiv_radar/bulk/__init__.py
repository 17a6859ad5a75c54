"""Whole collections in and out of the store: arXiv's bulk-metadata snapshot (snapshot.py),
a cv-arxiv-daily repository's JSON (legacy_rows.py reads it, legacy.py imports it), and
full-text search over everything stored (search.py)."""
