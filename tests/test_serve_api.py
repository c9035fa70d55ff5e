"""HTTP API of `diurna serve` on a database ingested from the sample and three more articles."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import socket
import subprocess
import sys
import textwrap
import time

import duckdb
import httpx
import pytest
from fastapi.testclient import TestClient

from diurna.records import Article
from diurna.serve import create_app, run_server
from diurna.serve.app import CODE_MAX_CHARS
from diurna.store import EventFilter, Store
from tests.conftest import SAMPLE_EVENT_COUNT, SAMPLE_JSONL
from tests.serve_support import KHARKIV_EVENTS, STORED_ARTICLES, STORED_EVENTS, XSS_SENTENCE_MARKUP, build_database

SAMPLE_EVENTS = SAMPLE_EVENT_COUNT


@pytest.fixture(scope="module")
def db_path(tmp_path_factory, coder):
    return build_database(tmp_path_factory.mktemp("serve") / "serve.duckdb", coder)


@pytest.fixture(scope="module")
def client(db_path):
    return TestClient(create_app(db_path))


@pytest.fixture(scope="module")
def all_events(db_path):
    with Store(db_path, read_only=True) as store:
        return store.events()


def test_events_lists_everything_with_total(client, all_events):
    body = client.get("/api/events", params={"limit": 1000}).json()
    assert body["total"] == len(all_events) == STORED_EVENTS
    assert sorted(e["event_id"] for e in body["events"]) == sorted(e.event_id for e in all_events)
    first = body["events"][0]
    assert first["event_date"] == min(e.event_date for e in all_events).isoformat()
    assert isinstance(first["quantities"], list)


@pytest.mark.parametrize("params, cli_filter", [
    ({"actor": "TUR"}, EventFilter(actor="TUR")),
    ({"source": "RUSGOV"}, EventFilter(source="RUSGOV")),
    ({"target": "syrmil"}, EventFilter(target="SYRMIL")),
    ({"type": "ASSAULT"}, EventFilter(plover_type="ASSAULT")),
    ({"cameo": "19"}, EventFilter(cameo="19")),
    ({"modality": "planned"}, EventFilter(modality="planned")),
    ({"country": "UKR"}, EventFilter(country="UKR")),
    ({"admin1": "idlib"}, EventFilter(admin1="Idlib")),
    ({"since": "2021-01-01"}, EventFilter(since=dt.date(2021, 1, 1))),
    ({"until": "2020-03-04"}, EventFilter(until=dt.date(2020, 3, 4))),
    ({"bbox": "30,30,40,40"}, EventFilter(bbox=(30, 30, 40, 40))),
])
def test_event_filters_match_the_cli(client, db_path, params, cli_filter):
    with Store(db_path, read_only=True) as store:
        expected = {e.event_id for e in store.events(cli_filter)}
    body = client.get("/api/events", params={**params, "limit": 1000}).json()
    assert expected, f"filter {params} selects nothing in the test data"
    assert {e["event_id"] for e in body["events"]} == expected
    assert body["total"] == len(expected)


def test_filters_combine(client):
    body = client.get("/api/events", params={"actor": "TUR", "type": "ASSAULT", "country": "SYR"}).json()
    assert body["total"] > 0
    for e in body["events"]:
        assert e["plover_type"] == "ASSAULT" and e["place_country"] == "SYR"
        assert "TUR" in (e["source_country"], e["target_country"])


def test_cursor_paging_visits_every_event_once_in_order(client):
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 8, "sort": "-event_date"} | ({"cursor": cursor} if cursor else {})
        body = client.get("/api/events", params=params).json()
        seen += body["events"]
        cursor, pages = body["next_cursor"], pages + 1
        if cursor is None:
            break
    assert pages == -(-STORED_EVENTS // 8) and len(seen) == STORED_EVENTS == len({e["event_id"] for e in seen})
    dates = [e["event_date"] for e in seen]
    assert dates == sorted(dates, reverse=True)


def test_offset_paging_matches_one_big_page(client):
    whole = [e["event_id"] for e in client.get("/api/events", params={"limit": 1000, "sort": "goldstein"}).json()["events"]]
    pieces = []
    for offset in range(0, STORED_EVENTS, 10):
        pieces += [e["event_id"] for e in client.get(
            "/api/events", params={"limit": 10, "offset": offset, "sort": "goldstein"}).json()["events"]]
    assert pieces == whole
    goldstein = [e["goldstein"] for e in client.get("/api/events", params={"limit": 1000, "sort": "goldstein"}).json()["events"]]
    assert goldstein == sorted(goldstein)


def test_csv_format_has_every_column_and_row(client, all_events):
    response = client.get("/api/events", params={"format": "csv", "limit": 1000})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == STORED_EVENTS and response.headers["x-total-count"] == str(STORED_EVENTS)
    assert set(all_events[0].model_dump()) <= set(rows[0])
    assert all(isinstance(json.loads(r["quantities"]), list) for r in rows)


def test_geojson_format_places_points_at_their_coordinates(client):
    response = client.get("/api/events", params={"format": "geojson", "country": "UKR"})
    assert response.headers["content-type"].startswith("application/geo+json")
    body = response.json()
    assert body["type"] == "FeatureCollection" and body["features"]
    for feature in body["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        assert (lat, lon) == (feature["properties"]["latitude"], feature["properties"]["longitude"])
        assert feature["properties"]["place_name"] == "Kharkiv"


def test_event_detail_has_evidence_highlights_and_article(client, all_events):
    event = next(e for e in all_events if e.source_text == "Turkish troops" and e.place_name == "Aleppo")
    body = client.get(f"/api/events/{event.event_id}").json()
    sentence = body["evidence"]["sentence"]
    assert sentence == "Turkish troops attacked Syrian forces near Aleppo on Saturday."
    marked = {h["role"]: sentence[h["start"]:h["end"]] for h in body["evidence"]["highlights"]}
    assert marked == {"trigger": "attacked", "source": "Turkish troops", "target": "Syrian forces",
                      "place": "Aleppo", "date": "Saturday"}
    assert body["article"]["record_id"] == "xss-1" and "content" not in body["article"]
    article = client.get(body["article_url"]).json()
    assert article["content"][event.trigger_start:event.trigger_end] == "attacked"


def test_article_returns_text_and_event_offsets(client, all_events):
    sample = next(e for e in all_events if e.record_id == "sample-0001")
    body = client.get(f"/api/articles/{sample.article_id}").json()
    assert body["content"] == json.loads(SAMPLE_JSONL.read_text(encoding="utf-8"))["content"]
    assert len(body["events"]) == SAMPLE_EVENTS
    for e in body["events"]:
        assert body["content"][e["trigger_start"]:e["trigger_end"]]


def test_stats_count_every_event_per_bucket_and_class(client):
    body = client.get("/api/stats", params={"bucket": "month"}).json()
    assert body["bucket"] == "month" and body["total"] == STORED_EVENTS
    assert sum(s["count"] for s in body["series"]) == STORED_EVENTS
    assert {s["key"] for s in body["series"]} <= {"1", "2", "3", "4"}
    june = [s for s in body["series"] if s["period"] == "2021-06-01"]
    assert sum(s["count"] for s in june) == KHARKIV_EVENTS
    by_type = client.get("/api/stats", params={"by": "plover_type", "bucket": "day", "country": "FRA"}).json()
    assert by_type["series"] == [{"period": "2021-07-01", "key": "CONSULT", "count": 2, "goldstein": 2.0}]


def test_stats_auto_bucket_follows_the_span(client):
    assert client.get("/api/stats", params={"since": "2020-03-01", "until": "2020-03-31"}).json()["bucket"] == "day"
    assert client.get("/api/stats").json()["bucket"] == "month"


def test_actors_counts_both_roles(client, all_events):
    actors = {a["code"]: a for a in client.get("/api/actors", params={"limit": 100}).json()["actors"]}
    turgov = actors["TURGOV"]
    assert turgov["as_source"] == sum(e.source_code == "TURGOV" for e in all_events)
    assert turgov["as_target"] == sum(e.target_code == "TURGOV" for e in all_events)
    assert turgov["events"] == turgov["as_source"] + turgov["as_target"]
    assert len(client.get("/api/actors", params={"limit": 2}).json()["actors"]) == 2


def test_network_weights_and_balance(client, all_events):
    body = client.get("/api/network", params={"limit": 100}).json()
    edge = next(e for e in body["edges"] if (e["source"], e["target"]) == ("SYRMIL", "TURMIL"))
    pairs = [e for e in all_events if (e.source_code, e.target_code) == ("SYRMIL", "TURMIL")]
    assert edge["events"] == len(pairs) and edge["conflict"] == len(pairs) and edge["balance"] == -1.0
    assert edge["goldstein_sum"] == pytest.approx(sum(e.goldstein for e in pairs))
    assert {n["id"] for n in body["nodes"]} == {c for e in body["edges"] for c in (e["source"], e["target"])}


def test_places_group_events_by_coordinates(client):
    body = client.get("/api/places").json()
    by_name = {p["place_name"]: p for p in body["points"]}
    assert by_name["Kharkiv"]["events"] == KHARKIV_EVENTS and by_name["Kharkiv"]["country"] == "UKR"
    assert by_name["Idlib"]["country"] == "SYR" and sum(by_name["Idlib"]["precision_counts"].values()) > 0
    # countries have centroid points (precision country), so no event is placed only by country
    assert body["countries"] == [] and any(p["country"] == "SDN" for p in body["points"])
    total = sum(p["events"] for p in body["points"]) + sum(c["events"] for c in body["countries"]) + body["unplaced"]
    assert total == STORED_EVENTS


def test_facets_list_values_present(client):
    body = client.get("/api/facets").json()
    assert body["events"] == STORED_EVENTS and body["articles"] == STORED_ARTICLES
    assert {f["value"] for f in body["country"]} == {"SYR", "RUS", "UKR", "FRA", "SDN", "TUR"}


@pytest.mark.parametrize("params, field", [
    ({"limit": 5000}, "limit"),
    ({"limit": 0}, "limit"),
    ({"since": "yesterday"}, "since"),
    ({"modality": "rumoured"}, "modality"),
    ({"bbox": "1,2,3"}, "bbox"),
    ({"cameo": "19%"}, "cameo"),
    ({"actor": "TUR'; DROP TABLE events; --"}, "actor"),
    ({"sort": "sentence"}, "sort"),
    ({"cursor": "not-a-cursor"}, "cursor"),
    ({"format": "xml"}, "format"),
    ({"min_sources": 0}, "min_sources"),
    ({"since": "2021-01-01", "until": "2020-01-01"}, "until"),
    ({"offset": 10, "cursor": "x"}, "cursor"),
])
def test_bad_parameters_are_422_naming_the_field(client, params, field):
    response = client.get("/api/events", params=params)
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == field and body["message"].startswith(field)


def test_unknown_ids_are_404_json(client):
    for url in ("/api/events/e0000000000000000", "/api/articles/a0000000000000000", "/api/nothing"):
        response = client.get(url)
        assert response.status_code == 404 and response.json()["message"]


def test_min_sources_keeps_events_reported_independently(tmp_path, db_path, coder):
    copy = tmp_path / "stories.duckdb"
    copy.write_bytes(db_path.read_bytes())
    other = Article(record_id="kharkiv-2", date=dt.date(2021, 6, 10), source="Other Daily", origin="test",
                    content="Russian troops shelled Ukrainian positions outside Kharkiv on Tuesday, the Ukrainian army said.")
    with Store(copy) as store:
        for coded in coder.code([other]):
            store.add(coded)
    client = TestClient(create_app(copy))
    body = client.get("/api/events", params={"min_sources": 2}).json()
    assert body["total"] == 1 and body["events"][0]["num_sources"] == 2 and body["events"][0]["cameo_code"].startswith("19")
    detail = client.get(f"/api/events/{body['events'][0]['event_id']}").json()
    assert {m["outlet"] for m in detail["mentions"]} == {"Wire", "Other Daily"}
    assert "num_sources" in client.get("/api/events", params={"format": "csv"}).text.splitlines()[0]


def test_min_sources_is_refused_on_databases_without_counts(tmp_path, db_path):
    copy = tmp_path / "old.duckdb"
    copy.write_bytes(db_path.read_bytes())
    with duckdb.connect(str(copy)) as con:
        con.execute("ALTER TABLE events DROP COLUMN num_sources")
    response = TestClient(create_app(copy)).get("/api/events", params={"min_sources": 2})
    assert response.status_code == 422 and response.json()["field"] == "min_sources"


def test_code_endpoint_codes_without_storing(client, db_path):
    response = client.post("/api/code", json={"text": "Russian troops shelled Ukrainian positions near Kharkiv.",
                                              "date": "2021-06-10", "source": "Wire"})
    assert response.status_code == 200
    events = response.json()["events"]
    assert {(e["source_code"], e["cameo_code"]) for e in events} >= {("RUSMIL", "194")}
    assert all(e["outlet"] == "Wire" for e in events)
    assert client.get("/api/facets").json()["events"] == STORED_EVENTS


@pytest.mark.parametrize("body, status, field, message", [
    ({"text": "", "date": "2021-06-10"}, 422, "text", "empty article content"),
    ({"text": "Troops attacked.", "date": "June"}, 422, "date", "unreadable date 'June' (use YYYY-MM-DD)"),
    ({"text": "Troops attacked."}, 422, "date", "missing date"),
    ({"date": "2021-06-10"}, 422, "text", "Field required"),
    ({"text": "x" * (CODE_MAX_CHARS + 1), "date": "2021-06-10"}, 413, None,
     f"article too large ({CODE_MAX_CHARS + 1:,} characters; the limit is {CODE_MAX_CHARS:,})"),
])
def test_code_endpoint_validates_like_the_cli(client, body, status, field, message):
    response = client.post("/api/code", json=body)
    assert response.status_code == status
    found = response.json()
    assert message in found["message"]
    if field:
        assert found["field"] == field


def test_code_endpoint_refuses_huge_bodies_before_reading_them(client):
    response = client.post("/api/code", content=b"x" * (8 * CODE_MAX_CHARS + 1),
                           headers={"content-type": "application/json"})
    assert response.status_code == 413 and "request body over" in response.json()["message"]


def test_stored_markup_comes_back_as_data(client):
    events = client.get("/api/events", params={"limit": 1000}).json()["events"]
    # markup is stripped from event fields at read time; the article keeps its text as stored
    assert not any(XSS_SENTENCE_MARKUP in e["sentence"] for e in events)
    saraqib = next(e for e in events if e["place_name"] == "Saraqib")
    article = client.get(f"/api/articles/{saraqib['article_id']}").json()
    assert "<script>document.title='pwned-content'</script>" in article["content"]
    page = client.get("/")
    assert page.headers["content-security-policy"].startswith("default-src 'self'; script-src 'self'")
    assert page.headers["x-content-type-options"] == "nosniff"


def test_page_docs_and_libraries_are_served_locally(client):
    assert "<svg id=\"map\"" in client.get("/").text
    for url in ("/static/app.js", "/static/style.css", "/vendor/d3.min.js", "/vendor/topojson-client.min.js",
                "/vendor/countries-110m.json", "/vendor/swagger-ui-bundle.js", "/openapi.json"):
        assert client.get(url).status_code == 200, url
    docs = client.get("/docs").text
    assert "/vendor/swagger-ui-bundle.js" in docs and "cdn" not in docs.lower()
    assert client.get("/vendor/../package.json").status_code == 404
    assert client.get("/static/.hidden").status_code == 404
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/events", "/api/events/{event_id}", "/api/articles/{article_id}", "/api/stats", "/api/actors",
            "/api/network", "/api/code"} <= set(paths)


def test_serve_says_how_to_install_missing_libraries(monkeypatch, capsys, db_path):
    monkeypatch.setattr("diurna.serve.missing_vendor_files", lambda: ["d3/dist/d3.min.js"])
    assert run_server(db_path) == 1
    err = capsys.readouterr().err
    assert "install them with: npm ci --ignore-scripts --prefix" in err and "src/diurna/serve" in err


def test_serve_refuses_a_missing_database(tmp_path, capsys):
    assert run_server(tmp_path / "none.duckdb") == 1
    assert "diurna ingest" in capsys.readouterr().err


def test_serve_refuses_files_that_are_not_diurna_databases(tmp_path, capsys):
    other = tmp_path / "other.duckdb"
    with duckdb.connect(str(other)) as con:
        con.execute("CREATE TABLE t (x INTEGER)")
    text = tmp_path / "notes.duckdb"
    text.write_text("not a database")
    assert run_server(other) == 1
    assert "is not a diurna database" in capsys.readouterr().err
    assert run_server(text) == 1
    assert "cannot be opened as a DuckDB database" in capsys.readouterr().err


def test_an_ingest_runs_alongside_and_its_events_appear_on_the_next_request(tmp_path, db_path):
    """Serving holds no lock between requests: `diurna ingest` in another process can write,
    and the next request sees the new article."""
    copy = tmp_path / "live.duckdb"
    copy.write_bytes(db_path.read_bytes())
    client = TestClient(create_app(copy))
    assert client.get("/api/facets").json()["articles"] == STORED_ARTICLES
    fresh = tmp_path / "fresh.jsonl"
    fresh.write_text(json.dumps({"id": "fresh-1", "date": "2021-06-12", "source": "Wire",
                                 "content": "Russian troops shelled Ukrainian positions near Kharkiv on Friday."}) + "\n")
    subprocess.run([sys.executable, "-m", "diurna", "ingest", str(fresh), "--db", str(copy)], check=True,
                   capture_output=True, timeout=300)
    facets = client.get("/api/facets").json()
    assert facets["articles"] == STORED_ARTICLES + 1 and facets["events"] > STORED_EVENTS


def _hold_lock(path, read_only: bool, seconds: float) -> subprocess.Popen:
    """Another process that opens `path` and keeps it open for `seconds` (prints 'open' first)."""
    script = textwrap.dedent(f"""
        import time, duckdb
        con = duckdb.connect({str(path)!r}, read_only={read_only})
        print("open", flush=True)
        time.sleep({seconds})
        con.close()
    """)
    holder = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "open"
    return holder


def test_a_request_during_a_write_waits_then_says_busy(tmp_path, db_path):
    copy = tmp_path / "busy.duckdb"
    copy.write_bytes(db_path.read_bytes())
    client = TestClient(create_app(copy, lock_wait_seconds=0.3))
    holder = _hold_lock(copy, read_only=False, seconds=3)
    try:
        response = client.get("/api/events")
        assert response.status_code == 503 and "retry" in response.json()["message"]
    finally:
        holder.wait(timeout=30)
    assert client.get("/api/events").status_code == 200


def test_a_writer_waits_for_a_reader_instead_of_failing(tmp_path, db_path):
    """Regression: an ingest starting while a request holds its read-only connection used to
    fail with DuckDB's lock error; it now waits for the request to finish."""
    copy = tmp_path / "reader.duckdb"
    copy.write_bytes(db_path.read_bytes())
    holder = _hold_lock(copy, read_only=True, seconds=1)
    try:
        with Store(copy) as store:
            assert store.counts()["events"] == STORED_EVENTS
    finally:
        holder.wait(timeout=30)


def test_diurna_serve_command_serves_the_database(db_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "diurna", "serve", "--db", str(db_path), "--port", str(port)],
                              stderr=subprocess.PIPE, text=True)
    try:
        banner = server.stderr.readline()
        assert f"open http://127.0.0.1:{port}/" in banner
        deadline = time.monotonic() + 30
        while True:
            try:
                facets = httpx.get(f"http://127.0.0.1:{port}/api/facets", timeout=5).json()
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and server.poll() is None, "server did not answer"
                time.sleep(0.1)
        assert facets["events"] == STORED_EVENTS
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_browser_tests_say_how_to_get_chromium_when_it_is_missing(monkeypatch, tmp_path):
    from diurna.serve import browser

    monkeypatch.setattr(browser, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.setattr(browser.shutil, "which", lambda name: None)
    assert "apt-get install -y chromium" in browser.chromium_problem()
