"""Every row variant cv-arxiv-daily has written, and whole JSON databases."""

from __future__ import annotations

import datetime
import json

import pytest

from arxiv_radar.errors import LegacyImportError
from arxiv_radar.bulk.legacy_rows import LegacyRow, parse_legacy_row, read_legacy_json
from arxiv_radar.publish.views import entry_from_legacy

D = datetime.date


def test_current_row():
    row = ("|**2021-10-14**|**Active SLAM over Continuous Trajectory and Control: A Covariance-Feedback "
           "Approach**|Shumon Koga et.al.|[2110.07546](http://arxiv.org/abs/2110.07546)|null|\n")
    assert parse_legacy_row(row) == LegacyRow(
        D(2021, 10, 14),
        "Active SLAM over Continuous Trajectory and Control: A Covariance-Feedback Approach",
        "Shumon Koga", "2110.07546", None, None,
    )


def test_versioned_id():
    row = "|**2022-06-27**|**T**|Ann Lee et.al.|[2206.13455v1](http://arxiv.org/abs/2206.13455v1)|null|\n"
    r = parse_legacy_row(row)
    assert (r.arxiv_id, r.version) == ("2206.13455", 1)


def test_version_only_in_link_text():
    r = parse_legacy_row("|**2022-06-27**|**T**|A et.al.|[2206.13455v3](http://arxiv.org/abs/2206.13455)|null|")
    assert (r.arxiv_id, r.version) == ("2206.13455", 3)


def test_row_without_code_cell():
    r = parse_legacy_row("|**2021-10-14**|**T**|Ann Lee et.al.|[2110.07546](http://arxiv.org/abs/2110.07546)|\n")
    assert (r.arxiv_id, r.code_url, r.title) == ("2110.07546", None, "T")


def test_date_not_bold():
    r = parse_legacy_row("|2021-10-14|**T**|Ann Lee et.al.|[2110.07546](http://arxiv.org/abs/2110.07546)|null|")
    assert r.date == D(2021, 10, 14)


def test_title_not_bold():
    r = parse_legacy_row("|2021-10-14|Plain title|Ann Lee|[2110.07546](http://arxiv.org/abs/2110.07546)|null|")
    assert (r.title, r.first_author) == ("Plain title", "Ann Lee")


def test_code_link_cell():
    row = ("|**2021-10-04**|**Fast Uncertainty Quantification for Active Graph SLAM**|Julio A. Placed et.al.|"
           "[2110.01289](http://arxiv.org/abs/2110.01289)|**[link](https://github.com/julioplaced/active_graph_slam)**|\n")
    r = parse_legacy_row(row)
    assert r.code_url == "https://github.com/julioplaced/active_graph_slam"
    assert r.first_author == "Julio A. Placed"


def test_code_cell_named_after_the_repo_and_extra_abstract_cell():
    row = ("|**2025-02-26**|**T**|Danae Sánchez Villegas et.al.|[2502.19409](http://arxiv.org/abs/2502.19409)|"
           "[megba](https://github.com/x/megba)|**An abstract.**|\n")
    r = parse_legacy_row(row)
    assert (r.code_url, r.first_author) == ("https://github.com/x/megba", "Danae Sánchez Villegas")


def test_wechat_bullet_with_code():
    row = ("- 2022-01-19, **Title, with a comma**, A. Author et.al., Paper: [http://arxiv.org/abs/2201.03814v2]"
           "(http://arxiv.org/abs/2201.03814v2), Code: **[https://github.com/x/y](https://github.com/x/y)**\n")
    assert parse_legacy_row(row) == LegacyRow(
        D(2022, 1, 19), "Title, with a comma", "A. Author", "2201.03814", 2, "https://github.com/x/y")


def test_wechat_bullet_without_code_and_with_comment():
    row = ("- 2023-12-23, **TransFace**, Xize Cheng et.al., Paper: [http://arxiv.org/abs/2312.15197]"
           "(http://arxiv.org/abs/2312.15197), Accepted at CVPR\n")
    r = parse_legacy_row(row)
    assert (r.arxiv_id, r.version, r.code_url, r.title) == ("2312.15197", None, None, "TransFace")


def test_title_containing_pipes_and_math():
    row = ("|**2023-01-02**|**A | B: $\\|x\\|_2$ norms**|Ann et.al.|[2301.00001](http://arxiv.org/abs/2301.00001)|"
           "null|\n")
    assert parse_legacy_row(row).title == "A | B: $\\|x\\|_2$ norms"


def test_old_style_id():
    r = parse_legacy_row("|**2003-09-09**|**Knots**|A et.al.|[math/0309136v2](http://arxiv.org/abs/math/0309136v2)|null|")
    assert (r.arxiv_id, r.version) == ("math/0309136", 2)


@pytest.mark.parametrize(
    "row",
    [
        "",
        "garbage",
        "|**2021-10-14**|**T**|A et.al.|null|",  # no arXiv link
        "|**2021-13-45**|**T**|A et.al.|[2110.07546](http://arxiv.org/abs/2110.07546)|null|",  # no such date
        "|**yesterday**|**T**|A et.al.|[2110.07546](http://arxiv.org/abs/2110.07546)|null|",
        "|**2021-10-14**|**T**|A et.al.|[x](http://example.com/abs/2110.07546)|null|",  # not arXiv
        "|**2021-10-14**||A et.al.|[2110.07546](http://arxiv.org/abs/2110.07546)|null|",  # no title
        "|**2021-10-14**|**T**|A et.al.|[2110.07546](http://arxiv.org/abs/2110.07546)|<b>x</b>|",  # code cell
        "- 2022-01-19, **T**, A et.al., [no paper link]",
        "|[Title](http://arxiv.org/abs/2110.07546)|[repo](https://github.com/x/y)|",  # 2021 format: no date
        12345,
    ],
)
def test_unreadable_rows_raise_value_error(row):
    with pytest.raises(ValueError):
        parse_legacy_row(row)  # type: ignore[arg-type]


