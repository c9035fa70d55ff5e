"""Bounded load test of `diurna serve` on loopback (not part of the test suite).

    python scripts/serve_loadtest.py [--events 10000] [--requests 2000] [--concurrency 8]

Builds a synthetic database: the sample article coded by the real pipeline, then its articles
and events copied with new ids, dates spread over two years and places jittered, until it holds
--events events. Starts `diurna serve` in its own process, sends --requests requests of mixed
endpoints from this process, and prints p50/p95/p99 latency per endpoint and the error count.
Exits 1 if any request failed.
"""
from __future__ import annotations

import argparse
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import httpx

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "idlib_ceasefire_2020-03-05.jsonl"
PLACES = [("Idlib", "SYR", 35.93, 36.63), ("Aleppo", "SYR", 36.20, 37.16), ("Kharkiv", "UKR", 49.98, 36.25),
          ("Gaza", "PSE", 31.50, 34.47), ("Khartoum", "SDN", 15.55, 32.53), ("Kabul", "AFG", 34.53, 69.17),
          ("Moscow", "RUS", 55.75, 37.62), ("Ankara", "TUR", 39.92, 32.85)]


def build_database(path: Path, events: int) -> None:
    """Code the sample for real, then copy its rows until the database holds `events` events."""
    subprocess.run([sys.executable, "-m", "diurna", "ingest", str(SAMPLE), "--db", str(path)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    con = duckdb.connect(str(path))
    per_article = con.execute("SELECT count(*) FROM events").fetchone()[0]
    copies = -(-events // per_article) - 1
    con.execute("CREATE TEMP TABLE places (k INTEGER, name VARCHAR, country VARCHAR, lat DOUBLE, lon DOUBLE)")
    con.executemany("INSERT INTO places VALUES (?, ?, ?, ?, ?)", [[i, *p] for i, p in enumerate(PLACES)])
    con.execute("CREATE TEMP TABLE copies AS SELECT range AS n, 'a' || substr(md5('copy' || range), 1, 16) AS article_id,"
                " (range * 7919) % 730 AS shift, range % ? AS k FROM range(1, ? + 1)", [len(PLACES), copies])
    con.execute("""INSERT INTO articles SELECT a.* REPLACE (c.article_id AS article_id, a.date + c.shift::INTEGER AS date,
                   'copy-' || c.n AS record_id) FROM articles a, copies c""")
    con.execute("""INSERT INTO events SELECT e.* REPLACE (
                       'e' || substr(md5(e.event_id || c.n), 1, 16) AS event_id, c.article_id AS article_id,
                       e.event_date + c.shift::INTEGER AS event_date,
                       CASE WHEN e.latitude IS NULL THEN NULL ELSE p.lat + (hash(e.event_id, c.n) % 100) / 500.0 END AS latitude,
                       CASE WHEN e.longitude IS NULL THEN NULL ELSE p.lon + (hash(c.n, e.event_id) % 100) / 500.0 END AS longitude,
                       CASE WHEN e.place_country IS NULL THEN NULL ELSE p.country END AS place_country,
                       CASE WHEN e.place_name IS NULL THEN NULL ELSE p.name END AS place_name)
                   FROM events e, copies c JOIN places p ON p.k = c.k""")
    con.execute("DELETE FROM events WHERE event_id IN (SELECT event_id FROM events ORDER BY event_id OFFSET ?)", [events])
    con.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def request_mix(base: str, event_ids: list[str], article_ids: list[str], n: int, seed: int = 7) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    filters = [{}, {"actor": "TUR"}, {"type": "ASSAULT"}, {"country": "SYR"}, {"modality": "planned"},
               {"since": "2020-06-01", "until": "2020-12-31"}, {"actor": "RUSGOV", "country": "UKR"},
               {"bbox": "30,30,40,40"}, {"cameo": "19"}]
    kinds = [("events", 30), ("events.csv", 5), ("events.geojson", 5), ("event", 15), ("article", 5), ("stats", 10),
             ("actors", 8), ("network", 8), ("places", 8), ("facets", 3), ("page", 3)]
    names, weights = zip(*kinds)
    mix = []
    for _ in range(n):
        kind = rng.choices(names, weights)[0]
        params = dict(rng.choice(filters))
        if kind == "events":
            params.update(limit=rng.choice([20, 50, 100]), sort=rng.choice(["event_date", "-event_date", "goldstein"]),
                          offset=rng.choice([0, 0, 100, 1000]))
            path = "/api/events"
        elif kind in ("events.csv", "events.geojson"):
            params.update(format=kind.split(".")[1], limit=100)
            path = "/api/events"
        elif kind == "event":
            path, params = f"/api/events/{rng.choice(event_ids)}", {}
        elif kind == "article":
            path, params = f"/api/articles/{rng.choice(article_ids)}", {}
        elif kind == "page":
            path, params = "/", {}
        elif kind == "facets":
            path, params = "/api/facets", {}
        else:
            path = f"/api/{kind}"
        mix.append((kind, str(httpx.URL(base + path, params=params))))
    return mix


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=2_000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--db", type=Path, help="use this database instead of building one")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "load.duckdb"
        if args.db is None:
            started = time.perf_counter()
            build_database(db, args.events)
            print(f"built {db} in {time.perf_counter() - started:.1f} s")
        with duckdb.connect(str(db), read_only=True) as con:
            total = con.execute("SELECT count(*) FROM events").fetchone()[0]
            event_ids = [r[0] for r in con.execute("SELECT event_id FROM events USING SAMPLE 500 ROWS").fetchall()]
            article_ids = [r[0] for r in con.execute("SELECT article_id FROM articles USING SAMPLE 100 ROWS").fetchall()]
        port = free_port()
        server = subprocess.Popen([sys.executable, "-m", "diurna", "serve", "--db", str(db), "--port", str(port)],
                                  stderr=subprocess.PIPE, text=True)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    httpx.get(base + "/api/facets", timeout=5).raise_for_status()
                    break
                except httpx.HTTPError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise SystemExit("server did not start")
                    time.sleep(0.2)
            mix = request_mix(base, event_ids, article_ids, args.requests)
            timings: dict[str, list[float]] = defaultdict(list)
            errors: list[str] = []
            with httpx.Client(timeout=30) as client:
                def hit(item: tuple[str, str]) -> None:
                    kind, url = item
                    began = time.perf_counter()
                    try:
                        response = client.get(url)
                        if response.status_code != 200:
                            errors.append(f"{response.status_code} {url}")
                    except httpx.HTTPError as err:
                        errors.append(f"{type(err).__name__} {url}")
                    timings[kind].append((time.perf_counter() - began) * 1000)

                began = time.perf_counter()
                with ThreadPoolExecutor(args.concurrency) as pool:
                    list(pool.map(hit, mix))
                elapsed = time.perf_counter() - began
        finally:
            server.terminate()
            server.wait(timeout=10)
    every = [t for ts in timings.values() for t in ts]
    print(f"{len(every)} requests, concurrency {args.concurrency}, {total:,} events: {elapsed:.1f} s, "
          f"{len(every) / elapsed:.0f} requests/s, errors {len(errors)}")
    print(f"{'endpoint':16} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for kind, ts in sorted(timings.items()) + [("ALL", every)]:
        q = statistics.quantiles(ts, n=100) if len(ts) > 1 else ts * 99
        print(f"{kind:16} {len(ts):5d} {q[49]:8.1f} {q[94]:8.1f} {q[98]:8.1f} {max(ts):8.1f}")
    for line in errors[:10]:
        print("error:", line)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
