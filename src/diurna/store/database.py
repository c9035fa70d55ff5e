"""Store stage: articles, events and quarantined records in an embedded DuckDB database.

Articles are keyed by a hash of their content, so ingesting the same article twice adds
nothing, and an interrupted ingest resumes where it stopped. Each article and its events are
written in one transaction: a crash never leaves an article without its events. Each article
records the coder version that coded it, so `recode` can find the stale ones.

Only diurna databases are opened (a `meta` table with our schema version); any other file is
refused before anything is written. One writer at a time holds a lock file next to the
database; it lets go of DuckDB's own lock every two seconds or so, and readers wait for such a
moment, so `events` works while an ingest runs.
"""
from __future__ import annotations

import datetime as dt
import errno
import fcntl
import hashlib
import json
import os
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator

import duckdb

from diurna.records import Article, Event, Rejection

if TYPE_CHECKING:
    from diurna.pipeline import CodedArticle

SCHEMA_VERSION = 4  # 3: coder version per article, keyed rejections; 4: injured_low/high/text
HOLD_SECONDS = 2.0  # a writer releases DuckDB's lock this often, so readers get a turn (a release costs ~0.1 s)
READER_WAIT_SECONDS = 15.0
WRITER_WAIT_SECONDS = 60.0
_DUCKDB_MAGIC = b"DUCK"  # bytes 8-12 of every DuckDB file
_EVENT_COLUMNS = list(Event.model_fields)
_SQL_TYPES = {"goldstein": "DOUBLE", "quad_class": "INTEGER", "event_date": "DATE",
              "sentence_start": "INTEGER", "sentence_end": "INTEGER", "trigger_start": "INTEGER", "trigger_end": "INTEGER",
              "geonames_id": "BIGINT", "latitude": "DOUBLE", "longitude": "DOUBLE",
              "fatalities_low": "INTEGER", "fatalities_high": "INTEGER",
              "injured_low": "INTEGER", "injured_high": "INTEGER", "quantities": "JSON"}

_EVENT_STRUCTURE = json.dumps([{c: _SQL_TYPES.get(c, "VARCHAR") for c in _EVENT_COLUMNS}])
# removed and extra travel as JSON text (written by json.dumps, exactly as `add` writes them)
_ARTICLE_TYPES = {"date": "DATE", "n_events": "INTEGER", "ingested_at": "TIMESTAMP"}
_ARTICLE_COLUMNS = ["article_id", "record_id", "content_hash", "date", "outlet", "original_source", "dateline_place",
                    "title", "url", "origin", "content", "removed", "extra", "n_events", "ingested_at", "coder_version"]
_ARTICLE_STRUCTURE = json.dumps([{c: _ARTICLE_TYPES.get(c, "VARCHAR") for c in _ARTICLE_COLUMNS}])

_REJECTIONS_DDL = """
CREATE TABLE IF NOT EXISTS {name} (
    rejection_id VARCHAR PRIMARY KEY, origin VARCHAR NOT NULL, record_id VARCHAR, reason VARCHAR NOT NULL,
    excerpt VARCHAR, rejected_at TIMESTAMP NOT NULL
);
"""
_DDL = f"""
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS articles (
    article_id VARCHAR PRIMARY KEY, record_id VARCHAR, content_hash VARCHAR NOT NULL,
    date DATE NOT NULL, outlet VARCHAR, original_source VARCHAR, dateline_place VARCHAR,
    title VARCHAR, url VARCHAR, origin VARCHAR, content VARCHAR NOT NULL, removed JSON, extra JSON,
    n_events INTEGER NOT NULL, ingested_at TIMESTAMP NOT NULL, coder_version VARCHAR
);
CREATE TABLE IF NOT EXISTS events (
    {", ".join(f"{c} {_SQL_TYPES.get(c, 'VARCHAR')}" + (" PRIMARY KEY" if c == "event_id" else "") for c in _EVENT_COLUMNS)}
);
{_REJECTIONS_DDL.format(name="rejections")}
"""
# Schema 2 -> 3: articles gain coder_version (NULL: stale), rejections gain a key (duplicates from
# re-runs collapse into one).
_MIGRATE_FROM_2 = f"""
ALTER TABLE articles ADD COLUMN coder_version VARCHAR;
{_REJECTIONS_DDL.format(name="rejections_v3")}
INSERT INTO rejections_v3
    SELECT md5(concat_ws('|', origin, coalesce(record_id, ''), reason, coalesce(excerpt, ''))),
           origin, record_id, reason, excerpt, rejected_at
    FROM rejections ORDER BY rejected_at ON CONFLICT DO NOTHING;
DROP TABLE rejections;
ALTER TABLE rejections_v3 RENAME TO rejections;
UPDATE meta SET value = '3' WHERE key = 'schema_version';
"""
_MIGRATE_FROM_3 = """
ALTER TABLE events ADD COLUMN IF NOT EXISTS injured_low INTEGER;
ALTER TABLE events ADD COLUMN IF NOT EXISTS injured_high INTEGER;
ALTER TABLE events ADD COLUMN IF NOT EXISTS injured_text VARCHAR;
UPDATE meta SET value = '4' WHERE key = 'schema_version';
"""
_MIGRATIONS = {"2": _MIGRATE_FROM_2, "3": _MIGRATE_FROM_3}  # schema version -> the step to the next one


