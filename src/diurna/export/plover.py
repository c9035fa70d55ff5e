"""PLOVER export: one JSON record per event in the shape of PLOVER/POLECAT event data (event
type, mode, context, actors with their words and codes, location with GeoNames id and feature
type, date), one record per line. The JSON Schema the records follow ships with the package
(`schemas/plover.schema.json`, `schema()`), so users can validate what they load.

diurna codes no PLOVER context yet, so `context` is an empty list; `modality` (occurred,
claimed, planned, negated, hypothetical) and the CAMEO code are kept beside the PLOVER fields
because PLOVER users filter on them too.
"""
from __future__ import annotations

import json
from importlib import resources
from typing import IO, Any, Iterable

SCHEMA_FILE = "plover.schema.json"
# GeoNames feature codes for the three kinds of place diurna resolves.
FEATURE_TYPES = {"place": "PPL", "admin1": "ADM1", "country": "PCLI"}


def schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one exported record."""
    return json.loads(resources.files("diurna.export").joinpath("schemas", SCHEMA_FILE).read_text(encoding="utf-8"))


def write_plover(rows: Iterable[dict[str, Any]], stream: IO[str]) -> int:
    count = 0
    for row in rows:
        stream.write(json.dumps(plover_record(row), ensure_ascii=False) + "\n")
        count += 1
    return count


def plover_record(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "event_id": row["event_id"],
        "event_date": row["event_date"].isoformat(),
        "date_precision": row["date_precision"],
        "event_time": row["event_time"],
        "date_text": row["date_text"],
        "event_type": row["plover_type"],
        "mode": row["plover_mode"],
        "context": [],
        "modality": row["modality"],
        "cameo": {"code": row["cameo_code"], "name": row["cameo_name"], "root": row["cameo_root"],
                  "quad_class": row["quad_class"], "goldstein": row["goldstein"]},
        "actors": {role: _actor(row, role) for role in ("source", "target", "claimant")},
        "location": _location(row),
        "fatalities": _fatalities(row),
        "quantities": _quantities(row["quantities"]),
        "evidence": {key: row[key] for key in ("sentence", "sentence_start", "sentence_end",
                                               "trigger", "trigger_start", "trigger_end")},
        "article": {key: row[key] for key in ("article_id", "record_id", "outlet", "original_source", "url")},
    }


def _actor(row: dict[str, Any], role: str) -> dict[str, Any] | None:
    if not row[f"{role}_text"]:
        return None
    return {key: row[f"{role}_{key}"] for key in ("text", "country", "sector", "org", "code")}


def _location(row: dict[str, Any]) -> dict[str, Any] | None:
    if not row["place_country"] and not row["place_text"]:
        return None
    if row["geonames_id"] is not None:
        level = "place"
    elif row["admin1"]:
        level = "admin1"
    else:
        level = "country" if row["place_country"] else None
    return {
        "text": row["place_text"], "name": row["place_name"], "geonames_id": row["geonames_id"],
        "feature_type": FEATURE_TYPES.get(level) if level else None, "country": row["place_country"],
        "admin1": row["admin1"], "latitude": row["latitude"], "longitude": row["longitude"],
        "precision": row["geo_precision"],
    }


def _fatalities(row: dict[str, Any]) -> dict[str, Any] | None:
    if row["fatalities_low"] is None and row["fatalities_high"] is None and not row["fatalities_text"]:
        return None
    return {"low": row["fatalities_low"], "high": row["fatalities_high"], "text": row["fatalities_text"]}


def _quantities(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, str):
        return json.loads(value) if value else []
    return list(value or [])
