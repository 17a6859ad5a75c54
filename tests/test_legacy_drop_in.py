"""cv-arxiv-daily drop-in: import its JSON database, render its files byte for byte."""

import shutil

from click.testing import CliRunner

from arxiv_radar.cli import main
from arxiv_radar.store import Store


def _repo(fixtures, tmp_path):
    src = fixtures / "cv-arxiv-daily" / "2025-03-01"
    shutil.copy(src / "config.yaml", tmp_path / "config.yaml")
    return src


def test_import_then_render_reproduces_cv_arxiv_daily_byte_for_byte(fixtures, tmp_path, monkeypatch):
    src = _repo(fixtures, tmp_path)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(main, ["import-legacy", str(src / "docs" / "cv-arxiv-daily.json"), "-c", "config.yaml",
                                  "--date", "2025-03-01"])
    assert result.exit_code == 0, result.output
    assert "Imported 4256 rows (3949 distinct papers)" in result.output
    assert "0 unreadable rows." in result.output

    result = runner.invoke(main, ["render", "-c", "config.yaml", "--style", "cv-arxiv-daily", "--date", "2025-03-01"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "README.md").read_bytes() == (src / "README.md").read_bytes()
    assert (tmp_path / "docs" / "index.md").read_bytes() == (src / "docs" / "index.md").read_bytes()
    assert (tmp_path / "docs" / "cv-arxiv-daily.json").read_bytes() == (src / "docs" / "cv-arxiv-daily.json").read_bytes()


def test_import_twice_changes_nothing(fixtures, tmp_path, monkeypatch):
    src = _repo(fixtures, tmp_path)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    args = ["import-legacy", str(src / "docs" / "cv-arxiv-daily.json"), "--db", "s.sqlite", "--date", "2025-03-01"]
    assert runner.invoke(main, args).exit_code == 0

    def snapshot():
        with Store.open(tmp_path / "s.sqlite") as s:
            return [s.conn.execute(f"select * from {t} order by 1, 2").fetchall() for t in ("papers", "matches", "legacy_rows")]

    first = [[tuple(r) for r in rows] for rows in snapshot()]
    assert runner.invoke(main, args).exit_code == 0
    assert [[tuple(r) for r in rows] for rows in snapshot()] == first
    assert len(first[0]) == 3949 and len(first[1]) == 4256


def test_unreadable_rows_are_reported_with_topic_and_key(tmp_path):
    db = tmp_path / "legacy.json"
    db.write_text(
        '{"SLAM": {"2110.07546": "|**2021-10-14**|**Active SLAM**|Shumon Koga et.al.|[2110.07546](http://arxiv.org/abs/2110.07546)|null|\\n",'
        ' "9999.bad": "not a row at all"}}',
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["import-legacy", str(db), "--db", str(tmp_path / "s.sqlite")])
    assert result.exit_code == 1
    assert "Imported 2 rows (1 distinct paper)" in result.output
    assert "SLAM / 9999.bad" in result.output


def test_a_broken_file_is_a_clear_error(tmp_path):
    db = tmp_path / "legacy.json"
    db.write_text("{not json", encoding="utf-8")
    result = CliRunner().invoke(main, ["import-legacy", str(db), "--db", str(tmp_path / "s.sqlite")])
    assert result.exit_code == 1
    assert "error:" in result.output and "Traceback" not in result.output