class StoreError(Exception):
    """A database problem explained in one line for the user (the CLI prints it and exits 1)."""


def rejection_key(rejection: Rejection) -> str:
    """Same record, same reason -> same key, so a re-run quarantines nothing twice."""
    parts = (rejection.origin, rejection.record_id or "", rejection.reason, rejection.excerpt or "")
    return hashlib.md5("|".join(parts).encode("utf-8")).hexdigest()


def connect(path: str, read_only: bool, wait_seconds: float = 5.0) -> duckdb.DuckDBPyConnection:
    """Open the database, waiting briefly while another process holds its file lock.

    DuckDB lets one process write or several read; `diurna serve` holds read-only connections
    for one request at a time, so an ingest that starts meanwhile waits milliseconds, not fails.
    """
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            return duckdb.connect(path, read_only=read_only)
        except duckdb.IOException as err:
            if "lock" not in str(err).lower() or time.monotonic() >= deadline:
                raise
            time.sleep(0.05)


@dataclass(frozen=True)
class EventFilter:
    actor: str | None = None  # matches source or target country, org or full code prefix
    source: str | None = None
    target: str | None = None
    plover_type: str | None = None
    cameo: str | None = None  # code prefix: "19" or "057"
    modality: str | None = None
    country: str | None = None  # where the event happened (ISO-3)
    admin1: str | None = None
    bbox: tuple[float, float, float, float] | None = None  # min lon, min lat, max lon, max lat
    since: dt.date | None = None
    until: dt.date | None = None
    article_id: str | None = None
    limit: int | None = None


EVENT_ORDER = "event_date, article_id, sentence_start, trigger_start, event_id"


def filter_sql(where: EventFilter) -> tuple[str, list]:
    """The WHERE clause (with its leading " WHERE ", or "") and parameters for an EventFilter's
    conditions on the events table; `limit` is left to the caller. Shared by queries and exports."""
    clauses, params = filter_clauses(where)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


