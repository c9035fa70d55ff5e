"""Exports of the sample's stored events: Parquet/CSV/JSONL by DuckDB, GDELT 2.0 Events loaded
with the codebook's column list, PLOVER records validated against the shipped JSON Schema,
GeoJSON, and the Python API's DuckDB relations (pandas, polars, pyarrow)."""
from __future__ import annotations

import csv
import datetime as dt
import json
import re

import duckdb
import pytest

import diurna
from diurna.cli import main
from diurna.export.files import export_events
from diurna.export.plover import schema
from diurna.records import Article, Event
from diurna.store import EventFilter, Store
from tests.conftest import ROOT, SAMPLE_STORED_EVENTS

# GDELT 2.0 Event table, in file order, with the codebook's types (written from the GDELT 2.0
# Event Codebook for this test, independently of diurna/export/gdelt.py).
_ACTOR = [("Code", "VARCHAR"), ("Name", "VARCHAR"), ("CountryCode", "VARCHAR"), ("KnownGroupCode", "VARCHAR"),
          ("EthnicCode", "VARCHAR"), ("Religion1Code", "VARCHAR"), ("Religion2Code", "VARCHAR"),
          ("Type1Code", "VARCHAR"), ("Type2Code", "VARCHAR"), ("Type3Code", "VARCHAR")]
_GEO = [("Type", "INTEGER"), ("FullName", "VARCHAR"), ("CountryCode", "VARCHAR"), ("ADM1Code", "VARCHAR"),
        ("ADM2Code", "VARCHAR"), ("Lat", "DOUBLE"), ("Long", "DOUBLE"), ("FeatureID", "VARCHAR")]
GDELT2_EVENT_COLUMNS = (
    [("GLOBALEVENTID", "BIGINT"), ("SQLDATE", "INTEGER"), ("MonthYear", "INTEGER"), ("Year", "INTEGER"),
     ("FractionDate", "DOUBLE")]
    + [(f"Actor1{n}", t) for n, t in _ACTOR] + [(f"Actor2{n}", t) for n, t in _ACTOR]
    + [("IsRootEvent", "INTEGER"), ("EventCode", "VARCHAR"), ("EventBaseCode", "VARCHAR"), ("EventRootCode", "VARCHAR"),
       ("QuadClass", "INTEGER"), ("GoldsteinScale", "DOUBLE"), ("NumMentions", "INTEGER"), ("NumSources", "INTEGER"),
       ("NumArticles", "INTEGER"), ("AvgTone", "DOUBLE")]
    + [(f"Actor1Geo_{n}", t) for n, t in _GEO] + [(f"Actor2Geo_{n}", t) for n, t in _GEO]
    + [(f"ActionGeo_{n}", t) for n, t in _GEO]
    + [("DATEADDED", "BIGINT"), ("SOURCEURL", "VARCHAR")]
)
CEASEFIRE = "e9f9a6cca3df854e4"  # Putin -> Erdogan, 0871 Declare truce, ceasefire, in Idlib, midnight on March 6


@pytest.fixture(scope="module")
def db(tmp_path_factory, coder, coded_sample):
    path = tmp_path_factory.mktemp("export") / "sample.duckdb"
    unplaced = Article(record_id="unplaced", date=dt.date(2020, 3, 7), content="The United Nations accused the rebels of lying.",
                       origin="test", url="https://example.org/unplaced")
    with Store(path) as store:
        store.add(coded_sample)
        for coded in coder.code([unplaced]):
            store.add(coded)
    return str(path)


