"""Store stage: articles, events and quarantined records in an embedded DuckDB database.

Articles are keyed by a hash of their content, so ingesting the same article twice adds
nothing, and an interrupted ingest resumes where it stopped. Each article and its events are
written in one transaction: a crash never leaves an article without its events. Each article
records the coder version that coded it, so `recode` can find the stale ones.

Only diurna databases are opened (a `meta` table with our schema version); any other file is
refused before anything is written. One writer at a time holds a lock file next to the
database; a reader that finds DuckDB's own lock taken says so (a shared lock on DB.readers while
it waits), and the writer lets go between writes, every two seconds or so while readers wait,
so `events` works while an ingest runs. Without waiting readers the writer keeps its connection:
reopening costs a checkpoint and cold indexes (~1 ms per article at 60 articles/s).
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

from diurna.dedupe.articles import STORIES, Fingerprint, Signature, cleaned_text, lead_end
from diurna.dedupe.events import (MODALITY_CONFIDENCE, SOURCE_WEIGHT, Report, compatible, family, group_within, period,
                                  summarize, with_reports)
from diurna.records import Article, Event, Mention, Rejection

if TYPE_CHECKING:
    from diurna.pipeline import CodedArticle

SCHEMA_VERSION = 5  # 3: coder version per article, keyed rejections; 4: injured_low/high/text; 5: stories, mentions
HOLD_SECONDS = 2.0  # while readers wait, a writer lets go of DuckDB's lock this often (a release costs ~0.2 s)
READER_WAIT_SECONDS = 15.0
READER_TURN_SECONDS = 0.5  # how long a writer that let go waits for the waiting reader to get in
WRITER_WAIT_SECONDS = 60.0
_DUCKDB_MAGIC = b"DUCK"  # bytes 8-12 of every DuckDB file
_EVENT_COLUMNS = list(Event.model_fields)
_EVENT_COUNTS = ("num_mentions", "num_articles", "num_sources", "first_seen", "is_root_event", "confidence")
# a mention row: its own id, its event, its story, then what the coder said (an Event without counts)
_CODED_COLUMNS = [c for c in _EVENT_COLUMNS if c != "event_id" and c not in _EVENT_COUNTS]
_FIELDS_BUT_COUNTS = [c for c in _EVENT_COLUMNS if c not in _EVENT_COUNTS]
_MENTION_COLUMNS = ["mention_id", "event_id", "story_id", "published", "in_lead", "confidence", *_CODED_COLUMNS]
_SQL_TYPES = {"goldstein": "DOUBLE", "quad_class": "INTEGER", "event_date": "DATE",
              "sentence_start": "INTEGER", "sentence_end": "INTEGER", "trigger_start": "INTEGER", "trigger_end": "INTEGER",
              "geonames_id": "BIGINT", "latitude": "DOUBLE", "longitude": "DOUBLE",
              "fatalities_low": "INTEGER", "fatalities_high": "INTEGER",
              "injured_low": "INTEGER", "injured_high": "INTEGER", "quantities": "JSON",
              "num_mentions": "INTEGER", "num_articles": "INTEGER", "num_sources": "INTEGER", "first_seen": "DATE",
              "is_root_event": "BOOLEAN", "confidence": "DOUBLE", "published": "DATE", "in_lead": "BOOLEAN"}

_EVENT_STRUCTURE = json.dumps(  # (Parquet shards: rows as one JSON text)
    [{c: _SQL_TYPES.get(c, "VARCHAR") for c in _EVENT_COLUMNS}])
_COUNTS_STRUCTURE = json.dumps([{c: _SQL_TYPES.get(c, "VARCHAR") for c in ("event_id", *_EVENT_COUNTS)}])
# what an event of a database before schema 5 counts (each coded sentence was an event of its own)
_OLD_DEFAULTS = {"num_mentions": "1", "num_articles": "1", "num_sources": "1", "is_root_event": "false"}

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
# Schema 5: near-duplicate articles form stories; the LSH index of their MinHash signatures is two
# tables (a signature per article, a key per band); the coded sentences are mentions, linked to
# the events they report, which carry the counts.
_DDL_5 = f"""
ALTER TABLE articles ADD COLUMN IF NOT EXISTS story_id VARCHAR;
CREATE TABLE IF NOT EXISTS stories (
    story_id VARCHAR PRIMARY KEY, original_source VARCHAR, first_published DATE NOT NULL, first_outlet VARCHAR,
    num_articles INTEGER NOT NULL, outlets VARCHAR[], dateline_source VARCHAR
);
CREATE TABLE IF NOT EXISTS story_signatures (article_id VARCHAR PRIMARY KEY, story_id VARCHAR NOT NULL, signature BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS story_bands (band_key BIGINT NOT NULL, article_id VARCHAR NOT NULL);
CREATE INDEX IF NOT EXISTS story_bands_key ON story_bands (band_key);
CREATE TABLE IF NOT EXISTS mentions (
    {", ".join(f"{c} {_SQL_TYPES.get(c, 'VARCHAR')}" + (" PRIMARY KEY" if c == "mention_id" else "") for c in _MENTION_COLUMNS)}
);
{"".join(f"ALTER TABLE events ADD COLUMN IF NOT EXISTS {c} {_SQL_TYPES[c]};" + chr(10) for c in _EVENT_COUNTS)}
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
# Schema 4 -> 5: every stored event becomes its own mention (and an event of one mention), every
# article its own story; their signatures are added by _index_stored_articles.
_MIGRATE_FROM_4 = f"""
{_DDL_5}
UPDATE articles SET story_id = article_id WHERE story_id IS NULL;
INSERT INTO stories
    SELECT article_id, coalesce(original_source, outlet), date, outlet, 1, list_value(outlet), original_source FROM articles
    ON CONFLICT DO NOTHING;
INSERT INTO mentions ({", ".join(_MENTION_COLUMNS)})
    SELECT e.event_id AS mention_id, e.event_id, a.story_id, a.date AS published,
           e.sentence_start < coalesce(nullif(strpos(a.content, chr(10) || chr(10)), 0) - 1, length(a.content)) AS in_lead,
           CASE e.modality {" ".join(f"WHEN '{m}' THEN {c}" for m, c in MODALITY_CONFIDENCE.items())} END AS confidence,
           {", ".join("coalesce(a.original_source, a.outlet) AS original_source" if c == "original_source" else "e." + c for c in _CODED_COLUMNS)}
    FROM events e JOIN articles a USING (article_id) ON CONFLICT DO NOTHING;
UPDATE events SET num_mentions = 1, num_articles = 1, num_sources = 1, first_seen = m.published,
    is_root_event = m.in_lead, confidence = round({SOURCE_WEIGHT} * m.confidence, 4)
    FROM mentions m WHERE m.mention_id = events.event_id;
UPDATE meta SET value = '5' WHERE key = 'schema_version';
"""
_MIGRATIONS = {"2": _MIGRATE_FROM_2, "3": _MIGRATE_FROM_3, "4": _MIGRATE_FROM_4}  # schema version -> the step to the next one


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
    with _WaitingReader(path, read_only) as waiting:
        while True:
            try:
                return duckdb.connect(path, read_only=read_only)
            except duckdb.IOException as err:
                if "lock" not in str(err).lower() or time.monotonic() >= deadline:
                    raise
                waiting.announce()
                time.sleep(0.05)


class _WaitingReader:
    """A reader waiting for the database holds a shared lock on DB.readers (taken at its first
    failed try, dropped once it is in), which a writer sees between writes (`readers_waiting`).
    Where no such file can be made, the reader waits unannounced (the writer lets go at its end)."""

    def __init__(self, path: str, read_only: bool):
        self.path, self.read_only = path, read_only
        self._fd: int | None = None

    def announce(self) -> None:
        if self._fd is not None or not self.read_only:
            return
        try:
            self._fd = os.open(_readers_path(self.path), os.O_RDONLY | os.O_CREAT, 0o644)
            fcntl.flock(self._fd, fcntl.LOCK_SH)
        except OSError:
            pass

    def __enter__(self) -> _WaitingReader:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def readers_waiting(path: str) -> bool:
    """Does a reader wait for this database? (its shared lock on DB.readers makes ours fail)"""
    try:
        fd = os.open(_readers_path(path), os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # drops our lock if we got it


def _readers_path(path: str) -> Path:
    return Path(path).with_name(Path(path).name + ".readers")


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
    article_id: str | None = None  # events this article reports (one of their mentions is in it)
    min_sources: int | None = None  # reported by at least this many independent sources
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
                con.execute(_DDL_5)
                con.execute("INSERT INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
        found = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        while found is not None and found[0] in _MIGRATIONS and not self.read_only:  # one step at a time
            with _translated(self.path):
                con.execute("BEGIN TRANSACTION")
                con.execute(_MIGRATIONS[found[0]])
                if found[0] == "4":
                    self._index_stored_articles()
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

    def release(self) -> None:
        """Let go of DuckDB's lock (it is taken again on the next use)."""
        if self._connection is not None:
            connection, self._connection = self._connection, None
            with _translated(self.path):
                connection.close()

    def let_readers_in(self) -> None:
        """Between writes: if a reader waits and this writer has held the database HOLD_SECONDS,
        let go of it until the reader is in (or READER_TURN_SECONDS have passed)."""
        if (self._connection is None or time.monotonic() - self._opened_at < HOLD_SECONDS
                or not readers_waiting(self.path)):
            return
        self.release()
        deadline = time.monotonic() + READER_TURN_SECONDS
        while readers_waiting(self.path) and time.monotonic() < deadline:
            time.sleep(0.01)

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
        """Store an article, its story and its mentions linked to events, atomically; False if
        it was already stored (so a re-ingest changes no counts)."""
        return self.add_batch([coded], coder_version)[0]

    def stored_ids(self, article_ids: Iterable[str]) -> set[str]:
        """Which of these articles are stored: one lookup for a whole batch."""
        ids = list(dict.fromkeys(article_ids))
        if not ids:
            return set()
        return {row[0] for row in self._rows(
            "SELECT article_id FROM articles WHERE article_id IN (SELECT unnest(?::VARCHAR[]))", [ids])}

    def add_batch(self, batch: list[CodedArticle], coder_version: str | None = None) -> list[bool]:
        """Store many articles in one transaction, as storing them one by one in order would
        (a later article of the batch may be a copy of an earlier one, or report its event), in
        a few statements for the whole batch: the index, stories and stored events are read
        once, the rest is worked out here and written back at the end. For each article, False
        if it was already stored (or came earlier in the batch)."""
        with self._transaction():
            stored = self.stored_ids(coded.article_id for coded in batch)
            added: list[bool] = []
            new: list[CodedArticle] = []
            for coded in batch:
                added.append(coded.article_id not in stored)
                if added[-1]:
                    stored.add(coded.article_id)
                    new.append(coded)
            if new:
                story_ids = self._file_stories([(coded.article_id, coded.fingerprint) for coded in new])
                now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None).isoformat()
                self._insert_columns("articles", _ARTICLE_COLUMNS, _ARTICLE_TYPES,
                                  [_article_row(coded, coder_version, now, story_id) for coded, story_id in zip(new, story_ids)])
                _MentionLinker(self).link(self._count_in_stories(new, story_ids))
        self.let_readers_in()
        return added

    def replace(self, coded: CodedArticle, coder_version: str) -> None:
        """Swap a stored article's mentions for freshly coded ones, atomically; the events they
        reported lose them (and go when no mention is left), the new ones are linked anew."""
        with self._transaction() as con:
            removed = [{"start": r.start, "end": r.end, "kind": r.kind} for r in coded.cleaned.removals]
            touched = [row[0] for row in con.execute(
                "DELETE FROM mentions WHERE article_id = ? RETURNING event_id", [coded.article_id]).fetchall()]
            self._resummarize(touched)
            con.execute(
                "UPDATE articles SET original_source = ?, dateline_place = ?, removed = ?, n_events = ?, "
                "coder_version = ? WHERE article_id = ?",
                [coded.cleaned.original_source, coded.cleaned.dateline_place, json.dumps(removed),
                 len(coded.events), coder_version, coded.article_id],
            )
            story_id, source = con.execute("SELECT story_id, original_source FROM stories WHERE story_id = "
                                           "(SELECT story_id FROM articles WHERE article_id = ?)", [coded.article_id]).fetchone()
            _MentionLinker(self).link([_Filed(coded, story_id, source, source_changed=False)])
        self.let_readers_in()

    # --- dedupe: stories and events (the rules are in diurna.dedupe; these read and write rows) ---

    def _file_stories(self, articles: list[tuple[str, Fingerprint | None]]) -> list[str]:
        """The stories of new articles, (article id, fingerprint) in order: a near-duplicate's,
        stored or earlier in the list, else the article's own. Adds their signatures and band
        keys to the persisted LSH index; reads it with two queries for the whole list."""
        sharing: dict[int, set[str]] = {}
        wanted = sorted({key for _, found in articles if found is not None for key in found.band_keys})
        for key, article_id in self._rows("SELECT band_key, article_id FROM story_bands WHERE band_key IN "
                                          "(SELECT unnest(?::BIGINT[]))", [wanted]) if wanted else []:
            sharing.setdefault(key, set()).add(article_id)
        indexed = sorted({article_id for found in sharing.values() for article_id in found})
        known = {article_id: (story_id, Signature.from_bytes(blob)) for article_id, story_id, blob in self._rows(
            "SELECT article_id, story_id, signature FROM story_signatures WHERE article_id IN (SELECT unnest(?::VARCHAR[]))",
            [indexed])} if indexed else {}
        story_ids: list[str] = []
        for article_id, found in articles:
            if found is None:
                story_ids.append(article_id)
                continue
            candidates = [known[other] for other in set().union(*(sharing.get(key, ()) for key in found.band_keys))]
            story_ids.append(STORIES.best_match(found.signature, candidates) or article_id)
            known[article_id] = (story_ids[-1], found.signature)
            for key in found.band_keys:
                sharing.setdefault(key, set()).add(article_id)
        filed = [(article_id, story_id, found) for (article_id, found), story_id in zip(articles, story_ids)
                 if found is not None]
        if filed:
            self.connection.execute("INSERT INTO story_signatures SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), "
                                    "unnest(?::BLOB[])", [[f[0] for f in filed], [f[1] for f in filed],
                                                          [f[2].signature.to_bytes() for f in filed]])
            self.connection.execute("INSERT INTO story_bands SELECT unnest(?::BIGINT[]), unnest(?::VARCHAR[])",
                                    [[key for f in filed for key in f[2].band_keys],
                                     [f[0] for f in filed for _ in f[2].band_keys]])
        return story_ids

    def _count_in_stories(self, batch: list[CodedArticle], story_ids: list[str]) -> list[_Filed]:
        """Count new articles in their stories, in order, and give each the story's original
        source as it stands after it: the first dateline's agency, else the earliest outlet.
        Reads and writes the stories once for the batch."""
        wanted = sorted(set(story_ids))
        stories = {row[0]: list(row[1:]) for row in self._rows(
            "SELECT story_id, original_source, first_published, first_outlet, num_articles, outlets, dateline_source "
            "FROM stories WHERE story_id IN (SELECT unnest(?::VARCHAR[]))", [wanted])}
        stored = set(stories)
        filed = []
        for coded, story_id in zip(batch, story_ids):
            a, dateline = coded.article, coded.cleaned.original_source
            found = stories.get(story_id)
            if found is None:
                stories[story_id] = [dateline or a.source, a.date, a.source, 1, [a.source] if a.source else [], dateline]
                filed.append(_Filed(coded, story_id, dateline or a.source, source_changed=False))
                continue
            before, first_published, first_outlet, num_articles, outlets, dateline_source = found
            if a.date < first_published:
                first_published, first_outlet = a.date, a.source
            dateline_source = dateline_source or dateline
            source = dateline_source or first_outlet
            outlets = sorted(set(outlets or []) | ({a.source} if a.source else set()))
            stories[story_id] = [source, first_published, first_outlet, num_articles + 1, outlets, dateline_source]
            filed.append(_Filed(coded, story_id, source, source_changed=source != before))
        rows = [dict(zip(_STORY_COLUMNS, [story_id, *values], strict=True)) for story_id, values in stories.items()]
        self._insert_columns("stories", _STORY_COLUMNS, _STORY_TYPES, [r for r in rows if r["story_id"] not in stored])
        changed = [r for r in rows if r["story_id"] in stored]
        if changed:
            self.connection.execute(
                f"UPDATE stories SET {', '.join(f'{c} = u.{c}' for c in _STORY_COLUMNS[1:])} FROM "
                "(SELECT unnest(from_json(?::JSON, ?), recursive := true)) u WHERE stories.story_id = u.story_id",
                [json.dumps(changed, default=str), _STORY_STRUCTURE])
        return filed

    def _follow_source(self, story_id: str, source: str | None) -> None:
        """A story's original source changed: its stored mentions and their events follow."""
        touched = [row[0] for row in self.connection.execute(
            "UPDATE mentions SET original_source = ? WHERE story_id = ? RETURNING event_id", [source, story_id]).fetchall()]
        self._resummarize(touched)

    def _insert_columns(self, table: str, columns: list[str], types: dict[str, str], rows: list[dict[str, Any]],
                        verb: str = "INSERT") -> None:
        """Insert rows (JSON values) with one list parameter per column, which DuckDB converts
        in C: ~3x cheaper than the same rows as one JSON text, ~1000x than executemany (which
        probes every value). JSON columns travel as their text."""
        if not rows:
            return
        json_columns = {c for c in columns if types.get(c) == "JSON"}
        values = [[_json_text(row[c]) for row in rows] if c in json_columns else [row[c] for row in rows] for c in columns]
        select = ", ".join(f"unnest(?::{'VARCHAR' if c in json_columns else types.get(c, 'VARCHAR')}[])" for c in columns)
        self.connection.execute(f"{verb} INTO {table} ({', '.join(columns)}) SELECT {select}", values)

    def _resummarize(self, event_ids: list[str]) -> None:
        """Rewrite these events from their mentions (and drop those that have none left)."""
        event_ids = sorted(set(event_ids))
        if not event_ids:
            return
        con = self.connection
        rows = self._dicts(f"SELECT {', '.join(_MENTION_COLUMNS)} FROM mentions WHERE event_id IN (SELECT unnest(?::VARCHAR[]))",
                           [event_ids])
        reports: dict[str, list[Report]] = {}
        for row in rows:
            reports.setdefault(row["event_id"], []).append(report_of(row))
        con.execute("DELETE FROM events WHERE event_id IN (SELECT unnest(?::VARCHAR[]))", [event_ids])
        self._insert_events([summarize(event_id, found) for event_id, found in reports.items()])

    def _index_stored_articles(self) -> None:
        """Signatures and band keys for articles stored before schema 5 (each stays its own story)."""
        from diurna.ingest.clean import clean

        for (article_id,) in self.connection.execute("SELECT article_id FROM articles ORDER BY date, article_id").fetchall():
            found = STORIES.fingerprint(cleaned_text(clean(self.article(article_id))))
            if found is not None:
                self.connection.execute("INSERT INTO story_signatures VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                                        [article_id, article_id, found.signature.to_bytes()])
                self.connection.execute("INSERT INTO story_bands SELECT unnest(?::BIGINT[]), ?",
                                        [list(found.band_keys), article_id])

    def mentions(self, event_id: str) -> list[Mention]:
        """The sentences that report an event, first published first."""
        return [Mention(**row) for row in self._dicts(
            f"SELECT {', '.join(Mention.model_fields)} FROM mentions WHERE event_id = ? "
            "ORDER BY published, article_id, sentence_start, trigger_start", [event_id])]

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

    def _insert_events(self, events: list[Event], verb: str = "INSERT OR REPLACE") -> None:
        """Write (or rewrite) events, a list parameter per column (see _insert_columns)."""
        self._insert_columns("events", _EVENT_COLUMNS, _SQL_TYPES, [e.model_dump(mode="json") for e in events], verb)

    def quarantine(self, rejection: Rejection) -> bool:
        """Keep a rejected record (once: the same record and reason is not added again)."""
        with _translated(self.path):
            cursor = self.connection.execute(
                "INSERT INTO rejections VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING rejection_id",
                [rejection_key(rejection), rejection.origin, rejection.record_id, rejection.reason,
                 rejection.excerpt, dt.datetime.now(dt.timezone.utc)],
            )
            added = cursor.fetchone() is not None
        self.let_readers_in()
        return added

    def rejections(self) -> list[dict[str, Any]]:
        return self._dicts("SELECT origin, record_id, reason, excerpt, rejected_at FROM rejections ORDER BY rejected_at", [])

    def counts(self) -> dict[str, int]:
        return {table: self._rows(f"SELECT count(*) FROM {table}", [])[0][0]
                for table in ("articles", "stories", "events", "mentions", "rejections")}

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
        return ", ".join(c if c in present else f"{_OLD_DEFAULTS.get(c, 'NULL')} AS {c}" for c in _EVENT_COLUMNS)

    def _dicts(self, sql: str, params: list) -> list[dict[str, Any]]:
        with _translated(self.path):
            cursor = self.connection.execute(sql, params)
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row)) for row in cursor.fetchall()]

    def _rows(self, sql: str, params: list) -> list[tuple]:
        """Run a query; a damaged file or a full disk comes out as a one-line StoreError."""
        with _translated(self.path):
            return self.connection.execute(sql, params).fetchall()


