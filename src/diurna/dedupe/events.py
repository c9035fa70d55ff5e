"""Dedupe stage (events): many sentences report one real-world event; merge them.

The coder yields one `Event` per reporting sentence: a mention. Mentions with the same source
and target codes, the same CAMEO root (or an act that is part of a listed occasion), compatible
places and dates within a window are one event. The event keeps the evidence of the first report that gives its code,
the most precise date and place and the most specific code among its mentions, and counts its
mentions, articles and independent sources (GDELT's NumMentions, NumArticles, NumSources).

The same rule merges within an article (the sample's summit, reported in four sentences) and
across articles (the store offers the stored events near a group as candidates).
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Iterable

from diurna.records import Event

DAY_WINDOW = 1  # days two precisely dated reports of one event may differ by
NEAR_KM = 5.0  # two points this close are one place (a town and a quarter of it); towns 10 km apart are two
# How sure one sentence is, by what it says happened. A claim keeps its claimant on the mention.
MODALITY_CONFIDENCE = {"occurred": 1.0, "claimed": 0.6, "planned": 0.5, "negated": 0.3, "hypothetical": 0.2}
SOURCE_WEIGHT = 0.6  # what one independent source's sure report is worth; each further one adds
# Acts reported as part of an occasion: the agreement signed at talks is a report of the talks
# ("coming to an agreement", "agreed a document during the talks"). Code prefix -> occasion root.
OCCASIONS = {"057": "04"}
# Modalities that may report the same act: a claim and a fact of one attack are one event; a
# plan or a denial is another thing than the act.
_MODALITY_GROUP = {"occurred": "real", "claimed": "real", "planned": "planned", "negated": "negated",
                   "hypothetical": "hypothetical"}
_DATE_RANK = {"time": 0, "day": 1, "article": 2, "week": 3, "month": 4, "year": 5}
_PLACE_RANK = {"place": 0, "admin1": 1, "country": 2, "article": 3}
_VERBAL_QUADS = (1, 3)  # verbal cooperation and conflict: talks, statements, accusations


@dataclass(frozen=True)
class Report:
    """A mention with what the merge needs to know about the article it comes from."""

    event: Event  # as coded: event_id is the mention's own id
    article_id: str
    published: dt.date
    source: str  # the story's original source (or, lacking one, the story): one per independent report
    in_lead: bool

    @property
    def confidence(self) -> float:
        return MODALITY_CONFIDENCE[self.event.modality]


def family(code: str) -> str:
    """The CAMEO root an act is merged under (its occasion's root when it has one)."""
    for prefix, root in OCCASIONS.items():
        if code.startswith(prefix):
            return root
    return code[:2]


def compatible(a: Event, b: Event, window: int = DAY_WINDOW) -> bool:
    """Could `a` and `b` report the same real-world event?"""
    if (a.source_code, a.target_code) != (b.source_code, b.target_code):
        return False
    if family(a.cameo_code) != family(b.cameo_code):
        return False
    if _MODALITY_GROUP[a.modality] != _MODALITY_GROUP[b.modality]:
        return False
    if not dates_overlap(a, b, window):
        return False
    # where a verbal act "is" is often its topic ("talks on Idlib"); only acts must share a place
    return a.quad_class in _VERBAL_QUADS or places_compatible(a, b)


def period(event: Event) -> tuple[dt.date, dt.date]:
    """First and last day the event's date allows (an article date stands for its day, as a day does)."""
    start = event.event_date
    if event.date_precision == "week":
        return start, start + dt.timedelta(days=6)
    if event.date_precision == "month":
        following = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return start, following - dt.timedelta(days=1)
    if event.date_precision == "year":
        return start, start.replace(month=12, day=31)
    return start, start


def dates_overlap(a: Event, b: Event, window: int = DAY_WINDOW) -> bool:
    (a_start, a_end), (b_start, b_end) = period(a), period(b)
    slack = dt.timedelta(days=window)
    return a_start - slack <= b_end and b_start - slack <= a_end


def places_compatible(a: Event, b: Event) -> bool:
    """Same place, two points within NEAR_KM, or one a country or province the other lies in.
    An event with no place at all is compatible with any place."""
    if a.place_country is None or b.place_country is None:
        return True
    if a.place_country != b.place_country:
        return False
    if a.geonames_id is not None and a.geonames_id == b.geonames_id:
        return True
    level_a, level_b = _level(a), _level(b)
    if "country" in (level_a, level_b):
        return True  # same country, one of them no finer
    if "admin1" in (level_a, level_b):
        return a.admin1 is not None and a.admin1 == b.admin1
    if None not in (a.latitude, a.longitude, b.latitude, b.longitude):
        return distance_km(a.latitude, a.longitude, b.latitude, b.longitude) <= NEAR_KM  # type: ignore[arg-type]
    return False


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(min(1.0, h)))


