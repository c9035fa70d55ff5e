"""Read stage: turn files and folders into Articles, and anything unreadable into Rejections.

A bad record never stops the batch: it becomes a Rejection naming file and line, and the
caller decides what to do with it (the CLI quarantines it and exits non-zero at the end).
"""
from __future__ import annotations

import codecs
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from diurna.ingest.feeds import feed_records
from diurna.ingest.fields import FieldMap
from diurna.ingest.html import html_record
from diurna.ingest.sources import READ_ERRORS, URL_TIMEOUT_SECONDS, InputFile, describe_error, expand_inputs
from diurna.records import Article, Rejection
from diurna.sanitize import blank_controls, count_controls, strip_markup, web_url

HTML_SUFFIXES = (".html", ".htm")
FEED_SUFFIXES = (".xml", ".rss", ".atom")
SUPPORTED_SUFFIXES = (".jsonl", ".ndjson", ".txt", *HTML_SUFFIXES, *FEED_SUFFIXES)
DEFAULT_MAX_CHARS = 500_000  # ~80k words; longer "articles" are dumps, not news
_TXT_HEADER = re.compile(r"\A\s*date\s+(?P<date>\d{4}-\d{2}-\d{2})(?:\s+(?P<source>[^\n]+?))?\s*\n")
_ISO_DATE = re.compile(r"\A(\d{4}-\d{2}-\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?\Z")
_KNOWN_FIELDS = {"id", "date", "source", "title", "content", "url"}
_BINARY_CONTROL_SHARE = 0.1  # more control characters than this (of the first 10k) is not text


def read_paths(
    paths: Iterable[str | Path], *, default_date: dt.date | None = None,
    max_chars: int = DEFAULT_MAX_CHARS, fields: FieldMap | None = None, url_timeout: float = URL_TIMEOUT_SECONDS,
) -> Iterator[Article | Rejection]:
    """Yield an Article or a Rejection for every record in the given files, folders, bundles,
    URLs and `-` (stdin); see ingest/sources.py for how those become input files."""
    for item in expand_inputs(paths, timeout=url_timeout):
        if isinstance(item, Rejection):
            yield item
            continue
        try:
            yield from _read_file(item, default_date, max_chars, fields or FieldMap())
        except READ_ERRORS as err:  # a corrupt or truncated stream: what was read before it stands
            yield Rejection(origin=str(item), reason=f"unreadable input: {describe_error(err)}")


def _read_file(
    path: Path | InputFile, default_date: dt.date | None, max_chars: int, fields: FieldMap,
) -> Iterator[Article | Rejection]:
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        yield from _read_jsonl(path, default_date, max_chars, fields)
    elif suffix == ".txt":
        yield _read_txt(path, default_date, max_chars)
    elif suffix in HTML_SUFFIXES:
        yield from _read_markup(path, default_date, max_chars, html_record)
    elif suffix in FEED_SUFFIXES:
        yield from _read_markup(path, default_date, max_chars, feed_records)
    else:
        yield Rejection(origin=str(path), reason=f"unsupported file type {suffix!r} (use {', '.join(SUPPORTED_SUFFIXES)})")


def _read_markup(path: Path | InputFile, default_date: dt.date | None, max_chars: int, extract) -> Iterator[Article | Rejection]:
    """HTML pages and feeds: the extractor gives JSONL-shaped records (or a reason for none),
    checked here like any JSONL record; a feed's items are origin `FILE:itemN`."""
    raw = path.read_bytes()
    excerpt = _excerpt(raw)
    found = extract(raw, path.name)
    if isinstance(found, str):
        yield Rejection(origin=str(path), reason=found, excerpt=excerpt)
        return
    if isinstance(found, dict):
        yield _article_from_record(found, str(path), default_date, max_chars, excerpt)
        return
    for record in found:
        origin = f"{path}:item{record['item']}"
        yield _article_from_record(record, origin, default_date, max_chars, blank_controls(str(record.get("content", ""))[:200]))


def _read_jsonl(
    path: Path | InputFile, default_date: dt.date | None, max_chars: int, fields: FieldMap,
) -> Iterator[Article | Rejection]:
    try:
        handle = path.open("rb")
    except OSError as err:
        yield Rejection(origin=str(path), reason=f"cannot read the file ({err.strerror or err})")
        return
    with handle:
        for line_number, raw in enumerate(handle, start=1):
            if line_number == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8):]
            if not raw.strip():
                continue
            yield _guarded(_jsonl_record, raw, f"{path}:{line_number}", default_date, max_chars, fields)


