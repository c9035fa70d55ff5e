"""Resolve stage (dates): DATE/TIME mentions to event dates with a precision.

dateparser does the parsing relative to the publication date; this module decides which
reading to keep. Rules: an event that occurred cannot postdate publication; a bare month-day
takes the reading nearest publication (so "December 30" in a January 2 article is the
previous year); a weekday is the one on or before publication for past events and after it
for planned ones; a year or month mention never gets an invented day (the date is the first
day of the period and `date_precision` says which part is known); weeks start on Monday.
"""
from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass

from dateparser.date import DateDataParser
from spacy.tokens import Doc, Span, Token

_RELATIVE_WORDS = frozenset({"overnight", "yesterday", "today", "tonight"})
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
# Mentions anchored on another event, not on publication ("one day before the meeting").
_ANCHORED = re.compile(r"\b(before|after|since|until|ago that|prior to|following)\b", re.I)
_NOISE = re.compile(r"\b(starting|started|from|in|on|at|by|as of|the|of|early|earlier|late|later|mid)\b", re.I)
# Nights run into the next day; a report of "overnight" or "last night" dates the evening before.
_NIGHT = re.compile(r"^\s*(overnight|last night|late last night|overnight \w+day)\s*$", re.I)
_MIDNIGHT = re.compile(r"\bmidnight\b", re.I)
_NOON = re.compile(r"\bnoon\b", re.I)
_NAMES_YEAR = re.compile(r"\b\d{4}\b|\byears?\b|\bdecades?\b", re.I)


@dataclass(frozen=True)
class EventDate:
    date: dt.date
    precision: str  # time | day | week | month | year
    time: str | None  # "HH:MM" when precision is time
    text: str  # the mention as written


class DateMentions:
    """A paragraph's DATE/TIME entities, indexed once, so that finding an event's date costs a
    bisection, not a pass over every entity of the paragraph (which made long paragraphs quadratic)."""

    def __init__(self, doc: Doc):
        # not durations: "have been fighting for three days" says how long, not when
        spans = [e for e in doc.ents if e.label_ in ("DATE", "TIME") and not _duration(e)]
        covered = {i for span in spans for i in range(span.start, span.end)}
        # relative words the model often leaves untagged ("shelled the town overnight")
        spans += [doc[t.i:t.i + 1] for t in doc if t.lower_ in _RELATIVE_WORDS and t.i not in covered]
        self.spans: list[Span] = sorted(spans, key=lambda s: s.root.i)
        self.roots = [span.root.i for span in self.spans]  # ascending, as entities are
        self.by_head: dict[int, list[int]] = defaultdict(list)
        for n, span in enumerate(self.spans):
            head = span.root.head
            if head.dep_ == "prep":  # "attacked ... on Wednesday": the date belongs to the verb
                head = head.head
            self.by_head[head.i].append(n)

    def within(self, scope: Token) -> list[str]:
        """Mentions inside `scope`'s subtree, neighbours such as "midnight on March 6" joined;
        not those of a clause inside it that tells another act ("offered to hand over two men
        suspected of blowing up a plane in 1988" was not offered in 1988)."""
        low = bisect_left(self.roots, scope.left_edge.i)
        high = bisect_right(self.roots, scope.right_edge.i)
        return _joined([span for span in self.spans[low:high] if not _in_other_clause(span.root, scope)])

    def around(self, trigger: Token) -> list[str]:
        """Dates of the clause that a temporal clause ties the trigger to, when it has none of its
        own: "promised to cut unemployment when he was elected two years ago" (the when-clause),
        "imposed a ban in 1989 after troops opened fire" (the main clause, for the firing)."""
        heads = [trigger] + [c for c in trigger.children if c.dep_ == "xcomp"]
        found = [text for head in heads for clause in head.children
                 if clause.dep_ == "advcl" and _temporal_mark(clause) in ("when", "as") for text in self.within(clause)]
        if trigger.dep_ == "advcl" and _temporal_mark(trigger) is not None:
            found += _joined([self.spans[n] for n in self.by_head.get(trigger.head.i, ())])
        return found

    def above(self, trigger: Token) -> list[str]:
        """Mentions hanging directly off a word above a noun trigger, up to its clause's verb
        ("were killed yesterday in a blast" for the trigger "blast"), nearest first. A verb
        trigger's own dates are inside its subtree; the verbs above it date other events."""
        found: list[str] = []
        node = trigger
        # "attacked a base on Wednesday, killing 7", "in 2000 caused chaos by blocking roads": a
        # participle of manner takes its main verb's date
        while (node.pos_ not in ("VERB", "AUX") or (node.tag_ == "VBG" and (
                node.dep_ == "advcl" or (node.dep_ == "pcomp" and node.head.lower_ == "by")))) and node.head.i != node.i:
            node = node.head
            found += _joined([self.spans[n] for n in self.by_head.get(node.i, ())])
        return found


