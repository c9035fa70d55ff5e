"""HTTP API and web page over a diurna database (FastAPI).

The database is opened read-only for each request and closed after it, so an ingest can take
the write lock between requests; new events show on the next request. Errors are JSON with a
message; bad parameters are 422 naming the field; unknown ids are 404.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any, Iterator, Literal

import duckdb
from fastapi import Depends, FastAPI, HTTPException, Query as Param, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from diurna.ingest.read import article_from_record
from diurna.records import Rejection
from diurna.serve import queries
from diurna.serve.assets import STATIC_DIR, vendor_path
from diurna.serve.queries import MAX_PAGE, Query, QueryError
from diurna.store.database import EventFilter, connect

CODE_MAX_CHARS = 100_000  # coding is synchronous: ~100k characters take a few seconds on one core
_CODE_MAX_BODY = 8 * CODE_MAX_CHARS  # bytes of JSON (escapes and multi-byte characters included)
_LOCK_WAIT_SECONDS = 2.0
_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
_CODE = r"^[A-Za-z]{1,24}$"
Modality = Literal["occurred", "claimed", "planned", "negated", "hypothetical"]


class CodeRequest(BaseModel):
    text: str = Field(description=f"article text (at most {CODE_MAX_CHARS:,} characters)")
    date: str | None = Field(None, description="publication date, YYYY-MM-DD")
    source: str | None = Field(None, description="outlet")


def create_app(db_path: str | Path, lock_wait_seconds: float = _LOCK_WAIT_SECONDS) -> FastAPI:
    """The app for one database file, which must exist; a request that meets an ingest's write
    lock waits up to `lock_wait_seconds` for it, then gets a 503."""
    db = str(db_path)
    if not Path(db).is_file():
        raise FileNotFoundError(f"no database at {db}; create one with `diurna ingest FILES --db {db}`")
    _check_database(db)
    app = FastAPI(title="diurna", version="0.1.0", docs_url=None, redoc_url=None,
                  description="Coded political events (CAMEO, PLOVER) stored by `diurna ingest`.")

    def database() -> Iterator[duckdb.DuckDBPyConnection]:
        try:
            con = connect(db, read_only=True, wait_seconds=lock_wait_seconds)
        except duckdb.IOException as err:
            raise HTTPException(503, f"the database is busy (an ingest holds it); retry shortly ({err})") from None
        try:
            yield con
        finally:
            con.close()

    _install_error_handlers(app)
    _install_headers(app)
    _add_api(app, database)
    _add_page(app)
    return app


def _check_database(db: str) -> None:
    """Refuse a file that is not a diurna database (unless an ingest holds it right now)."""
    try:
        con = connect(db, read_only=True, wait_seconds=0)
    except duckdb.IOException as err:
        if "lock" in str(err).lower():
            return  # being written: requests will wait for the writer or answer 503
        raise ValueError(f"{db} cannot be opened as a DuckDB database ({err})") from None
    except duckdb.Error as err:
        raise ValueError(f"{db} cannot be opened as a DuckDB database ({err})") from None
    try:
        tables = {row[0] for row in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    finally:
        con.close()
    if not {"articles", "events"} <= tables:
        raise ValueError(f"{db} is not a diurna database (no articles and events tables)")


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"field": str(e["loc"][-1]) if e["loc"] else None, "message": e["msg"]} for e in exc.errors()]
        first = errors[0] if errors else {"field": None, "message": "invalid request"}
        return JSONResponse({"error": "invalid parameter", "field": first["field"],
                             "message": f"{first['field']}: {first['message']}", "errors": errors}, status_code=422)

    @app.exception_handler(QueryError)
    async def bad_query(request: Request, exc: QueryError) -> JSONResponse:
        return JSONResponse({"error": "invalid parameter", "field": exc.field, "message": f"{exc.field}: {exc}",
                             "errors": [{"field": exc.field, "message": str(exc)}]}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        names = {404: "not found", 405: "method not allowed", 413: "too large", 503: "unavailable"}
        return JSONResponse({"error": names.get(exc.status_code, "error"), "message": str(exc.detail)},
                            status_code=exc.status_code)


def _install_headers(app: FastAPI) -> None:
    @app.middleware("http")
    async def guard(request: Request, call_next):
        if request.url.path == "/api/code" and int(request.headers.get("content-length") or 0) > _CODE_MAX_BODY:
            return JSONResponse({"error": "too large", "message": f"request body over {_CODE_MAX_BODY:,} bytes; "
                                 f"post at most {CODE_MAX_CHARS:,} characters of text"}, status_code=413)
        response = await call_next(request)
        response.headers["X-Content-Type-Options"] = "nosniff"
        if request.url.path != "/docs":  # Swagger UI's page carries an inline script
            response.headers["Content-Security-Policy"] = _CSP
        return response


def _filters(
    actor: str | None = Param(None, pattern=_CODE, description="source or target: country, organisation or code prefix"),
    source: str | None = Param(None, pattern=_CODE, description="like actor, source only"),
    target: str | None = Param(None, pattern=_CODE, description="like actor, target only"),
    type: str | None = Param(None, pattern=r"^[A-Za-z_]{1,24}$", description="PLOVER type (ASSAULT, AGREE, ...)"),
    cameo: str | None = Param(None, pattern=r"^\d{1,4}$", description="CAMEO code prefix (19, 057)"),
    modality: Modality | None = None,
    since: dt.date | None = Param(None, description="event date from (YYYY-MM-DD)"),
    until: dt.date | None = Param(None, description="event date to, inclusive"),
    country: str | None = Param(None, pattern=r"^[A-Za-z]{3}$", description="where it happened (ISO-3)"),
    admin1: str | None = Param(None, max_length=100, description="first-level subdivision (Idlib)"),
    bbox: str | None = Param(None, description="min_lon,min_lat,max_lon,max_lat"),
    min_sources: int | None = Param(None, ge=1, description="events reported by at least this many sources "
                                                              "(databases with stories only)"),
) -> Query:
    box = _bbox(bbox) if bbox else None
    if since and until and since > until:
        raise QueryError("until", "until is before since")
    return Query(EventFilter(actor=actor, source=source, target=target, plover_type=type, cameo=cameo,
                             modality=modality, country=country, admin1=admin1, bbox=box, since=since, until=until),
                 min_sources=min_sources)


def _bbox(value: str) -> tuple[float, float, float, float]:
    try:
        parts = [float(p) for p in value.split(",")]
    except ValueError:
        parts = []
    if len(parts) != 4 or not (-180 <= parts[0] <= parts[2] <= 180 and -90 <= parts[1] <= parts[3] <= 90):
        raise QueryError("bbox", "four numbers min_lon,min_lat,max_lon,max_lat with min <= max, in degrees")
    return parts[0], parts[1], parts[2], parts[3]


def _add_api(app: FastAPI, database) -> None:
    @app.get("/api/events", summary="Events matching filters, paged (cursor or offset), as JSON, CSV or GeoJSON")
    def list_events(
        query: Query = Depends(_filters),
        sort: str = Param("event_date", description=f"one of {', '.join(queries.SORTABLE)}; prefix - for descending"),
        limit: int = Param(100, ge=1, le=MAX_PAGE, description=f"page size (at most {MAX_PAGE})"),
        offset: int | None = Param(None, ge=0, le=1_000_000),
        cursor: str | None = Param(None, max_length=2000, description="next_cursor of the previous page"),
        format: Literal["json", "csv", "geojson"] = "json",
        con: duckdb.DuckDBPyConnection = Depends(database),
    ) -> Response:
        if offset is not None and cursor is not None:
            raise QueryError("cursor", "give cursor or offset, not both")
        page = queries.events_page(con, query, sort, limit, offset=offset, cursor=cursor)
        if format == "csv":
            return Response(_csv(page), media_type="text/csv; charset=utf-8",
                            headers={"X-Total-Count": str(page.total), **({"X-Next-Cursor": page.next_cursor}
                                                                          if page.next_cursor else {})})
        if format == "geojson":
            return JSONResponse(_geojson(page), media_type="application/geo+json")
        return JSONResponse({"total": page.total, "limit": limit, "offset": offset or 0,
                             "next_cursor": page.next_cursor, "events": page.events})

    @app.get("/api/events/{event_id}", summary="One event with its evidence, highlights and article metadata")
    def get_event(event_id: str, con: duckdb.DuckDBPyConnection = Depends(database)) -> dict[str, Any]:
        found = queries.event_detail(con, event_id)
        if found is None:
            raise HTTPException(404, f"no event with id {event_id!r}")
        return found

    @app.get("/api/articles/{article_id}", summary="One article: metadata, text and its events' offsets")
    def get_article(article_id: str, con: duckdb.DuckDBPyConnection = Depends(database)) -> dict[str, Any]:
        found = queries.article(con, article_id)
        if found is None:
            raise HTTPException(404, f"no article with id {article_id!r}")
        return found

    @app.get("/api/stats", summary="Event counts per day/week/month and per quad class or PLOVER type")
    def get_stats(query: Query = Depends(_filters), bucket: queries.Bucket = "auto",
                  by: Literal["quad_class", "plover_type"] = "quad_class",
                  con: duckdb.DuckDBPyConnection = Depends(database)) -> dict[str, Any]:
        return queries.stats(con, query, bucket, by)

    @app.get("/api/actors", summary="Top actors with their counts as source and target")
    def get_actors(query: Query = Depends(_filters), limit: int = Param(50, ge=1, le=MAX_PAGE),
                   con: duckdb.DuckDBPyConnection = Depends(database)) -> dict[str, Any]:
        return {"actors": queries.actors(con, query, limit)}

    @app.get("/api/network", summary="Weighted source -> target pairs with cooperation/conflict balance")
    def get_network(query: Query = Depends(_filters), limit: int = Param(60, ge=1, le=MAX_PAGE),
                    con: duckdb.DuckDBPyConnection = Depends(database)) -> dict[str, Any]:
        return queries.network(con, query, limit)

    @app.get("/api/places", summary="Map points: events grouped by coordinates; country-level counts")
    def get_places(query: Query = Depends(_filters), limit: int = Param(2000, ge=1, le=10_000),
                   con: duckdb.DuckDBPyConnection = Depends(database)) -> dict[str, Any]:
        return queries.places(con, query, limit)

    @app.get("/api/facets", summary="Totals and the values present, for filter menus")
    def get_facets(con: duckdb.DuckDBPyConnection = Depends(database)) -> dict[str, Any]:
        return queries.facets(con)

    @app.post("/api/code", summary="Code a posted text; nothing is stored")
    def post_code(body: CodeRequest) -> dict[str, Any]:
        return _code(body)


def _code(body: CodeRequest) -> dict[str, Any]:
    """The CLI's validation (same messages), then the pipeline; too long is 413, other rejections 422."""
    from diurna import get_coder

    record = {"id": "posted", "content": body.text, "date": body.date, "source": body.source}
    checked = article_from_record(record, origin="<api>", max_chars=CODE_MAX_CHARS)
    if isinstance(checked, Rejection):
        if len(body.text) > CODE_MAX_CHARS:
            raise HTTPException(413, checked.reason)
        field = "date" if "date" in checked.reason else "source" if "'source'" in checked.reason else "text"
        raise QueryError(field, checked.reason)
    events = [e.model_dump(mode="json") for coded in get_coder().code([checked]) for e in coded.events]
    return {"events": events, "count": len(events)}


