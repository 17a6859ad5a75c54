"""docs/configuration.md is generated from the config models and must not go stale."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from arxiv_radar.ops import docs_gen
from arxiv_radar.config import Config, EmailConfig, EnrichConfig, Topic, WebhookConfig

DOC = Path(__file__).resolve().parent.parent / "docs" / "configuration.md"


def test_committed_reference_matches_a_fresh_generation():
    assert DOC.read_text(encoding="utf-8") == docs_gen.generate(), (
        "docs/configuration.md is stale: run `python -m arxiv_radar.ops.docs_gen > docs/configuration.md`"
    )


@pytest.mark.parametrize("model", [Config, Topic, EnrichConfig, EmailConfig, WebhookConfig])
def test_every_key_is_documented_with_its_description(model):
    text = docs_gen.generate()
    for name, field in model.model_fields.items():
        key = field.alias or name
        assert f"`{key}`" in text, key
        assert " ".join((field.description or "").split()).replace("|", "\\|") in text, key


def test_defaults_bounds_and_env_overrides_are_shown():
    text = docs_gen.generate()
    assert "| `max_results` | integer | `100` |" in text and "at most 2000" in text
    assert "| `source` | one of `auto`, `api`, `oai`, `rss` | `auto` |" in text
    assert "| `from` | text | **required** |" in text  # EmailConfig.sender's YAML key
    assert "`topics` / `keywords`" in text
    assert "| `ARXIV_RADAR_API_URL` | `api_url` |" in text


def test_generation_follows_the_code(monkeypatch):
    field = Config.model_fields["lookback_days"]
    monkeypatch.setattr(field, "description", "Changed | in the code.")
    text = docs_gen.generate()
    assert "Changed \\| in the code." in text
    assert text != DOC.read_text(encoding="utf-8")


def test_module_entry_point_prints_and_checks(tmp_path):
    done = subprocess.run([sys.executable, "-m", "arxiv_radar.ops.docs_gen"], capture_output=True, timeout=60)
    assert done.returncode == 0
    assert done.stdout.decode("utf-8") == docs_gen.generate()
    stale = tmp_path / "configuration.md"
    stale.write_text("old\n", encoding="utf-8")
    assert docs_gen.main(["--check", str(stale)]) == 1
    assert docs_gen.main(["--check", str(DOC)]) == 0
