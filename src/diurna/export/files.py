"""`diurna export`: write stored events to a file for other tools. Parquet, CSV and JSON Lines
are written by DuckDB itself (every column of the events table); GDELT, PLOVER and GeoJSON are
shaped here from the same filtered rows (see gdelt.py, plover.py, geojson.py)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import duckdb

from diurna.export.gdelt import write_gdelt
from diurna.export.geojson import write_geojson
from diurna.export.plover import write_plover
from diurna.store.database import EVENT_ORDER, EventFilter, Store, filter_sql

EXPORT_FORMATS = ("parquet", "csv", "jsonl", "gdelt", "plover", "geojson")
_DUCKDB_OPTIONS = {"parquet": "(FORMAT PARQUET)", "csv": "(FORMAT CSV, HEADER)", "jsonl": "(FORMAT JSON)"}
_FETCH_ROWS = 2_000


@dataclass(frozen=True)
class ExportResult:
    written: int  # events written
    left_out: int = 0  # events the format cannot hold (GeoJSON: no coordinates)


def export_events(db: str | Path, fmt: str, out: str | Path, where: EventFilter = EventFilter()) -> ExportResult:
    """Write the events of database `db` that match `where` to file `out` in format `fmt`."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    with Store(db, read_only=True) as store:
        connection = store.connection
        if fmt in _DUCKDB_OPTIONS:
            return ExportResult(_copy(connection, fmt, Path(out), where))
        with open(out, "w", encoding="utf-8", newline="\n") as stream:
            rows = event_rows(connection, where)
            if fmt == "gdelt":
                return ExportResult(write_gdelt(rows, stream))
            if fmt == "plover":
                return ExportResult(write_plover(rows, stream))
            return ExportResult(*write_geojson(rows, stream))


def _copy(connection: duckdb.DuckDBPyConnection, fmt: str, out: Path, where: EventFilter) -> int:
    condition, params = filter_sql(where)
    query = f"SELECT * FROM events{condition} ORDER BY {EVENT_ORDER}" + (f" LIMIT {int(where.limit)}" if where.limit else "")
    target = str(out).replace("'", "''")
    connection.execute(f"COPY ({query}) TO '{target}' {_DUCKDB_OPTIONS[fmt]}", params)
    return connection.execute(f"SELECT count(*) FROM ({query})", params).fetchone()[0]


def event_rows(connection: duckdb.DuckDBPyConnection, where: EventFilter) -> Iterator[dict[str, Any]]:
    """Matching events as dicts, with two article facts the formats need: `lead_end` (where the
    first paragraph ends in the content) and `ingested_at`. Fetched in chunks, not all at once."""
    condition, params = filter_sql(where)
    query = (
        "SELECT e.*, coalesce(nullif(strpos(a.content, chr(10) || chr(10)), 0) - 1, length(a.content)) AS lead_end, "
        f"a.ingested_at FROM (SELECT * FROM events{condition}) e JOIN articles a ON a.article_id = e.article_id "
        f"ORDER BY {', '.join('e.' + c.strip() for c in EVENT_ORDER.split(','))}"
        + (f" LIMIT {int(where.limit)}" if where.limit else "")
    )
    cursor = connection.execute(query, params)
    names = [d[0] for d in cursor.description]
    while chunk := cursor.fetchmany(_FETCH_ROWS):
        for values in chunk:
            yield dict(zip(names, values))
