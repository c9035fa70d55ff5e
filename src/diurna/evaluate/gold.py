"""Score the coder against human-coded gold items (the format of `shared/eval/README.md`).

Every item is coded through the same `Coder` as ingest. Rules, per gold event:
- found (lenient): some emitted event's PLOVER type is in the gold `plover_ok`; strict: equal to
  `plover_type`; the same for the CAMEO root with `cameo_ok` / `cameo_root`.
- dyad, on found events: the emitted source country is one of the gold source countries (target
  likewise; either direction when the gold event is `symmetric`). Of the emitted events that
  find a gold event, the one with the best dyad is scored.
- place (when `geo_scorable`), deaths and dates are scored on the matched events, or, when no
  emitted event has the right type, on all the item's events (detection without type still
  says where and when). Place and deaths count over all gold events (an item with no event has
  no place); dates only over items with an event and a gold date precise to the day.
Precision counts emitted events: one is right when its type is allowed by a gold event of its
item. False alarms are items marked `negative` that yield any event.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from diurna.records import Article, Event


@dataclass(frozen=True)
class GoldItem:
    id: str
    source_dataset: str
    text: str
    date: dt.date
    negative: bool
    events: tuple[dict[str, Any], ...]


def load_gold(path: str | Path) -> list[GoldItem]:
    items = []
    with Path(path).open(encoding="utf-8") as handle:
        for line_number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                items.append(GoldItem(
                    id=str(row["id"]), source_dataset=row.get("source_dataset") or "?", text=row["text"],
                    date=dt.date.fromisoformat((row.get("date") or "2000-01-01")[:10]),
                    negative=bool(row.get("negative")), events=tuple(row.get("events") or ()),
                ))
            except (ValueError, KeyError, TypeError) as err:
                raise ValueError(f"{path}:{line_number}: not a gold item ({err})") from err
    return items


@dataclass
class _Tally:
    """Counts for one slice (a source dataset, or all items)."""

    items: int = 0
    detected: int = 0
    negatives: int = 0
    false_alarms: int = 0
    gold_events: int = 0
    found: int = 0
    found_strict: int = 0
    root_found: int = 0
    root_found_strict: int = 0
    emitted: int = 0
    emitted_right: int = 0
    source_scored: int = 0
    source_right: int = 0
    target_scored: int = 0
    target_right: int = 0
    pair_scored: int = 0
    pair_right: int = 0
    place_scorable: int = 0
    place_given: int = 0
    within_25: int = 0
    within_100: int = 0
    country_scored: int = 0
    country_right: int = 0
    deaths_scored: int = 0
    deaths_in_range: int = 0
    deaths_absent: int = 0
    deaths_invented: int = 0
    dates_scored: int = 0
    date_exact: int = 0
    date_within_1: int = 0
    per_type: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))  # tp, fp, fn


@dataclass
class EvalReport:
    slices: dict[str, _Tally]
    seconds: float
    failures: list[dict[str, Any]]

    def figures(self, name: str = "all") -> dict[str, float | int | None]:
        t = self.slices[name]
        precision = _ratio(t.emitted_right, t.emitted)
        recall = _ratio(t.found, t.gold_events)
        macro = [f for f in (_f1(c) for c in t.per_type.values()) if f is not None]
        return {
            "items": t.items,
            "detection": _ratio(t.detected, t.items),
            "false_alarms": _ratio(t.false_alarms, t.negatives),
            "type_recall": recall,
            "type_recall_strict": _ratio(t.found_strict, t.gold_events),
            "root_recall": _ratio(t.root_found, t.gold_events),
            "root_recall_strict": _ratio(t.root_found_strict, t.gold_events),
            "type_precision": precision,
            "micro_f1": _harmonic(precision, recall),
            "macro_f1": sum(macro) / len(macro) if macro else None,
            "source_country": _ratio(t.source_right, t.source_scored),
            "target_country": _ratio(t.target_right, t.target_scored),
            "dyad": _ratio(t.pair_right, t.pair_scored),
            "place_given": _ratio(t.place_given, t.place_scorable),
            "place_country": _ratio(t.country_right, t.country_scored),
            "within_100km": _ratio(t.within_100, t.place_scorable),
            "within_25km": _ratio(t.within_25, t.place_scorable),
            "deaths_in_range": _ratio(t.deaths_in_range, t.deaths_scored),
            "deaths_invented": _ratio(t.deaths_invented, t.deaths_absent),
            "date_exact": _ratio(t.date_exact, t.dates_scored),
            "date_within_1d": _ratio(t.date_within_1, t.dates_scored),
            "items_per_s": round(self.slices["all"].items / self.seconds, 1) if self.seconds else None,
        }

    def per_type(self, name: str = "all") -> dict[str, dict[str, float | int | None]]:
        out = {}
        for plover_type, c in sorted(self.slices[name].per_type.items()):
            p, r = _ratio(c["tp"], c["tp"] + c["fp"]), _ratio(c["tp"], c["tp"] + c["fn"])
            out[plover_type] = {"gold": c["tp"] + c["fn"], "emitted": c["tp"] + c["fp"],
                                "precision": p, "recall": r, "f1": _harmonic(p, r)}
        return out

    def as_dict(self) -> dict[str, Any]:
        return {"seconds": round(self.seconds, 1),
                "slices": {name: {"figures": self.figures(name), "per_type": self.per_type(name)} for name in self.slices}}


def evaluate_gold(items: list[GoldItem], coder) -> EvalReport:
    """Code every item with `coder` (a diurna Coder) and score it."""
    articles = [Article(record_id=item.id, date=item.date, content=item.text, origin=f"gold:{item.id}")
                for item in items]
    start = time.perf_counter()
    emitted: dict[str, list[Event]] = {item.id: [] for item in items}
    for coded in coder.code(articles):
        emitted[coded.article.record_id] = coded.events
    seconds = time.perf_counter() - start
    slices: dict[str, _Tally] = defaultdict(_Tally)
    failures = []
    for item in items:
        events = emitted[item.id]
        outcome = _score_item(item, events, [slices["all"], slices[item.source_dataset]])
        if outcome:
            failures.append({"id": item.id, "source_dataset": item.source_dataset, "text": item.text,
                             "problems": outcome, "gold": [_gold_summary(g) for g in item.events],
                             "emitted": [_event_summary(e) for e in events]})
    ordered = {"all": slices.pop("all"), **dict(sorted(slices.items()))}
    return EvalReport(ordered, seconds, failures)


def _score_item(item: GoldItem, events: list[Event], tallies: list[_Tally]) -> list[str]:
    problems: list[str] = []
    allowed = {t for g in item.events for t in _ok(g, "plover_ok", "plover_type")}

    def add(attr: str, amount: int = 1) -> None:
        for t in tallies:
            setattr(t, attr, getattr(t, attr) + amount)

    add("items")
    if events:
        add("detected")
    if item.negative:
        add("negatives")
        if events:
            add("false_alarms")
            problems.append("false alarm")
    add("emitted", len(events))
    add("emitted_right", sum(1 for e in events if e.plover_type in allowed))
    for e in events:
        if e.plover_type not in allowed:
            for t in tallies:
                t.per_type[e.plover_type or "(none)"]["fp"] += 1
    for gold in item.events:
        add("gold_events")
        ok_types = _ok(gold, "plover_ok", "plover_type")
        ok_roots = _ok(gold, "cameo_ok", "cameo_root")
        matches = [e for e in events if e.plover_type in ok_types]
        if matches:
            add("found")
            for t in tallies:
                t.per_type[gold["plover_type"]]["tp"] += 1
        else:
            for t in tallies:
                t.per_type[gold["plover_type"]]["fn"] += 1
            problems.append("missed" if not events else f"type: emitted {sorted({e.plover_type or '-' for e in events})}")
        if any(e.plover_type == gold["plover_type"] for e in events):
            add("found_strict")
        if any(e.cameo_root in ok_roots for e in events):
            add("root_found")
        if any(e.cameo_root == gold.get("cameo_root") for e in events):
            add("root_found_strict")
        if matches:
            best = max(matches, key=lambda e: sum(_dyad(e, gold)))
            src, tgt = _dyad(best, gold)
            if _countries(gold, "source"):
                add("source_scored")
                add("source_right", src)
                if not src:
                    problems.append(f"source country {best.source_country} (gold {sorted(_countries(gold, 'source'))})")
            if _countries(gold, "target"):
                add("target_scored")
                add("target_right", tgt)
                if not tgt:
                    problems.append(f"target country {best.target_country} (gold {sorted(_countries(gold, 'target'))})")
            if _countries(gold, "source") and _countries(gold, "target"):
                add("pair_scored")
                add("pair_right", src and tgt)
        scored = (matches or events)
        if scored:
            _score_where_when(gold, scored, add, problems)
        elif gold.get("geo_scorable"):
            add("place_scorable")
            if gold.get("country"):
                add("country_scored")
        if not scored and (gold.get("fatalities") or 0) > 0:
            add("deaths_scored")
    return problems


def _score_where_when(gold: dict, candidates: list[Event], add, problems: list[str]) -> None:
    located = [e for e in candidates if e.latitude is not None]
    if gold.get("geo_scorable") and gold.get("lat") is not None:
        add("place_scorable")
        if located:
            add("place_given")
            distance = min(_km(e.latitude, e.longitude, gold["lat"], gold["lon"]) for e in located)
            add("within_25", distance <= 25)
            add("within_100", distance <= 100)
            if distance > 100:
                problems.append(f"place {located[0].place_name} is {distance:.0f} km off (gold {gold.get('place_name')})")
        else:
            problems.append(f"no coordinates (gold {gold.get('place_name')})")
    if gold.get("geo_scorable") and gold.get("country"):
        add("country_scored")
        countries = {e.place_country for e in candidates if e.place_country}
        add("country_right", gold["country"] in countries)
    deaths = gold.get("fatalities")
    if deaths is not None:
        counted = [e for e in candidates if e.fatalities_low is not None or e.fatalities_high is not None]
        if deaths > 0:
            add("deaths_scored")
            inside = any((e.fatalities_low is None or e.fatalities_low <= deaths)
                         and (e.fatalities_high is None or deaths <= e.fatalities_high) for e in counted)
            add("deaths_in_range", inside)
            if not inside:
                problems.append(f"deaths {[(e.fatalities_low, e.fatalities_high) for e in counted]} (gold {deaths})")
        else:
            add("deaths_absent")
            invented = any((e.fatalities_low or 0) > 0 for e in counted)
            add("deaths_invented", invented)
            if invented:
                problems.append("deaths invented")
    if gold.get("event_date") and str(gold.get("date_precision") or 1) == "1":  # the source gives the day
        add("dates_scored")
        gold_day = dt.date.fromisoformat(gold["event_date"][:10])
        gaps = [abs((e.event_date - gold_day).days) for e in candidates]
        add("date_exact", min(gaps) == 0)
        add("date_within_1", min(gaps) <= 1)
        if min(gaps) > 1:
            problems.append(f"date {candidates[0].event_date} (gold {gold_day})")


def _ok(gold: dict, many: str, one: str) -> set[str]:
    return set(gold.get(many) or ()) | ({gold[one]} if gold.get(one) else set())


def _countries(gold: dict, role: str) -> set[str]:
    return set(gold.get(f"{role}_countries") or ()) | ({gold[f"{role}_country"]} if gold.get(f"{role}_country") else set())


def _dyad(event: Event, gold: dict) -> tuple[bool, bool]:
    """(source right, target right). For a symmetric gold event (a clash between two sides) the
    direction is arbitrary, so a gold side is right when either emitted actor has its country."""
    sources, targets = _countries(gold, "source"), _countries(gold, "target")
    if gold.get("symmetric"):
        emitted = {event.source_country, event.target_country}
        return bool(emitted & sources), bool(emitted & targets)
    return event.source_country in sources, event.target_country in targets


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(min(1.0, a)))


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _harmonic(p: float | None, r: float | None) -> float | None:
    return round(2 * p * r / (p + r), 4) if p and r else None


def _f1(c: Counter) -> float | None:
    if c["tp"] + c["fn"] == 0:
        return None
    return _harmonic(_ratio(c["tp"], c["tp"] + c["fp"]), _ratio(c["tp"], c["tp"] + c["fn"])) or 0.0


def _gold_summary(gold: dict) -> dict:
    keys = ("plover_type", "plover_ok", "source_text", "source_country", "target_text", "target_country",
            "symmetric", "place_name", "lat", "lon", "country", "fatalities", "event_date")
    return {k: gold.get(k) for k in keys if gold.get(k) is not None}


def _event_summary(event: Event) -> dict:
    return {"type": event.plover_type, "cameo": event.cameo_code, "trigger": event.trigger,
            "source": f"{event.source_text} [{event.source_code}]", "target": f"{event.target_text} [{event.target_code}]",
            "modality": event.modality, "place": event.place_name, "place_country": event.place_country,
            "deaths": [event.fatalities_low, event.fatalities_high], "date": str(event.event_date)}


def format_table(report: EvalReport) -> str:
    """The headline figures per slice, then P/R/F1 per PLOVER type over all items."""
    names = list(report.slices)
    keys = list(report.figures("all"))
    width = max(len(k) for k in keys) + 2
    lines = [" " * width + "".join(f"{n[:12]:>13}" for n in names)]
    for key in keys:
        cells = []
        for name in names:
            value = report.figures(name)[key]
            cells.append(f"{'-' if value is None else (f'{value:.1%}' if isinstance(value, float) and key not in ('items_per_s',) else value):>13}")
        lines.append(f"{key:<{width}}" + "".join(cells))
    lines.append("")
    lines.append(f"{'PLOVER type':<14}{'gold':>6}{'emitted':>9}{'P':>8}{'R':>8}{'F1':>8}")
    for plover_type, row in report.per_type().items():
        fmt = lambda v: "-" if v is None else f"{v:.0%}"  # noqa: E731
        lines.append(f"{plover_type:<14}{row['gold']:>6}{row['emitted']:>9}{fmt(row['precision']):>8}"
                     f"{fmt(row['recall']):>8}{fmt(row['f1']):>8}")
    return "\n".join(lines)


def write_failures(report: EvalReport, path: str | Path) -> int:
    with Path(path).open("w", encoding="utf-8") as handle:
        for failure in report.failures:
            handle.write(json.dumps(failure, ensure_ascii=False) + "\n")
    return len(report.failures)

