"""Read-only queries behind the HTTP API: filtered, paged events and server-side aggregates.

Every query is parameterised; the only SQL built from request values are column names and
keywords chosen from fixed tables here. Columns are read by name (`SELECT *`), so columns a
later schema adds (num_sources, num_mentions) flow through without changes.
"""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Literal

import duckdb
import pycountry

from diurna.store.database import EventFilter, filter_clauses

MAX_PAGE = 1000
# Sortable columns are never NULL, so keyset paging compares plain values.
SORTABLE = ("event_date", "goldstein", "quad_class", "cameo_code", "modality", "article_id", "event_id")
# Rows that tie on the sort column keep reading order: article, sentence, trigger.
_TIEBREAK = ("article_id", "sentence_start", "trigger_start", "event_id")
QUAD_NAMES = {1: "verbal cooperation", 2: "material cooperation", 3: "verbal conflict", 4: "material conflict"}
Bucket = Literal["auto", "day", "week", "month", "year"]
_BUCKET_SQL = {"day": "day", "week": "week", "month": "month", "year": "year"}
_GROUP_SQL = {"quad_class": "CAST(quad_class AS VARCHAR)", "plover_type": "coalesce(plover_type, 'STATEMENT')"}


class QueryError(ValueError):
    """A request value the database cannot answer; `field` names the parameter."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Query:
    """The CLI's event filter plus what only the API offers."""

    where: EventFilter
    min_sources: int | None = None


