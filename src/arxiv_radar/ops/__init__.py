"""Running arxiv-radar: `init` (scaffold/), `doctor`, run reports, the store lock and the generated
configuration reference (docs_gen.py)."""
