"""Output stage: events as a rich table, JSON, JSON Lines or CSV."""
from __future__ import annotations

import csv
import json
from typing import IO, Iterable

from rich.console import Console
from rich.table import Table

from diurna.records import Event

FORMATS = ("table", "json", "jsonl", "csv")
_FIELDS = list(Event.model_fields)


def write_events(events: Iterable[Event], fmt: str, stream: IO[str]) -> int:
    events = list(events)
    if fmt == "json":
        json.dump([e.model_dump(mode="json") for e in events], stream, ensure_ascii=False, indent=2)
        stream.write("\n")
    elif fmt == "jsonl":
        for event in events:
            stream.write(event.model_dump_json() + "\n")
    elif fmt == "csv":
        writer = csv.DictWriter(stream, fieldnames=_FIELDS, lineterminator="\n")
        writer.writeheader()
        for event in events:
            row = event.model_dump(mode="json")
            row["quantities"] = json.dumps(row["quantities"], ensure_ascii=False)
            writer.writerow(row)
    elif fmt == "table":
        _table(events, stream)
    else:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    return len(events)


def _table(events: list[Event], stream: IO[str]) -> None:
    table = Table(title=f"{len(events)} events", show_lines=False, expand=False)
    for column in ("date", "source", "CAMEO", "PLOVER", "target", "modality", "claimant", "place", "killed", "evidence"):
        table.add_column(column, overflow="fold")
    for e in events:
        table.add_row(
            _when(e), e.source_code or "", f"{e.cameo_code} {e.cameo_name}",
            e.plover_type or "", e.target_code or "", e.modality, e.claimant_code or e.claimant_text or "",
            _where(e), e.fatalities_text or "", _evidence(e),
        )
    console = Console(file=stream, width=200, soft_wrap=False, markup=False, highlight=False)
    console.print(table)


def _when(event: Event) -> str:
    shown = {"year": str(event.event_date.year), "month": event.event_date.strftime("%Y-%m"),
             "week": f"week of {event.event_date}", "time": f"{event.event_date} {event.event_time}"}
    return shown.get(event.date_precision, str(event.event_date)) + (" (article)" if event.date_precision == "article" else "")


def _where(event: Event) -> str:
    if event.place_name is None:
        return event.place_text or ""
    return f"{event.place_name}, {event.place_country} ({event.geo_precision})"


def _evidence(event: Event, width: int = 70) -> str:
    """The trigger in the middle of a window of its sentence."""
    start = event.trigger_start - event.sentence_start
    sentence = event.sentence
    left = max(0, start - width // 2)
    snippet = sentence[left:left + width]
    return ("…" if left else "") + snippet + ("…" if left + width < len(sentence) else "")