def event_columns(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [d[0] for d in con.execute("SELECT * FROM events LIMIT 0").description]


def _where(con: duckdb.DuckDBPyConnection, query: Query) -> tuple[str, list[Any]]:
    clauses, params = filter_clauses(query.where)
    if query.min_sources is not None:
        if "num_sources" not in event_columns(con):
            raise QueryError("min_sources", "min_sources needs stories: this database has no num_sources column")
        clauses.append("num_sources >= ?")
        params.append(query.min_sources)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _dicts(cursor: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    """JSON-ready values: dates as ISO text, the quantities JSON column as a list."""
    out = {}
    for key, value in row.items():
        if isinstance(value, (dt.date, dt.datetime)):
            value = value.isoformat()
        elif key in ("quantities", "removed", "extra") and isinstance(value, str):
            value = json.loads(value)
        out[key] = value
    return out


@dataclass(frozen=True)
class Page:
    events: list[dict[str, Any]]
    total: int
    next_cursor: str | None
    columns: list[str]


def encode_cursor(values: list[Any]) -> str:
    text = json.dumps([v.isoformat() if isinstance(v, dt.date) else v for v in values])
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, width: int) -> list[Any]:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise QueryError("cursor", "not a cursor returned by this API") from None
    if not isinstance(values, list) or len(values) != width or not all(isinstance(v, (str, int, float)) for v in values):
        raise QueryError("cursor", "not a cursor for this sort order")
    return values


def events_page(con: duckdb.DuckDBPyConnection, query: Query, sort: str, limit: int,
                offset: int | None = None, cursor: str | None = None) -> Page:
    """One page of events; `cursor` (keyset) stays stable while an ingest adds rows, `offset` does not."""
    descending = sort.startswith("-")
    column = sort.lstrip("-")
    if column not in SORTABLE:
        raise QueryError("sort", f"sort by one of {', '.join(SORTABLE)} (prefix - for descending)")
    where, params = _where(con, query)
    total = con.execute(f"SELECT count(*) FROM events{where}", params).fetchone()[0]
    keys = [column] + [k for k in _TIEBREAK if k != column]
    directions = ["DESC" if descending else "ASC"] + ["ASC"] * (len(keys) - 1)
    page_params = list(params)
    if cursor is not None:
        after = decode_cursor(cursor, len(keys))
        alternatives = []
        for i, key in enumerate(keys):
            equal = [f"{k} = ?" for k in keys[:i]]
            compare = "<" if directions[i] == "DESC" else ">"
            alternatives.append("(" + " AND ".join(equal + [f"{key} {compare} ?"]) + ")")
            page_params.extend(after[:i] + [after[i]])
        where = (where + " AND " if where else " WHERE ") + "(" + " OR ".join(alternatives) + ")"
    order = ", ".join(f"{k} {d}" for k, d in zip(keys, directions))
    sql = f"SELECT * FROM events{where} ORDER BY {order} LIMIT ? OFFSET ?"
    cur = con.execute(sql, page_params + [limit + 1, offset or 0])
    rows = _dicts(cur)
    columns = [d[0] for d in cur.description]
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor([rows[-1][k] for k in keys]) if more and rows else None
    return Page([_plain(r) for r in rows], total, next_cursor, columns)


def event_detail(con: duckdb.DuckDBPyConnection, event_id: str) -> dict[str, Any] | None:
    rows = _dicts(con.execute("SELECT * FROM events WHERE event_id = ?", [event_id]))
    if not rows:
        return None
    event = _plain(rows[0])
    article = article_summary(con, event["article_id"])
    return {
        "event": event,
        "mentions": mentions(con, event_id),
        "evidence": {
            "sentence": event["sentence"],
            "sentence_start": event["sentence_start"],
            "sentence_end": event["sentence_end"],
            "highlights": highlights(event),
        },
        "article": article,
        "article_url": f"/api/articles/{event['article_id']}",
        "page_url": f"/?event={event_id}",
        "article_page_url": f"/?event={event_id}&show=article",  # the article text, trigger highlighted
    }


def highlights(event: dict[str, Any]) -> list[dict[str, Any]]:
    """Spans of the sentence (offsets relative to it) naming the trigger, actors, place and date.

    Only the trigger's offsets are stored; the other phrases are found in the sentence, the
    occurrence nearest the trigger winning, and left out when they overlap an earlier span.
    """
    sentence = event["sentence"]
    trigger_at = event["trigger_start"] - event["sentence_start"]
    spans = [{"role": "trigger", "start": trigger_at, "end": event["trigger_end"] - event["sentence_start"],
              "text": event["trigger"]}]
    for role, key in (("source", "source_text"), ("target", "target_text"), ("place", "place_text"), ("date", "date_text")):
        phrase = event.get(key)
        if not phrase:
            continue
        found = _occurrences(sentence, phrase)
        if not found:
            continue
        start = min(found, key=lambda i: abs(i - trigger_at))
        end = start + len(phrase)
        if any(start < s["end"] and s["start"] < end for s in spans):
            continue
        spans.append({"role": role, "start": start, "end": end, "text": phrase})
    return sorted(spans, key=lambda s: s["start"])


def _occurrences(text: str, phrase: str) -> list[int]:
    found, at = [], text.find(phrase)
    while at != -1:
        found.append(at)
        at = text.find(phrase, at + 1)
    return found


def article_summary(con: duckdb.DuckDBPyConnection, article_id: str) -> dict[str, Any] | None:
    rows = _dicts(con.execute("SELECT * EXCLUDE (content, removed) FROM articles WHERE article_id = ?", [article_id]))
    return _plain(rows[0]) if rows else None


def article(con: duckdb.DuckDBPyConnection, article_id: str) -> dict[str, Any] | None:
    """An article with the offsets of its events: one entry per sentence that reports one (a
    mention), with the event it reports; older databases without mentions list their events."""
    rows = _dicts(con.execute("SELECT * FROM articles WHERE article_id = ?", [article_id]))
    if not rows:
        return None
    found = _plain(rows[0])
    columns = ("trigger, trigger_start, trigger_end, sentence_start, sentence_end, cameo_code, cameo_name,"
               " plover_type, quad_class, source_code, target_code, modality, event_date")
    if _has_table(con, "mentions"):
        sql = (f"SELECT event_id, mention_id, {columns} FROM mentions WHERE article_id = ?"
               " ORDER BY sentence_start, trigger_start, mention_id")
    else:
        sql = f"SELECT event_id, {columns} FROM events WHERE article_id = ? ORDER BY sentence_start, trigger_start, event_id"
    found["events"] = [_plain(r) for r in _dicts(con.execute(sql, [article_id]))]
    return found


def mentions(con: duckdb.DuckDBPyConnection, event_id: str) -> list[dict[str, Any]]:
    """The sentences that report an event, first published first (none in older databases)."""
    if not _has_table(con, "mentions"):
        return []
    return [_plain(r) for r in _dicts(con.execute(
        "SELECT mention_id, article_id, record_id, story_id, published, outlet, original_source, url, sentence,"
        " sentence_start, sentence_end, trigger, trigger_start, trigger_end, cameo_code, modality, claimant_text,"
        " claimant_code, in_lead, confidence FROM mentions WHERE event_id = ?"
        " ORDER BY published, article_id, sentence_start, trigger_start", [event_id]))]


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]).fetchone()[0] > 0


