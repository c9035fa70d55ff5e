"""Clean stage: strip scraping boilerplate and markup, split paragraphs, normalise whitespace.

Scraped copy also carries HTML character references ("Aleppo&#8217;s", "J&amp;K"), decoded here
(never to "<" or ">", which would make markup of text), and the Arabic article split from its
name by a transliteration tool ("in al- Mayadin", "Jabal al- Akrad"), joined again ("al-Mayadin")
so that the name is one word for the parser and the gazetteer.

Everything removed is recorded with its span and kind, and every kept character can be mapped
back to its offset in the original content, so evidence offsets always point into the input.
"""
from __future__ import annotations

import bisect
import html
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
# A character reference: numeric ("&#8217;", "&#x2019;") or named ("&amp;"); a numeric one may
# lack its semicolon, as HTML allows (a headline cut at "Aleppo&#8217").
_CHARREF = re.compile(r"&(?:#[0-9]{1,7};?|#[xX][0-9a-fA-F]{1,6};?|[A-Za-z][A-Za-z0-9]{1,30};)")
_KEPT_AS_TEXT = frozenset("<>")
# The Arabic article written apart from the name it belongs to ("al- Mayadin", "as- Suwayda").
_SPLIT_ARTICLE = re.compile(r"(?:[Aa]l|[Ee]l|[Aa][nrstdz]|[Aa]sh|[Uu][dl])-")


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
    # offsets in `text` of characters decoded from a character reference, each with the
    # original offset where its reference ends
    decoded: tuple[tuple[int, int], ...] = ()

    def to_original(self, offset: int) -> int:
        piece = bisect.bisect_right(self.breaks, offset) - 1
        return self.origins[piece] + (offset - self.breaks[piece])

    def span_to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map [start, end) in cleaned text to [start, end) in the original content."""
        last = max(start, end - 1)
        for offset, original_end in self.decoded:
            if offset == last:
                return self.to_original(start), original_end
        return self.to_original(start), self.to_original(last) + 1


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
    decoded: list[tuple[int, int]] = []
    length = 0
    pending_space = False
    for kept_start, kept_end in _subtract(start, end, removals):
        if pieces:
            pending_space = True  # a removed span separates words
        for token in _TOKENS.finditer(content, kept_start, kept_end):
            if token.group().isspace():
                pending_space = bool(pieces)
                continue
            if pending_space and not (_SPLIT_ARTICLE.fullmatch(pieces[-1]) and token.group()[:1].isupper()):
                pieces.append(" ")
                length += 1
            pending_space = False
            for text, origin, original_end in _decoded(token.group(), token.start()):
                # a new linear piece starts wherever the offset shift changes
                if not breaks or origins[-1] + (length - breaks[-1]) != origin:
                    breaks.append(length)
                    origins.append(origin)
                if original_end is not None:
                    decoded.append((length, original_end))
                pieces.append(text)
                length += len(text)
    if not pieces:
        return None
    return Paragraph("".join(pieces), tuple(breaks), tuple(origins), tuple(decoded))


def _decoded(token: str, start: int) -> list[tuple[str, int, int | None]]:
    """The token's text in pieces, each with its offset in the original content, its character
    references decoded: a decoded reference is a piece of its own, with the original offset
    where the reference ends (else None)."""
    if "&" not in token:
        return [(token, start, None)]
    pieces, cursor = [], 0
    for ref in _CHARREF.finditer(token):
        char = html.unescape(ref.group())
        if char == ref.group() or len(char) != 1 or char in _KEPT_AS_TEXT or char == "\ufffd" or not char.isprintable():
            continue
        if ref.start() > cursor:
            pieces.append((token[cursor:ref.start()], start + cursor, None))
        pieces.append((char, start + ref.start(), start + ref.end()))
        cursor = ref.end()
    if cursor < len(token):
        pieces.append((token[cursor:], start + cursor, None))
    return pieces


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
