"""The pipeline, top to bottom: read -> clean -> parse -> extract -> resolve -> (dedupe) -> store.

`Coder` holds what is expensive to build (the spaCy model, the lexicons) and codes batches of
articles; the CLI, the Python API and the store all go through it.
"""
from __future__ import annotations

import hashlib
import itertools
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from spacy.tokens import Doc

from diurna.resolve.actors import ActorResolver
from diurna.ingest.clean import CleanArticle, Paragraph, clean
from diurna.resolve.deaths import DEATH_VERBS, Toll, toll_for, tolls
from diurna.resolve.dates import DateMentions, DateResolver, EventDate
from diurna.coding.extract import EventMention, extract, object_tokens
from diurna.coding.lexicon import Lexicon, load_lexicon
from diurna.coding.parse import Parser, ParserSettings
from diurna.resolve.places import Gazetteer, Place
from diurna.resolve.where import RANK_DEMONYM, RANK_ENTITY, PlaceFinder, PlaceMention
from diurna.resolve.quantities import quantity_of
from diurna.records import Actor, Article, Event, Quantity

# CAMEO roots whose events mean nothing without a target (one consults, accuses, appeals to,
# cooperates with *someone*); events in other roots (intent, yielding, force posture, attacks)
# are kept with the source alone.
DYADIC_ROOTS = frozenset({"02", "04", "05", "06", "07", "09", "10", "11", "12", "13", "16"})
ARTICLES_PER_BATCH = 256
# Events that a toll in their sentence belongs to: the killing itself, or an attack, fight or
# mass violence ("Suicide bombings hit mosques, killing 63"; "5 killed in Kabul blast").
VIOLENT_ROOTS = frozenset({"18", "19", "20"})
_FORCE_ROOTS = frozenset({"15", "18", "19", "20"})  # force posture, assault, fight, mass violence
_GEO_PRECISION = {"city": "place", "admin1": "admin1", "country": "country"}


@dataclass(frozen=True)
class CodedArticle:
    article: Article
    article_id: str
    content_hash: str
    cleaned: CleanArticle
    events: list[Event] = field(default_factory=list)
    n_sentences: int = 0  # sentences parsed, the denominator of events-per-sentence audits


