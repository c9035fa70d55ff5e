"""Read RSS and Atom feeds with feedparser: each item is an article.

An item's full text (`content:encoded`, Atom `content`) is used when the feed carries it;
otherwise its summary, and the article's extra field `text_kind` says which ("full" or
"summary") so that analyses can leave out summary-only items. Item HTML is turned into
plain paragraphs here, because the feed is the only place that knows the text is markup.
"""
from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

import feedparser
import lxml.etree
import lxml.html

_BLOCKS = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "section",
           "article", "figure", "figcaption", "table", "tr", "pre"}


def feed_records(data: bytes, name: str) -> list[dict[str, Any]] | str:
    """One input record (the JSONL fields) per feed item, or why the feed gives none."""
    try:
        parsed = feedparser.parse(data)
    except Exception as err:  # feedparser's lenient parser still raises on some input (a surrogate &#xD800;)
        return f"not a readable RSS/Atom feed ({type(err).__name__}: {err})"
    if not parsed.entries:
        if parsed.bozo and not parsed.feed:
            return f"not a readable RSS/Atom feed ({_reason(parsed.bozo_exception)})"
        return "feed has no items"
    outlet = parsed.feed.get("title") or None
    records = []
    for number, entry in enumerate(parsed.entries, start=1):
        full = [c for c in entry.get("content", []) if c.get("value")]
        html, kind = (full[0]["value"], "full") if full else (entry.get("summary", ""), "summary")
        record: dict[str, Any] = {
            "id": entry.get("id") or entry.get("link") or f"{name}#item{number}",
            "date": _iso_date(entry.get("published_parsed") or entry.get("updated_parsed")),
            "source": outlet, "title": entry.get("title"), "content": html_to_text(html),
            "url": entry.get("link"), "text_kind": kind, "format": "feed", "item": number,
        }
        if entry.get("author"):
            record["author"] = entry["author"]
        records.append(record)
    return records


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment, one blank line between blocks, scripts and styles dropped."""
    if "<" not in fragment:
        return fragment.strip()
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return fragment.strip()
    for bad in root.xpath("//script|//style"):
        bad.drop_tree()
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.lower() in _BLOCKS:
            element.tail = "\n\n" + (element.tail or "")
    paragraphs = (" ".join(part.split()) for part in root.text_content().split("\n\n"))
    return "\n\n".join(p for p in paragraphs if p)


def _iso_date(parsed: Any) -> str | None:
    """feedparser gives UTC struct_times; the record date is that UTC day."""
    if not parsed:
        return None
    return dt.datetime.fromtimestamp(calendar.timegm(parsed), tz=dt.timezone.utc).date().isoformat()


def _reason(err: Any) -> str:
    text = str(getattr(err, "getMessage", lambda: err)()) if err else "unknown error"
    return text.splitlines()[0] if text else type(err).__name__
