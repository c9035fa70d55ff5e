"""Acceptance tests of issue 9: fuzzed input never loses a good record or a rejection, and
kill -9 at random points never changes what an ingest finally stores."""
from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from diurna import pipeline
from diurna.cli import main
from diurna.ingest.read import read_paths
from diurna.pipeline import article_id_for
from diurna.records import Article
from diurna.store import Store
from tests.conftest import SAMPLE_JSONL

SAMPLE = json.loads(SAMPLE_JSONL.read_text(encoding="utf-8"))
WORDS = ["Turkey", "Russia", "troops", "attacked", "agreed", "ceasefire", "in", "Idlib", "talks", "the", "Syrian",
         "army", "said", "on", "Monday", "café"]
HOSTILE = ["<b>", "\x07", "=SUM(A1)", "\u200b", "\x1b[2J", '<svg onload="x()">', "\x00"]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
# mostly words, with a little hostile text: still an article (controls stay under 10%)
content = st.tuples(st.lists(st.sampled_from(WORDS), min_size=8, max_size=30),
                    st.lists(st.sampled_from(HOSTILE), max_size=2), st.randoms()).map(
    lambda parts: " ".join(parts[2].sample(parts[0] + parts[1], len(parts[0]) + len(parts[1]))))


@st.composite
def good_line(draw) -> bytes:
    record = draw(st.dictionaries(st.sampled_from(["lang", "tags", "x"]), json_values, max_size=2))
    record.update(id=draw(st.text(max_size=10)), date=draw(st.sampled_from(["2020-03-05", "2021-12-31T10:00:00Z"])),
                  content=draw(content), title=draw(st.none() | st.text(max_size=30)),
                  source=draw(st.none() | st.text(max_size=15)),
                  url=draw(st.none() | st.sampled_from(["https://a.org/x", "javascript:alert(1)", "ftp://x"])))
    return json.dumps(record, ensure_ascii=draw(st.booleans())).encode("utf-8")


bad_line = st.one_of(
    st.binary(min_size=1, max_size=80).map(lambda raw: b"\xff" + raw.replace(b"\n", b" ")),  # not UTF-8
    json_values.filter(lambda value: not isinstance(value, dict)).map(lambda v: json.dumps(v).encode()),
    st.dictionaries(st.sampled_from(["id", "date", "title"]), json_values, max_size=3).map(lambda d: json.dumps(d).encode()),
    good_line().map(lambda raw: raw[: len(raw) // 2]),  # cut off
    st.integers(3000, 20000).map(lambda depth: b'{"content": ' + b"[" * depth + b"]" * depth + b"}"),
)


@st.composite
def corpus(draw) -> tuple[list[tuple[bool, bytes]], list[tuple[bool, bytes]]]:
    lines = draw(st.lists(st.one_of(good_line().map(lambda raw: (True, raw)), bad_line.map(lambda raw: (False, raw))),
                          min_size=1, max_size=8))
    texts = draw(st.lists(st.one_of(
        content.map(lambda text: (True, f"date 2020-03-05 Outlet\n{text}".encode())),
        st.binary(max_size=60).map(lambda raw: (False, b"\xfe" + raw)),
        st.just((False, b"   \n\n"))), max_size=3))
    return lines, texts


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])
@given(data=corpus())
def test_fuzzed_input_keeps_every_good_record_and_quarantines_every_bad_one_once(coder, capsys, data):
    lines, texts = data
    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as patch:
        patch.setattr(pipeline, "Coder", lambda settings: coder)  # the CLI as is, minus loading spaCy each time
        root = Path(folder)
        (root / "in").mkdir()
        jsonl = root / "in" / "lines.jsonl"
        jsonl.write_bytes(b"\xef\xbb\xbf" + b"\n".join(raw for _, raw in lines) + b"\n")
        for n, (_, raw) in enumerate(texts):
            (root / "in" / f"text{n}.txt").write_bytes(raw)
        read = [r for r in read_paths([root / "in"]) if isinstance(r, Article)]
        good_records = [raw for ok, raw in lines if ok] + [raw for ok, raw in texts if ok]
        bad_records = [raw for ok, raw in lines if not ok] + [raw for ok, raw in texts if not ok]
        assert len(read) == len(good_records)
        expected_articles = {article_id_for(article) for article in read}
        db = str(root / "fuzz.duckdb")
        capsys.readouterr()
        for _ in range(2):  # the second run must add nothing
            code = main(["ingest", str(root / "in"), "--db", db])
            assert code == (1 if bad_records else 0)
            err = capsys.readouterr().err
            assert "Traceback" not in err and "Error" not in err.replace("rejected", ""), err
        with Store(db, read_only=True) as store:
            counts = store.counts()
            stored = {row[0] for row in store.connection.execute("SELECT article_id FROM articles").fetchall()}
        assert stored == expected_articles
        assert counts["rejections"] == len(bad_records)


def write_corpus(path: Path, n: int) -> None:
    """The sample, then n short articles (over two coding batches), with one broken line."""
    places = ["Idlib", "Aleppo", "Saraqib", "Hama", "Homs"]
    lines = [json.dumps(SAMPLE)] + [json.dumps({
        "id": f"s{i}", "date": "2020-03-05", "source": "Wire",
        "content": f"Turkish troops attacked Syrian forces near {places[i % 5]} on day {i}, and Russia condemned Turkey.",
    }) for i in range(n)]
    lines.insert(n // 2, '{"id": "broken", "content": ')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def stored_ids(db: str) -> tuple[set[str], set[tuple], set[tuple], int]:
    """Articles, events with their counts, mentions with their events, rejections."""
    with Store(db, read_only=True) as store:
        con = store.connection
        articles = {r[0] for r in con.execute("SELECT article_id FROM articles").fetchall()}
        events = set(con.execute("SELECT event_id, num_mentions, num_articles, num_sources FROM events").fetchall())
        mentions = set(con.execute("SELECT mention_id, event_id FROM mentions").fetchall())
        return articles, events, mentions, store.counts()["rejections"]


def test_kill_9_twice_then_resume_stores_what_an_uninterrupted_run_stores(tmp_path):
    from tests.test_faults import wait_for_articles

    corpus_path = tmp_path / "corpus.jsonl"
    write_corpus(corpus_path, 120)
    clean_db, crash_db = str(tmp_path / "clean.duckdb"), str(tmp_path / "crash.duckdb")
    assert main(["ingest", str(corpus_path), "--db", clean_db]) == 1  # 1: the broken line is rejected
    seed = random.randrange(1_000_000)
    rng = random.Random(seed)
    for attempt in range(2):
        ingest = subprocess.Popen([sys.executable, "-m", "diurna", "ingest", str(corpus_path), "--db", crash_db],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if attempt == 0:  # once surely while committing, once anywhere
            wait_for_articles(crash_db, ingest)
            time.sleep(rng.uniform(0, 1))
        else:
            time.sleep(rng.uniform(1, 5))
        ingest.send_signal(signal.SIGKILL)
        ingest.wait()
    assert main(["ingest", str(corpus_path), "--db", crash_db]) == 1
    assert stored_ids(crash_db) == stored_ids(clean_db), f"seed {seed}"
    articles, events, mentions, rejections = stored_ids(crash_db)
    assert len(articles) == 121 and len(mentions) > 120 and rejections == 1
    assert sum(n for _, n, _, _ in events) == len(mentions)  # the same attacks in the same towns are one event each
