"""Parquet output for corpora larger than one database: `diurna ingest ... --out-parquet DIR`.

Each write batch becomes one shard per table, `DIR/articles/part-<id>.parquet` and
`DIR/events/part-<id>.parquet` (the id is a digest of the batch's article ids), with the same
columns as the DuckDB tables; DuckDB, Spark or BigQuery read `DIR/events/*.parquet` directly.
A shard is written to a temporary name and renamed, the events shard first, so an articles
shard marks a finished batch: on opening, event shards without one are removed, and the
stored article ids decide what a re-run skips (idempotent and resumable like the database).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path
from typing import Iterable

import duckdb

from diurna.pipeline import CodedArticle
from diurna.records import Rejection
from diurna.store.database import (
    _ARTICLE_COLUMNS, _ARTICLE_STRUCTURE, _EVENT_COLUMNS, _EVENT_STRUCTURE, _article_row, rejection_key,
)

TABLES = ("articles", "events", "rejections")


class ParquetShards:
    """The writer's side of ingest (stored_ids, add_batch, quarantine) over a folder of shards."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        for table in TABLES:
            (self.folder / table).mkdir(parents=True, exist_ok=True)
        finished = {p.name for p in (self.folder / "articles").glob("part-*.parquet")}
        for orphan in (self.folder / "events").glob("part-*.parquet"):
            if orphan.name not in finished:
                orphan.unlink()  # a batch killed between its two shards: it is coded again
        for partial in self.folder.glob("*/.tmp-*"):
            partial.unlink()
        self._con = duckdb.connect()
        self._stored = self._ids("articles", "article_id")
        self._rejected = self._ids("rejections", "rejection_id")
        self._pending_rejections: list[dict] = []

    def _ids(self, table: str, column: str) -> set[str]:
        if not any((self.folder / table).glob("part-*.parquet")):
            return set()
        pattern = str(self.folder / table / "part-*.parquet")
        return {row[0] for row in self._con.execute(f"SELECT {column} FROM read_parquet(?)", [pattern]).fetchall()}

    def stored_ids(self, article_ids: Iterable[str]) -> set[str]:
        return self._stored & set(article_ids)

    def add_batch(self, batch: list[CodedArticle], coder_version: str | None = None) -> list[bool]:
        added, fresh = [], []
        for coded in batch:
            added.append(coded.article_id not in self._stored and coded.article_id not in {c.article_id for c in fresh})
            if added[-1]:
                fresh.append(coded)
        if fresh:
            part = "part-" + hashlib.sha256("|".join(sorted(c.article_id for c in fresh)).encode()).hexdigest()[:20]
            now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None).isoformat()
            events = [e.model_dump(mode="json") for c in fresh for e in c.events]
            self._write("events", part, events, _EVENT_COLUMNS, _EVENT_STRUCTURE)
            self._write("articles", part, [_article_row(c, coder_version, now) for c in fresh],
                        _ARTICLE_COLUMNS, _ARTICLE_STRUCTURE)
            self._stored.update(c.article_id for c in fresh)
        self._flush_rejections()
        return added

    def _write(self, table: str, part: str, rows: list[dict], columns: list[str], structure: str) -> None:
        final = self.folder / table / f"{part}.parquet"
        temporary = final.with_name(f".tmp-{part}")
        select = f"SELECT {', '.join(columns)} FROM (SELECT unnest(from_json(?::JSON, ?), recursive := true))"
        if not rows:  # an empty shard keeps the columns
            select = f"SELECT * FROM ({select}) LIMIT 0"
        self._con.execute(f"COPY ({select}) TO '{temporary}' (FORMAT PARQUET)",
                          [json.dumps(rows or [{}], default=str), structure])
        os.replace(temporary, final)

    def quarantine(self, rejection: Rejection) -> bool:
        key = rejection_key(rejection)
        if key in self._rejected:
            return False
        self._rejected.add(key)
        self._pending_rejections.append({
            "rejection_id": key, "origin": rejection.origin, "record_id": rejection.record_id,
            "reason": rejection.reason, "excerpt": rejection.excerpt,
            "rejected_at": dt.datetime.now(dt.timezone.utc).replace(tzinfo=None).isoformat()})
        return True

    def _flush_rejections(self) -> None:
        if not self._pending_rejections:
            return
        rows, self._pending_rejections = self._pending_rejections, []
        columns = list(rows[0])
        structure = json.dumps([{c: "TIMESTAMP" if c == "rejected_at" else "VARCHAR" for c in columns}])
        part = "part-" + hashlib.sha256("|".join(r["rejection_id"] for r in rows).encode()).hexdigest()[:20]
        self._write("rejections", part, rows, columns, structure)

    def counts(self) -> dict[str, int]:
        def rows(table: str) -> int:
            if not any((self.folder / table).glob("part-*.parquet")):
                return 0
            pattern = str(self.folder / table / "part-*.parquet")
            return self._con.execute("SELECT count(*) FROM read_parquet(?)", [pattern]).fetchone()[0]

        return {table: rows(table) for table in TABLES}

    def release(self) -> None:
        """Nothing held between batches (the database's writer lets go here)."""

    def let_readers_in(self) -> None:
        """Readers read finished shards at any time."""

    def close(self) -> None:
        self._flush_rejections()
        self._con.close()

    def __enter__(self) -> ParquetShards:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
