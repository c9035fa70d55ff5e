"""Clean stage: strip scraping boilerplate and markup, split paragraphs, normalise whitespace.

Everything removed is recorded with its span and kind, and every kept character can be mapped
back to its offset in the original content, so evidence offsets always point into the input.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from diurna.records import Article
from diurna.sanitize import HTML_BLOCK, HTML_TAG

# "RT/Moscow; ..." or "AFP/Paris: ..." at the very start: original source / dateline place.
_SLASH_DATELINE = re.compile(r"\A\s*(?P<source>[A-Z][A-Za-z.&]{1,15})/(?P<place>[A-Z][\w .'’-]{1,40}?)\s*[;:]\s+")
# "MOSCOW, March 5 (Reuters) - ...", "DAMASCUS (AP) — ...", "MAIDUGURI, Nigeria (AP) — ..."
_WIRE_DATELINE = re.compile(
    r"\A\s*(?P<place>[A-Z][A-Z .'’-]{2,40}?)(?P<country>,\s*[A-Z][a-z][A-Za-z .'’-]{1,30}?)??"
    r"(?:,\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2})?\s*"
    r"\((?P<source>[A-Za-z .]{2,30})\)\s*[-–—]+\s*"
)
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n\s*")
# An embedded tweet: a pic.twitter.com link, or the "— Name (@handle) Month D, YYYY" signature.
_EMBED = re.compile(r"pic\.twitter\.com/\w+|[—–-]\s*[^\n()]{1,60}\(@\w{1,30}\)\s+[A-Z][a-z]+\s+\d{1,2},\s+\d{4}")
# Link-bait lines that news sites inject between paragraphs.
_LINK_LINE = re.compile(r"\A\s*(?:READ MORE|ALSO ON|RELATED|SEE ALSO|WATCH|MORE ON|RECOMMENDED)\b")
# A footnote that explains an asterisked name ("al-Nusra*" ... "*Jabhat al-Nusra is ...").
_FOOTNOTE_MARK = re.compile(r"\w\*")
_FOOTNOTE = re.compile(r"(?:(?<=[.!?”\"])\s+|\A)\*(?=[A-Z])[^\n]*\Z")
_TOKENS = re.compile(r"\s+|\S+")


@dataclass(frozen=True)
class Removal:
    start: int
    end: int
    kind: str  # dateline | embed | link | footnote | markup
    text: str


@dataclass(frozen=True)
class Paragraph:
    """Cleaned text of one paragraph with a piecewise map back to the original content."""

    text: str
    breaks: tuple[int, ...]  # offsets in `text` where a new linear piece starts
    origins: tuple[int, ...]  # original offset of each piece's first character

    def to_original(self, offset: int) -> int:
        piece = bisect.bisect_right(self.breaks, offset) - 1
        return self.origins[piece] + (offset - self.breaks[piece])

    def span_to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map [start, end) in cleaned text to [start, end) in the original content."""
        return self.to_original(start), self.to_original(max(start, end - 1)) + 1


@dataclass(frozen=True)
class CleanArticle:
    article: Article
    paragraphs: tuple[Paragraph, ...]
    removals: tuple[Removal, ...]
    original_source: str | None  # e.g. "RT" from an "RT/Moscow;" dateline
    dateline_place: str | None


def clean(article: Article) -> CleanArticle:
    content = article.content
    removals: list[Removal] = []
    original_source = dateline_place = None

    for block in HTML_BLOCK.finditer(content):
        removals.append(Removal(block.start(), block.end(), "markup", block.group()))
    for tag in HTML_TAG.finditer(content):
        if not any(r.start <= tag.start() < r.end for r in removals):
            removals.append(Removal(tag.start(), tag.end(), "markup", tag.group()))

    dateline = _SLASH_DATELINE.match(content) or _WIRE_DATELINE.match(content)
    if dateline:
        original_source = dateline.group("source").strip()
        place = dateline.group("place").strip()
        dateline_place = place.title() if place.isupper() else place  # "MOSCOW" -> "Moscow"
        if dateline.groupdict().get("country"):  # "MAIDUGURI, Nigeria": the country qualifies the town
            dateline_place += dateline.group("country").rstrip()
        removals.append(Removal(dateline.start(), dateline.end(), "dateline", dateline.group()))

    has_footnote_mark = bool(_FOOTNOTE_MARK.search(content))
    for start, end in _paragraph_spans(content):
        text = content[start:end]
        if _EMBED.search(text):
            removals.append(Removal(start, end, "embed", text))
        elif _LINK_LINE.match(text):
            removals.append(Removal(start, end, "link", text))
        elif has_footnote_mark and (note := _FOOTNOTE.search(text)):
            removals.append(Removal(start + note.start(), end, "footnote", note.group()))

    removals.sort(key=lambda r: r.start)
    paragraphs = tuple(
        p for start, end in _paragraph_spans(content)
        if (p := _build_paragraph(content, start, end, removals)) is not None
    )
    return CleanArticle(article, paragraphs, tuple(removals), original_source, dateline_place)


def _paragraph_spans(content: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for brk in _PARAGRAPH_BREAK.finditer(content):
        spans.append((start, brk.start()))
        start = brk.end()
    spans.append((start, len(content)))
    return [(s, e) for s, e in spans if content[s:e].strip()]


def _build_paragraph(content: str, start: int, end: int, removals: list[Removal]) -> Paragraph | None:
    """Keep what no removal covers, collapsing every whitespace run (and every gap) to one space."""
    pieces: list[str] = []
    breaks: list[int] = []
    origins: list[int] = []
    length = 0
    pending_space = False
    for kept_start, kept_end in _subtract(start, end, removals):
        if pieces:
            pending_space = True  # a removed span separates words
        for token in _TOKENS.finditer(content, kept_start, kept_end):
            if token.group().isspace():
                pending_space = bool(pieces)
                continue
            if pending_space:
                pieces.append(" ")
                length += 1
                pending_space = False
            # a new linear piece starts wherever the offset shift changes
            if not breaks or origins[-1] + (length - breaks[-1]) != token.start():
                breaks.append(length)
                origins.append(token.start())
            pieces.append(token.group())
            length += len(token.group())
    if not pieces:
        return None
    return Paragraph("".join(pieces), tuple(breaks), tuple(origins))


def _subtract(start: int, end: int, removals: list[Removal]) -> list[tuple[int, int]]:
    kept, cursor = [], start
    for removal in removals:
        if removal.end <= cursor or removal.start >= end:
            continue
        if removal.start > cursor:
            kept.append((cursor, removal.start))
        cursor = max(cursor, removal.end)
    if cursor < end:
        kept.append((cursor, end))
    return kept