def stats(con: duckdb.DuckDBPyConnection, query: Query, bucket: Bucket, by: str) -> dict[str, Any]:
    """Event counts per period and per quad class or PLOVER type, for a timeline."""
    where, params = _where(con, query)
    first, last, total = con.execute(f"SELECT min(event_date), max(event_date), count(*) FROM events{where}", params).fetchone()
    if bucket == "auto":
        span = (last - first).days if first else 0
        bucket = "day" if span <= 120 else "week" if span <= 3 * 365 else "month"
    group = _GROUP_SQL[by]
    rows = con.execute(
        f"SELECT date_trunc('{_BUCKET_SQL[bucket]}', event_date)::DATE AS period, {group} AS key, count(*) AS n,"
        f" sum(goldstein) AS goldstein FROM events{where} GROUP BY ALL ORDER BY period, key", params,
    ).fetchall()
    series = [{"period": p.isoformat(), "key": k, "count": n, "goldstein": round(g, 2)} for p, k, n, g in rows]
    keys = sorted({s["key"] for s in series})
    return {"bucket": bucket, "by": by, "total": total, "first": first.isoformat() if first else None,
            "last": last.isoformat() if last else None, "keys": keys, "series": series}


def actors(con: duckdb.DuckDBPyConnection, query: Query, limit: int) -> list[dict[str, Any]]:
    """Most frequent actor codes, counted as source and as target, with their most common wording."""
    where, params = _where(con, query)
    sql = f"""
        WITH filtered AS (SELECT * FROM events{where}),
        roles AS (
            SELECT source_code AS code, source_country AS country, source_text AS text, 1 AS as_source, 0 AS as_target
            FROM filtered WHERE source_code IS NOT NULL
            UNION ALL
            SELECT target_code, target_country, target_text, 0, 1 FROM filtered WHERE target_code IS NOT NULL
        )
        SELECT code, any_value(country) AS country, mode(text) AS example, count(*) AS events,
               sum(as_source) AS as_source, sum(as_target) AS as_target
        FROM roles GROUP BY code ORDER BY events DESC, code LIMIT ?"""
    return _dicts(con.execute(sql, params + [limit]))


