"""GeoJSON export for GIS tools (QGIS, ArcGIS, geopandas, kepler.gl): a FeatureCollection of
Point features at each event's place (WGS84 longitude, latitude), every event field a property.

Events without coordinates (no place, or a country, which has no single point) are left out;
the export reports how many so the map is not mistaken for the whole dataset.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import IO, Any, Iterable

from diurna.records import Event

PROPERTIES = [name for name in Event.model_fields if name not in ("latitude", "longitude")]


def write_geojson(rows: Iterable[dict[str, Any]], stream: IO[str]) -> tuple[int, int]:
    """Write the FeatureCollection; returns (features written, events left out without a point)."""
    written = skipped = 0
    stream.write('{"type": "FeatureCollection", "features": [\n')
    for row in rows:
        if row["latitude"] is None or row["longitude"] is None:
            skipped += 1
            continue
        stream.write((",\n" if written else "") + json.dumps(feature(row), ensure_ascii=False, default=_plain))
        written += 1
    stream.write("\n]}\n")
    return written, skipped


def feature(row: dict[str, Any]) -> dict[str, Any]:
    properties = {name: row[name] for name in PROPERTIES}
    if isinstance(properties["quantities"], str):
        properties["quantities"] = json.loads(properties["quantities"] or "[]")
    return {"type": "Feature", "id": row["event_id"],
            "geometry": {"type": "Point", "coordinates": [row["longitude"], row["latitude"]]},
            "properties": properties}


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} to GeoJSON")
