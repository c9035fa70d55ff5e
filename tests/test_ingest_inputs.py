"""Every input kind (HTML pages, RSS/Atom feeds, compressed files, bundles, stdin, URLs, other
JSONL field names) read on the sample article's text, and bad input of each kind rejected with
a reason naming the input while the rest of the batch is read."""
from __future__ import annotations

import bz2
import datetime as dt
import gzip
import http.server
import io
import json
import lzma
import sys
import tarfile
import threading
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import example, given, settings, strategies as st

from diurna.cli import main
from diurna.ingest.feeds import feed_records
from diurna.ingest.fields import FieldMap
from diurna.ingest.html import html_record
from diurna.ingest.read import read_paths
from diurna.ingest.sources import fetch_url
from diurna.records import Article, Rejection
from tests.conftest import ROOT, SAMPLE_JSONL, sample_txt_bytes

PAGES = ROOT / "tests" / "fixtures" / "pages"
FEEDS = ROOT / "tests" / "fixtures" / "feeds"
SAMPLE_CONTENT = json.loads(SAMPLE_JSONL.read_text(encoding="utf-8"))["content"]


def split(records) -> tuple[list[Article], list[Rejection]]:
    records = list(records)
    return [r for r in records if isinstance(r, Article)], [r for r in records if isinstance(r, Rejection)]


# --- HTML pages ---------------------------------------------------------------------------

def test_html_article_with_json_ld_gives_text_and_metadata():
    (article,) = read_paths([PAGES / "jsonld_article.html"])
    assert article.content == SAMPLE_CONTENT  # every paragraph, no menu, teaser or footer text
    assert article.title == "Putin and Erdogan agree Idlib ceasefire after Moscow talks"
    assert article.date == dt.date(2020, 3, 5) and article.source == "The Daily Meridian"
    assert article.url == "https://meridian.example/world/2020/03/05/idlib-ceasefire"
    assert article.extra["author"] == "Elena Marsh" and article.extra["format"] == "html"


def test_html_div_layout_with_opengraph_leaves_out_cookie_banner_share_and_comments():
    (article,) = read_paths([PAGES / "opengraph_divs.html"])
    assert (article.source, article.date) == ("Levant Wire", dt.date(2020, 3, 5))
    assert article.url == "https://levantwire.example/news/idlib-truce-russia-turkey"
    assert article.content.startswith("The press statement followed hours-long talks in Moscow")
    for boilerplate in ("cookies", "Share on Facebook", "Finally some good news", "Trending", "Advertisement"):
        assert boilerplate not in article.content
    assert article.content.count("\n\n") >= 4  # paragraphs stay apart for the clean stage


def test_old_style_wire_page_with_meta_date_and_no_outlet():
    (article,) = read_paths([PAGES / "wire_story_meta.htm"])
    assert article.date == dt.date(2020, 3, 5) and article.title == "TURKEY-RUSSIA/SYRIA (UPDATE 2)"
    assert article.content.startswith("Turkey has sent thousands of troops")
    assert "Redistribution prohibited" not in article.content and "Wire Desk index" not in article.content


def test_boilerplate_only_and_broken_pages_are_rejected_and_the_folder_still_read():
    articles, rejections = split(read_paths([PAGES]))
    assert len(articles) == 3
    reasons = {Path(r.origin).name: r.reason for r in rejections}
    assert set(reasons) == {"boilerplate_only.html", "broken.html"}
    assert reasons["boilerplate_only.html"].startswith("no article text on the page (0 words")
    assert "no article text" in reasons["broken.html"]


def test_html_page_codes_like_the_sample(coder, coded_sample):
    (article,) = read_paths([PAGES / "jsonld_article.html"])
    (coded,) = coder.code([article])
    assert [(e.source_code, e.cameo_code, e.target_code) for e in coded.events] == \
        [(e.source_code, e.cameo_code, e.target_code) for e in coded_sample.events]
    assert {e.outlet for e in coded.events} == {"The Daily Meridian"}
    assert {e.url for e in coded.events} == {"https://meridian.example/world/2020/03/05/idlib-ceasefire"}


# --- feeds --------------------------------------------------------------------------------