_ARTICLE_COLUMNS = ["article_id", "record_id", "content_hash", "date", "outlet", "original_source", "dateline_place",
                    "title", "url", "origin", "content", "removed", "extra", "n_events", "ingested_at", "coder_version",
                    "story_id"]
# removed and extra travel as JSON text (written by json.dumps, see _article_row)
_ARTICLE_TYPES = {"date": "DATE", "n_events": "INTEGER", "ingested_at": "TIMESTAMP"}
_ARTICLE_STRUCTURE = json.dumps([{c: _ARTICLE_TYPES.get(c, "VARCHAR") for c in _ARTICLE_COLUMNS}])


def _json_text(value: Any) -> str | None:
    """A JSON column's value as DuckDB writes JSON (compact), unless it is text already."""
    return value if value is None or isinstance(value, str) else json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def mention_row(report: Report, event_id: str, story_id: str, source: str | None) -> dict[str, Any]:
    """A mentions row (as JSON values): the coded sentence, linked to its event."""
    row = report.event.model_dump(mode="json", include=set(_CODED_COLUMNS))
    row.update(mention_id=report.event.event_id, event_id=event_id, story_id=story_id, published=report.published.isoformat(),
               in_lead=report.in_lead, confidence=report.confidence, original_source=source)
    return row


