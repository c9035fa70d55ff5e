"""Read HTML news pages: main text, title, date, author, outlet and canonical URL, found by
trafilatura (article and content containers, JSON-LD, OpenGraph and meta tags), with
navigation, menus, teasers, comments and footers left out.

A page whose main text is too short to be an article (a section front, a cookie wall, a
truncated download) is rejected with that reason instead of being coded as news.
"""
from __future__ import annotations

from typing import Any

import trafilatura

MIN_ARTICLE_WORDS = 20  # below this a "page" is a teaser list or an error page, not a story


def html_record(data: bytes, name: str) -> dict[str, Any] | str:
    """The page as an input record (the JSONL fields), or the reason it holds no article."""
    try:
        found = trafilatura.bare_extraction(data, with_metadata=True, favor_precision=True,
                                            include_comments=False, include_tables=False)
    except Exception as err:  # lxml and trafilatura on mangled markup: the page is rejected, never the batch
        return f"unparseable HTML ({type(err).__name__}: {err})"
    text = _paragraphs(found.text if found is not None else "", found.title if found is not None else None)
    words = len(text.split())
    if found is None or words < MIN_ARTICLE_WORDS:
        return (f"no article text on the page ({words} words left after removing navigation and boilerplate; "
                f"at least {MIN_ARTICLE_WORDS} needed)")
    extra = {key: value for key, value in (("author", found.author), ("description", found.description),
                                           ("hostname", found.hostname), ("format", "html")) if value}
    return {"id": found.url or name, "date": found.date, "source": found.sitename or found.hostname,
            "title": found.title, "content": text, "url": found.url, **extra}


def _paragraphs(text: str, title: str | None) -> str:
    """One blank line between paragraphs, as the clean stage expects; the headline, which
    trafilatura repeats as the first line, is kept in `title` only."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if lines and title and lines[0] == title.strip():
        lines = lines[1:]
    return "\n\n".join(lines)
