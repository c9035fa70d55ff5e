"""The Python API for analysis: `diurna.open("diurna.duckdb").events(actor="TUR")` is a DuckDB
relation, so `.df()` (pandas), `.pl()` (polars), `.to_arrow_table()` or `.arrow()` (pyarrow),
`.fetchall()`, further `.filter()`/`.aggregate()` and `.write_parquet()` all work, without
diurna depending on any of those libraries."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb

from diurna.store.database import EVENT_ORDER, EventFilter, Store, filter_sql


class Dataset:
    """A diurna database opened read-only (ingests in other processes must not be running)."""

    def __init__(self, path: str | Path):
        self._store = Store(path, read_only=True)
        self.connection = self._store.connection

    def events(self, **filters: Any) -> duckdb.DuckDBPyRelation:
        """Events matching the `diurna events` filters: actor, source, target, plover_type, cameo,
        modality, country, admin1, bbox, since, until, article_id, min_sources, limit (dates as date or text)."""
        for key in ("since", "until"):
            if isinstance(filters.get(key), str):
                filters[key] = dt.date.fromisoformat(filters[key])
        where = EventFilter(**filters)
        condition, params = filter_sql(where)
        sql = f"SELECT * FROM events{condition} ORDER BY {EVENT_ORDER}"
        if where.limit:
            sql += f" LIMIT {int(where.limit)}"
        return self.connection.sql(sql, params=params)

    def articles(self) -> duckdb.DuckDBPyRelation:
        return self.connection.sql("SELECT * FROM articles ORDER BY date, article_id")

    def mentions(self, event_id: str | None = None) -> duckdb.DuckDBPyRelation:
        """The sentences that report events (of one event, if given), first published first."""
        where, params = (" WHERE event_id = ?", [event_id]) if event_id else ("", [])
        return self.connection.sql(f"SELECT * FROM mentions{where} ORDER BY published, article_id, sentence_start, "
                                   "trigger_start", params=params)

    def stories(self) -> duckdb.DuckDBPyRelation:
        return self.connection.sql("SELECT * FROM stories ORDER BY first_published, story_id")

    def rejections(self) -> duckdb.DuckDBPyRelation:
        return self.connection.sql("SELECT * FROM rejections ORDER BY rejected_at")

    def sql(self, query: str, params: list | None = None) -> duckdb.DuckDBPyRelation:
        """Any read-only SQL over the tables `events`, `mentions`, `articles`, `stories`, `rejections`."""
        return self.connection.sql(query, params=params)

    def close(self) -> None:
        self._store.close()

    def __enter__(self) -> Dataset:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_dataset(path: str | Path) -> Dataset:
    if not Path(path).exists():
        raise FileNotFoundError(f"no diurna database at {path} (create one with `diurna ingest FILES --db {path}`)")
    return Dataset(path)