def test_gdelt_file_loads_with_the_codebook_columns_and_types(db, tmp_path):
    out = tmp_path / "events.gdelt.tsv"
    assert export_events(db, "gdelt", out).written == SAMPLE_STORED_EVENTS + 1
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == SAMPLE_STORED_EVENTS + 1 and all(line.count("\t") == 60 for line in lines)  # 61 columns, no header
    assert len(GDELT2_EVENT_COLUMNS) == 61
    columns = "{" + ", ".join(f"'{name}': '{kind}'" for name, kind in GDELT2_EVENT_COLUMNS) + "}"
    table = duckdb.sql(f"SELECT * FROM read_csv('{out}', delim='\t', header=false, quote='', columns={columns})")
    assert table.columns == [name for name, _ in GDELT2_EVENT_COLUMNS]
    rows = {row[0]: dict(zip(table.columns, row)) for row in table.fetchall()}
    row = rows[int(CEASEFIRE[1:16], 16)]
    assert (row["SQLDATE"], row["MonthYear"], row["Year"]) == (20200306, 202003, 2020)
    assert (row["Actor1Code"], row["Actor1Name"], row["Actor1CountryCode"], row["Actor1Type1Code"]) == ("RUSGOV", "Putin", "RUS", "GOV")
    assert (row["Actor2Code"], row["Actor2CountryCode"], row["Actor2Type1Code"]) == ("TURGOV", "TUR", "GOV")
    assert (row["EventCode"], row["EventBaseCode"], row["EventRootCode"]) == ("0871", "087", "08")  # leading zeros kept
    assert (row["QuadClass"], row["GoldsteinScale"], row["IsRootEvent"]) == (2, 9.0, 0)
    assert (row["NumMentions"], row["NumSources"], row["NumArticles"], row["AvgTone"]) == (1, 1, 1, None)
    assert (row["ActionGeo_Type"], row["ActionGeo_FullName"], row["ActionGeo_CountryCode"]) == (4, "Idlib, Syria", "SY")
    assert (row["ActionGeo_ADM1Code"], row["ActionGeo_FeatureID"]) == ("SY12", "169389")
    assert (row["ActionGeo_Lat"], row["ActionGeo_Long"]) == (35.93062, 36.63393)
    assert row["Actor1Geo_Type"] is None and row["SOURCEURL"] == "VeteransToday"
    assert re.fullmatch(r"20\d{12}", str(row["DATEADDED"]))
    # the summit: its talks are the evidence, its agreement in the first paragraph makes it a root event
    summit = [r for r in rows.values() if r["EventCode"] == "040"]
    assert len(summit) == 2 and all((r["IsRootEvent"], r["NumMentions"], r["NumArticles"], r["NumSources"]) == (1, 4, 1, 1)
                                    for r in summit)
    (unplaced,) = [r for r in rows.values() if r["SOURCEURL"] == "https://example.org/unplaced"]
    assert unplaced["ActionGeo_Type"] is None and unplaced["EventCode"].startswith("11")