class Store:
    def __init__(self, path: str | Path, read_only: bool = False, wait: float | None = None):
        self.path = str(path)
        self.read_only = read_only
        self.wait = wait if wait is not None else (READER_WAIT_SECONDS if read_only else WRITER_WAIT_SECONDS)
        self._connection: duckdb.DuckDBPyConnection | None = None
        self._opened_at = 0.0
        self._writer_lock: int | None = None
        _check_file(Path(self.path), read_only)
        if not read_only:
            self._writer_lock = _take_writer_lock(Path(self.path))
        try:
            with _translated(self.path):
                self._prepare()
        except BaseException:
            self.close()
            raise

    def _prepare(self) -> None:
        con = self.connection
        tables = {row[0] for row in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_catalog = current_database()").fetchall()}
        if tables and "meta" not in tables:
            raise StoreError(f"{self.path} is a DuckDB database but not a diurna one (no meta table); "
                             "diurna will not write into it: choose another --db file")
        if not tables and self.read_only:
            raise StoreError(f"{self.path} holds no diurna data yet; run `diurna ingest FILES --db {self.path}` first")
        if not tables:
            with _translated(self.path):
                con.execute(_DDL)
                con.execute("INSERT INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
        found = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        while found is not None and found[0] in _MIGRATIONS and not self.read_only:  # one step at a time
            with _translated(self.path):
                con.execute("BEGIN TRANSACTION")
                con.execute(_MIGRATIONS[found[0]])
                con.execute("COMMIT")
            found = (str(int(found[0]) + 1),)
        readable = (str(SCHEMA_VERSION), *_MIGRATIONS) if self.read_only else (str(SCHEMA_VERSION),)  # see _event_select
        if found is None or found[0] not in readable:
            raise StoreError(
                f"{self.path} was written by another diurna version (schema {found[0] if found else '?'}, "
                f"this one uses {SCHEMA_VERSION}); ingest into a new database file"
            )

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        """The DuckDB connection, opened on demand (a writer closes it now and then; see release)."""
        if self._connection is None:
            self._connection = _connect(self.path, self.read_only, self.wait)
            self._opened_at = time.monotonic()
        return self._connection

    def release(self, held_at_least: float = 0.0) -> None:
        """Let go of DuckDB's lock if held this long, so readers can look in between writes."""
        if self._connection is not None and time.monotonic() - self._opened_at >= held_at_least:
            connection, self._connection = self._connection, None
            with _translated(self.path):
                connection.close()

    def close(self) -> None:
        try:
            self.release()
        finally:
            if self._writer_lock is not None:
                os.close(self._writer_lock)
                self._writer_lock = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def has_article(self, article_id: str) -> bool:
        return bool(self._rows("SELECT 1 FROM articles WHERE article_id = ?", [article_id]))

    def add(self, coded: CodedArticle, coder_version: str | None = None) -> bool:
        """Store an article and its events atomically; False if it was already stored."""
        with self._transaction() as con:
            if self.has_article(coded.article_id):
                return False
            a, c = coded.article, coded.cleaned
            removed = [{"start": r.start, "end": r.end, "kind": r.kind} for r in c.removals]
            con.execute(
                "INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [coded.article_id, a.record_id, coded.content_hash, a.date, a.source, c.original_source,
                 c.dateline_place, a.title, a.url, a.origin, a.content, json.dumps(removed),
                 json.dumps(a.extra, default=str), len(coded.events), dt.datetime.now(dt.timezone.utc),
                 coder_version],
            )
            if coded.events:
                self._insert_events(coded.events)
        self.release(HOLD_SECONDS)
        return True

    def stored_ids(self, article_ids: Iterable[str]) -> set[str]:
        """Which of these articles are stored: one lookup for a whole batch."""
        ids = list(dict.fromkeys(article_ids))
        if not ids:
            return set()
        return {row[0] for row in self._rows(
            "SELECT article_id FROM articles WHERE article_id IN (SELECT unnest(?::VARCHAR[]))", [ids])}

    def add_batch(self, batch: list[CodedArticle], coder_version: str | None = None) -> list[bool]:
        """Store many articles and their events in one transaction with one lookup and bulk
        inserts; for each article, False if it was already stored (or came earlier in the batch)."""
        with self._transaction():
            stored = self.stored_ids(coded.article_id for coded in batch)
            added: list[bool] = []
            fresh: list[CodedArticle] = []
            for coded in batch:
                added.append(coded.article_id not in stored)
                if added[-1]:
                    stored.add(coded.article_id)
                    fresh.append(coded)
            if fresh:
                self._insert_articles(fresh, coder_version)
                self._insert_new_events([event for coded in fresh for event in coded.events])
        self.release(HOLD_SECONDS)
        return added

    def _insert_new_events(self, events: list[Event]) -> None:
        """Events of articles not stored yet, as one JSON parameter. None of them can be in the
        table (an article and its events are written in one transaction), so there is no ON
        CONFLICT clause: DuckDB's per-row conflict check costs ~0.8 ms per event, the insert
        ~0.07 ms. Ids repeated within the batch are dropped here."""
        unique = list({event.event_id: event for event in reversed(events)}.values())[::-1]
        if not unique:
            return
        rows = json.dumps([e.model_dump(mode="json") for e in unique])
        self.connection.execute(
            f"INSERT INTO events ({', '.join(_EVENT_COLUMNS)}) "
            f"SELECT {', '.join(_EVENT_COLUMNS)} FROM (SELECT unnest(from_json(?::JSON, ?), recursive := true))",
            [rows, _EVENT_STRUCTURE],
        )

    def _insert_articles(self, batch: list[CodedArticle], coder_version: str | None) -> None:
        """Article rows as one JSON parameter (see _insert_events for why not executemany)."""
        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None).isoformat()
        rows = json.dumps([_article_row(coded, coder_version, now) for coded in batch], default=str)
        self.connection.execute(
            f"INSERT INTO articles ({', '.join(_ARTICLE_COLUMNS)}) SELECT {', '.join(_ARTICLE_COLUMNS)} "
            "FROM (SELECT unnest(from_json(?::JSON, ?), recursive := true))",
            [rows, _ARTICLE_STRUCTURE],
        )

    def replace(self, coded: CodedArticle, coder_version: str) -> None:
        """Swap a stored article's events for freshly coded ones, atomically."""
        with self._transaction() as con:
            removed = [{"start": r.start, "end": r.end, "kind": r.kind} for r in coded.cleaned.removals]
            con.execute("DELETE FROM events WHERE article_id = ?", [coded.article_id])
            con.execute(
                "UPDATE articles SET original_source = ?, dateline_place = ?, removed = ?, n_events = ?, "
                "coder_version = ? WHERE article_id = ?",
                [coded.cleaned.original_source, coded.cleaned.dateline_place, json.dumps(removed),
                 len(coded.events), coder_version, coded.article_id],
            )
            if coded.events:
                self._insert_events(coded.events)
        self.release(HOLD_SECONDS)

    @contextmanager
    def _transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with _translated(self.path):
            con = self.connection
            con.execute("BEGIN TRANSACTION")
            try:
                yield con
                con.execute("COMMIT")
            except BaseException:
                # report the failure itself, not a secondary "cannot rollback" (after a failed
                # COMMIT DuckDB has already aborted the transaction)
                try:
                    con.execute("ROLLBACK")
                except duckdb.Error:
                    pass
                raise

    def stale_count(self, coder_version: str) -> int:
        return self._rows("SELECT count(*) FROM articles WHERE coder_version IS DISTINCT FROM ?", [coder_version])[0][0]

    def stale_article_ids(self, coder_version: str, since: dt.date | None = None) -> list[str]:
        """Articles coded by another coder version (published on or after `since`), oldest first."""
        sql = "SELECT article_id FROM articles WHERE coder_version IS DISTINCT FROM ?"
        params: list[Any] = [coder_version]
        if since is not None:
            sql += " AND date >= ?"
            params.append(since)
        return [row[0] for row in self._rows(sql + " ORDER BY date, article_id", params)]

    def article(self, article_id: str) -> Article:
        """A stored article as the read stage gave it, for re-coding."""
        (row,) = self._dicts("SELECT record_id, date, outlet AS source, title, content, url, origin, extra "
                             "FROM articles WHERE article_id = ?", [article_id])
        row["extra"] = json.loads(row["extra"]) if row["extra"] else {}
        row["origin"] = row["origin"] or article_id
        return Article(**row)

    def _insert_events(self, events: list[Event]) -> None:
        """All of an article's events as one JSON parameter: DuckDB's per-value conversion of
        Python objects (executemany) costs ~9 ms per event; this costs ~10 µs."""
        rows = json.dumps([e.model_dump(mode="json") for e in events])
        self.connection.execute(
            f"INSERT INTO events ({', '.join(_EVENT_COLUMNS)}) "
            f"SELECT {', '.join(_EVENT_COLUMNS)} FROM (SELECT unnest(from_json(?::JSON, ?), recursive := true)) "
            "ON CONFLICT DO NOTHING",
            [rows, _EVENT_STRUCTURE],
        )

    def quarantine(self, rejection: Rejection) -> bool:
        """Keep a rejected record (once: the same record and reason is not added again)."""
        with _translated(self.path):
            cursor = self.connection.execute(
                "INSERT INTO rejections VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING rejection_id",
                [rejection_key(rejection), rejection.origin, rejection.record_id, rejection.reason,
                 rejection.excerpt, dt.datetime.now(dt.timezone.utc)],
            )
            added = cursor.fetchone() is not None
        self.release(HOLD_SECONDS)
        return added

    def rejections(self) -> list[dict[str, Any]]:
        return self._dicts("SELECT origin, record_id, reason, excerpt, rejected_at FROM rejections ORDER BY rejected_at", [])

    def counts(self) -> dict[str, int]:
        return {table: self._rows(f"SELECT count(*) FROM {table}", [])[0][0]
                for table in ("articles", "events", "rejections")}

    def events(self, where: EventFilter = EventFilter()) -> list[Event]:
        condition, params = filter_sql(where)
        sql = f"SELECT {self._event_select()} FROM events{condition} ORDER BY {EVENT_ORDER}"
        if where.limit:
            sql += f" LIMIT {int(where.limit)}"
        rows = self._dicts(sql, params)
        for row in rows:
            row["quantities"] = json.loads(row["quantities"]) if row["quantities"] else []
        return [Event(**row) for row in rows]

    def _event_select(self) -> str:
        """The event columns; those an older schema lacks (read-only readers do not upgrade a
        database) come back empty."""
        present = {row[0] for row in self._rows(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'events'", [])}
        return ", ".join(c if c in present else f"NULL AS {c}" for c in _EVENT_COLUMNS)

    def _dicts(self, sql: str, params: list) -> list[dict[str, Any]]:
        with _translated(self.path):
            cursor = self.connection.execute(sql, params)
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row)) for row in cursor.fetchall()]

    def _rows(self, sql: str, params: list) -> list[tuple]:
        """Run a query; a damaged file or a full disk comes out as a one-line StoreError."""
        with _translated(self.path):
            return self.connection.execute(sql, params).fetchall()