def report_of(row: dict[str, Any]) -> Report:
    """A stored mention as the merge sees it."""
    coded = {c: row[c] for c in _CODED_COLUMNS}
    coded["quantities"] = json.loads(coded["quantities"]) if coded["quantities"] else []
    return Report(Event(event_id=row["mention_id"], **coded), row["article_id"], row["published"],
                  row["original_source"] or row["story_id"], bool(row["in_lead"]))


_STORY_COLUMNS = ["story_id", "original_source", "first_published", "first_outlet", "num_articles", "outlets", "dateline_source"]
_STORY_TYPES = {"first_published": "DATE", "num_articles": "INTEGER", "outlets": "VARCHAR[]"}
_STORY_STRUCTURE = json.dumps([{"story_id": "VARCHAR", "original_source": "VARCHAR", "first_published": "DATE",
                                "first_outlet": "VARCHAR", "num_articles": "INTEGER", "outlets": ["VARCHAR"],
                                "dateline_source": "VARCHAR"}])


@dataclass(frozen=True)
class _Filed:
    """A new article in its story, with the story's original source once it is counted."""

    coded: CodedArticle
    story_id: str
    source: str | None
    source_changed: bool  # the story's source changed with this article: its stored mentions follow

    @property
    def source_key(self) -> str:
        """What counts as one independent source of its mentions (the story, lacking a source)."""
        return self.source or self.story_id


