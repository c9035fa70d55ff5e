"""Read stage: turn files and folders into Articles, and anything unreadable into Rejections.

A bad record never stops the batch: it becomes a Rejection naming file and line, and the
caller decides what to do with it (the CLI quarantines it and exits non-zero at the end).
"""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any, Iterable, Iterator

from diurna.records import Article, Rejection

SUPPORTED_SUFFIXES = (".jsonl", ".ndjson", ".txt")
DEFAULT_MAX_CHARS = 500_000  # ~80k words; longer "articles" are dumps, not news
_TXT_HEADER = re.compile(r"\A\s*date\s+(?P<date>\d{4}-\d{2}-\d{2})(?:\s+(?P<source>[^\n]+?))?\s*\n")
_ISO_DATE = re.compile(r"\A(\d{4}-\d{2}-\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?\Z")
_KNOWN_FIELDS = {"id", "date", "source", "title", "content", "url"}


def read_paths(
    paths: Iterable[str | Path], *, default_date: dt.date | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> Iterator[Article | Rejection]:
    """Yield an Article or a Rejection for every record in the given files and folders."""
    for path in map(Path, paths):
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES)
            for file in files:
                yield from _read_file(file, default_date, max_chars)
        elif path.is_file():
            yield from _read_file(path, default_date, max_chars)
        else:
            yield Rejection(origin=str(path), reason="no such file or folder")


def _read_file(path: Path, default_date: dt.date | None, max_chars: int) -> Iterator[Article | Rejection]:
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        yield from _read_jsonl(path, default_date, max_chars)
    elif suffix == ".txt":
        yield _read_txt(path, default_date, max_chars)
    else:
        yield Rejection(origin=str(path), reason=f"unsupported file type {suffix!r} (use {', '.join(SUPPORTED_SUFFIXES)})")


def _read_jsonl(path: Path, default_date: dt.date | None, max_chars: int) -> Iterator[Article | Rejection]:
    with path.open("rb") as handle:
        for line_number, raw in enumerate(handle, start=1):
            origin = f"{path}:{line_number}"
            if not raw.strip():
                continue
            excerpt = raw[:200].decode("utf-8", errors="replace")
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as err:
                yield Rejection(origin=origin, reason=f"not valid UTF-8 (byte {err.start} of the line)", excerpt=excerpt)
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as err:
                yield Rejection(origin=origin, reason=f"malformed JSON: {err.msg} at column {err.colno}", excerpt=excerpt)
                continue
            if not isinstance(record, dict):
                yield Rejection(origin=origin, reason=f"expected a JSON object, got {type(record).__name__}", excerpt=excerpt)
                continue
            yield _article_from_record(record, origin, default_date, max_chars, excerpt)


def _read_txt(path: Path, default_date: dt.date | None, max_chars: int) -> Article | Rejection:
    origin = str(path)
    raw = path.read_bytes()
    excerpt = raw[:200].decode("utf-8", errors="replace")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        return Rejection(origin=origin, reason=f"not valid UTF-8 (byte {err.start})", excerpt=excerpt)
    record: dict[str, Any] = {"id": path.stem, "content": text}
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
    if "\x00" in content or _control_ratio(content) > 0.01:
        return reject("content looks binary (NUL or control characters)")
    date = _parse_date(record.get("date")) or default_date
    if date is None:
        shown = record.get("date")
        return reject("missing date" if shown in (None, "") else f"unreadable date {shown!r} (use YYYY-MM-DD)")
    for field in ("source", "title", "url"):
        if record.get(field) is not None and not isinstance(record[field], str):
            return reject(f"field {field!r} must be text")
    return Article(
        record_id=record_id or origin, date=date, source=record.get("source"), title=record.get("title"),
        content=content, url=record.get("url"), origin=origin,
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


def _control_ratio(text: str) -> float:
    sample = text[:10_000]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f")
    return controls / len(sample)