def filter_clauses(where: EventFilter) -> tuple[list[str], list[Any]]:
    """SQL conditions (joined with AND) and their parameters for `where`, shared by the CLI and the API."""
    clauses: list[str] = []
    params: list[Any] = []

    def actor_clause(roles: tuple[str, ...], value: str) -> None:
        parts = []
        for role in roles:
            parts.append(f"({role}_country = ? OR {role}_org = ? OR {role}_code LIKE ?)")
            params.extend([value.upper(), value.upper(), value.upper() + "%"])
        clauses.append("(" + " OR ".join(parts) + ")")

    if where.actor:
        actor_clause(("source", "target"), where.actor)
    if where.source:
        actor_clause(("source",), where.source)
    if where.target:
        actor_clause(("target",), where.target)
    if where.plover_type:
        clauses.append("plover_type = ?")
        params.append(where.plover_type.upper())
    if where.cameo:
        clauses.append("cameo_code LIKE ?")
        params.append(where.cameo + "%")
    if where.modality:
        clauses.append("modality = ?")
        params.append(where.modality)
    if where.country:
        clauses.append("place_country = ?")
        params.append(where.country.upper())
    if where.admin1:
        clauses.append("lower(admin1) = lower(?)")
        params.append(where.admin1)
    if where.bbox:
        clauses.append("longitude BETWEEN ? AND ? AND latitude BETWEEN ? AND ?")
        min_lon, min_lat, max_lon, max_lat = where.bbox
        params.extend([min_lon, max_lon, min_lat, max_lat])
    if where.since:
        clauses.append("event_date >= ?")
        params.append(where.since)
    if where.until:
        clauses.append("event_date <= ?")
        params.append(where.until)
    if where.article_id:
        clauses.append("article_id = ?")
        params.append(where.article_id)
    return clauses, params


