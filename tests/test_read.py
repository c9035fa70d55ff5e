"""Read stage: good records become Articles; every bad one becomes a Rejection naming file:line."""
from __future__ import annotations

import datetime as dt
import json

from hypothesis import given, settings, strategies as st

from diurna.ingest.read import read_paths
from diurna.records import Article, Rejection
from tests.conftest import SAMPLE_JSONL


def write_lines(path, lines: list[bytes]) -> None:
    path.write_bytes(b"\n".join(lines) + b"\n")


def good(record_id: str, **overrides) -> bytes:
    record = {"id": record_id, "date": "2020-03-05", "source": "X", "title": None,
              "content": "Turkey and Russia agreed a ceasefire in Idlib.", "url": None}
    record.update(overrides)
    return json.dumps(record).encode()


def test_sample_jsonl_reads_with_all_fields():
    (article,) = read_paths([SAMPLE_JSONL])
    assert isinstance(article, Article)
    assert article.record_id == "sample-0001" and article.date == dt.date(2020, 3, 5)
    assert article.source == "VeteransToday" and article.content.startswith("RT/Moscow;")
    assert article.origin.endswith("idlib_ceasefire_2020-03-05.jsonl:1")


def test_txt_header_gives_date_and_source(sample_txt):
    (article,) = read_paths([sample_txt])
    assert article.date == dt.date(2020, 3, 5) and article.source == "VeteransToday"
    assert article.content.lstrip().startswith("RT/Moscow;")


def test_bad_records_are_rejected_with_file_and_line_and_the_rest_is_read(tmp_path):
    path = tmp_path / "batch.jsonl"
    write_lines(path, [
        good("a"),
        b'{"id": "b", "date": "2020-03-05", "content": "unterminated',
        good("c", content="   "),
        good("d", date=None),
        b'{"id": "e", "date": "2020-03-05", "content": "caf\xe9 latin-1"}',
        good("f", content="a\x00b\x00c"),
        good("g", date="5 March 2020"),
        b"[1, 2, 3]",
        good("h"),
    ])
    records = list(read_paths([path]))
    assert [r.record_id for r in records if isinstance(r, Article)] == ["a", "h"]
    rejections = {r.origin.rsplit(":", 1)[1]: r for r in records if isinstance(r, Rejection)}
    assert "malformed JSON" in rejections["2"].reason
    assert rejections["3"].reason == "empty article content" and rejections["3"].record_id == "c"
    assert rejections["4"].reason == "missing date"
    assert "not valid UTF-8" in rejections["5"].reason
    assert "binary" in rejections["6"].reason
    assert "unreadable date '5 March 2020'" in rejections["7"].reason
    assert "expected a JSON object" in rejections["8"].reason
    assert rejections["4"].message() == f"{path}:4 (id d): missing date"


def test_default_date_fills_missing_dates(tmp_path):
    path = tmp_path / "undated.jsonl"
    write_lines(path, [good("a", date=None)])
    (article,) = read_paths([path], default_date=dt.date(2021, 1, 2))
    assert article.date == dt.date(2021, 1, 2)


def test_oversized_article_is_rejected(tmp_path):
    path = tmp_path / "huge.jsonl"
    write_lines(path, [good("big", content="word " * 200_001)])
    (rejection,) = read_paths([path])
    assert isinstance(rejection, Rejection) and "too large (1,000,005 characters" in rejection.reason


def test_extra_fields_are_kept(tmp_path):
    path = tmp_path / "extra.jsonl"
    write_lines(path, [good("a", language="en", tags=["syria"])])
    (article,) = read_paths([path])
    assert article.extra == {"language": "en", "tags": ["syria"]}


def test_non_utf8_txt_and_missing_paths_are_rejected(tmp_path):
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("date 2020-03-05 X\nCafé in Ankara".encode("latin-1"))
    records = list(read_paths([bad, tmp_path / "nope.jsonl"]))
    assert all(isinstance(r, Rejection) for r in records)
    assert "not valid UTF-8" in records[0].reason and records[1].reason == "no such file or folder"


def test_folders_are_read_recursively(tmp_path):
    (tmp_path / "sub").mkdir()
    write_lines(tmp_path / "sub" / "one.jsonl", [good("a")])
    (tmp_path / "two.txt").write_text("date 2020-03-06 Y\nRussia and Turkey held talks.", encoding="utf-8")
    (tmp_path / "ignored.bin").write_bytes(b"\x00\x01")
    ids = sorted(r.record_id for r in read_paths([tmp_path]))
    assert ids == ["a", "two"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=300), min_size=1, max_size=8))
def test_arbitrary_bytes_never_crash_the_reader(tmp_path_factory, lines):
    path = tmp_path_factory.mktemp("fuzz") / "fuzz.jsonl"
    write_lines(path, lines)
    for record in read_paths([path]):
        assert isinstance(record, (Article, Rejection))


def test_a_bom_does_not_cost_the_first_record(tmp_path):
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + good("first") + b"\n" + good("second") + b"\n")
    assert [r.record_id for r in read_paths([path])] == ["first", "second"]


def test_a_few_control_characters_are_blanked_not_rejected(tmp_path):
    path = tmp_path / "controls.jsonl"
    text = "Turkey\x07 and Russia\x1b[2J agreed a ceasefire."
    write_lines(path, [good("a", content=text)])
    (article,) = read_paths([path])
    assert isinstance(article, Article)
    # same length: offsets into the stored content are offsets into the input
    assert len(article.content) == len(text) and article.content.index("Russia") == text.index("Russia")
    assert "\x07" not in article.content and "\x1b" not in article.content


def test_deep_nesting_rejects_only_that_record(tmp_path):
    path = tmp_path / "deep.jsonl"
    write_lines(path, [good("a"), b'{"id": "deep", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", good("b")])
    records = list(read_paths([path]))
    assert [r.record_id for r in records if isinstance(r, Article)] == ["a", "b"]
    (rejection,) = [r for r in records if isinstance(r, Rejection)]
    assert rejection.origin.endswith(":2") and "nested too deeply" in rejection.reason


def test_urls_must_be_web_links_and_outlets_lose_markup(tmp_path):
    path = tmp_path / "hostile.jsonl"
    write_lines(path, [
        good("a", url="javascript:alert(1)", source='<a href="javascript:x()">Evil</a> News'),
        good("b", url="https://example.org/a", title="<b>Title</b>"),
    ])
    first, second = read_paths([path])
    assert first.url is None and first.source == "Evil News"
    assert second.url == "https://example.org/a" and second.title == "Title"
