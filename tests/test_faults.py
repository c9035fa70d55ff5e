"""Faults, bad options, hostile content and re-coding: one test per item of issue 9.

Each fault must end in one clear line on stderr (no traceback), exit status 1 (2 for a usage
mistake), and never lose what was committed.
"""
from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import textwrap
import time

import duckdb
import pytest

from diurna import jobs
from diurna.cli import main
from diurna.records import Article
from diurna.store import Store, StoreError
from tests.conftest import SAMPLE_EVENT_COUNT, SAMPLE_JSONL, SAMPLE_STORED_EVENTS

SAMPLE = json.loads(SAMPLE_JSONL.read_text(encoding="utf-8"))


@pytest.fixture()
def db(tmp_path):
    return str(tmp_path / "test.duckdb")


def one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def run_cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "diurna", *args], capture_output=True, text=True, timeout=120,
                          cwd=kwargs.pop("cwd", None), **kwargs)


# --- options ---------------------------------------------------------------------------------

@pytest.mark.parametrize("args, expected", [
    (["ingest", "x.jsonl", "--batch-size", "0"], "argument --batch-size: must be 1 or more, got 0"),
    (["ingest", "x.jsonl", "--n-process", "0"], "argument --n-process: must be 1 or more, got 0"),
    (["code", "x.jsonl", "--max-chars", "0"], "argument --max-chars: must be 1 or more, got 0"),
    (["events", "--limit", "-1"], "argument --limit: must be 1 or more, got -1"),
    (["events", "--limit", "ten"], "argument --limit: expected a whole number, got 'ten'"),
    (["events", "--bbox", "1,2,3"], "argument --bbox: expected four numbers"),
    (["events", "--bbox", "a,b,c,d"], "argument --bbox: expected four numbers"),
    (["events", "--since", "March"], "argument --since: expected a date as YYYY-MM-DD, got 'March'"),
])
def test_bad_options_get_one_clear_line(args, expected, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(args)
    assert exit_.value.code == 2
    line = one_line(capsys.readouterr().err)
    assert expected in line and "_bbox" not in line and "fromisoformat" not in line


def test_events_without_a_database_says_so(tmp_path, capsys):
    missing = tmp_path / "nope.duckdb"
    assert main(["events", "--db", str(missing)]) == 1
    assert f"no database at {missing}" in one_line(capsys.readouterr().err)
    assert not missing.exists()


# --- foreign files and databases ---------------------------------------------------------------

@pytest.mark.parametrize("name, content", [("data.jsonl", b'{"a": 1}\n'), ("table.csv", b"a,b\n1,2\n"), ("empty.db", b"")])
def test_a_file_that_is_not_a_diurna_database_is_refused_untouched(tmp_path, capsys, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    assert main(["ingest", str(SAMPLE_JSONL), "--db", str(path)]) == 1
    assert "is not a diurna database" in one_line(capsys.readouterr().err)
    assert path.read_bytes() == content


def test_someone_elses_duckdb_database_is_never_written(tmp_path, capsys):
    path = tmp_path / "theirs.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE sales (amount INTEGER)")
    for command in (["ingest", str(SAMPLE_JSONL)], ["events"], ["recode"]):
        assert main([*command, "--db", str(path)]) == 1
        assert "not a diurna one" in one_line(capsys.readouterr().err)
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("SELECT table_name FROM information_schema.tables").fetchall() == [("sales",)]


# --- file system and damage -----------------------------------------------------------------------

def test_missing_folder_for_the_database(tmp_path, capsys):
    assert main(["ingest", str(SAMPLE_JSONL), "--db", str(tmp_path / "no" / "such" / "x.duckdb")]) == 1
    assert f"the folder {tmp_path / 'no' / 'such'} does not exist" in one_line(capsys.readouterr().err)


def test_truncated_database_gives_one_line(db, capsys):
    assert main(["ingest", str(SAMPLE_JSONL), "--db", db]) == 0
    data = open(db, "rb").read()
    with open(db, "wb") as handle:
        handle.write(data[: len(data) // 3])
    capsys.readouterr()
    for command in (["events"], ["ingest", str(SAMPLE_JSONL)]):
        assert main([*command, "--db", db]) == 1
        assert "is damaged or truncated" in one_line(capsys.readouterr().err)


def test_corrupt_database_gives_one_line(db, capsys):
    assert main(["ingest", str(SAMPLE_JSONL), "--db", db]) == 0
    data = bytearray(open(db, "rb").read())
    data[12288:] = os.urandom(len(data) - 12288)  # keep DuckDB's three header blocks, damage the rest
    open(db, "wb").write(bytes(data))
    capsys.readouterr()
    for command in (["events"], ["rejections"], ["ingest", str(SAMPLE_JSONL)]):
        assert main([*command, "--db", db]) == 1
        assert "is damaged or truncated" in one_line(capsys.readouterr().err)


def test_disk_full_at_commit_names_the_cause_and_keeps_earlier_data(db, coder, sample_article):
    (coded,) = list(coder.code([sample_article]))
    other = sample_article.model_copy(update={"content": sample_article.content + " More.", "record_id": "b"})
    (coded_other,) = list(coder.code([other]))
    with Store(db) as store:
        assert store.add(coded)
        real = store.connection

        class FullDisk:
            def execute(self, sql, *args):
                if sql == "COMMIT":
                    raise duckdb.IOException('Could not write file "x.duckdb.wal": No space left on device')
                return real.execute(sql, *args)

        store._connection = FullDisk()
        with pytest.raises(StoreError, match="the disk is full while writing") as raised:
            store.add(coded_other)
        assert "rollback" not in str(raised.value)
        store._connection = real
    with Store(db, read_only=True) as store:
        assert store.counts()["articles"] == 1


def test_read_only_file_system_names_the_cause(db, monkeypatch, capsys):
    def refuse(path, read_only=False):
        raise duckdb.IOException(f'IO Error: Cannot open file "{path}": Read-only file system')

    monkeypatch.setattr(duckdb, "connect", refuse)
    assert main(["ingest", str(SAMPLE_JSONL), "--db", db]) == 1
    assert "the file system is read-only" in one_line(capsys.readouterr().err)


# --- locks ---------------------------------------------------------------------------------

def test_a_second_writer_is_told_which_process_holds_the_database(db, capsys):
    with Store(db):
        assert main(["ingest", str(SAMPLE_JSONL), "--db", db]) == 1
    line = one_line(capsys.readouterr().err)
    assert f"is being written by another diurna process (PID {os.getpid()})" in line


def test_readers_work_while_an_ingest_runs(tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps({**SAMPLE, "id": f"c{n}", "content": SAMPLE["content"] + f" [{n}]"}) + "\n"
                              for n in range(12)), encoding="utf-8")
    db = str(tmp_path / "live.duckdb")
    assert main(["ingest", str(SAMPLE_JSONL), "--db", db]) == 0
    writer = subprocess.Popen([sys.executable, "-m", "diurna", "ingest", str(corpus), "--db", db],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        answers = []
        while writer.poll() is None and len(answers) < 3:
            reader = run_cli("events", "--db", db, "--format", "jsonl")
            assert reader.returncode == 0, reader.stderr
            answers.append(len(reader.stdout.splitlines()))
    finally:
        assert writer.wait(timeout=120) == 0, writer.stderr.read()
    assert answers and all(count >= SAMPLE_STORED_EVENTS for count in answers)


def test_a_writer_keeps_its_connection_until_a_reader_waits(db):
    """Reopening costs the writer a checkpoint and cold indexes (~1 ms per article at 60
    articles/s), so it lets go only when a reader has said it waits, and then until it is in."""
    from diurna.store import database

    with Store(db) as store:
        kept = store.connection
        store._opened_at -= database.HOLD_SECONDS  # held long enough to let readers in
        store.let_readers_in()
        assert store._connection is kept and not database.readers_waiting(db)
        reader = subprocess.Popen([sys.executable, "-c", "import sys; from diurna.store import Store; "
                                   "print(Store(sys.argv[1], read_only=True).counts()['articles'])", db],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while not database.readers_waiting(db):
            assert reader.poll() is None and time.monotonic() < deadline, reader.stderr.read()
            time.sleep(0.02)
        store.let_readers_in()
        assert store._connection is None and not database.readers_waiting(db)  # the reader is in
        out, err = reader.communicate(timeout=60)
        assert reader.returncode == 0 and out.strip() == "0", err
        assert store.counts()["articles"] == 0  # the writer opens it again


# --- output ----------------------------------------------------------------------------------

def test_broken_pipe_exits_quietly(db):
    assert main(["ingest", str(SAMPLE_JSONL), "--db", db]) == 0
    shell = f"{sys.executable} -m diurna events --db {db} --format jsonl | head -1"
    done = subprocess.run(["bash", "-o", "pipefail", "-c", shell], capture_output=True, text=True, timeout=120)
    assert done.stderr == "" and len(done.stdout.splitlines()) == 1 and done.returncode == 0


HOSTILE = ('Turkish troops <a href="javascript:alert(1)">attacked</a> Syrian forces near Idlib'
           '<svg onload=alert(2)><img src=x onerror=alert(3)>. \x1b[2J\x1b]0;pwned\x07'
           'Russia =HYPERLINK("http://evil") condemned Turkey.')


@pytest.fixture()
def hostile_db(db, tmp_path):
    path = tmp_path / "hostile.jsonl"
    record = {"id": "=cmd|' /C calc'!A0", "date": "2020-03-05", "source": "<b>Evil</b> =1+1",
              "url": "javascript:alert(4)", "content": HOSTILE}
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    assert main(["ingest", str(path), "--db", db]) == 0
    return db


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "table"])
def test_no_markup_or_escape_sequences_in_any_output(hostile_db, fmt, capsys):
    capsys.readouterr()
    assert main(["events", "--db", hostile_db, "--format", fmt, "--wide"]) == 0
    out = capsys.readouterr().out
    assert "attacked" in out
    for bad in ("<a ", "<svg", "onerror", "javascript:", "\x1b", "\x07"):
        assert bad not in out, (bad, fmt)


def test_events_hold_plain_text_and_offsets_into_the_stored_content(hostile_db):
    with Store(hostile_db, read_only=True) as store:
        (content,) = store.connection.execute("SELECT content FROM articles").fetchone()
        events = store.events()
    assert events and all(e.url is None and e.outlet == "Evil =1+1" for e in events)
    attack = next(e for e in events if e.trigger == "attacked")
    assert "<" not in attack.sentence and content[attack.trigger_start:attack.trigger_end] == "attacked"


def test_csv_formulas_are_neutralised_unless_asked_not_to(hostile_db, capsys):
    capsys.readouterr()
    assert main(["events", "--db", hostile_db, "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows and all(r["record_id"].startswith("'=") and r["outlet"] == "Evil =1+1" for r in rows)
    numeric = {"goldstein", "latitude", "longitude"}  # numbers stay numbers ("-10.0" is not a formula)
    assert all(not value.startswith(("=", "+", "-", "@")) for r in rows for name, value in r.items() if name not in numeric)
    assert main(["events", "--db", hostile_db, "--format", "csv", "--raw-csv"]) == 0
    raw = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert all(r["record_id"].startswith("=") for r in raw) and any(r["goldstein"].startswith("-") for r in raw)


# --- quarantine ----------------------------------------------------------------------------------

def test_rejections_are_written_as_they_happen_and_once(db, tmp_path, coder, capsys):
    batch = tmp_path / "batch.jsonl"
    batch.write_text('{"broken\n' + json.dumps(SAMPLE) + "\n[1]\n", encoding="utf-8")
    seen_in_store = []
    with Store(db) as store:
        from diurna.ingest.read import read_paths

        jobs.ingest(coder, store, read_paths([batch]),
                    on_rejection=lambda r: seen_in_store.append(store.counts()["rejections"]))
    assert seen_in_store == [1, 2]  # each rejection was in the database when it was reported
    for _ in range(2):
        assert main(["ingest", str(batch), "--db", db]) == 1
    with Store(db, read_only=True) as store:
        assert store.counts()["rejections"] == 2


def test_a_coding_failure_quarantines_only_that_article(coder, monkeypatch):
    from diurna import pipeline

    real = pipeline.clean

    def fragile(article):
        if "BOOM" in article.content:
            raise RecursionError("maximum recursion depth exceeded")
        return real(article)

    monkeypatch.setattr(pipeline, "clean", fragile)
    articles = [Article(record_id=name, date="2020-03-05", content=text, origin=f"t:{n}")
                for n, (name, text) in enumerate([("a", "Turkey attacked Syria."), ("b", "BOOM"),
                                                  ("c", "Russia condemned Turkey.")])]
    results = list(jobs.code_each(coder, articles))
    assert [type(r).__name__ for r in results] == ["CodedArticle", "Rejection", "CodedArticle"]
    assert results[1].record_id == "b" and "nested too deeply" in results[1].reason


# --- re-coding -------------------------------------------------------------------------------------

def test_recode_repairs_articles_coded_by_another_version(db, capsys):
    assert main(["ingest", str(SAMPLE_JSONL), "--db", db]) == 0
    with duckdb.connect(db) as con:  # as if an older coder had found nothing
        con.execute("DELETE FROM events")
        con.execute("DELETE FROM mentions")
        con.execute("UPDATE articles SET n_events = 0, coder_version = 'diurna 0.0.1 lexicons old model x'")
    capsys.readouterr()
    assert main(["ingest", str(SAMPLE_JSONL), "--db", db]) == 0
    assert "1 stored article was coded by another coder version" in capsys.readouterr().err
    assert main(["recode", "--db", db, "--since", "2021-01-01"]) == 0
    assert "re-coded 0 articles" in capsys.readouterr().err
    assert main(["recode", "--db", db]) == 0
    assert f"re-coded 1 article ({SAMPLE_EVENT_COUNT} mentions)" in capsys.readouterr().err
    with Store(db, read_only=True) as store:
        assert store.counts()["events"] == SAMPLE_STORED_EVENTS and store.counts()["mentions"] == SAMPLE_EVENT_COUNT
        assert store.connection.execute("SELECT n_events FROM articles").fetchone() == (SAMPLE_EVENT_COUNT,)
    assert main(["recode", "--db", db]) == 0
    assert "re-coded 0 articles" in capsys.readouterr().err
    assert main(["ingest", str(SAMPLE_JSONL), "--db", db]) == 0
    assert "coder version" not in capsys.readouterr().err


def test_an_interrupted_recode_keeps_what_it_did_and_resumes(db, tmp_path, coder, monkeypatch):
    corpus = tmp_path / "three.jsonl"
    short_corpus(corpus, 3)
    assert main(["ingest", str(corpus), "--db", db]) == 0
    with duckdb.connect(db) as con:
        con.execute("UPDATE articles SET coder_version = 'old'")
    real_replace, calls = Store.replace, []

    def replace_then_stop(store, coded, version):
        calls.append(coded.article_id)
        if len(calls) == 2:
            raise KeyboardInterrupt
        real_replace(store, coded, version)

    monkeypatch.setattr(Store, "replace", replace_then_stop)
    with Store(db) as store, pytest.raises(KeyboardInterrupt):
        jobs.recode(coder, store)
    with Store(db) as store:
        assert jobs.stale_count(coder, store) == 2
        monkeypatch.setattr(Store, "replace", real_replace)
        assert jobs.recode(coder, store).stored == 2
        assert jobs.stale_count(coder, store) == 0
        assert store.counts()["mentions"] == sum(r[0] for r in store.connection.execute("SELECT n_events FROM articles").fetchall())


def test_the_coder_version_follows_the_lexicons(coder, monkeypatch):
    from diurna.coding import version

    before = jobs.version_of(coder)
    monkeypatch.setattr(version, "lexicon_digest", lambda: "changed")
    assert jobs.version_of(coder) != before and "changed" in jobs.version_of(coder)
    assert coder.parser.settings.model.split("_")[0] in before


def test_a_schema_2_database_is_upgraded_and_its_articles_count_as_stale(db, capsys):
    assert main(["ingest", str(SAMPLE_JSONL), "--db", db]) == 0
    with duckdb.connect(db) as con:  # rebuild what schema 2 looked like, with a duplicated rejection
        con.execute("ALTER TABLE articles DROP COLUMN coder_version")
        con.execute("DROP TABLE rejections")
        con.execute("CREATE TABLE rejections (origin VARCHAR NOT NULL, record_id VARCHAR, reason VARCHAR NOT NULL, "
                    "excerpt VARCHAR, rejected_at TIMESTAMP NOT NULL)")
        con.execute("INSERT INTO rejections VALUES ('f:1', NULL, 'bad', 'x', now()), ('f:1', NULL, 'bad', 'x', now())")
        con.execute("UPDATE meta SET value = '2'")
    assert main(["events", "--db", db, "--format", "jsonl"]) == 0  # readers read it as it is
    assert len(capsys.readouterr().out.splitlines()) == SAMPLE_STORED_EVENTS
    assert main(["ingest", str(SAMPLE_JSONL), "--db", db]) == 0
    assert "1 stored article was coded by another coder version" in capsys.readouterr().err
    with Store(db, read_only=True) as store:
        assert store.counts() == {"articles": 1, "stories": 1, "events": SAMPLE_STORED_EVENTS,
                                  "mentions": SAMPLE_EVENT_COUNT, "rejections": 1}


# --- processes -------------------------------------------------------------------------------------

def test_spacy_workers_die_with_their_parent(tmp_path):
    """A parent with --n-process 2 forks a worker, then is killed with SIGKILL: the worker must go."""
    script = textwrap.dedent("""
        import multiprocessing, sys, time
        from diurna.coding.parse import Parser, ParserSettings
        Parser(ParserSettings(n_process=2))
        worker = multiprocessing.Process(target=time.sleep, args=(60,))
        worker.start()
        print(worker.pid, flush=True)
        time.sleep(60)
    """)
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    worker = int(parent.stdout.readline())
    os.kill(worker, 0)  # alive
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(worker, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    os.kill(worker, 9)
    pytest.fail("the worker outlived its parent")


def short_corpus(path, n: int) -> None:
    """n distinct one-sentence articles: several coding batches, so a run spends real time committing."""
    places = ["Idlib", "Aleppo", "Saraqib", "Hama", "Homs"]
    path.write_text("".join(json.dumps({
        "id": f"s{i}", "date": "2020-03-05", "source": "Wire",
        "content": f"Turkish troops attacked Syrian forces near {places[i % 5]} on day {i}, and Russia condemned Turkey.",
    }) + "\n" for i in range(n)), encoding="utf-8")


def wait_for_articles(db: str, process: subprocess.Popen, at_least: int = 1) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and process.poll() is None:
        if os.path.exists(db):
            try:
                with Store(db, read_only=True, wait=1) as store:
                    if store.counts()["articles"] >= at_least:
                        return
            except StoreError:
                pass
        time.sleep(0.1)
    raise AssertionError("the ingest stored nothing in time")


@pytest.mark.parametrize("signal_number, code, name", [(2, 130, "Ctrl-C"), (15, 143, "SIGTERM")])
def test_interrupts_stop_cleanly_and_keep_what_is_committed(tmp_path, signal_number, code, name):
    corpus = tmp_path / "corpus.jsonl"
    short_corpus(corpus, 20000)  # many write batches: the signal comes long before the last one
    db = str(tmp_path / "stop.duckdb")
    ingest = subprocess.Popen([sys.executable, "-m", "diurna", "ingest", str(corpus), "--db", db],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for_articles(db, ingest)
    ingest.send_signal(signal_number)
    out, err = ingest.communicate(timeout=60)
    assert ingest.returncode == code, err
    assert "Traceback" not in err and f"diurna: stopped by {name}; everything committed so far is kept" in err
    with Store(db, read_only=True) as store:  # every stored article has all its mentions
        rows = store.connection.execute(
            "SELECT a.n_events, count(m.mention_id) FROM articles a LEFT JOIN mentions m USING (article_id) "
            "GROUP BY a.article_id, a.n_events").fetchall()
    assert 0 < len(rows) < 3000 and all(expected == found for expected, found in rows)
    # resuming is pinned by tests/test_acceptance.py (kill -9 twice, then resume)


def test_gazetteer_cache_damaged_or_unwritable(tmp_path, monkeypatch, caplog):
    from diurna.resolve import places

    tiny = places.Gazetteer(places._Columns.of([]), {}, {}, {})
    monkeypatch.setattr(places.Gazetteer, "build", classmethod(lambda cls: tiny))
    monkeypatch.setattr(places, "version", lambda name: "test")
    cache = tmp_path / "cache"
    cache.mkdir()
    places.cache_file(cache).write_bytes(b"\x80\x05truncated")
    assert places.Gazetteer.load(cache) is tiny
    assert "is damaged" in caplog.text and "building the place index" in caplog.text
    assert places.Gazetteer.load(cache) is not tiny  # the rebuilt cache loads
    caplog.clear()
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    assert places.Gazetteer.load(blocked / "cache") is tiny
    assert "using the index from memory" in caplog.text


def test_the_progress_bar_knows_its_total_when_the_input_size_is_known(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.jsonl").write_text('{"x": 1}\n\n{"y": 2}\n', encoding="utf-8")
    (tmp_path / "b.txt").write_text("text", encoding="utf-8")
    (tmp_path / "ignored.bin").write_bytes(b"\x00")
    assert jobs.count_records([tmp_path]) == 3
    assert jobs.count_records([tmp_path / "b.txt", tmp_path / "missing.jsonl"]) == 2
    assert jobs.count_records([tmp_path / "ignored.bin"]) is None


def test_json_on_a_terminal_carries_no_c1_controls():
    from diurna.export.formats import write_events
    from diurna.records import Event

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    fields = {name: None for name, field in Event.model_fields.items() if field.is_required()}
    fields.update(event_id="e1", article_id="a1", record_id="r", sentence="bad \x9b2J text", sentence_start=0,
                  sentence_end=14, trigger="bad", trigger_start=0, trigger_end=3, cameo_code="190",
                  cameo_name="Use force", cameo_root="19", quad_class=4, goldstein=-10.0, modality="occurred",
                  event_date="2020-03-05", date_precision="article", quantities=[])
    for fmt in ("json", "jsonl", "csv", "table"):
        terminal = Terminal()
        write_events([Event(**fields)], fmt, terminal, wide=True)
        assert "\x9b" not in terminal.getvalue() and "bad" in terminal.getvalue()