def _check_file(path: Path, read_only: bool) -> None:
    """Refuse before DuckDB touches it: a missing folder, a missing database for readers, a
    file that is not DuckDB at all (DuckDB would open a .jsonl or .csv as an in-memory view)."""
    if not path.exists():
        if read_only:
            raise StoreError(f"no database at {path}; create one with `diurna ingest FILES --db {path}`")
        if not path.parent.exists():
            raise StoreError(f"the folder {path.parent} does not exist; create it or choose another --db path")
        return
    if path.is_dir():
        raise StoreError(f"{path} is a folder; --db needs a database file")
    try:
        with path.open("rb") as handle:
            header = handle.read(12)
    except OSError as err:
        raise StoreError(f"cannot read {path}: {err.strerror or err}") from None
    if len(header) < 12 or header[8:12] != _DUCKDB_MAGIC:
        raise StoreError(f"{path} is not a diurna database (not a DuckDB file); diurna will not touch it: "
                         "choose another --db file")


def _take_writer_lock(path: Path) -> int:
    """One writer per database: an advisory lock on DB.lock, released by the OS even on kill -9."""
    lock_path = path.with_name(path.name + ".lock")
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as err:
        raise StoreError(_os_problem(path, err)) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
        os.close(fd)
        raise StoreError(f"{path} is being written by another diurna process (PID {holder}); "
                         "wait for it to finish (reading with `diurna events` works meanwhile)") from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, str(os.getpid()).encode(), 0)
    return fd