def _level(event: Event) -> str:
    """place, admin1 or country; an article's focus place counts as what it is."""
    if event.geo_precision in ("place", "admin1", "country"):
        return event.geo_precision
    if event.geonames_id is not None and event.latitude is not None:
        return "place"
    return "admin1" if event.admin1 is not None else "country"


def group_within(reports: Iterable[Report], window: int = DAY_WINDOW) -> list[list[Report]]:
    """Mentions of one article grouped by event, in order of their first mention."""
    groups: list[list[Report]] = []
    summaries: list[Event] = []
    for report in reports:
        for n, summary in enumerate(summaries):
            if compatible(summary, report.event, window):
                groups[n].append(report)
                summaries[n] = summarize(summary.event_id, groups[n])
                break
        else:
            groups.append([report])
            summaries.append(summarize(report.event.event_id, [report]))
    return groups


def summarize(event_id: str, reports: list[Report]) -> Event:
    """The event its mentions report, with their counts."""
    ordered = sorted(reports, key=lambda r: (r.published, r.article_id, r.event.sentence_start, r.event.trigger_start))
    events = [r.event for r in ordered]
    first = events[0]
    occasion = family(first.cameo_code)
    fitting = [e for e in events if e.cameo_code.startswith(occasion)] or events
    coded = max(fitting, key=lambda e: len(e.cameo_code))  # the most specific code (the first of equals)
    dated = min(events, key=lambda e: _DATE_RANK[e.date_precision])
    placed = min(events, key=lambda e: _PLACE_RANK.get(e.geo_precision or "", 9))
    modality = "occurred" if any(e.modality == "occurred" for e in events) else max(
        events, key=lambda e: MODALITY_CONFIDENCE[e.modality]).modality
    told = next(e for e in events if e.modality == modality)
    counted = next((e for e in events if e.fatalities_low is not None or e.fatalities_high is not None), first)
    hurt = next((e for e in events if e.injured_low is not None or e.injured_high is not None), first)
    evidence = next(e for e in events if e.cameo_code == coded.cameo_code)  # the first sentence that says it so
    return evidence.model_copy(update=dict(
        event_id=event_id,
        cameo_code=coded.cameo_code, cameo_name=coded.cameo_name, cameo_root=coded.cameo_root,
        quad_class=coded.quad_class, goldstein=coded.goldstein, plover_type=coded.plover_type, plover_mode=coded.plover_mode,
        modality=modality, **{f: getattr(told, f) for f in _CLAIMANT_FIELDS},
        event_date=dated.event_date, date_precision=dated.date_precision, event_time=dated.event_time, date_text=dated.date_text,
        **{f: getattr(placed, f) for f in _PLACE_FIELDS},
        fatalities_low=counted.fatalities_low, fatalities_high=counted.fatalities_high, fatalities_text=counted.fatalities_text,
        injured_low=hurt.injured_low, injured_high=hurt.injured_high, injured_text=hurt.injured_text,
        quantities=next((e.quantities for e in events if e.quantities), []),
        num_mentions=len(reports),
        num_articles=len({r.article_id for r in reports}),
        num_sources=len({r.source for r in reports}),
        first_seen=ordered[0].published,
        is_root_event=any(r.in_lead for r in reports),
        confidence=event_confidence(reports),
    ))


def with_reports(event: Event, reports: list[Report], source_surest: float | None) -> Event:
    """A stored event with the mentions of one new article added, without its earlier mentions:
    the event stands in for them. `source_surest` is the best confidence the article's source
    already gave the event (None: a new source)."""
    prior = Report(event, event.article_id, event.first_seen or event.event_date, "", event.is_root_event)
    merged = summarize(event.event_id, [prior, *reports])
    surest = max(r.confidence for r in reports)
    doubt = 1.0 - (event.confidence or 0.0)
    if source_surest is None:
        doubt *= 1.0 - SOURCE_WEIGHT * surest
    elif surest > source_surest:
        doubt *= (1.0 - SOURCE_WEIGHT * surest) / (1.0 - SOURCE_WEIGHT * source_surest)
    return merged.model_copy(update=dict(
        num_mentions=event.num_mentions + len(reports),
        num_articles=event.num_articles + 1,
        num_sources=event.num_sources + (source_surest is None),
        confidence=round(1.0 - doubt, 4),
    ))


def event_confidence(reports: Iterable[Report]) -> float:
    """1 - prod over independent sources of (1 - SOURCE_WEIGHT x the source's surest mention):
    one source that says it happened gives 0.6, two give 0.84; a claim alone gives 0.36."""
    best: dict[str, float] = {}
    for report in reports:
        best[report.source] = max(best.get(report.source, 0.0), report.confidence)
    doubt = 1.0
    for sure in best.values():
        doubt *= 1.0 - SOURCE_WEIGHT * sure
    return round(1.0 - doubt, 4)


_CLAIMANT_FIELDS = ("claimant_text", "claimant_country", "claimant_sector", "claimant_org", "claimant_code")
_PLACE_FIELDS = ("place_text", "place_name", "geonames_id", "latitude", "longitude", "place_country", "admin1", "geo_precision")