def test_plover_records_validate_against_the_shipped_schema(db, tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(schema(), format_checker=jsonschema.FormatChecker())
    jsonschema.Draft202012Validator.check_schema(schema())
    out = tmp_path / "events.plover.jsonl"
    assert export_events(db, "plover", out).written == SAMPLE_STORED_EVENTS + 1
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    for record in records:
        validator.validate(record)
    (ceasefire,) = [r for r in records if r["event_id"] == CEASEFIRE]
    assert (ceasefire["event_type"], ceasefire["mode"], ceasefire["modality"]) == ("RETREAT", "ceasefire", "planned")
    assert (ceasefire["event_date"], ceasefire["event_time"], ceasefire["context"]) == ("2020-03-06", "00:00", [])
    assert ceasefire["actors"]["source"] == {"text": "Putin", "country": "RUS", "sector": "GOV", "org": None, "code": "RUSGOV"}
    assert ceasefire["location"]["geonames_id"] == 169389 and ceasefire["location"]["feature_type"] == "PPL"
    assert ceasefire["cameo"]["code"] == "0871"
    # the schema has teeth: a lost leading zero or an unknown type is caught
    broken = dict(ceasefire, cameo=dict(ceasefire["cameo"], code="871"))
    assert not validator.is_valid(broken)
    assert not validator.is_valid(dict(ceasefire, event_type="FIGHT"))


def test_plover_schema_knows_every_plover_type_of_the_cameo_table():
    lexicon = (ROOT / "src" / "diurna" / "lexicons" / "cameo.tsv").read_text(encoding="utf-8").splitlines()
    rows = [line.split("\t") for line in lexicon if line and not line.startswith("#")][1:]
    used = {row[3] for row in rows if len(row) > 3 and row[3]}
    assert used == set(schema()["properties"]["event_type"]["enum"]) - {None}


def test_parquet_csv_and_jsonl_are_written_by_duckdb_with_every_column(db, tmp_path):
    fields = list(Event.model_fields)
    for fmt in ("parquet", "csv", "jsonl"):
        assert export_events(db, fmt, tmp_path / f"e.{fmt}").written == SAMPLE_STORED_EVENTS + 1
    parquet = duckdb.sql(f"SELECT * FROM '{tmp_path / 'e.parquet'}'")
    assert parquet.columns == fields and dict(zip(parquet.columns, parquet.types))["event_date"] == "DATE"
    assert duckdb.sql(f"SELECT cameo_code FROM '{tmp_path / 'e.parquet'}' WHERE event_id = '{CEASEFIRE}'").fetchone() == ("0871",)
    with open(tmp_path / "e.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == fields and len(rows) == SAMPLE_STORED_EVENTS + 1
    assert {r["cameo_code"] for r in rows if r["event_id"] == CEASEFIRE} == {"0871"}
    lines = (tmp_path / "e.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == SAMPLE_STORED_EVENTS + 1 and json.loads(lines[0]).keys() == set(fields)


def test_filters_apply_to_exports(db, tmp_path):
    # the Operation, the fighting of each army on the day, and the killing dated the week before
    assert export_events(db, "parquet", tmp_path / "a.parquet", EventFilter(cameo="19")).written == 5
    assert export_events(db, "csv", tmp_path / "b.csv", EventFilter(since=dt.date(2020, 3, 6))).written == 3
    assert export_events(db, "gdelt", tmp_path / "c.tsv", EventFilter(actor="RUS", limit=2)).written == 2
    assert len((tmp_path / "c.tsv").read_text().splitlines()) == 2


def test_geojson_points_and_events_left_out(db, tmp_path):
    out = tmp_path / "events.geojson"
    result = export_events(db, "geojson", out)
    assert (result.written, result.left_out) == (SAMPLE_STORED_EVENTS, 1)
    collection = json.loads(out.read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection" and len(collection["features"]) == SAMPLE_STORED_EVENTS
    (feature,) = [f for f in collection["features"] if f["id"] == CEASEFIRE]
    assert feature["geometry"] == {"type": "Point", "coordinates": [36.63393, 35.93062]}
    assert feature["properties"]["cameo_code"] == "0871" and feature["properties"]["event_date"] == "2020-03-06"


def test_cli_export(db, tmp_path, capsys):
    out = tmp_path / "turkey.tsv"
    assert main(["export", "--db", db, "--format", "gdelt", "--source", "TUR", str(out)]) == 0
    written = len(out.read_text().splitlines())
    assert f"wrote {written} events to {out} as gdelt" in capsys.readouterr().err
    assert all(line.split("\t")[5].startswith("TUR") for line in out.read_text().splitlines())
    with pytest.raises(SystemExit, match="no diurna database"):
        main(["export", "--db", str(tmp_path / "missing.duckdb"), "--format", "csv", str(tmp_path / "x.csv")])


def test_python_api_gives_duckdb_relations(db):
    with diurna.open(db) as data:
        turkey = data.events(actor="TUR")
        with Store(db, read_only=True) as store:
            expected = [e.event_id for e in store.events(EventFilter(actor="TUR"))]
        frame = turkey.df()
        assert list(frame["event_id"]) == expected
        assert data.events(since="2020-03-06", cameo="087").pl()["cameo_code"].to_list() == ["0871", "0871"]
        assert data.events().to_arrow_table().num_rows == SAMPLE_STORED_EVENTS + 1
        assert data.articles().count("*").fetchone() == (2,)
        (summit,) = [e for e in store_events(db) if e.cameo_code == "040" and e.source_code == "RUSGOV"]
        assert data.mentions(summit.event_id).count("*").fetchone() == (4,)
        assert data.stories().count("*").fetchone() == (2,)
        with pytest.raises(TypeError):
            data.events(colour="red")


def store_events(db):
    with Store(db, read_only=True) as store:
        return store.events()


def test_python_api_missing_database(tmp_path):
    with pytest.raises(FileNotFoundError, match="diurna ingest"):
        diurna.open(tmp_path / "nothing.duckdb")