class _MentionLinker:
    """Links the mentions of a batch of articles to events, as linking them one article after
    the other would: the stored events and mentions any of them could meet are read with two
    queries; the events the batch makes or changes and the mentions it adds are kept here, seen
    by the later articles, and written at the end (or before a story's source changes, which
    rewrites stored mentions)."""

    def __init__(self, store: Store):
        self.store = store
        self.events: dict[str, Event] = {}  # candidates: as stored, or as the batch left them
        self.as_stored: dict[str, Event] = {}
        self.changed: set[str] = set()
        # event id -> (story, source, best confidence) of mentions reporting it, stored and new
        self.reported: dict[str, list[tuple[str, str, float]]] = {}
        self.rows: list[dict[str, Any]] = []
        self.loaded = False

    def link(self, batch: list[_Filed]) -> None:
        plans = [self._plan(filed) for filed in batch]
        for n, (filed, plan) in enumerate(zip(batch, plans)):
            if filed.source_changed:
                self._flush()
                self.store._follow_source(filed.story_id, filed.source)
                self.loaded = False
            if plan is None:
                continue
            if not self.loaded:
                self._load([(f, p) for f, p in zip(batch[n:], plans[n:]) if p is not None])
            self._link_one(filed, *plan)
        self._flush()

    @staticmethod
    def _plan(filed: _Filed) -> tuple[list[list[Report]], list[Event]] | None:
        """The article's mentions grouped by event within it, and each group's summary."""
        coded = filed.coded
        if not coded.events:
            return None
        lead = lead_end(coded.cleaned)
        reports = [Report(e.model_copy(update={"original_source": filed.source}), coded.article_id, coded.article.date,
                          filed.source_key, e.sentence_start < lead) for e in coded.events]
        groups = group_within(reports)
        return groups, [summarize(group[0].event.event_id, group) for group in groups]

    def _load(self, pending: list[tuple[_Filed, tuple[list[list[Report]], list[Event]]]]) -> None:
        """Read the stored events any of these articles may report (their dyads, within their
        dates' reach or reported by their stories) and the mentions of them by their stories
        or sources."""
        stories = sorted({f.story_id for f, _ in pending})
        sources = sorted({f.source_key for f, _ in pending})
        dyads = sorted({_dyad(e) for _, (_, summaries) in pending for e in summaries})
        starts, ends = zip(*(_reach(summaries) for _, (_, summaries) in pending))
        store = self.store
        mentions = store._rows(
            "SELECT event_id, story_id, coalesce(original_source, story_id), max(confidence) FROM mentions "
            "WHERE story_id IN (SELECT unnest(?::VARCHAR[])) OR coalesce(original_source, story_id) IN "
            "(SELECT unnest(?::VARCHAR[])) GROUP BY ALL", [stories, sources])
        rows = store._dicts(
            f"SELECT {', '.join('e.' + c for c in _EVENT_COLUMNS)} FROM events e "
            "WHERE coalesce(e.source_code, '') || '|' || coalesce(e.target_code, '') IN (SELECT unnest(?::VARCHAR[])) "
            "AND (e.event_date BETWEEN ? AND ? OR e.event_id IN (SELECT event_id FROM mentions "
            "WHERE story_id IN (SELECT unnest(?::VARCHAR[]))))", [dyads, min(starts), max(ends), stories])
        self.reported = {}
        for event_id, story_id, source, surest in mentions:
            self.reported.setdefault(event_id, []).append((story_id, source, surest))
        for row in rows:
            row["quantities"] = json.loads(row["quantities"]) if row["quantities"] else []
        self.events = {row["event_id"]: Event(**row) for row in rows}
        self.as_stored = dict(self.events)
        self.loaded = True

    def _candidates(self, summaries: list[Event], filed: _Filed) -> tuple[list[tuple[Event, bool]], dict[str, float]]:
        """The events an article's summaries may report, each with whether its story already
        reports it; and for those its source reports already, that source's surest mention."""
        dyads = {_dyad(e) for e in summaries}
        start, end = _reach(summaries)
        found, surest = [], {}
        for event in self.events.values():
            if _dyad(event) not in dyads:
                continue
            reports = self.reported.get(event.event_id, [])
            same_story = any(story_id == filed.story_id for story_id, _, _ in reports)
            if not (start <= event.event_date <= end or same_story):
                continue
            found.append((event, same_story))
            by_source = [sure for _, source, sure in reports if source == filed.source_key]
            if by_source:
                surest[event.event_id] = max(by_source)
        return found, surest

    def _link_one(self, filed: _Filed, groups: list[list[Report]], summaries: list[Event]) -> None:
        """Attach each group to a candidate it is compatible with (one its story already reports
        first), or make it a new event; count the mentions in without reading earlier ones."""
        stored, surest = self._candidates(summaries, filed)
        grown: dict[str, tuple[Event, list[Report]]] = {}
        for group, summary in zip(groups, summaries):
            match = _best_candidate(summary, stored)
            if match is None:
                self.events[summary.event_id] = summary
                self.changed.add(summary.event_id)
            else:
                grown.setdefault(match.event_id, (match, []))[1].extend(group)
            event_id = summary.event_id if match is None else match.event_id
            for report in group:
                self.rows.append(mention_row(report, event_id, filed.story_id, filed.source))
                self.reported.setdefault(event_id, []).append(
                    (filed.story_id, filed.source if filed.source is not None else filed.story_id, report.confidence))
        for event_id, (event, added) in grown.items():
            self.events[event_id] = with_reports(event, added, surest.get(event_id))
            self.changed.add(event_id)

    def _flush(self) -> None:
        """Write the mentions and events of the batch so far: new events and mentions (their ids
        are their articles', so nothing is there yet) as plain inserts, whole events where more
        than their counts changed, only the counts otherwise."""
        store = self.store
        store._insert_columns("mentions", _MENTION_COLUMNS, _SQL_TYPES, self.rows)
        changed = [self.events[event_id] for event_id in sorted(self.changed)]
        fresh = [e for e in changed if e.event_id not in self.as_stored]
        recounted = [e for e in changed if e.event_id in self.as_stored and _same_but_counts(self.as_stored[e.event_id], e)]
        rewritten = {e.event_id for e in changed} - {e.event_id for e in fresh} - {e.event_id for e in recounted}
        store._insert_events(fresh, verb="INSERT")
        store._insert_events([e for e in changed if e.event_id in rewritten])
        if recounted:
            store.connection.execute(
                f"UPDATE events SET {', '.join(f'{c} = u.{c}' for c in _EVENT_COUNTS)} FROM "
                "(SELECT unnest(from_json(?::JSON, ?), recursive := true)) u WHERE events.event_id = u.event_id",
                [json.dumps([e.model_dump(mode="json", include={"event_id", *_EVENT_COUNTS}) for e in recounted]),
                 _COUNTS_STRUCTURE])
        self.as_stored.update({e.event_id: e for e in changed})
        self.rows, self.changed = [], set()


