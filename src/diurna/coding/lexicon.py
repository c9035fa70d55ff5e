"""Load the project's lexicons (the TSV files in diurna/lexicons/) into typed lookups.

The files are the source of truth and are documented in their headers; this module only
parses them. A Lexicon is built once per process and passed explicitly to the stages.
"""
from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from typing import Iterator

LEXICON_VERSION = "2"


@dataclass(frozen=True)
class CameoCode:
    code: str
    name: str
    goldstein: float
    plover_type: str | None
    plover_mode: str | None

    @property
    def root(self) -> str:
        return self.code[:2]

    @property
    def quad_class(self) -> int:
        """1 verbal cooperation, 2 material cooperation, 3 verbal conflict, 4 material conflict."""
        root = int(self.root)
        return 1 if root <= 5 else 2 if root <= 8 else 3 if root <= 13 else 4


@dataclass(frozen=True)
class TriggerSense:
    lemma: str
    pos: str  # verb | noun | adj
    code: str  # CAMEO code, or "-" for "not an event"
    objects: frozenset[str] = frozenset()  # obj= condition; {"*"} = any object
    modifiers: frozenset[str] = frozenset()
    particle: str | None = None
    preps: frozenset[str] = frozenset()
    no_object: bool = False
    named: bool = False
    mutual: bool = False
    counted: bool = False  # the noun has a number: "20 casualties", "45 deaths"
    doer_event: bool = False  # the verb's doer is a violent event noun: "attacks hit", "blast kills"
    person_object: bool = False  # the object is a person or group: "beat protesters", not "beat Italy 2-0"
    civil_code: str | None = None  # the code when every actor is civilian-institutional ("leaders clashed")
    prep_objects: frozenset[str] = frozenset()  # pobj= condition: "agreed with Dr Fox's view", "withdrawn from the website"
    police_code: str | None = None  # the code when police act on no armed actor ("police raided the site")

    @property
    def object_is_instrument(self) -> bool:
        """'send troops', 'provide aid': the object says what, so the target is elsewhere."""
        return bool(self.objects) and "*" not in self.objects


@dataclass(frozen=True)
class OuterAct:
    """A verb whose complement names another act ("threatened to bomb"): see outer_acts.tsv."""

    family: str  # intent | threat | refusal | demand | appeal
    code: str  # when the complement names no act


@dataclass(frozen=True)
class NamedActor:
    country: str | None
    sector: str | None
    org: str | None
    valid_from: dt.date | None
    valid_to: dt.date | None

    def valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


@dataclass(frozen=True)
class CountryEntry:
    iso3: str
    kind: str  # name | demonym | capital


@dataclass
class Lexicon:
    cameo: dict[str, CameoCode] = field(default_factory=dict)
    triggers: dict[tuple[str, str], list[TriggerSense]] = field(default_factory=dict)
    agents: dict[str, str] = field(default_factory=dict)  # lemma -> sector
    cues: dict[str, frozenset[str]] = field(default_factory=dict)  # lemma -> {speech, intent, ...}
    outer: dict[str, OuterAct] = field(default_factory=dict)
    outer_codes: dict[tuple[str, str], str] = field(default_factory=dict)  # (family, inner root/code) -> code
    domains: dict[str, str] = field(default_factory=dict)  # noun lemma -> sport | culture | commerce
    targets: dict[str, str] = field(default_factory=dict)  # noun lemma -> facility | vehicle | area
    # surface form (tuple of tokens) -> entries; case-insensitive keys are lower-cased,
    # acronyms ("US", "IS", "WHO") are kept exact so that "us", "is", "who" never match.
    names: dict[tuple[str, ...], list[NamedActor | CountryEntry]] = field(default_factory=dict)
    longest_name: int = 1

    def cue(self, lemma: str, kind: str) -> bool:
        return kind in self.cues.get(lemma, ())

    @cached_property
    def known_words(self) -> frozenset[str]:
        """Every lemma the trigger, cue and outer-act lexicons know (for repairing lemmas)."""
        return frozenset({lemma for lemma, _ in self.triggers} | set(self.cues) | set(self.outer))

    @cached_property
    def candidate_memo(self) -> dict[tuple[int, ...], bool]:
        """extract.trigger_candidates' answers per (lemma, form, part of speech, stop word)
        hashes: whether such a token could be a trigger or an outer act of this lexicon."""
        return {}

    def common_words(self) -> frozenset[str]:
        """Every lexicon word that is not a name: the words a Title Case Headline may lower."""
        words = {lemma for lemma, _ in self.triggers} | set(self.agents) | set(self.cues) | set(self.outer)
        return frozenset(words | set(self.domains) | set(self.targets))

    def outer_code(self, outer: OuterAct, inner_code: str | None) -> str:
        """The outer act's code given the inner act's code: the full code first, then its root."""
        if inner_code is None:
            return outer.code
        return (self.outer_codes.get((outer.family, inner_code))
                or self.outer_codes.get((outer.family, inner_code[:3]))
                or self.outer_codes.get((outer.family, inner_code[:2]))
                or outer.code)

    def lookup_name(self, words: tuple[str, ...]) -> list[NamedActor | CountryEntry]:
        exact = self.names.get(words)
        if exact is not None and _is_acronym(words):
            return exact
        return self.names.get(tuple(w.lower() for w in words), [])