def test_rss_items_are_articles_with_full_text_or_summary_marked():
    full, summary = read_paths([FEEDS / "levant_wire.rss"])
    assert full.content == SAMPLE_CONTENT and full.extra["text_kind"] == "full"
    assert (full.record_id, full.source, full.date) == ("levantwire-2020-03-05-0001", "Levant Wire", dt.date(2020, 3, 5))
    assert full.origin.endswith("levant_wire.rss:item1") and full.extra["author"] == "Elena Marsh"
    assert summary.extra["text_kind"] == "summary" and summary.date == dt.date(2020, 3, 4)
    assert summary.content.startswith("Turkey has sent thousands of troops") and "<p>" not in summary.content
    assert summary.url == "https://levantwire.example/news/spring-shield"


def test_atom_entry_date_is_its_utc_day():
    (entry,) = read_paths([FEEDS / "meridian_world.atom"])
    assert entry.date == dt.date(2020, 3, 5) and entry.source == "The Daily Meridian - World"
    assert entry.content.startswith("Ankara launched “Operation Spring Shield”")


def test_feed_without_items_and_unreadable_feed_are_rejected(tmp_path):
    garbage = tmp_path / "garbage.rss"
    garbage.write_bytes(b"\x00\x01 this is not a feed at all")
    articles, rejections = split(read_paths([FEEDS / "empty_channel.xml", garbage, FEEDS / "meridian_world.atom"]))
    assert len(articles) == 1
    reasons = {Path(r.origin).name: r.reason for r in rejections}
    assert reasons["empty_channel.xml"] == "feed has no items"
    assert reasons["garbage.rss"].startswith(("not a readable RSS/Atom feed", "feed has no items"))


_MARKUP = st.sampled_from(list("<>/=\"' abp&;#\x00\n") + [
    "<p>", "</p>", "<article>", "<script>", "<![CDATA[", "<rss>", "<item>", "<feed>", "<entry>",
    "<content:encoded>", "&#0;", "&#xD800;", "<?xml version='1.0' encoding='utf-16'?>", "<meta charset='bogus'>"])


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.binary(max_size=1000), st.lists(_MARKUP, max_size=60).map(lambda parts: "".join(parts).encode())))
@example(b"<>&#xD800;")  # feedparser raised UnicodeEncodeError on a surrogate character reference
def test_any_bytes_give_a_record_or_a_reason_never_an_exception(data):
    assert isinstance(html_record(data, "x.html"), (str, dict))
    assert isinstance(feed_records(data, "x.xml"), (str, list))


# --- compressed and bundled input -----------------------------------------------------------

@pytest.mark.parametrize("suffix,compress", [(".gz", gzip.compress), (".bz2", bz2.compress), (".xz", lzma.compress)])
def test_compressed_jsonl_reads_like_the_plain_file(tmp_path, suffix, compress):
    packed = tmp_path / f"dump.jsonl{suffix}"
    packed.write_bytes(compress(SAMPLE_JSONL.read_bytes()))
    (article,) = read_paths([packed])
    assert article.content == SAMPLE_CONTENT and article.origin == f"{packed}:1"


def test_compressed_file_without_an_inner_suffix_is_sniffed(tmp_path):
    packed = tmp_path / "download.gz"
    packed.write_bytes(gzip.compress((FEEDS / "levant_wire.rss").read_bytes()))
    articles, rejections = split(read_paths([packed]))
    assert not rejections and [a.origin for a in articles] == [f"{packed}:item1", f"{packed}:item2"]


