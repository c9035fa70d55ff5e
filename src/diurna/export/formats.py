"""Output stage: events (or the mentions of one) as a rich table, JSON, JSON Lines or CSV.

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

from diurna.records import Event, Mention
from diurna.sanitize import csv_cell, terminal_safe

FORMATS = ("table", "json", "jsonl", "csv")
_FIELDS = list(Event.model_fields)
# Table columns in the order they are given up when the terminal is narrow (the last first).
_COLUMNS = ("date", "source", "CAMEO", "target", "evidence", "m/a/s", "place", "modality", "PLOVER", "claimant", "killed")
_ESSENTIAL = 5  # date, source, CAMEO, target, evidence
_COLUMN_WIDTH = 14  # room one optional column needs
_EVIDENCE_MIN = 30
_WIDE = 200


def write_events(events: Iterable[Event], fmt: str, stream: IO[str], *, wide: bool = False,
                 keep_formulas: bool = False) -> int:
    """Events; the table's m/a/s column is how many mentions, articles and sources report each."""
    return _write(list(events), fmt, stream, _FIELDS, lambda events: _table(events, stream, wide), keep_formulas)


def write_mentions(mentions: Iterable[Mention], fmt: str, stream: IO[str], *, wide: bool = False,
                   keep_formulas: bool = False) -> int:
    """The sentences that report one event, with their articles, outlets, claimants and confidence."""
    return _write(list(mentions), fmt, stream, list(Mention.model_fields),
                  lambda mentions: _mention_table(mentions, stream, wide), keep_formulas)


def _write(records: list, fmt: str, stream: IO[str], fields: list[str], table, keep_formulas: bool) -> int:
    # JSON escapes C0 controls itself; on a terminal, C1 controls and DEL go too
    shown = terminal_safe if _is_terminal(stream) else str
    if fmt == "json":
        stream.write(shown(json.dumps([r.model_dump(mode="json") for r in records], ensure_ascii=False, indent=2)))
        stream.write("\n")
    elif fmt == "jsonl":
        for record in records:
            stream.write(shown(record.model_dump_json()) + "\n")
    elif fmt == "csv":
        _csv(records, fields, stream, keep_formulas)
    elif fmt == "table":
        table(records)
    else:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    return len(records)


def _csv(records: list, fields: list[str], stream: IO[str], keep_formulas: bool) -> None:
    to_terminal = _is_terminal(stream)
    writer = csv.DictWriter(stream, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for record in records:
        row = record.model_dump(mode="json")
        if "quantities" in row:
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
            "killed": e.fatalities_text or "", "m/a/s": f"{e.num_mentions}/{e.num_articles}/{e.num_sources}",
        }
        table.add_row(*(terminal_safe(cells[c]) for c in columns))
    console = Console(file=stream, width=width, soft_wrap=False, markup=False, highlight=False, emoji=False)
    console.print(table)


def _mention_table(mentions: list[Mention], stream: IO[str], wide: bool) -> None:
    width = max(_terminal_width(stream), _WIDE) if wide else _terminal_width(stream)
    title = f"{len(mentions)} mention{'' if len(mentions) == 1 else 's'}"
    if mentions:
        title += f" of event {mentions[0].event_id}"
    table = Table(title=title, show_lines=False, expand=False)
    for column in ("published", "outlet", "original source", "modality", "claimant", "confidence", "evidence"):
        table.add_column(column, overflow="fold", ratio=3 if column == "evidence" else None)
    for m in mentions:
        table.add_row(*(terminal_safe(cell) for cell in (
            str(m.published), m.outlet or "", m.original_source or "", m.modality,
            m.claimant_code or m.claimant_text or "", f"{m.confidence:g}", _evidence(m))))
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


def _evidence(event: Event | Mention, width: int = 70) -> str:
    """The trigger in the middle of a window of its sentence."""
    sentence = event.sentence
    start = event.trigger_start - event.sentence_start
    if sentence[start:start + len(event.trigger)] != event.trigger:  # markup was removed before it
        start = max(0, sentence.find(event.trigger))
    left = max(0, start - width // 2)
    snippet = sentence[left:left + width]
    return ("…" if left else "") + snippet + ("…" if left + width < len(sentence) else "")