def _csv(page: queries.Page) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=page.columns, lineterminator="\n")
    writer.writeheader()
    for event in page.events:
        writer.writerow({k: json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v
                         for k, v in event.items()})
    return out.getvalue()


def _geojson(page: queries.Page) -> dict[str, Any]:
    features = []
    for event in page.events:
        located = event.get("latitude") is not None and event.get("longitude") is not None
        features.append({"type": "Feature", "id": event["event_id"],
                         "geometry": {"type": "Point", "coordinates": [event["longitude"], event["latitude"]]}
                         if located else None,
                         "properties": event})
    return {"type": "FeatureCollection", "features": features, "total": page.total, "next_cursor": page.next_cursor}


def _add_page(app: FastAPI) -> None:
    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html")

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> FileResponse:
        path = STATIC_DIR / name
        if "/" in name or name.startswith(".") or not path.is_file():
            raise HTTPException(404, f"no static file {name!r}")
        return FileResponse(path)

    @app.get("/vendor/{name}", include_in_schema=False)
    def vendor(name: str) -> FileResponse:
        path = vendor_path(name)
        if path is None or not path.is_file():
            raise HTTPException(404, f"no library file {name!r} (install them: make, or npm ci in src/diurna/serve)")
        return FileResponse(path)

    @app.get("/docs", include_in_schema=False)
    def docs() -> Response:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="diurna API",
                                   swagger_js_url="/vendor/swagger-ui-bundle.js",
                                   swagger_css_url="/vendor/swagger-ui.css",
                                   swagger_favicon_url="/vendor/favicon-32x32.png",
                                   swagger_ui_parameters={"validatorUrl": None})