def _connect(path: str, read_only: bool, wait: float) -> duckdb.DuckDBPyConnection:
    """Open the database, waiting up to `wait` seconds while another process holds it."""
    deadline = time.monotonic() + wait
    while True:
        try:
            with _translated(path):
                return duckdb.connect(path, read_only=read_only)
        except _Locked as locked:
            if time.monotonic() >= deadline:
                raise StoreError(f"{path} is held by another process (PID {locked.pid}) and did not come free "
                                 f"within {wait:.0f} s; try again when it has finished") from None
            time.sleep(0.05)


class _Locked(StoreError):
    def __init__(self, pid: str):
        super().__init__(f"locked by PID {pid}")
        self.pid = pid


@contextmanager
def _translated(path: str) -> Iterator[None]:
    """Turn DuckDB and OS errors into one line naming the real cause."""
    try:
        yield
    except duckdb.Error as err:
        message = str(err)
        if "Could not set lock" in message or "Conflicting lock" in message:
            pid = re.search(r"PID (\d+)", message)
            raise _Locked(pid.group(1) if pid else "?") from None
        raise StoreError(_duckdb_problem(path, message)) from None
    except OSError as err:
        raise StoreError(_os_problem(Path(path), err)) from None


def _duckdb_problem(path: str, message: str) -> str:
    lowered = message.lower()
    if "no space left" in lowered:
        return f"the disk is full while writing {path}; everything committed before is kept"
    if "read-only file system" in lowered:
        return f"cannot write {path}: the file system is read-only"
    if "permission denied" in lowered:
        return f"cannot write {path}: permission denied"
    if "no such file or directory" in lowered:
        return f"cannot open {path}: its folder does not exist"
    if any(word in lowered for word in ("could not read enough bytes", "corrupt", "checksum", "not a valid duckdb",
                                         "invalid_argument", "serializ", "internal error")):
        return f"{path} is damaged or truncated ({_first_line(message)}); restore a copy or use a new --db file"
    return f"database error on {path}: {_first_line(message)}"


def _os_problem(path: Path, err: OSError) -> str:
    if err.errno == errno.ENOSPC:
        return f"the disk is full while writing {path}; everything committed before is kept"
    if err.errno == errno.EROFS:
        return f"cannot write {path}: the file system is read-only"
    if err.errno in (errno.EACCES, errno.EPERM):
        return f"cannot write {path}: permission denied"
    if err.errno == errno.ENOENT:
        return f"the folder {path.parent} does not exist; create it or choose another --db path"
    return f"cannot use {path}: {err.strerror or err}"


def _first_line(message: str) -> str:
    return message.strip().splitlines()[0][:200] if message.strip() else "unknown error"


def _article_row(coded: CodedArticle, coder_version: str | None, ingested_at: str) -> dict[str, Any]:
    a, c = coded.article, coded.cleaned
    return {
        "article_id": coded.article_id, "record_id": a.record_id, "content_hash": coded.content_hash,
        "date": a.date.isoformat(), "outlet": a.source, "original_source": c.original_source,
        "dateline_place": c.dateline_place, "title": a.title, "url": a.url, "origin": a.origin, "content": a.content,
        "removed": json.dumps([{"start": r.start, "end": r.end, "kind": r.kind} for r in c.removals]),
        "extra": json.dumps(a.extra, default=str), "n_events": len(coded.events), "ingested_at": ingested_at, "coder_version": coder_version,
    }
