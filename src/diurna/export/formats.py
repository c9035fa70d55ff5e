"""Output stage: events as a rich table, JSON, JSON Lines or CSV.

Output is where hostile input would do harm, so: the table (meant for a terminal) carries no
escape or control sequences, CSV cells that a spreadsheet would run as a formula get a
leading apostrophe (OWASP's advice; `keep_formulas=True` turns that off), and CSV written to
a terminal is stripped of control sequences as well. JSON escapes control characters itself.
"""
from __future__ import annotations

import csv
import json
import os
import shutil
from typing import IO, Iterable

from rich.console import Console
from rich.table import Table

from diurna.records import Event
from diurna.sanitize import csv_cell, terminal_safe

FORMATS = ("table", "json", "jsonl", "csv")
_FIELDS = list(Event.model_fields)
# Table columns in the order they are given up when the terminal is narrow (the last first).
_COLUMNS = ("date", "source", "CAMEO", "target", "evidence", "place", "modality", "PLOVER", "claimant", "killed")
_ESSENTIAL = 5  # date, source, CAMEO, target, evidence
_COLUMN_WIDTH = 14  # room one optional column needs
_EVIDENCE_MIN = 30
_WIDE = 200


def write_events(events: Iterable[Event], fmt: str, stream: IO[str], *, wide: bool = False,
                 keep_formulas: bool = False) -> int:
    events = list(events)
    # JSON escapes C0 controls itself; on a terminal, C1 controls and DEL go too
    shown = terminal_safe if _is_terminal(stream) else str
    if fmt == "json":
        stream.write(shown(json.dumps([e.model_dump(mode="json") for e in events], ensure_ascii=False, indent=2)))
        stream.write("\n")
    elif fmt == "jsonl":
        for event in events:
            stream.write(shown(event.model_dump_json()) + "\n")
    elif fmt == "csv":
        _csv(events, stream, keep_formulas)
    elif fmt == "table":
        _table(events, stream, wide)
    else:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    return len(events)


def _csv(events: list[Event], stream: IO[str], keep_formulas: bool) -> None:
    to_terminal = _is_terminal(stream)
    writer = csv.DictWriter(stream, fieldnames=_FIELDS, lineterminator="\n")
    writer.writeheader()
    for event in events:
        row = event.model_dump(mode="json")
        row["quantities"] = json.dumps(row["quantities"], ensure_ascii=False)
        for name, value in row.items():
            if isinstance(value, str):
                value = terminal_safe(value) if to_terminal else value
                row[name] = value if keep_formulas else csv_cell(value)
        writer.writerow(row)


def _table(events: list[Event], stream: IO[str], wide: bool) -> None:
    width = max(_terminal_width(stream), _WIDE) if wide else _terminal_width(stream)
    if wide:
        shown = len(_COLUMNS)
    else:
        spare = width - _ESSENTIAL * _COLUMN_WIDTH - _EVIDENCE_MIN
        shown = _ESSENTIAL + max(0, min(len(_COLUMNS) - _ESSENTIAL, spare // _COLUMN_WIDTH))
    columns = _COLUMNS[:shown]
    table = Table(title=f"{len(events)} event{'' if len(events) == 1 else 's'}", show_lines=False, expand=False)
    for column in columns:
        table.add_column(column, overflow="fold", ratio=3 if column == "evidence" else None)
    for e in events:
        cells = {
            "date": _when(e), "source": e.source_code or "", "CAMEO": f"{e.cameo_code} {e.cameo_name}",
            "target": e.target_code or "", "evidence": _evidence(e), "place": _where(e), "modality": e.modality,
            "PLOVER": e.plover_type or "", "claimant": e.claimant_code or e.claimant_text or "",
            "killed": e.fatalities_text or "",
        }
        table.add_row(*(terminal_safe(cells[c]) for c in columns))
    console = Console(file=stream, width=width, soft_wrap=False, markup=False, highlight=False, emoji=False)
    console.print(table)


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _terminal_width(stream: IO[str]) -> int:
    """The terminal's width (or $COLUMNS); 120 when writing to a file or pipe."""
    return shutil.get_terminal_size((120, 24)).columns if _is_terminal(stream) else _env_columns(120)


def _env_columns(default: int) -> int:
    try:
        return max(40, int(os.environ["COLUMNS"]))
    except (KeyError, ValueError):
        return default


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
    sentence = event.sentence
    start = event.trigger_start - event.sentence_start
    if sentence[start:start + len(event.trigger)] != event.trigger:  # markup was removed before it
        start = max(0, sentence.find(event.trigger))
    left = max(0, start - width // 2)
    snippet = sentence[left:left + width]
    return ("…" if left else "") + snippet + ("…" if left + width < len(sentence) else "")