DB = {
    "SLAM": {
        "2502.19169": "|**2025-02-26**|**Increasing the Task Flexibility**|Petri Mäkinen et.al.|"
                      "[2502.19169](http://arxiv.org/abs/2502.19169)|null|\n",
        "2502.00000": "not a row",
        "2502.11111": "|**2025-02-26**|**Mismatch**|A et.al.|[2502.22222](http://arxiv.org/abs/2502.22222)|null|\n",
    },
    "Broken topic": ["a list"],
}


@pytest.mark.parametrize(
    "dump",
    [
        lambda d: json.dumps(d),  # compact, \u escapes: what cv-arxiv-daily writes
        lambda d: json.dumps(d, indent=4, ensure_ascii=False),  # indented, raw UTF-8
    ],
)
def test_read_legacy_json(tmp_path, dump):
    path = tmp_path / "db.json"
    path.write_text(dump(DB), encoding="utf-8")
    got = list(read_legacy_json(path))
    assert [(t, k) for t, k, _ in got] == [
        ("SLAM", "2502.19169"), ("SLAM", "2502.00000"), ("SLAM", "2502.11111"), ("Broken topic", ""),
    ]
    good = got[0][2]
    assert isinstance(good, LegacyRow) and good.first_author == "Petri Mäkinen"
    assert all(isinstance(r, ValueError) for _, _, r in got[1:])
    assert "2502.22222" in str(got[2][2])


def test_empty_file_is_an_empty_database(tmp_path):
    (tmp_path / "db.json").write_text("", encoding="utf-8")
    assert list(read_legacy_json(tmp_path / "db.json")) == []


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", b"\xff\xfe\x00bad"])
def test_unreadable_file_raises_legacy_import_error(tmp_path, content):
    path = tmp_path / "db.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    with pytest.raises(LegacyImportError, match="db.json"):
        list(read_legacy_json(path))


def test_missing_file_raises_legacy_import_error(tmp_path):
    with pytest.raises(LegacyImportError):
        list(read_legacy_json(tmp_path / "absent.json"))


def test_entry_from_legacy():
    row = LegacyRow(D(2022, 1, 19), "T", "A. Author", "2201.03814", 2, "https://github.com/x/y")
    e = entry_from_legacy(row)
    assert (e.paper.id, e.paper.version, e.paper.first_author) == ("2201.03814", 2, "A. Author")
    assert e.paper.published.date() == e.paper.updated.date() == D(2022, 1, 19)
    assert (e.code_url, e.code_status, e.authors_complete) == ("https://github.com/x/y", "found", False)
    assert entry_from_legacy(row.__class__(**{**row.__dict__, "code_url": None})).code_status == "none"


def test_a_lone_surrogate_escape_is_an_unreadable_row_not_a_traceback(tmp_path):
    """The reviewer's row ("Active \\ud800 SLAM") crashed import-legacy in the store with
    UnicodeEncodeError. Now it, and a key or topic with one, are reported by topic and key
    (printable), and the other rows are imported."""
    from click.testing import CliRunner

    from arxiv_radar.cli import main

    def row(pid: str, title: str) -> str:
        return f"|**2021-10-14**|**{title}**|Shumon Koga et.al.|[{pid}](http://arxiv.org/abs/{pid})|null|"

    path = tmp_path / "legacy.json"
    path.write_text(
        '{"SLAM": {"2110.07546": "' + row("2110.07546", "Active \\ud800 SLAM") + '", '
        '"2110.07547": "' + row("2110.07547", "Fine \\ud83d\\ude00 SLAM") + '", '
        '"2110.\\udc00": "' + row("2110.07548", "Key SLAM") + '"}, '
        '"Bad\\udfff topic": {"2110.07549": "' + row("2110.07549", "T SLAM") + '"}}',
        encoding="utf-8",
    )
    got = list(read_legacy_json(path))
    assert [(t, k) for t, k, _ in got] == [
        ("SLAM", "2110.07546"), ("SLAM", "2110.07547"), ("SLAM", "2110.\\udc00"), ("Bad\\udfff topic", "2110.07549"),
    ]
    assert str(got[0][2]) == "the row holds an unpaired UTF-16 surrogate (\\ud800), which is not text"
    assert got[1][2].title == "Fine \U0001f600 SLAM"
    assert "the key holds" in str(got[2][2]) and "the topic holds" in str(got[3][2])

    result = CliRunner().invoke(main, ["import-legacy", str(path), "--db", str(tmp_path / "s.sqlite")])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1  # unreadable rows: reported, the rest imported
    assert "Imported 4 rows (1 distinct paper)" in result.output and "SLAM: 1 row" in result.output
    assert "3 rows could not be read" in result.output
    assert "SLAM / 2110.07546: the row holds an unpaired UTF-16 surrogate (\\ud800)" in result.output
    assert "Bad\\udfff topic / 2110.07549: the topic holds" in result.output
    result.output.encode("utf-8")  # every line printable