def test_zip_and_tar_gz_bundles_of_mixed_inputs(tmp_path):
    members = {"a/sample.jsonl": SAMPLE_JSONL.read_bytes(), "b/page.html": (PAGES / "jsonld_article.html").read_bytes(),
               "b/feed.rss": (FEEDS / "levant_wire.rss").read_bytes(), "c/sample.txt.gz": gzip.compress(sample_txt_bytes()),
               "README.md": b"not an input"}
    with zipfile.ZipFile(tmp_path / "bundle.zip", "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    with tarfile.open(tmp_path / "bundle.tar.gz", "w:gz") as archive:
        for name, data in sorted(members.items()):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    for bundle in ("bundle.zip", "bundle.tar.gz"):
        articles, rejections = split(read_paths([tmp_path / bundle]))
        assert not rejections
        origins = [a.origin.split("!", 1)[1] for a in articles]
        assert origins == ["a/sample.jsonl:1", "b/feed.rss:item1", "b/feed.rss:item2", "b/page.html", "c/sample.txt.gz"]
        assert sum(a.content.strip() == SAMPLE_CONTENT for a in articles) == 4  # all but the RSS summary


def test_corrupt_and_truncated_gzip_are_rejected_by_name_and_the_batch_goes_on(tmp_path):
    corrupt = tmp_path / "corrupt.jsonl.gz"
    corrupt.write_bytes(b"\x1f\x8b\x08\x00garbage that is not deflate data")
    two = SAMPLE_JSONL.read_bytes() + SAMPLE_JSONL.read_bytes().replace(b"sample-0001", b"sample-0002")
    truncated = tmp_path / "truncated.jsonl.gz"
    packed = gzip.compress(two * 50)
    truncated.write_bytes(packed[: len(packed) * 2 // 3])
    not_zip = tmp_path / "fake.zip"
    not_zip.write_bytes(b"PK but not really")
    articles, rejections = split(read_paths([corrupt, truncated, not_zip, SAMPLE_JSONL]))
    reasons = {Path(r.origin.split(":")[0]).name: r.reason for r in rejections}
    assert "corrupt" in reasons["corrupt.jsonl.gz"] or "gzip" in reasons["corrupt.jsonl.gz"]
    assert reasons["truncated.jsonl.gz"].startswith("unreadable input: truncated compressed data")
    assert reasons["fake.zip"].startswith("unreadable archive")
    assert articles[-1].origin == f"{SAMPLE_JSONL}:1"  # the good file after the bad ones
    assert len(articles) > 10  # the records before the truncation point were read


def test_damaged_bundle_members_are_rejected_and_the_intact_ones_read(tmp_path):
    with zipfile.ZipFile(tmp_path / "z.zip", "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.jsonl", SAMPLE_JSONL.read_bytes())
        archive.writestr("b.jsonl", SAMPLE_JSONL.read_bytes().replace(b"sample-0001", b"sample-0002"))
        archive.writestr("c.jsonl", SAMPLE_JSONL.read_bytes().replace(b"sample-0001", b"sample-0003"))
    raw = bytearray((tmp_path / "z.zip").read_bytes())
    damaged = raw.find(b"b.jsonl") + 40  # inside b.jsonl's deflate stream
    raw[damaged] ^= 0xFF
    raw[damaged + 5] ^= 0xFF
    (tmp_path / "z.zip").write_bytes(bytes(raw))
    with tarfile.open(tmp_path / "t.tar.gz", "w:gz") as archive:
        for number in range(20):
            data = SAMPLE_JSONL.read_bytes().replace(b"sample-0001", f"t{number}".encode()) * 10
            info = tarfile.TarInfo(f"m{number:02}.jsonl")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    packed = (tmp_path / "t.tar.gz").read_bytes()
    (tmp_path / "t.tar.gz").write_bytes(packed[: len(packed) // 2])
    articles, rejections = split(read_paths([tmp_path / "z.zip", tmp_path / "t.tar.gz"]))
    assert [a.record_id for a in articles if "z.zip" in a.origin] == ["sample-0001", "sample-0003"]
    assert [r.origin for r in rejections][0] == f"{tmp_path / 'z.zip'}!b.jsonl"
    assert rejections[-1].origin == str(tmp_path / "t.tar.gz") and "unreadable archive" in rejections[-1].reason
    assert any("t.tar.gz!m00.jsonl" in a.origin for a in articles)  # members before the cut were read


def test_standard_input_dash_reads_a_gzip_stream(monkeypatch):
    data = gzip.compress(SAMPLE_JSONL.read_bytes())
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(io.BytesIO(data))))
    (article,) = read_paths(["-"])
    assert article.content == SAMPLE_CONTENT and article.origin == "<stdin>:1"


@pytest.mark.parametrize("fixture", [PAGES / "jsonld_article.html", FEEDS / "levant_wire.rss", None])
def test_standard_input_format_is_sniffed(monkeypatch, fixture):
    data = fixture.read_bytes() if fixture is not None else sample_txt_bytes()  # None: the sample as .txt
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(io.BytesIO(data))))
    articles, rejections = split(read_paths(["-"]))
    assert not rejections and articles[0].content.lstrip().startswith("RT/Moscow;")


def test_cli_ingest_from_stdin(tmp_path, monkeypatch, capsys):
    data = gzip.compress(SAMPLE_JSONL.read_bytes())
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(io.BytesIO(data))))
    assert main(["ingest", "-", "--db", str(tmp_path / "d.duckdb")]) == 0
    assert "stored 1 new article " in capsys.readouterr().err


# --- URLs (a server on 127.0.0.1 only) ----------------------------------------------------------