def _dyad(event: Event) -> str:
    return f"{event.source_code or ''}|{event.target_code or ''}"


def _reach(summaries: list[Event]) -> tuple[dt.date, dt.date]:
    """The dates of stored events an article's events may be: a year before to a week after."""
    starts, ends = zip(*(period(e) for e in summaries))
    return min(starts) - dt.timedelta(days=367), max(ends) + dt.timedelta(days=7)


def _same_but_counts(old: Event, new: Event) -> bool:
    return all(getattr(old, c) == getattr(new, c) for c in _FIELDS_BUT_COUNTS)


def _best_candidate(summary: Event, stored: list[tuple[Event, bool]]) -> Event | None:
    """The stored event a group of mentions reports: a compatible one its story (a near-copy)
    already reports, else one of the story's with the same parties and kind of act, else the
    compatible one nearest in time (then the most reported)."""
    same_story = [e for e, ours in stored if ours]
    for pool in ([e for e in same_story if compatible(e, summary)],
                 [e for e in same_story if (e.source_code, e.target_code, family(e.cameo_code), e.modality)
                  == (summary.source_code, summary.target_code, family(summary.cameo_code), summary.modality)],
                 [e for e, _ in stored if compatible(e, summary)]):
        if pool:
            return min(pool, key=lambda e: (abs((e.event_date - summary.event_date).days), -e.num_mentions, e.event_id))
    return None


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
        clauses.append("event_id IN (SELECT event_id FROM mentions WHERE article_id = ?)")
        params.append(where.article_id)
    if where.min_sources:
        clauses.append("num_sources >= ?")
        params.append(where.min_sources)
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
    with _WaitingReader(path, read_only) as waiting:
        while True:
            try:
                with _translated(path):
                    return duckdb.connect(path, read_only=read_only)
            except _Locked as locked:
                if time.monotonic() >= deadline:
                    raise StoreError(f"{path} is held by another process (PID {locked.pid}) and did not come free "
                                     f"within {wait:.0f} s; try again when it has finished") from None
                waiting.announce()
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


def _article_row(coded: CodedArticle, coder_version: str | None, ingested_at: str,
                 story_id: str | None = None) -> dict[str, Any]:
    """An articles row as JSON values (n_events: its mentions); in Parquet shards, which hold no
    stories, each article is its own story."""
    a, c = coded.article, coded.cleaned
    return {"story_id": story_id or coded.article_id,
        "article_id": coded.article_id, "record_id": a.record_id, "content_hash": coded.content_hash,
        "date": a.date.isoformat(), "outlet": a.source, "original_source": c.original_source,
        "dateline_place": c.dateline_place, "title": a.title, "url": a.url, "origin": a.origin, "content": a.content,
        "removed": json.dumps([{"start": r.start, "end": r.end, "kind": r.kind} for r in c.removals]),
        "extra": json.dumps(a.extra, default=str), "n_events": len(coded.events), "ingested_at": ingested_at, "coder_version": coder_version,
    }