def content_hash(text: str) -> str:
    """Hash of the content with whitespace folded, so re-scraped copies hash alike."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


def article_id_for(article: Article) -> str:
    return "a" + content_hash(article.content)[:16]


class Coder:
    def __init__(self, settings: ParserSettings | None = None, lexicon: Lexicon | None = None,
                 gazetteer: Gazetteer | None = None):
        self.lexicon = lexicon or load_lexicon()
        self.parser = Parser(settings or ParserSettings())
        self.resolver = ActorResolver(self.lexicon)
        self.gazetteer = gazetteer or Gazetteer.load()
        self.dates = DateResolver()

    def code(self, articles: Iterable[Article]) -> Iterator[CodedArticle]:
        """Code articles in order, in batches so that nlp.pipe sees many paragraphs at once."""
        iterator = iter(articles)
        while batch := list(itertools.islice(iterator, ARTICLES_PER_BATCH)):
            yield from self._code_batch(batch)

    def _code_batch(self, batch: list[Article]) -> Iterator[CodedArticle]:
        cleaned = [clean(article) for article in batch]
        items = [(p.text, (n, p)) for n, c in enumerate(cleaned) for p in c.paragraphs]
        docs: list[list[tuple[Doc, Paragraph]]] = [[] for _ in batch]
        for doc, (n, paragraph) in self.parser.parse(items, n_items=len(items)):
            docs[n].append((doc, paragraph))
        for article, clean_article, parsed in zip(batch, cleaned, docs):
            article_id = article_id_for(article)
            events: list[Event] = []
            places: dict[str, list[PlaceMention]] = {}
            n_sentences = 0
            for doc, paragraph in parsed:
                n_sentences += sum(1 for _ in doc.sents)
                dates, finder, sentence_tolls = DateMentions(doc), PlaceFinder(doc, self.lexicon), {}
                for mention in extract(doc, self.lexicon):
                    found = finder.mentions(mention.trigger, mention.sources + mention.targets, mention.place)
                    for event in self._events(mention, doc, paragraph, article, article_id, clean_article, dates, found,
                                              sentence_tolls):
                        events.append(event)
                        places.setdefault(event.event_id, found)
            events = self._locate(_dedupe(events), places, clean_article.dateline_place)
            yield CodedArticle(article, article_id, content_hash(article.content), clean_article, events, n_sentences)

    def _events(
        self, mention: EventMention, doc: Doc, paragraph: Paragraph, article: Article,
        article_id: str, cleaned: CleanArticle, dates: DateMentions, places: list[PlaceMention],
        sentence_tolls: dict[int, list[Toll]],
    ) -> list[Event]:
        day = article.date
        sources = _flatten(self.resolver.resolve(doc[i], day) for i in mention.sources)
        targets = _flatten(self.resolver.resolve(doc[i], day) for i in mention.targets)
        if not sources:
            return []
        if mention.sense.mutual and not targets and len(sources) >= 2:
            pairs = list(itertools.permutations(sources, 2))
        elif mention.sense.mutual and targets:
            pairs = [p for a in sources for b in targets for p in ((a, b), (b, a))]
        else:
            pairs = [(a, b) for a in sources for b in (targets or [None])]
        cameo = self.lexicon.cameo[mention.sense.code]
        pairs = [(a, b) for a, b in pairs if b is None or not _same_actor(a, b)]
        if cameo.root in DYADIC_ROOTS:
            pairs = [(a, b) for a, b in pairs if b is not None]
        if not pairs:
            return []

        trigger = doc[mention.trigger]
        sentence = trigger.sent
        sent_start, sent_end = paragraph.span_to_original(sentence.start_char, sentence.end_char)
        trig_start, trig_end = paragraph.span_to_original(trigger.idx, trigger.idx + len(trigger.text))
        claimant = _first(self.resolver.resolve(doc[mention.claimant], day)) if mention.claimant is not None else None
        claimant_fields = _actor_fields("claimant", claimant)
        if claimant is None and mention.claimant is not None:  # "according to the agreement": not an actor
            claimant_fields["claimant_text"] = doc[mention.claimant].text
        place = doc[mention.place[0]:mention.place[1]].text if mention.place else None  # "Idlib’s M-4 highway"
        when = self._date(mention, doc, day, dates)
        quantities = _quantities(mention, doc)
        deaths, injured = None, None
        if _is_violent(trigger, cameo):  # tolls are read once per sentence
            if sentence.start not in sentence_tolls:
                sentence_tolls[sentence.start] = tolls(sentence)
            deaths, injured = toll_for(trigger, sentence_tolls[sentence.start])
        events = []
        for source, target in pairs:
            key = f"{article_id}|{trig_start}|{source.code}|{target.code if target else ''}|{cameo.code}"
            events.append(Event(
                event_id="e" + hashlib.sha256(key.encode()).hexdigest()[:16],
                article_id=article_id, record_id=article.record_id,
                sentence=article.content[sent_start:sent_end], sentence_start=sent_start, sentence_end=sent_end,
                trigger=article.content[trig_start:trig_end], trigger_start=trig_start, trigger_end=trig_end,
                **_actor_fields("source", source), **_actor_fields("target", target),
                cameo_code=cameo.code, cameo_name=cameo.name, cameo_root=cameo.root,
                quad_class=cameo.quad_class, goldstein=cameo.goldstein,
                plover_type=cameo.plover_type, plover_mode=cameo.plover_mode,
                modality=mention.modality,
                **claimant_fields,
                event_date=when.date if when else day, date_precision=when.precision if when else "article",
                event_time=when.time if when else None, date_text=when.text if when else None,
                place_text=place,
                fatalities_low=deaths.low if deaths else None,
                fatalities_high=deaths.high if deaths else None,
                fatalities_text=deaths.text if deaths else None,
                injured_low=injured.low if injured else None,
                injured_high=injured.high if injured else None,
                injured_text=injured.text if injured else None,
                quantities=quantities,
                outlet=article.source, original_source=cleaned.original_source, url=article.url,
            ))
        return events

    def _date(self, mention: EventMention, doc: Doc, published, dates: DateMentions) -> EventDate | None:
        """The first date mention in the trigger's phrase, else in its light/agreement verb's,
        else one on a verb above the trigger in its sentence ("were killed yesterday in a blast")."""
        planned = mention.modality in ("planned", "hypothetical")
        scopes = [doc[mention.trigger]] + ([doc[mention.anchor]] if mention.anchor is not None else [])
        for text in [t for scope in scopes for t in dates.within(scope)] + dates.above(doc[mention.trigger]):
            resolved = self.dates.resolve(text, published, planned)
            if resolved is not None:
                return resolved
        return None

    def _locate(self, events: list[Event], places: dict[str, list[PlaceMention]], dateline: str | None) -> list[Event]:
        """Each event's place: the best-ranked phrase of its sentence that resolves (a finer place
        inside it wins over a bare country or province), in the light of the article's countries.
        A place the sentence only mentions (not after a place preposition, not on the event noun)
        counts only when its country is one of the event's actor countries. Events whose sentence
        names none get, under the same condition, the article's focus place (precision `article`),
        else the country of a demonym in the sentence ("Somali unrest"), else the dateline's place,
        else the actors' one country (precision `country`), else no place."""
        countries = [c for e in events for c in (e.source_country, e.target_country) if c]
        countries += [m.country for found in places.values() for m in found if m.country]
        # the countries the text's places are in count as context too ("Madaya ... Eastern Ghouta")
        countries += [p.country for p in {self.gazetteer.resolve_phrase(text, countries)
                                          for text in {m.text for found in places.values() for m in found if not m.country}}
                      if p is not None and p.kind in ("country", "admin1")]
        resolved: dict[str, Place | None] = {}

        def resolve(mention: PlaceMention) -> Place | None:
            if mention.country is not None:
                return self.gazetteer.country(mention.country)
            if mention.text not in resolved:
                resolved[mention.text] = self.gazetteer.resolve_phrase(mention.text, countries)
            return resolved[mention.text]

        chosen: dict[str, tuple[PlaceMention, Place]] = {}
        for event in events:
            actors = {c for c in (event.source_country, event.target_country) if c}
            pick = _finest([(m, p) for m in places.get(event.event_id, []) if m.rank < RANK_DEMONYM
                            and (p := resolve(m)) is not None and (m.rank < RANK_ENTITY or not actors or p.country in actors)])
            if pick is not None:
                chosen[event.event_id] = pick
        tally = Counter(p for _, p in chosen.values() if p.kind != "country")
        focus = tally.most_common(1)[0][0] if tally else None
        datelined = self.gazetteer.resolve_phrase(dateline, countries) if dateline else None
        located = []
        for event in events:
            actors = {c for c in (event.source_country, event.target_country) if c}
            # a one-sided use of force ("launched Operation Spring Shield") happens abroad as often as not
            abroad = event.cameo_root in _FORCE_ROOTS and event.source_sector != "COP" and not event.target_country
            fits = lambda p: p is not None and (not actors or abroad or p.country in actors)  # noqa: E731
            demonyms = [m for m in places.get(event.event_id, []) if m.rank == RANK_DEMONYM and fits(resolve(m))]
            text, place, precision = None, None, None
            if event.event_id in chosen:
                mention, place = chosen[event.event_id]
                text, precision = mention.text, _GEO_PRECISION[place.kind]
            elif fits(focus):
                place, precision = focus, "article"
            elif demonyms:  # "Somali unrest", "Afghan Taleban kill 15": the country (no place phrase)
                place, precision = resolve(demonyms[0]), "country"
            elif fits(datelined):
                place, precision = datelined, "article"
            elif len(actors) == 1:
                place, precision = self.gazetteer.country(actors.pop()), "country"
            if place is None:
                located.append(event)
                continue
            point = place
            if place.latitude is None:  # a province with no town of the gazetteer tied to it: the country's point
                point = self.gazetteer.country(place.country) or place
                precision = "country" if precision != "article" else precision
            located.append(event.model_copy(update=dict(
                place_text=text if text is not None else event.place_text, place_name=place.name, geonames_id=place.geonames_id,
                latitude=point.latitude, longitude=point.longitude, place_country=place.country,
                admin1=place.admin1, geo_precision=precision,
            )))
        return located