def _guarded(read: Callable[..., Article | Rejection], raw: bytes, origin: str, *args: Any) -> Article | Rejection:
    """Whatever goes wrong with one record (even RecursionError) rejects that record only."""
    try:
        return read(raw, origin, *args)
    except RecursionError:
        return Rejection(origin=origin, reason="record nested too deeply", excerpt=_excerpt(raw))
    except Exception as err:  # noqa: BLE001 - a bad record must never stop the batch
        return Rejection(origin=origin, reason=f"unreadable record ({type(err).__name__}: {err})"[:300],
                         excerpt=_excerpt(raw))


def _excerpt(raw: bytes) -> str:
    return blank_controls(raw[:200].decode("utf-8", errors="replace"))


def _jsonl_record(raw: bytes, origin: str, default_date: dt.date | None, max_chars: int,
                  fields: FieldMap) -> Article | Rejection:
    excerpt = _excerpt(raw)
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        return Rejection(origin=origin, reason=f"not valid UTF-8 (byte {err.start} of the line)", excerpt=excerpt)
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        return Rejection(origin=origin, reason=f"malformed JSON: {err.msg} at column {err.colno}", excerpt=excerpt)
    if not isinstance(record, dict):
        return Rejection(origin=origin, reason=f"expected a JSON object, got {type(record).__name__}", excerpt=excerpt)
    return _article_from_record(fields.apply(record), origin, default_date, max_chars, excerpt)


def _read_txt(path: Path | InputFile, default_date: dt.date | None, max_chars: int) -> Article | Rejection:
    try:
        raw = path.read_bytes()
    except OSError as err:
        return Rejection(origin=str(path), reason=f"cannot read the file ({err.strerror or err})")
    return _guarded(_txt_record, raw, str(path), path.stem, default_date, max_chars)


def _txt_record(raw: bytes, origin: str, stem: str, default_date: dt.date | None, max_chars: int) -> Article | Rejection:
    excerpt = _excerpt(raw)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        return Rejection(origin=origin, reason=f"not valid UTF-8 (byte {err.start})", excerpt=excerpt)
    record: dict[str, Any] = {"id": stem, "content": text}
    header = _TXT_HEADER.match(text)
    if header:
        record.update(content=text[header.end():], date=header.group("date"), source=header.group("source"))
    return _article_from_record(record, origin, default_date, max_chars, excerpt)


def article_from_record(record: dict[str, Any], origin: str, default_date: dt.date | None = None,
                        max_chars: int = DEFAULT_MAX_CHARS) -> Article | Rejection:
    """Validate one record given as a dict (as `diurna serve` receives it), with the file readers' rules."""
    return _article_from_record(record, origin, default_date, max_chars, excerpt="")


def _article_from_record(
    record: dict[str, Any], origin: str, default_date: dt.date | None, max_chars: int, excerpt: str,
) -> Article | Rejection:
    record_id = record.get("id")
    record_id = None if record_id is None else str(record_id)

    def reject(reason: str) -> Rejection:
        return Rejection(origin=origin, record_id=record_id, reason=reason, excerpt=excerpt)

    content = record.get("content")
    if not isinstance(content, str):
        return reject("missing or non-text 'content'")
    if not content.strip():
        return reject("empty article content")
    if len(content) > max_chars:
        return reject(f"article too large ({len(content):,} characters; the limit is {max_chars:,})")
    sample = content[:10_000]
    if count_controls(sample) > _BINARY_CONTROL_SHARE * len(sample):
        return reject("content looks binary (mostly control characters)")
    date = _parse_date(record.get("date")) or default_date
    if date is None:
        shown = record.get("date")
        return reject("missing date" if shown in (None, "") else f"unreadable date {shown!r} (use YYYY-MM-DD)")
    for field in ("source", "title", "url"):
        if record.get(field) is not None and not isinstance(record[field], str):
            return reject(f"field {field!r} must be text")
    # Control characters become spaces (same length, so offsets into the stored content stay
    # true); outlet and title lose markup; only http(s) links are kept.
    return Article(
        record_id=blank_controls(record_id or origin), date=date, source=_plain(record.get("source")),
        title=_plain(record.get("title")), content=blank_controls(content), url=web_url(record.get("url")), origin=origin,
        extra={k: v for k, v in record.items() if k not in _KNOWN_FIELDS},
    )


def _parse_date(value: Any) -> dt.date | None:
    if not isinstance(value, str):
        return None
    match = _ISO_DATE.match(value.strip())
    if not match:
        return None
    try:
        return dt.date.fromisoformat(match.group(1))
    except ValueError:
        return None


def _plain(text: str | None) -> str | None:
    if text is None:
        return None
    return " ".join(strip_markup(blank_controls(text)).split()) or None