def network(con: duckdb.DuckDBPyConnection, query: Query, limit: int) -> dict[str, Any]:
    """Weighted source -> target pairs: counts, cooperation/conflict balance, Goldstein sums."""
    where, params = _where(con, query)
    both = "source_code IS NOT NULL AND target_code IS NOT NULL"
    where_pairs = (where + " AND " + both) if where else " WHERE " + both
    sql = f"""
        SELECT source_code AS source, target_code AS target, count(*) AS events,
               count(*) FILTER (WHERE quad_class IN (1, 2)) AS cooperation,
               count(*) FILTER (WHERE quad_class IN (3, 4)) AS conflict,
               round(sum(goldstein), 2) AS goldstein_sum, round(avg(goldstein), 2) AS goldstein_mean
        FROM events{where_pairs} GROUP BY source_code, target_code
        ORDER BY events DESC, source, target LIMIT ?"""
    edges = _dicts(con.execute(sql, params + [limit]))
    for edge in edges:
        edge["balance"] = round((edge["cooperation"] - edge["conflict"]) / edge["events"], 3)
    weight: dict[str, int] = {}
    for edge in edges:
        for code in (edge["source"], edge["target"]):
            weight[code] = weight.get(code, 0) + edge["events"]
    nodes = [{"id": code, "events": n} for code, n in sorted(weight.items(), key=lambda kv: (-kv[1], kv[0]))]
    return {"nodes": nodes, "edges": edges}


def places(con: duckdb.DuckDBPyConnection, query: Query, limit: int) -> dict[str, Any]:
    """Map points (events grouped by coordinates) and, for country-precision events, counts per country."""
    where, params = _where(con, query)
    located = (where + " AND " if where else " WHERE ") + "latitude IS NOT NULL AND longitude IS NOT NULL"
    sql = f"""
        SELECT latitude, longitude, any_value(place_name) AS place_name, any_value(place_country) AS country,
               any_value(admin1) AS admin1, mode(geo_precision) AS geo_precision, count(*) AS events,
               count(*) FILTER (WHERE quad_class = 1) AS q1, count(*) FILTER (WHERE quad_class = 2) AS q2,
               count(*) FILTER (WHERE quad_class = 3) AS q3, count(*) FILTER (WHERE quad_class = 4) AS q4,
               mode(coalesce(plover_type, 'STATEMENT')) AS plover_type,
               count(*) FILTER (WHERE geo_precision = 'place') AS p_place,
               count(*) FILTER (WHERE geo_precision = 'admin1') AS p_admin1,
               count(*) FILTER (WHERE geo_precision = 'article') AS p_article
        FROM events{located} GROUP BY latitude, longitude ORDER BY events DESC LIMIT ?"""
    points = _dicts(con.execute(sql, params + [limit]))
    for point in points:
        counts = [point.pop(f"q{q}") for q in (1, 2, 3, 4)]
        point["quad_counts"] = counts
        point["quad_class"] = counts.index(max(counts)) + 1
        point["precision_counts"] = {p: point.pop(f"p_{p}") for p in ("place", "admin1", "article")}
    unlocated = (where + " AND " if where else " WHERE ") + "latitude IS NULL AND place_country IS NOT NULL"
    countries = [{"country": c, "numeric": _numeric(c), "events": n} for c, n in con.execute(
        f"SELECT place_country, count(*) FROM events{unlocated} GROUP BY place_country ORDER BY 2 DESC, 1", params
    ).fetchall()]
    unplaced = con.execute(f"SELECT count(*) FROM events{(where + ' AND ' if where else ' WHERE ')}place_country IS NULL",
                           params).fetchone()[0]
    return {"points": points, "countries": countries, "unplaced": unplaced}


def _numeric(alpha3: str) -> str | None:
    """ISO numeric code, which the world-atlas outlines use as feature ids."""
    country = pycountry.countries.get(alpha_3=alpha3)
    return country.numeric if country else None


def facets(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Values present in the database, to fill the page's filter menus."""
    def counted(column: str) -> list[dict[str, Any]]:
        return [{"value": v, "events": n} for v, n in con.execute(
            f"SELECT {column}, count(*) FROM events WHERE {column} IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1").fetchall()]

    first, last, total = con.execute("SELECT min(event_date), max(event_date), count(*) FROM events").fetchone()
    articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    return {"events": total, "articles": articles, "first": first.isoformat() if first else None,
            "last": last.isoformat() if last else None, "plover_type": counted("plover_type"),
            "country": counted("place_country"), "modality": counted("modality"),
            "columns": event_columns(con)}
