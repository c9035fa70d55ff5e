"""Store and command line: idempotent, resumable, atomic ingest; queries; output formats."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

from diurna.cli import main
from diurna.store import EventFilter, Store
from tests.conftest import SAMPLE_EVENT_COUNT, SAMPLE_JSONL, SAMPLE_STORED_EVENTS


@pytest.fixture()
def db(tmp_path):
    return str(tmp_path / "test.duckdb")


def counts(db: str) -> dict[str, int]:
    with Store(db, read_only=True) as store:
        return store.counts()


def test_ingest_is_idempotent(db, capsys, sample_txt):
    assert main(["ingest", str(SAMPLE_JSONL), "--db", db]) == 0
    first = counts(db)
    assert first["articles"] == 1 and first["events"] == SAMPLE_STORED_EVENTS and first["mentions"] == SAMPLE_EVENT_COUNT
    assert f"stored 1 new article with {SAMPLE_EVENT_COUNT} mentions; 0 already stored" in capsys.readouterr().err
    # a .txt twin has the same content: same article id, nothing added
    assert main(["ingest", str(SAMPLE_JSONL), str(sample_txt), "--db", db]) == 0
    assert counts(db) == first
    assert "stored 0 new articles with 0 mentions; 2 already stored" in capsys.readouterr().err


def test_samples_folder_holds_each_article_once(db, capsys):
    assert main(["ingest", str(SAMPLE_JSONL.parent), "--db", db]) == 0
    assert f"stored 1 new article with {SAMPLE_EVENT_COUNT} mentions; 0 already stored; 0 rejected" in capsys.readouterr().err


def test_bad_records_are_quarantined_and_the_rest_stored(db, tmp_path, capsys):
    batch = tmp_path / "batch.jsonl"
    good = json.loads(SAMPLE_JSONL.read_text(encoding="utf-8"))
    batch.write_text("\n".join([
        '{"id": "broken", "date": "2020-03-05", "content": "Turkey and',
        json.dumps(good),
        json.dumps({"id": "empty", "date": "2020-03-05", "content": ""}),
    ]) + "\n", encoding="utf-8")
    assert main(["ingest", str(batch), "--db", db]) == 1
    err = capsys.readouterr().err
    assert f"rejected: {batch}:1: malformed JSON" in err
    assert f"rejected: {batch}:3 (id empty): empty article content" in err
    assert counts(db) == {"articles": 1, "stories": 1, "events": SAMPLE_STORED_EVENTS,
                          "mentions": SAMPLE_EVENT_COUNT, "rejections": 2}
    assert main(["rejections", "--db", db]) == 0
    assert "malformed JSON" in capsys.readouterr().out


def test_a_failed_write_leaves_earlier_data_intact(db, coder, sample_article, monkeypatch):
    (coded,) = list(coder.code([sample_article]))
    other = sample_article.model_copy(update={"content": sample_article.content + " Extra line.", "record_id": "copy"})
    (coded_other,) = list(coder.code([other]))
    with Store(db) as store:
        assert store.add(coded)

        class Boom(Exception):
            pass

        def explode(*args, **kwargs):
            raise Boom

        monkeypatch.setattr(store, "_insert_events", explode)
        with pytest.raises(Boom):
            store.add(coded_other)
    assert counts(db) == {"articles": 1, "stories": 1, "events": SAMPLE_STORED_EVENTS,
                          "mentions": SAMPLE_EVENT_COUNT, "rejections": 0}


def test_ingest_resumes_after_an_interruption(db, tmp_path, capsys):
    first = tmp_path / "first.jsonl"
    first.write_text(SAMPLE_JSONL.read_text(encoding="utf-8"), encoding="utf-8")
    main(["ingest", str(first), "--db", db])
    second = tmp_path / "second.jsonl"
    record = json.loads(SAMPLE_JSONL.read_text(encoding="utf-8"))
    record.update(id="other", content="Russian troops shelled Ukrainian positions near Kharkiv.")
    second.write_text(json.dumps(record) + "\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["ingest", str(first), str(second), "--db", db]) == 0
    assert "stored 1 new article with 1 mention; 1 already stored" in capsys.readouterr().err


def test_event_queries(db, capsys):
    main(["ingest", str(SAMPLE_JSONL), "--db", db])
    with Store(db, read_only=True) as store:
        assaults = store.events(EventFilter(actor="TUR", plover_type="ASSAULT"))
        # the fighting is one event per direction (confrontations, the claimed neutralising, the
        # clash: all Turkish-Syrian fighting in Idlib reported on the day); the killing of Turkish
        # troops is dated the week before, with the Operation
        assert {e.trigger for e in assaults} == {"confrontations", "Operation", "neutralised", "killed"}
        assert sorted(e.num_mentions for e in assaults) == [1, 1, 1, 2, 3]
        assert all("TUR" in (e.source_code + (e.target_code or "")) for e in assaults)
        assert {e.source_code for e in store.events(EventFilter(source="RUSGOV", cameo="04"))} == {"RUSGOV"}
        assert {e.cameo_code for e in store.events(EventFilter(since=dt.date(2020, 3, 6)))} == {"0871"}
        assert [e.trigger for e in store.events(EventFilter(until=dt.date(2019, 12, 31)))] == ["pledged"]
        # the neutralised vehicles and the request; the claimed neutralising of soldiers joined the fighting
        assert len(store.events(EventFilter(modality="claimed"))) == 2
        in_russia = store.events(EventFilter(country="RUS"))
        # the talks in Moscow (with the agreement they reached); Erdogan's agreeing to come to
        # "Russia's capital"; the accusation and the criticism, whose actors do not fit the Idlib
        # focus, take the dateline (RT/Moscow)
        assert {(e.trigger, e.place_name) for e in in_russia} == {
            ("talks", "Moscow"), ("agreed", "Russia"), ("accusing", "Moscow"), ("critical", "Moscow")}
        idlib_box = store.events(EventFilter(bbox=(36.0, 35.5, 37.0, 36.5)))
        assert idlib_box and all(e.place_name == "Idlib" for e in idlib_box)
        province = store.events(EventFilter(admin1="idlib"))  # "... conflict in the war-torn Idlib province"
        # the province itself, and the events in the town of Idlib, which lies in it
        assert ("de-escalate", "admin1") in {(e.trigger, e.geo_precision) for e in province}
        assert {e.admin1 for e in province} == {"Idlib"} and {e.place_name for e in province} == {"Idlib"}
    capsys.readouterr()
    assert main(["events", "--db", db, "--actor", "TUR", "--type", "ASSAULT", "--since", "2020-03-01", "--format", "jsonl"]) == 0
    lines = capsys.readouterr().out.splitlines()
    # Operation Spring Shield began "last week" (week of 24 February), before --since, as did the
    # Syrian attack that killed Turkish troops before it
    assert len(lines) == 3 and all(json.loads(line)["plover_type"] == "ASSAULT" for line in lines)
    assert main(["events", "--db", db, "--bbox", "37.0,55.0,38.0,56.0", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {r["place_name"] for r in rows} == {"Moscow"} and json.loads(rows[0]["quantities"]) == []


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "table"])
def test_code_command_formats(fmt, capsys):
    assert main(["code", str(SAMPLE_JSONL), "--format", fmt] + (["--wide"] if fmt == "table" else [])) == 0
    out = capsys.readouterr().out
    if fmt == "json":
        rows = json.loads(out)
    elif fmt == "jsonl":
        rows = [json.loads(line) for line in out.splitlines()]
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
    else:
        assert f"{SAMPLE_EVENT_COUNT} events" in out and "RUSGOV" in out and "0871 Declare truce, ceasefire" in out
        return
    assert len(rows) == SAMPLE_EVENT_COUNT
    assert {"event_id", "sentence_start", "source_code", "cameo_code", "plover_type", "modality", "claimant_code"} <= set(rows[0])


def test_python_api():
    import diurna

    events = diurna.code_text("Turkey later claimed its army had neutralised up to 300 Syrian soldiers.",
                              date="2020-03-05", source="X")
    (event,) = events
    assert (event.source_code, event.target_code, event.modality, event.outlet) == ("TURMIL", "SYRMIL", "claimed", "X")


def test_unknown_model_gives_a_clear_error():
    from diurna.coding.parse import ParserSettings, Parser

    with pytest.raises(SystemExit, match="spaCy model 'no_such_model' is not installed"):
        Parser(ParserSettings(model="no_such_model"))


@pytest.mark.parametrize("columns", [80, 120])
def test_table_fits_the_terminal_and_wide_shows_every_column(columns, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", str(columns))
    assert main(["code", str(SAMPLE_JSONL), "--format", "table"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert max(map(len, lines)) <= columns
    header = next(line for line in lines if "evidence" in line)
    assert "source" in header and "killed" not in header
    assert main(["code", str(SAMPLE_JSONL), "--format", "table", "--wide"]) == 0
    out = capsys.readouterr().out
    assert "killed" in out and "claimant" in out and max(map(len, out.splitlines())) > columns


@pytest.mark.parametrize("value", [[], [{"kind": "troops", "value": 2500, "text": "2,500 Türk troops", "share": 0.25}],
                                   {"a": None, "b": [1, 2.5, "x\"y"]}])
def test_json_columns_are_stored_as_duckdb_writes_json(value):
    """Columns go in as lists of text: a JSON value is written as DuckDB's own JSON parsing of the
    row wrote it before (compact, UTF-8), so stored tables do not change with the way in."""
    import duckdb

    from diurna.store.database import _json_text

    (parsed,) = duckdb.connect().execute("SELECT (from_json(?::JSON, '{\"q\": \"JSON\"}')).q::VARCHAR",
                                         [json.dumps({"q": value})]).fetchone()
    assert _json_text(value) == parsed