def _finest(candidates: list[tuple[PlaceMention, Place]]) -> tuple[PlaceMention, Place] | None:
    """The best-ranked candidate, unless it is a country or province and a later candidate is a
    place inside it ("in Syria's Aleppo", "clashes in Idlib province near Saraqib")."""
    if not candidates:
        return None
    best = candidates[0]
    order = {"city": 0, "admin1": 1, "country": 2}
    for mention, place in candidates[1:]:
        _, top = best
        inside = place.country == top.country and (top.kind == "country" or place.admin1 == top.admin1)
        if inside and order[place.kind] < order[top.kind]:
            best = (mention, place)
    return best


def _quantities(mention: EventMention, doc: Doc) -> list[Quantity]:
    found = []
    roles = [("source", mention.sources), ("target", mention.targets)]
    if mention.sense.object_is_instrument:
        roles.append(("object", tuple(t.i for t in object_tokens(doc[mention.trigger]))))
    for role, heads in roles:
        found.extend(q for q in (quantity_of(doc[index], role) for index in heads) if q is not None)
    return found


def _is_violent(trigger, cameo) -> bool:
    return cameo.root in VIOLENT_ROOTS or trigger.lemma_.lower() in DEATH_VERBS


def _actor_fields(role: str, actor: Actor | None) -> dict:
    return {
        f"{role}_text": actor.text if actor else None,
        f"{role}_country": actor.country if actor else None,
        f"{role}_sector": actor.sector if actor else None,
        f"{role}_org": actor.org if actor else None,
        f"{role}_code": actor.code if actor else None,
    }


def _same_actor(a: Actor, b: Actor) -> bool:
    """TURGOV acting on TUR is a state acting on itself; TURGOV acting on TURREB is not."""
    if a.country != b.country or a.org != b.org:
        return False
    return a.sector is None or b.sector is None or a.sector == b.sector


def _dedupe(events: list[Event]) -> list[Event]:
    """One event per (sentence, source, target, code): "signed an agreement" fires twice."""
    seen: dict[tuple, Event] = {}
    for event in events:
        seen.setdefault((event.sentence_start, event.source_code, event.target_code, event.cameo_code), event)
    return list(seen.values())


def _flatten(groups: Iterable[list[Actor]]) -> list[Actor]:
    seen: dict[str, Actor] = {}
    for group in groups:
        for actor in group:
            seen.setdefault(actor.code, actor)
    return list(seen.values())


def _first(actors: list[Actor]) -> Actor | None:
    return actors[0] if actors else None