def _is_acronym(words: tuple[str, ...]) -> bool:
    return len(words) == 1 and words[0].replace(".", "").isupper() and len(words[0]) <= 6


def name_key(surface: str) -> tuple[str, ...]:
    """How a surface form is stored: tokens split like spaCy does on spaces and hyphens."""
    tokens = tuple(_split_name(surface))
    return tokens if _is_acronym(tokens) else tuple(t.lower() for t in tokens)


def _split_name(surface: str) -> Iterator[str]:
    for word in surface.split():
        # spaCy splits "al-Assad" into al - Assad and "Russia's" into Russia 's
        parts = word.replace("-", " - ").split()
        yield from parts


def _rows(filename: str) -> Iterator[dict[str, str]]:
    text = resources.files("diurna.lexicons").joinpath(filename).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    for row in csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE):
        yield {k: (v or "").strip() for k, v in row.items()}


def _date(value: str) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _set(value: str) -> frozenset[str]:
    return frozenset(v.strip().lower() for v in value.split("|") if v.strip())


def _parse_when(sense_fields: dict[str, str]) -> dict:
    conditions: dict = {}
    for part in filter(None, (p.strip() for p in sense_fields["when"].split(";"))):
        if part == "noobj":
            conditions["no_object"] = True
        elif part == "named":
            conditions["named"] = True
        elif part == "num":
            conditions["counted"] = True
        elif part == "doer=event":
            conditions["doer_event"] = True
        elif part == "obj=@person":
            conditions["person_object"] = True
        else:
            key, _, value = part.partition("=")
            if key == "obj":
                conditions["objects"] = _set(value)
            elif key == "mod":
                conditions["modifiers"] = _set(value)
            elif key == "prt":
                conditions["particle"] = value.strip().lower()
            elif key == "prep":
                conditions["preps"] = _set(value)
            elif key == "pobj":
                conditions["prep_objects"] = _set(value)
            elif key == "civil":
                conditions["civil_code"] = value.strip()
            elif key == "police":
                conditions["police_code"] = value.strip()
            else:
                raise ValueError(f"triggers.tsv: unknown condition {part!r} for {sense_fields['lemma']}")
    return conditions


def load_lexicon() -> Lexicon:
    lex = Lexicon()
    for row in _rows("cameo.tsv"):
        lex.cameo[row["code"]] = CameoCode(
            row["code"], row["name"], float(row["goldstein"]),
            row["plover_type"] or None, row["plover_mode"] or None,
        )
    for row in _rows("triggers.tsv"):
        if row["code"] != "-" and row["code"] not in lex.cameo:
            raise ValueError(f"triggers.tsv: {row['lemma']} uses unknown CAMEO code {row['code']}")
        sense = TriggerSense(
            lemma=row["lemma"].lower(), pos=row["pos"], code=row["code"],
            mutual=row["mutual"] == "y", **_parse_when(row),
        )
        for other in (sense.civil_code, sense.police_code):
            if other and other not in lex.cameo:
                raise ValueError(f"triggers.tsv: {row['lemma']} uses unknown CAMEO code {other}")
        lex.triggers.setdefault((sense.lemma, sense.pos), []).append(sense)
    for row in _rows("outer_acts.tsv"):
        if row["code"] != "-" and row["code"] not in lex.cameo:  # "-": coded only through outer_codes.tsv
            raise ValueError(f"outer_acts.tsv: {row['lemma']} uses unknown CAMEO code {row['code']}")
        lex.outer[row["lemma"].lower()] = OuterAct(row["family"], row["code"])
    for row in _rows("outer_codes.tsv"):
        if row["code"] not in lex.cameo:
            raise ValueError(f"outer_codes.tsv: unknown CAMEO code {row['code']}")
        lex.outer_codes[(row["family"], row["inner"])] = row["code"]
    for row in _rows("domains.tsv"):
        lex.domains[row["lemma"].lower()] = row["domain"]
    for row in _rows("targets.tsv"):
        lex.targets[row["lemma"].lower()] = row["kind"]
    for row in _rows("agents.tsv"):
        lex.agents[row["lemma"].lower()] = row["sector"]
    for row in _rows("cues.tsv"):
        lex.cues[row["lemma"].lower()] = lex.cues.get(row["lemma"].lower(), frozenset()) | _set(row["cue"])
    for row in _rows("countries.tsv"):
        for column, kind in (("names", "name"), ("demonyms", "demonym"), ("capitals", "capital")):
            for surface in filter(None, row[column].split("|")):
                _add_name(lex, surface, CountryEntry(row["iso3"], kind))
    for row in _rows("named_actors.tsv"):
        actor = NamedActor(
            row["country"] or None, row["sector"] or None, row["org"] or None,
            _date(row["valid_from"]), _date(row["valid_to"]),
        )
        for surface in filter(None, row["names"].split("|")):
            _add_name(lex, surface, actor)
    return lex


def _add_name(lex: Lexicon, surface: str, entry: NamedActor | CountryEntry) -> None:
    key = name_key(surface)
    lex.names.setdefault(key, []).append(entry)
    lex.longest_name = max(lex.longest_name, len(key))