class _Handler(http.server.BaseHTTPRequestHandler):
    routes = {
        "/world/idlib-ceasefire": ("text/html; charset=utf-8", (PAGES / "jsonld_article.html").read_bytes()),
        "/feed": ("application/rss+xml", (FEEDS / "levant_wire.rss").read_bytes()),
        "/dumps/day.jsonl.gz": ("application/gzip", gzip.compress(SAMPLE_JSONL.read_bytes())),
    }

    def do_GET(self):  # noqa: N802 (http.server's name)
        try:
            self._answer()
        except (BrokenPipeError, ConnectionResetError):  # the client gave up first (the timeout test)
            pass

    def _answer(self):
        if self.path == "/slow":
            time.sleep(2)
        if self.path not in self.routes:
            self.send_error(404, "Not Found")
            return
        content_type, body = self.routes[self.path]
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def local_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_urls_of_a_page_a_feed_and_a_compressed_dump(local_server):
    urls = [f"{local_server}/world/idlib-ceasefire", f"{local_server}/feed", f"{local_server}/dumps/day.jsonl.gz"]
    articles, rejections = split(read_paths(urls))
    assert not rejections
    assert [a.origin for a in articles] == [urls[0], f"{urls[1]}:item1", f"{urls[1]}:item2", f"{urls[2]}:1"]
    assert articles[0].title == "Putin and Erdogan agree Idlib ceasefire after Moscow talks"
    assert articles[3].content == SAMPLE_CONTENT


def test_url_timeout_404_and_size_limit_are_clear_rejections(local_server):
    articles, rejections = split(read_paths([f"{local_server}/slow", f"{local_server}/missing", SAMPLE_JSONL],
                                            url_timeout=0.5))
    assert [r.reason for r in rejections] == ["timed out after 0.5 s", "HTTP error 404 Not Found"]
    assert rejections[0].origin == f"{local_server}/slow" and len(articles) == 1
    too_big = fetch_url(f"{local_server}/feed", max_bytes=1000)
    assert isinstance(too_big, Rejection) and too_big.reason.startswith("too large (")


def test_unreachable_url_is_rejected():
    (rejection,) = read_paths(["http://127.0.0.1:9/nothing-listens-here"], url_timeout=2)
    assert isinstance(rejection, Rejection) and rejection.reason.startswith("could not fetch:")


# --- other JSONL shapes ----------------------------------------------------------------------

def test_news_please_fields_are_mapped_with_field_options(tmp_path):
    record = {"title": "Idlib ceasefire", "maintext": SAMPLE_CONTENT, "date_publish": "2020-03-05 18:42:00",
              "source_domain": "rt.com", "url": "https://rt.com/news/482333"}
    rss_dated = dict(record, date_publish="Thu, 05 Mar 2020 23:30:00 -0300")  # 02:30 UTC on the 6th
    epoch_dated = dict(record, date_publish=1583366400)  # 2020-03-05 00:00 UTC
    path = tmp_path / "newsplease.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in (record, rss_dated, epoch_dated)) + "\n")
    fields = FieldMap.parse(["content=maintext", "date=date_publish", "source=source_domain"])
    articles = list(read_paths([path], fields=fields))
    assert [a.date for a in articles] == [dt.date(2020, 3, 5), dt.date(2020, 3, 6), dt.date(2020, 3, 5)]
    assert all(a.content == SAMPLE_CONTENT and a.source == "rt.com" and "maintext" not in a.extra for a in articles)
    unmapped = next(iter(read_paths([path])))  # without the options the content is not found
    assert isinstance(unmapped, Rejection) and unmapped.reason == "missing or non-text 'content'"


def test_nela_gt_style_record_keeps_its_extra_fields(tmp_path):
    nela = json.loads(SAMPLE_JSONL.read_text())
    nela.update(author="RT staff", published="Thu, 05 Mar 2020 18:42:00 +0000", published_utc=1583433720,
                collection_utc=1583440000)
    path = tmp_path / "nela.jsonl"
    path.write_text(json.dumps(nela) + "\n")
    (article,) = read_paths([path])
    assert article.date == dt.date(2020, 3, 5) and article.source == "VeteransToday"
    assert article.extra == {"author": "RT staff", "published": "Thu, 05 Mar 2020 18:42:00 +0000",
                             "published_utc": 1583433720, "collection_utc": 1583440000}


@pytest.mark.parametrize("option,message", [("content", "needs TARGET=NAME"), ("body=text", "is not one of")])
def test_bad_field_option_is_a_usage_error(option, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["code", str(SAMPLE_JSONL), "--field", option])
    assert exit_info.value.code == 2 and message in capsys.readouterr().err


def test_cli_version(capsys):
    import diurna

    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.strip() == f"diurna {diurna.__version__}"