_CLAUSE_DEPS = frozenset({"relcl", "acl", "advcl", "ccomp", "pcomp"})
_SPAN_UNITS = frozenset({"minute", "hour", "day", "night", "week", "month", "year", "decade", "century"})


def _duration(span: Span) -> bool:
    """A length of time: "for three days", "for more than a year", "within five years" (not
    "for Monday")."""
    head = span.root.head
    return head.dep_ == "prep" and head.lower_ in ("for", "within") and span.root.lemma_.lower() in _SPAN_UNITS


def _temporal_mark(clause: Token) -> str | None:
    return next((c.lower_ for c in clause.children if c.dep_ in ("mark", "advmod") and c.lower_ in _TEMPORAL_MARKS), None)


_TEMPORAL_MARKS = {"when", "as", "after", "before", "while", "until", "once"}


def _in_other_clause(token: Token, scope: Token) -> bool:
    """A verb clause between the mention and the scope, other than a participle on the scope
    itself ("a ceasefire starting from midnight on March 6")."""
    node = token
    while node.i != scope.i and node.head.i != node.i:
        if node.pos_ in ("VERB", "AUX") and node.dep_ in _CLAUSE_DEPS and not (node.head.i == scope.i and node.tag_ == "VBG"):
            return True
        node = node.head
    return False


def _joined(spans: list[Span]) -> list[str]:
    merged: list[str] = []
    previous: Span | None = None
    for span in spans:
        gap = span.doc[previous.end:span.start] if previous is not None else None
        if gap is not None and len(gap) <= 1 and all(t.lower_ in ("on", ",", "of", "at") for t in gap):
            merged[-1] = f"{merged[-1]} {gap.text} {span.text}"
        else:
            merged.append(span.text)
        previous = span
    return [" ".join(m.split()) for m in merged]


class DateResolver:
    def resolve(self, text: str, published: dt.date, planned: bool) -> EventDate | None:
        """Normalise one mention; None when it cannot be read or anchors on another event."""
        if _ANCHORED.search(text):
            return None
        whole = self._resolve(text, published, planned)
        if whole is not None or "," not in text:
            return whole
        parts = [p.strip() for p in text.split(",") if p.strip()]
        # "yesterday, Wednesday": the named day or date says more than the relative word
        parts.sort(key=lambda p: not (re.search(r"\d", p) or any(w in p.lower() for w in WEEKDAYS)))
        for part in parts:
            resolved = self._resolve(part, published, planned)
            if resolved is not None:
                return EventDate(resolved.date, resolved.precision, resolved.time, text)
        return None

    def _resolve(self, text: str, published: dt.date, planned: bool) -> EventDate | None:
        if _NIGHT.match(text) and not planned:
            return EventDate(published - dt.timedelta(days=1), "day", None, text)
        cleaned = _NOISE.sub(" ", _NOON.sub("12:00", _MIDNIGHT.sub("00:00", text)))
        cleaned = " ".join(cleaned.replace(",", " ").split())
        if not cleaned:
            return None
        weekday = _weekday(cleaned, published, planned)
        if weekday is not None:
            return EventDate(weekday, "day", None, text)
        base = dt.datetime.combine(published, dt.time(12, 0))
        readings = []
        for preference in ("past", "future"):
            data = DateDataParser(languages=["en"], settings={
                "PREFER_DATES_FROM": preference, "RETURN_TIME_AS_PERIOD": True, "RELATIVE_BASE": base,
            }).get_date_data(cleaned)
            if data.date_obj is not None:
                readings.append((data.date_obj, data.period or "day"))
        if not planned:  # what occurred cannot postdate its report
            readings = [r for r in readings if r[0].date() <= published]
        if not readings:
            return None
        when, period = min(readings, key=lambda r: abs((r[0].date() - published).days))
        if not planned and not _NAMES_YEAR.search(text) and (published - when.date()).days > 300:
            return None  # "March 6" in a March 5 report of a past event: a misreading, not last year
        return _normalise(when, period, text)


def _weekday(text: str, published: dt.date, planned: bool) -> dt.date | None:
    words = text.lower().split()
    if len(words) != 1 or words[0] not in WEEKDAYS:
        return None
    offset = (published.weekday() - WEEKDAYS.index(words[0])) % 7
    if planned:
        return published + dt.timedelta(days=(7 - offset) % 7 or 7)
    return published - dt.timedelta(days=offset)


def _normalise(when: dt.datetime, period: str, text: str) -> EventDate:
    day = when.date()
    if period == "year":
        return EventDate(dt.date(day.year, 1, 1), "year", None, text)
    if period == "month":
        return EventDate(day.replace(day=1), "month", None, text)
    if period == "week":
        return EventDate(day - dt.timedelta(days=day.weekday()), "week", None, text)
    if period == "time":
        return EventDate(day, "time", when.strftime("%H:%M"), text)
    return EventDate(day, "day", None, text)
