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

from diurna.dedupe.articles import Signature, StoryIndex, cleaned_text, lead_end
from diurna.dedupe.events import (MODALITY_CONFIDENCE, SOURCE_WEIGHT, Report, compatible, family, group_within, period,
                                  summarize, with_reports)
from diurna.records import Article, Event, Mention, Rejection

if TYPE_CHECKING:
    from diurna.pipeline import CodedArticle

SCHEMA_VERSION = 5  # 3: coder version per article, keyed rejections; 4: injured_low/high/text; 5: stories, mentions
HOLD_SECONDS = 2.0  # a writer releases DuckDB's lock this often, so readers get a turn (a release costs ~0.1 s)
READER_WAIT_SECONDS = 15.0
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

_EVENT_STRUCTURE = json.dumps([{c: _SQL_TYPES.get(c, "VARCHAR") for c in _EVENT_COLUMNS}])
_COUNTS_STRUCTURE = json.dumps([{c: _SQL_TYPES.get(c, "VARCHAR") for c in ("event_id", *_EVENT_COUNTS)}])
_MENTION_STRUCTURE = json.dumps([{c: _SQL_TYPES.get(c, "VARCHAR") for c in _MENTION_COLUMNS}])
STORIES = StoryIndex()
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
        """Store an article, its story and its mentions linked to events, atomically; False if
        it was already stored (so a re-ingest changes no counts)."""
        with self._transaction() as con:
            if self.has_article(coded.article_id):
                return False
            story_id = self._story_for(coded.article_id, cleaned_text(coded.cleaned))
            con.execute(f"INSERT INTO articles ({', '.join(_ARTICLE_COLUMNS)}) VALUES ({', '.join('?' * len(_ARTICLE_COLUMNS))})",
                        article_row(coded, coder_version, story_id))
            source = self._count_in_story(story_id, coded)
            self._link_mentions(coded, story_id, source)
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
        """Store many articles in one transaction with one lookup; each goes through its story
        and has its mentions linked to events in turn (a later article of the batch may report
        an event of an earlier one). For each article, False if it was already stored (or came
        earlier in the batch)."""
        with self._transaction() as con:
            stored = self.stored_ids(coded.article_id for coded in batch)
            added: list[bool] = []
            for coded in batch:
                added.append(coded.article_id not in stored)
                if not added[-1]:
                    continue
                stored.add(coded.article_id)
                story_id = self._story_for(coded.article_id, cleaned_text(coded.cleaned))
                con.execute(f"INSERT INTO articles ({', '.join(_ARTICLE_COLUMNS)}) VALUES ({', '.join('?' * len(_ARTICLE_COLUMNS))})",
                            article_row(coded, coder_version, story_id))
                self._link_mentions(coded, story_id, self._count_in_story(story_id, coded))
        self.release(HOLD_SECONDS)
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
            self._link_mentions(coded, story_id, source)
        self.release(HOLD_SECONDS)

    # --- dedupe: stories and events (the rules are in diurna.dedupe; these read and write rows) ---

    def _story_for(self, article_id: str, text: str) -> str:
        """The story of a new article: the stored near-duplicate's, else its own. Adds the
        article's signature and band keys to the persisted LSH index."""
        signature = STORIES.signature(text)
        if signature is None:
            return article_id
        keys = STORIES.band_keys(signature)
        con = self.connection
        # two point lookups (both tables indexed); one joined query would scan every signature
        sharing = [row[0] for row in con.execute(
            f"SELECT DISTINCT article_id FROM story_bands WHERE band_key IN ({', '.join('?' * len(keys))})", keys).fetchall()]
        candidates = [(story, Signature.from_bytes(blob)) for story, blob in con.execute(
            f"SELECT story_id, signature FROM story_signatures WHERE article_id IN ({', '.join('?' * len(sharing))})",
            sharing).fetchall()] if sharing else []
        story_id = STORIES.best_match(signature, candidates) or article_id
        con.execute("INSERT INTO story_signatures VALUES (?, ?, ?)", [article_id, story_id, signature.to_bytes()])
        con.execute("INSERT INTO story_bands SELECT unnest(?::BIGINT[]), ?", [keys, article_id])
        return story_id

    def _count_in_story(self, story_id: str, coded: CodedArticle) -> str | None:
        """Count a new article in its story and return the story's original source: the first
        dateline's agency, else the earliest outlet. When that changes (an earlier copy, a copy
        with a dateline), the story's mentions and their events follow."""
        a, dateline = coded.article, coded.cleaned.original_source
        con = self.connection
        found = con.execute("SELECT original_source, first_published, first_outlet, outlets, dateline_source "
                            "FROM stories WHERE story_id = ?", [story_id]).fetchone()
        if found is None:
            con.execute("INSERT INTO stories VALUES (?, ?, ?, ?, 1, ?, ?)",
                        [story_id, dateline or a.source, a.date, a.source, [a.source] if a.source else [], dateline])
            return dateline or a.source
        before, first_published, first_outlet, outlets, dateline_source = found
        if a.date < first_published:
            first_published, first_outlet = a.date, a.source
        dateline_source = dateline_source or dateline
        source = dateline_source or first_outlet
        outlets = sorted(set(outlets or []) | ({a.source} if a.source else set()))
        con.execute("UPDATE stories SET original_source = ?, first_published = ?, first_outlet = ?, "
                    "num_articles = num_articles + 1, outlets = ?, dateline_source = ? WHERE story_id = ?",
                    [source, first_published, first_outlet, outlets, dateline_source, story_id])
        if source != before:
            touched = [row[0] for row in con.execute(
                "UPDATE mentions SET original_source = ? WHERE story_id = ? RETURNING event_id", [source, story_id]).fetchall()]
            self._resummarize(touched)
        return source

    def _link_mentions(self, coded: CodedArticle, story_id: str, source: str | None) -> None:
        """Group the article's mentions into events, attach each group to a stored event it
        is compatible with (one its story already reports first), store the mentions, and
        update the events' counts without reading their earlier mentions again."""
        if not coded.events:
            return
        lead = lead_end(coded.cleaned)
        key = source or story_id
        reports = [Report(e.model_copy(update={"original_source": source}), coded.article_id, coded.article.date, key,
                          e.sentence_start < lead) for e in coded.events]
        groups = group_within(reports)
        summaries = [summarize(group[0].event.event_id, group) for group in groups]
        stored, surest = self._candidates(summaries, story_id, key)
        fresh: list[Event] = []
        grown: dict[str, tuple[Event, list[Report]]] = {}
        rows = []
        for group, summary in zip(groups, summaries):
            match = _best_candidate(summary, stored)
            if match is None:
                fresh.append(summary)
            else:
                grown.setdefault(match.event_id, (match, []))[1].extend(group)
            event_id = summary.event_id if match is None else match.event_id
            rows += [mention_row(report, event_id, story_id, source) for report in group]
        self.connection.execute(
            f"INSERT INTO mentions ({', '.join(_MENTION_COLUMNS)}) SELECT {', '.join(_MENTION_COLUMNS)} "
            "FROM (SELECT unnest(from_json(?::JSON, ?), recursive := true)) ON CONFLICT DO NOTHING",
            [json.dumps(rows), _MENTION_STRUCTURE])
        updated = [(event, with_reports(event, added, surest.get(event_id))) for event_id, (event, added) in grown.items()]
        recounted = [new for old, new in updated if _same_but_counts(old, new)]
        self._insert_events(fresh + [new for old, new in updated if not _same_but_counts(old, new)])
        if recounted:  # most often only the counts change: a narrow update is cheaper than a rewrite
            self.connection.execute(
                f"UPDATE events SET {', '.join(f'{c} = u.{c}' for c in _EVENT_COUNTS)} FROM "
                "(SELECT unnest(from_json(?::JSON, ?), recursive := true)) u WHERE events.event_id = u.event_id",
                [json.dumps([e.model_dump(mode="json", include={"event_id", *_EVENT_COUNTS}) for e in recounted]),
                 _COUNTS_STRUCTURE])

    def _candidates(self, summaries: list[Event], story_id: str, source: str
                    ) -> tuple[list[tuple[Event, bool]], dict[str, float]]:
        """Stored events that might be the ones these summaries report, each with whether the
        same story (a near-copy of this text) already reports it; and for those that `source`
        reports already, its surest mention's confidence."""
        dyads = sorted({f"{e.source_code or ''}|{e.target_code or ''}" for e in summaries})
        starts, ends = zip(*(period(e) for e in summaries))
        rows = self._dicts(
            "WITH ours AS (SELECT event_id, bool_or(story_id = ?) AS same_story, "
            "max(confidence) FILTER (WHERE coalesce(original_source, story_id) = ?) AS source_surest "
            "FROM mentions WHERE story_id = ? OR coalesce(original_source, story_id) = ? GROUP BY event_id) "
            f"SELECT {', '.join('e.' + c for c in _EVENT_COLUMNS)}, coalesce(o.same_story, false) AS same_story, "
            "o.source_surest FROM events e LEFT JOIN ours o ON o.event_id = e.event_id "
            "WHERE coalesce(e.source_code, '') || '|' || coalesce(e.target_code, '') IN (SELECT unnest(?::VARCHAR[])) "
            "AND (e.event_date BETWEEN ? AND ? OR o.same_story)",
            [story_id, source, story_id, source, dyads, min(starts) - dt.timedelta(days=367), max(ends) + dt.timedelta(days=7)])
        found, surest = [], {}
        for row in rows:
            same_story = row.pop("same_story")
            if (source_surest := row.pop("source_surest")) is not None:
                surest[row["event_id"]] = source_surest
            row["quantities"] = json.loads(row["quantities"]) if row["quantities"] else []
            found.append((Event(**row), bool(same_story)))
        return found, surest

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
            signature = STORIES.signature(cleaned_text(clean(self.article(article_id))))
            if signature is not None:
                self.connection.execute("INSERT INTO story_signatures VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                                        [article_id, article_id, signature.to_bytes()])
                self.connection.execute("INSERT INTO story_bands SELECT unnest(?::BIGINT[]), ?",
                                        [STORIES.band_keys(signature), article_id])

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

    def _insert_events(self, events: list[Event]) -> None:
        """Write (or rewrite) events as one JSON parameter: DuckDB's per-value conversion of
        Python objects (executemany) costs ~9 ms per event; this costs ~10 µs."""
        if not events:
            return
        rows = json.dumps([e.model_dump(mode="json") for e in events])
        self.connection.execute(
            f"INSERT OR REPLACE INTO events ({', '.join(_EVENT_COLUMNS)}) "
            f"SELECT {', '.join(_EVENT_COLUMNS)} FROM (SELECT unnest(from_json(?::JSON, ?), recursive := true))",
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
# removed and extra travel as JSON text (for the Parquet shards, written by json.dumps as `article_row` writes them)
_ARTICLE_TYPES = {"date": "DATE", "n_events": "INTEGER", "ingested_at": "TIMESTAMP"}
_ARTICLE_STRUCTURE = json.dumps([{c: _ARTICLE_TYPES.get(c, "VARCHAR") for c in _ARTICLE_COLUMNS}])


def article_row(coded: CodedArticle, coder_version: str | None, story_id: str) -> list[Any]:
    """The articles row of a coded article, in _ARTICLE_COLUMNS order (n_events: its mentions)."""
    a, c = coded.article, coded.cleaned
    removed = [{"start": r.start, "end": r.end, "kind": r.kind} for r in c.removals]
    return [coded.article_id, a.record_id, coded.content_hash, a.date, a.source, c.original_source,
            c.dateline_place, a.title, a.url, a.origin, a.content, json.dumps(removed),
            json.dumps(a.extra, default=str), len(coded.events), dt.datetime.now(dt.timezone.utc),
            coder_version, story_id]


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
    """An articles row as JSON values, for Parquet shards (no stories there: each article is its own)."""
    a, c = coded.article, coded.cleaned
    return {"story_id": coded.article_id,
        "article_id": coded.article_id, "record_id": a.record_id, "content_hash": coded.content_hash,
        "date": a.date.isoformat(), "outlet": a.source, "original_source": c.original_source,
        "dateline_place": c.dateline_place, "title": a.title, "url": a.url, "origin": a.origin, "content": a.content,
        "removed": json.dumps([{"start": r.start, "end": r.end, "kind": r.kind} for r in c.removals]),
        "extra": json.dumps(a.extra, default=str), "n_events": len(coded.events), "ingested_at": ingested_at, "coder_version": coder_version,
    }
