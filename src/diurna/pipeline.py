"""The pipeline, top to bottom: read -> clean -> parse -> extract -> resolve -> (dedupe) -> store.

`Coder` holds what is expensive to build (the spaCy model, the lexicons) and codes batches of
articles; the CLI, the Python API and the store all go through it.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Iterator
from urllib.parse import urlsplit

from spacy.tokens import Doc, Span, Token

from diurna.dedupe.articles import STORIES, Fingerprint, cleaned_text
from diurna.resolve.actors import ActorResolver
from diurna.ingest.clean import CleanArticle, Paragraph, clean
from diurna.resolve.deaths import DEATH_VERBS, Toll, may_be_a_total, toll_for, tolls
from diurna.resolve.dates import DateMentions, DateResolver, EventDate
from diurna.coding.extract import EventMention, clause_verb, extract, is_vetoed, object_tokens
from diurna.coding.lexicon import CountryEntry, Lexicon, load_lexicon
from diurna.coding.parse import Parser, ParserSettings, headline_case, headline_of
from diurna.coding.prefilter import kept_sentences
from diurna.resolve.places import Gazetteer, Place
from diurna.resolve.where import RANK_DEMONYM, RANK_ENTITY, RANK_GROUP, PlaceFinder, PlaceMention
from diurna.resolve.quantities import number_value, quantity_of
from diurna.records import Actor, Article, Event, Quantity

ARTICLES_PER_BATCH = 256
# Sectors that make an actor political: an event needs one such participant (a country, an
# organisation, or one of these), so firms, fans and "people" alone never make an event.
POLITICAL_SECTORS = frozenset({"GOV", "MIL", "COP", "REB", "INS", "OPP", "IGO", "JUD", "LEG", "PTY", "NGO", "REF", "ELI"})
# Words of dying: with no doer named, a death needs a sign of conflict whoever died ("the party's
# chairman died of a heart attack").
_DEATH_WORDS = frozenset({"die", "death", "dead"})
# Sectors of private life: firms, schools, hospitals, media and citizens (a named firm is no party).
_PRIVATE_SECTORS = frozenset({"BUS", "EDU", "HLH", "MED", "CVL"})
# Words of the article's own time, which end a past narrative (see _in_past_narrative).
# Reporting verbs count as now too: "Mr Bennett said ..." is the article's own time.
_NOW_WORDS = re.compile(r"\b(today|yesterday|tonight|now|currently|recently|this (week|month|year)|last (week|month|night|year)|"
                        r"(on )?(monday|tuesday|wednesday|thursday|friday|saturday|sunday)|said|says|told)\b", re.I)
# A year as the time of what is told ("in 2001", "during May 2002"), not in a name ("the Terrorism
# Act 2000", "the 2001 election").
_YEAR_IN_TEXT = re.compile(r"\b(?:in|during|until|by)\s+(?:(?:early|late|mid)[- ])?(?:(?:january|february|march|april|may|"
                           r"june|july|august|september|october|november|december)\s+)?(19[5-9]\d|20\d\d)\b", re.I)
# Dates that put an act a year or more before the article's own time.
_YEARS_BACK = re.compile(r"\b(last|previous|past) year\b|\byears? (ago|earlier|before)\b", re.I)
# Words that make a doer an earlier one: what they did is history.
_EARLIER_WORDS = frozenset({"previous", "earlier", "past", "then", "erstwhile"})
# Prepositions of circumstance: what they govern is no party to the act (see _act_heads).
_CIRCUMSTANCE_PREPS = frozenset({"despite", "amid", "because", "than", "like", "unlike", "notwithstanding"})
# An article's home country (see _home_country) and who takes it.
_HOME_MIN_ACTORS = 3
_HOME_SECTORS = frozenset({"GOV", "LEG", "JUD", "COP", "PTY", "OPP", "ELI"})
# Roots of political exchanges at home; not visits (to a place: "will visit Auschwitz"), nor
# coercion and force, whose unnamed parties are often foreign.
_HOME_EXCHANGE_ROOTS = frozenset({"01", "02", "03", "05", "06", "07", "08", "09", "10", "11", "12", "13", "14"})
_FOREIGN_WORDS = frozenset({"foreign", "international", "world", "global", "overseas", "european", "asian", "african",
                            "arab", "western", "other", "allied", "coalition"})
# Words that put an actor beyond the country where an event happens ("European leaders").
_ABROAD_WORDS = _FOREIGN_WORDS - {"other", "allied", "coalition"}
# Sectors that bear arms: in a sport or culture context only these make a clash a real one.
ARMED_SECTORS = frozenset({"MIL", "COP", "REB", "INS"})
# The sector of an armed actor no words name: the doer of an agentless act of force, placed in
# the country where it acted (CAMEO's "unaligned armed forces").
UNNAMED_ARMED_SECTOR = "UAF"
# How long before the article an act may be and still be news it reports: two years for a bare
# year, one for an act dated to its month, week or day.
BACKGROUND_DAYS = 731
BACKGROUND_DAYS_DATED = 366
# Institutions that argue rather than fight: when every actor of a "clash" is one of these,
# the clash is verbal (the trigger's civil= code).
CIVIL_SECTORS = frozenset({"GOV", "LEG", "PTY", "JUD", "BUS", "MED", "EDU", "NGO", "IGO"})
# Sectors of people who act where they live: with no country of their own they take the
# country of the place where the event happens ("farmers in Kaduna" -> NGA).
DOMESTIC_SECTORS = frozenset({"COP", "REB", "INS", "OPP", "CVL", "REF", "MED", "JUD", "LEG", "PTY", "EDU", "HLH", "BUS", "GOV", "MIL"})
# A state's own organs: who faces them at home is, failing a place, of the same country.
_STATE_SECTORS = frozenset({"GOV", "MIL", "COP", "JUD", "LEG"})
# Sectors of a country's own politics: who argues with them is, failing a code, of that country.
_DOMESTIC_POLITICS = frozenset({"GOV", "LEG", "JUD", "PTY", "OPP", "COP"})
# Codes of acts that only wars and terror commit: bombs, shelling, air strikes, mass killing.
_WAR_CODES = frozenset({"183", "1831", "194", "195", "196", "200", "202", "203", "204"})
# Codes whose acts are always aimed at someone: with no target they are a misreading ("came
# to office" is no visit).
_TARGET_REQUIRED = ("041", "042", "043", "054", "112", "115")
# Visits and hosting: their place is their party ("will visit Auschwitz" -> POL).
_VISIT_CODES = ("042", "043")
# Prepositions that name whom an act is for or against when it has no object.
_RECIPIENT_PREPS = frozenset({"to", "for", "against", "with", "from", "toward", "towards", "on", "into"})
# Event nouns that name armed conflict itself ("violent clashes in Aleppo", "heavy fighting").
_WAR_NOUNS = frozenset({"clash", "fighting", "offensive", "ambush", "raid", "invasion", "incursion", "battle", "combat"})
# Violent nouns that crime reporting shares with war reporting: no sign of conflict on their own.
# Nouns of civil strife: a death in it is conflict, whoever died (not "violence": domestic violence is crime).
_STRIFE_NOUNS = frozenset({"unrest", "insurgency", "bloodshed", "uprising", "rebellion", "insurrection"})
_CRIME_NOUNS = frozenset({"fight", "fighting", "shooting", "killing", "murder", "death", "casualty", "stabbing", "violence"})
_SCORE = re.compile(r"(?<![\d/-])\d{1,3}-\d{1,3}(?![\d/-])")
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
    fingerprint: Fingerprint | None = None  # for the story index (None: too short to have one)


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
        self.gazetteer = gazetteer or Gazetteer.load()
        self.resolver = ActorResolver(self.lexicon, self.gazetteer)
        self.dates = DateResolver()
        self.headline_words = self.lexicon.common_words() | frozenset(self.parser.nlp.Defaults.stop_words)

    def code(self, articles: Iterable[Article]) -> Iterator[CodedArticle]:
        """Code articles in order, in batches so that nlp.pipe sees many paragraphs at once."""
        iterator = iter(articles)
        while batch := list(itertools.islice(iterator, ARTICLES_PER_BATCH)):
            yield from self._code_batch(batch)

    def _code_batch(self, batch: list[Article]) -> Iterator[CodedArticle]:
        cleaned = [clean(article) for article in batch]
        items = [(headline_case(p.text, self.headline_words), (n, p)) for n, c in enumerate(cleaned) for p in c.paragraphs]
        docs: list[list[tuple[Doc, Paragraph]]] = [[] for _ in batch]
        entities_for = None if self.parser.settings.full_parse else self.lexicon
        for doc, (n, paragraph) in self.parser.parse(items, n_items=len(items), entities_for=entities_for):
            docs[n].append((doc, paragraph))
        for article, clean_article, parsed in zip(batch, cleaned, docs):
            article_id = article_id_for(article)
            events: list[Event] = []
            places: dict[str, list[PlaceMention]] = {}
            totals: set[str] = set()  # events whose toll may be a total over several incidents
            n_sentences = sum(1 for doc, _ in parsed for _ in doc.sents)
            off_topic: bool | None = None  # read only for an article with a mention: most have none
            for number, (doc, paragraph) in enumerate(parsed):
                dates, finder, sentence_tolls = None, PlaceFinder(doc, self.lexicon), {}
                for mention in extract(doc, self.lexicon, kept_sentences(doc)):
                    if n_sentences > 3 and _is_generic_present(doc[mention.trigger], lead=number == 0):
                        continue
                    if dates is None:
                        dates = DateMentions(doc)
                    if off_topic is None:
                        off_topic = self._off_topic_section(article) or self._off_topic_article([d for d, _ in parsed])
                    found = finder.mentions(mention.trigger, mention.sources + mention.targets, mention.place)
                    coded = self._events(mention, doc, paragraph, article, article_id, clean_article, dates, found,
                                         sentence_tolls, off_topic)
                    if any(e.fatalities_low is not None for e in coded) and may_be_a_total(
                            headline_of(doc[mention.trigger].sent), mention.agentless and not mention.sources):
                        totals.update(e.event_id for e in coded)
                    for event in coded:
                        events.append(event)
                        places.setdefault(event.event_id, found)
            events = [_domestic_country(e) for e in self._locate(_dedupe(events), places, clean_article.dateline_place,
                                                                 totals)]
            if events:
                events = _at_home(events, self._named_countries([doc for doc, _ in parsed]))
            yield CodedArticle(article, article_id, content_hash(article.content), clean_article, events, n_sentences,
                               STORIES.fingerprint(cleaned_text(clean_article)))

    def _fallback_targets(self, mention: EventMention, doc: Doc, day, sources: list[Actor]) -> tuple[list[Actor], bool]:
        """With no object that names an actor, the target is the party the act reaches through
        its complements: a preposition ("offered to hand them over to Great Britain", "rejected
        an offer from Afghanistan", "an investigation into crimes committed by Croat forces"),
        the owner of the act it acts on ("denounced Serbia's suppression of the unrest"), or
        the one whose act a threat waits for ("threatened a strike unless Israel rescinded").
        Failing a party, for acts done somewhere, the target is the country of that place
        ("reimposed blockades in the West Bank", "agreed to set up a centre in Tokyo"). The
        second element says the target is a place (a state may act at home)."""
        heads = _act_heads(doc, mention)

        def parties(tokens: Iterable[Token]) -> list[Actor]:
            found = [a for o in tokens for t in [o, *o.conjuncts] for a in self.resolver.resolve(t, day)
                     if a.country or a.org or a.sector in POLITICAL_SECTORS]
            return [a for a in found if not any(_same_actor(s, a) for s in sources)]

        for head in heads:
            reached = [o for prep in head.children if prep.dep_ == "prep" and prep.lower_ in _RECIPIENT_PREPS
                       for o in prep.children if o.dep_ == "pobj"]
            if head.i != mention.trigger and head.pos_ != "PROPN" and (head.pos_ == "NOUN" or head.dep_ in ("dobj", "pobj")):
                # the owner of the act acted on: "Serbia's crackdown", "the Paris Club offer"
                reached += [c for c in head.children if c.dep_ == "poss" or (c.dep_ == "compound" and c.pos_ == "PROPN")
                            or (c.dep_ == "amod" and c.is_title and c.i > c.sent.start)]  # "Conservative spending plans"
                reached += [o for acl in head.children if acl.dep_ == "acl" for by in acl.children
                            if by.dep_ == "agent" for o in by.children if o.dep_ == "pobj"]
            found = parties(reached)
            if found:
                return _flatten([found]), False
        if mention.sense.code.startswith("13"):
            found = parties(s for h in heads for clause in h.children if clause.dep_ == "advcl"
                            and any(m.lower_ in ("unless", "if", "until") for m in clause.children if m.dep_ == "mark")
                            for s in clause.children if s.dep_ in ("nsubj", "nsubjpass"))
            if found:
                return _flatten([found]), False
        if mention.sense.mutual:
            return [], False
        # the act's place, or the place of the act its complement names ("threatened to impose a
        # curfew in Algiers", "agreed to open an office in Nairobi"); words are not aimed at where
        # they are said ("In the Commons, Tory MPs demanded a statement", "hailed the longest
        # period of growth in UK"); visits are, and so are the acts intents and threats announce
        said = self.lexicon.cameo[mention.sense.code].quad_class in (1, 3) and not mention.sense.code.startswith(("03", "04", "13"))
        inner_acts = {t.i for h in heads if h.pos_ == "VERB" and h.i not in (mention.trigger, mention.anchor)
                      for t in h.subtree}
        places = [doc[mention.place[1] - 1]] if mention.place is not None and not said else []
        places += [o for h in heads[1:] if not said or h.i in inner_acts for p in h.children
                   if p.dep_ == "prep" and p.lower_ in ("in", "into", "inside")
                   for o in p.children if o.dep_ == "pobj" and o.ent_type_ in ("GPE", "LOC")]
        for place_head in places:
            found = [a for a in self.resolver.resolve(place_head, day) if a.country and not a.org]
            if found:
                return [Actor(text=found[0].text, country=found[0].country)], True
        return [], False

    def _visited_countries(self, mention: EventMention, doc: Doc) -> list[Actor]:
        """The country of a named place visited, however small ("visit Auschwitz" -> POL)."""
        found = []
        for i in mention.targets:
            head = doc[i]
            if head.pos_ == "PROPN":
                place = self.gazetteer.resolve_phrase(doc[head.left_edge.i:head.i + 1].text, [])
                if place is not None:
                    found.append(Actor(text=doc[head.left_edge.i:head.i + 1].text, country=place.country))
        return found

    def _named_countries(self, docs: list[Doc]) -> Counter:
        """How often the text names each country, its people or its capital ("Britain", "British",
        "London"): the article's own evidence of where it is, beyond its events."""
        named: Counter = Counter()
        for doc in docs:
            for token in doc:
                if token.pos_ in ("PROPN", "ADJ") and (token.is_title or token.is_upper):
                    named.update(e.iso3 for e in self.lexicon.lookup_name((token.text,))[:1] if isinstance(e, CountryEntry))
        return named

    def _off_topic_section(self, article: Article) -> bool:
        """A sport or culture piece by its input's own section: a `section` or `category` field,
        or a word of the URL's path ("https://www.bbc.co.uk/sport/football/123")."""
        names = [str(article.extra.get(key, "")) for key in ("section", "category")]
        if article.url:
            names += urlsplit(article.url).path.split("/")[:-1] if "://" in article.url else article.url.split("/")[:-1]
        return any(self.lexicon.domains.get(word, "").removesuffix("-section") in ("sport", "culture")
                   for name in names for word in re.split(r"[^a-z]+", name.lower()) if word)

    def _off_topic_article(self, docs: list[Doc]) -> bool:
        """A sport or culture piece: more sentences about games or shows than about politics."""
        domain_sentences = political_sentences = 0
        for doc in docs:
            for sentence in doc.sents:
                if self._domain_of(sentence) in ("sport", "culture"):
                    domain_sentences += 1
                elif any(self.lexicon.agents.get(t.lemma_.lower()) in POLITICAL_SECTORS for t in sentence):
                    political_sentences += 1
        return domain_sentences >= 2 and domain_sentences > political_sentences

    def _conflict_context(self, doc: Doc, mention: EventMention) -> bool:
        """Signs that an act of force with no political actor is conflict, not crime: a violent
        cause ("killed in a blast"), a weapon or an armed group in the sentence, or at least three
        victims. Disasters ("died in the floods") are vetoed before this is asked (`_events`). A
        headline's rubric counts with its story ("Landmine blast | Two shepherds killed")."""
        sentence = headline_of(doc[mention.trigger].sent)
        if mention.sense.code in _WAR_CODES or doc[mention.trigger].lemma_.lower() in _WAR_NOUNS:
            return True
        # police make an arrest a state's act, but a killing they investigate is no war
        armed = ARMED_SECTORS - {"COP"} if mention.sense.code[:2] in VIOLENT_ROOTS else ARMED_SECTORS
        for token in sentence:
            lemma = token.lemma_.lower() if token.pos_ != "PROPN" else token.lower_  # "Clash kills six" (a headline's NNP)
            if token.i != mention.trigger and token.pos_ in ("NOUN", "PROPN") and lemma not in _CRIME_NOUNS and any(
                    s.code[:2] >= "18" for s in self.lexicon.triggers.get((lemma, "noun"), []) if s.code != "-") \
                    and not is_vetoed(token, self.lexicon):  # "died of a heart attack"
                return True
            if self.lexicon.targets.get(lemma) == "weapon" or (
                    token.pos_ == "NOUN" and lemma in _STRIFE_NOUNS and token.i != mention.trigger):
                return True  # a weapon; "Somali unrest leaves 10 dead" (not "worries about unrest" itself)
            if self.lexicon.agents.get(lemma) in armed and token.tag_ in ("NNS", "NNPS"):
                return True  # "soldiers", "militants"; not "an evil force", nor the police of a murder story
        if any(count >= 3 for count in _victim_counts(mention, doc)):
            return True
        # at least three dead in a toll of the sentence other than the trigger's own ("the death toll
        # rose to 12 after an attack"; not "56,000 deaths" linked to a drug)
        return any(t.word != mention.trigger and t.deaths is not None and (t.deaths.low or t.deaths.high or 0) >= 3
                   for t in tolls(sentence))

    def _disaster(self, sentence: Span) -> bool:
        return any(self.lexicon.domains.get(t.lemma_.lower()) == "disaster" or self.lexicon.domains.get(t.lower_) == "disaster"
                   for t in sentence if t.pos_ in ("NOUN", "PROPN", "VERB"))

    def _domain_of(self, sentence: Span) -> str | None:
        """sport, culture or commerce when the sentence has a score or a domain word."""
        if _SCORE.search(sentence.text):
            return "sport"
        for token in sentence:
            domain = self.lexicon.domains.get(token.lemma_.lower()) if token.pos_ == "NOUN" else None
            if domain is not None and not domain.endswith("-section"):
                return domain
        return None

    def _events(
        self, mention: EventMention, doc: Doc, paragraph: Paragraph, article: Article,
        article_id: str, cleaned: CleanArticle, dates: DateMentions, places: list[PlaceMention],
        sentence_tolls: dict[int, list[Toll]], off_topic: bool = False,
    ) -> list[Event]:
        if mention.modality == "hypothetical" or (mention.modality == "negated" and mention.claimant is None):
            return []  # "could strike", "should resign", "would not impose sanctions": nothing happened
        day = article.date
        sources = _flatten(self.resolver.resolve(doc[i], day, owned=False) for i in mention.sources)
        targets = _flatten(self.resolver.resolve(doc[i], day) for i in mention.targets)
        if mention.sense.code.startswith(_VISIT_CODES) and not any(a.country or a.org for a in targets):
            targets = self._visited_countries(mention, doc) or targets  # "will visit Auschwitz": a visit to Poland
        if not sources and not mention.agentless:
            return []  # a doer was named but is not an actor ("the firm", "fans")
        if any(c.dep_ == "amod" and c.lower_ in _EARLIER_WORDS for i in mention.sources for c in doc[i].children):
            return []  # "a previous Labour chancellor resigned": what an earlier holder did is history
        located_target = False
        if not targets and sources and not (mention.sense.mutual and len(sources) >= 2):
            # "Israel and Lebanon renewed negotiations on a troop pullback": the parties are the doers
            targets, located_target = self._fallback_targets(mention, doc, day, sources)
        actors = sources + targets
        if not actors and mention.place is None and not any(m.rank < RANK_DEMONYM for m in places):
            return []  # an event with no actor at all ("heavy fighting") must at least say where
        cameo = self.lexicon.cameo[mention.sense.code]
        armed = any(a.sector in ARMED_SECTORS for a in actors)
        if mention.sense.civil_code and sources and not armed and any(a.sector in CIVIL_SECTORS for a in actors) \
                and all(a.sector in CIVIL_SECTORS or not (a.sector or a.country or a.org) for a in actors):
            # "the two leaders clashed", "Howard attacked Mr Brown": institutions and named people argue
            cameo = self.lexicon.cameo[mention.sense.civil_code]
        elif mention.sense.police_code and sources and all(a.sector == "COP" for a in sources) \
                and not any(a.sector in ARMED_SECTORS for a in targets):
            cameo = self.lexicon.cameo[mention.sense.police_code]  # "Finnish police raided a BitTorrent site": law enforcement
        if not _has_political_actor(sources, targets, cameo.root, mention.agentless):
            return []
        if mention.agentless and (self._disaster(headline_of(doc[mention.trigger].sent)) or (
                (not any(_political(a) for a in actors) or doc[mention.trigger].lemma_.lower() in _DEATH_WORDS)
                and not self._conflict_context(doc, mention))):
            # "440 Britons were dead or missing in the disaster": no act of force; "two friends
            # were shot": a crime with no political actor and no sign of conflict
            return []
        if mention.sense.mutual and cameo.root < "07" and not targets and len(sources) < 2:
            return []  # "X agreed", "X met": a meeting or agreement needs a second party
        if not targets and (cameo.code.startswith(_TARGET_REQUIRED) or mention.sense.person_object):
            # a visit, a phone call, an accusation is always of someone; so is an act whose sense
            # needs a person acted on ("banned them": the camera phones)
            return []
        if not armed and (off_topic or self._domain_of(doc[mention.trigger].sent) in ("sport", "culture")):
            return []  # "Slovakia beat Argentina 3-0", a film about a war: no armed actor, no event
        if mention.sense.mutual and not targets and len(sources) >= 2:
            pairs = list(itertools.permutations(sources, 2))
        elif mention.sense.mutual and targets and sources:
            pairs = [p for a in sources for b in targets for p in ((a, b), (b, a))]
        else:
            pairs = [(a, b) for a in (sources or [None]) for b in (targets or [None])]
        if not located_target:  # "Sudan's government lifted the emergency in Darfur": a state may act at home
            pairs = [(a, b) for a, b in pairs if a is None or b is None or not _same_actor(a, b)]
        # each pair needs its own political party ("schools and councils banned them": the councils)
        pairs = [(a, b) for a, b in pairs
                 if _has_political_actor([a] if a else [], [b] if b else [], cameo.root, mention.agentless)]
        if cameo.root == "04":  # talking to voters or "as many people as possible" is no meeting of parties
            pairs = [(a, b) for a, b in pairs if not any(x is not None and _the_public(x) for x in (a, b))]
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
        if when is not None and day is not None and _background(when, day):
            return []  # "the EU imposed an arms ban in 1989", "the 1994 genocide": history, not news
        if when is None and day is not None and _in_past_narrative(trigger, day):
            return []  # "... which in 2001 culminated in a default. Two presidents resigned in a month."
        if self.resolver.under_past_rule(trigger, day, BACKGROUND_DAYS_DATED):
            return []  # "3,000 people were killed under Gen Pinochet's regime": a past regime's acts
        if when is None and mention.claimant is None and _past_perfect(trigger):
            return []  # "Critics had accused Mr Hariri of ...": what had happened before the news
        if cameo.quad_class in (1, 3) and _already_done(trigger):
            return []  # "the Parliament has already clashed with the Commission": a known earlier dispute
        quantities = _quantities(mention, doc)
        deaths, injured = None, None
        if _is_violent(trigger, cameo):  # tolls are read once per sentence (a headline's parts: once)
            told = headline_of(sentence)
            if told.start not in sentence_tolls:
                sentence_tolls[told.start] = tolls(told)
            deaths, injured = toll_for(trigger, sentence_tolls[told.start])
        events = []
        for source, target in pairs:
            key = f"{article_id}|{trig_start}|{source.code if source else ''}|{target.code if target else ''}|{cameo.code}"
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
        else one on a verb above the trigger in its sentence ("were killed yesterday in a blast"),
        else one of the clause a temporal clause ties it to ("after troops opened fire")."""
        planned = mention.modality in ("planned", "hypothetical")
        scopes = [doc[mention.trigger]] + ([doc[mention.anchor]] if mention.anchor is not None else [])
        for text in [t for scope in scopes for t in dates.within(scope)] + dates.above(doc[mention.trigger]) \
                + [t for scope in scopes for t in dates.around(scope)]:
            resolved = self.dates.resolve(text, published, planned)
            if resolved is not None:
                return resolved
        return None

    def _locate(self, events: list[Event], places: dict[str, list[PlaceMention]], dateline: str | None,
                totals: set[str] = frozenset()) -> list[Event]:
        """Each event's place: the best-ranked phrase of its sentence that resolves (a finer place
        inside it wins over a bare country or province), in the light of the article's countries.
        A place the sentence only mentions (not after a place preposition, not on the event noun)
        counts only when its country is one of the event's actor countries. Events whose sentence
        names none get, under the same condition, the article's focus place (precision `article`),
        else the country of a demonym in the sentence ("Somali unrest"), else the dateline's place,
        else the actors' one country (precision `country`), else, with no actor, the one country of the
        armed groups the sentence names, else no place. A toll that may be a
        total over several incidents (`totals`) and that no place finer than a first-level
        subdivision narrows bounds the event's deaths from above only (a total known only from below stays as said)."""
        countries = [c for e in events for c in (e.source_country, e.target_country) if c]
        countries += [m.country for found in places.values() for m in found if m.country and m.rank != RANK_GROUP]
        # the countries the text's places are in count as context too ("Madaya ... Eastern Ghouta")
        countries += [p.country for p in {self.gazetteer.resolve_phrase(text, countries)
                                          for text in {m.text for found in places.values() for m in found if not m.country}}
                      if p is not None and p.kind in ("country", "admin1")]
        resolved: dict[str, Place | None] = {}

        def resolve(mention: PlaceMention) -> Place | None:
            if mention.country is not None:
                return self.gazetteer.country(mention.country, mention.part)
            if mention.part is not None:
                return None  # a bare part: see resolve_part
            if mention.text not in resolved:
                resolved[mention.text] = self.gazetteer.resolve_phrase(mention.text, countries)
            return resolved[mention.text]

        def resolve_part(mention: PlaceMention, found: list[PlaceMention], actors: set[str]) -> Place | None:
            """"in the north", "in the capital": of the actors' one country, else of the one
            country of the sentence's other places."""
            others = [m for m in found if (m.part is None or m.country) and (m.rank < RANK_DEMONYM or m.country)
                      and m.rank != RANK_GROUP]
            home = actors or {p.country for m in others if (p := resolve(m)) is not None}
            if len(home) != 1:
                return None
            country = home.pop()
            return self.gazetteer.capital(country) if mention.part == "capital" else self.gazetteer.country(country, mention.part)

        chosen: dict[str, tuple[PlaceMention, Place]] = {}
        for event in events:
            actors = {c for c in (event.source_country, event.target_country) if c}
            found = places.get(event.event_id, [])
            pick = _finest([(m, p) for m in found if m.rank < RANK_DEMONYM
                            and (p := resolve_part(m, found, actors) if m.part and not m.country else resolve(m)) is not None
                            and (m.rank < RANK_ENTITY or not actors or p.country in actors)])
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
            elif not actors and len(groups := {m.country for m in places.get(event.event_id, []) if m.rank == RANK_GROUP}) == 1:
                # "Soldier, local chief killed in Boko Haram attacks" parsed with no actor: the group's country
                place, precision = self.gazetteer.country(groups.pop()), "country"
            if (event.event_id in totals and precision in (None, "country", "admin1")
                    and event.fatalities_high is not None and event.fatalities_high > 1):
                # "179 died yesterday", "eight killed in Kashmir": at most that many in this event (a
                # province holds many incidents a day); "at least 8" over many attacks stays as said,
                # and one death is one incident ("soldier killed in Donbas")
                event = event.model_copy(update=dict(fatalities_low=None))
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


def _is_generic_present(trigger: Token, lead: bool) -> bool:
    """In an article body, a verb in the simple present states a habit or a rule ("the Act
    bans", "the library receives 3,000 visitors a day"); news tells events in the past or
    perfect. Headlines and leads are exempt: they tell events in the present ("Taleban kill 15")."""
    if lead and trigger.sent.start == 0:
        return False
    if trigger.pos_ != "VERB":
        return False
    verb = trigger  # "the Lib Dems are soft on crime, support higher taxes": a bare verb shares its conjunct's tense
    while verb.dep_ == "conj" and verb.tag_ == "VB" and not any(c.dep_ in ("aux", "auxpass") for c in verb.children):
        verb = verb.head
    return verb.tag_ in ("VBZ", "VBP") and not any(c.dep_ in ("aux", "auxpass") for c in verb.children)


def _background(when: EventDate, published: dt.date) -> bool:
    """An act dated (to the end of the period the text gives) more than a year before the article
    (two for a bare year, which may be late in it: "a 2018 agreement" in a 2020 report) is history
    the article recalls, not an event it reports ("the shooting of four civilians in May 2003");
    so is one the text itself places a year or more back ("last year", "two years ago")."""
    if _YEARS_BACK.search(when.text):
        return True
    end = when.date
    if when.precision == "year":
        end = dt.date(end.year, 12, 31)
    elif when.precision == "month":
        end = (end.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    elif when.precision == "week":
        end = end + dt.timedelta(days=6)
    return (published - end).days > (BACKGROUND_DAYS if when.precision == "year" else BACKGROUND_DAYS_DATED)


def _act_heads(doc: Doc, mention: EventMention) -> list[Token]:
    """The trigger, its light verb, and what they act on, nearest first, three steps down:
    objects, infinitive complements and the objects of prepositions ("agreed to set up a
    centre in Tokyo", "launched an investigation into crimes committed by Croat forces"); not
    of prepositions of circumstance ("defended the plans despite opposition from the US")."""
    heads = [doc[mention.trigger]] + ([doc[mention.anchor]] if mention.anchor is not None else [])
    frontier = list(heads)
    for _ in range(3):
        frontier = [c for h in frontier for c in h.children if c.dep_ in ("dobj", "xcomp")] + [
            o for h in frontier for p in h.children if p.dep_ == "prep" and p.lower_ not in _CIRCUMSTANCE_PREPS
            for o in p.children if o.dep_ == "pobj"]
        frontier = [t for t in frontier if t not in heads]
        heads += frontier
    return heads


def _political(actor: Actor) -> bool:
    """A state, an organisation or a political sector; a firm is not one, wherever it is based."""
    if actor.sector == "BUS":
        return False
    return bool(actor.country or actor.org or actor.sector in POLITICAL_SECTORS)


def _the_public(actor: Actor) -> bool:
    """Citizens at large ("many people", "voters"), not a group that acts as one."""
    return actor.sector == "CVL" and not actor.org


def _has_political_actor(sources: list[Actor], targets: list[Actor], root: str, agentless: bool) -> bool:
    """An event needs a political participant; an act of force with no named doer may have
    civilians alone as victims ("seven civilians were killed"), and a protest is political
    whoever stages it ("workers stopped work", "prisoners rioted")."""
    if any(_political(a) for a in sources) or (not sources and any(_political(a) for a in targets)):
        return True
    if root == "14":
        return True  # protesting, striking, rioting make their doers political actors
    if root in ("18", "19", "20") and targets and any(a.text and not a.sector and not a.country for a in sources):
        return True  # a named group the lexicons do not know, using force ("LRA kill five people")

    if sources and all(a.sector in _PRIVATE_SECTORS for a in sources):
        # a firm or a citizen acting on a government or an international body; a country named
        # by an adjective ("financing American house purchases") is not a party; their praise
        # or welcome is a market's or a public's reaction ("investors welcomed the decision")
        return root not in ("01", "05", "18", "19", "20") and any(
            (a.org and a.sector not in _PRIVATE_SECTORS) or a.sector in POLITICAL_SECTORS for a in targets)
    # an act of force or coercion with no named doer ("was arrested at Changi Airport"): only
    # states and armed groups arrest, detain, attack
    return agentless and root in ("17", "18", "19", "20") and (bool(targets) or not sources)


def _domestic_country(event: Event) -> Event:
    """Actors with a sector but no country act where the event happens: "farmers in Kaduna",
    "militants attacked a court in Misrata" (only an event's own place counts, not the
    article's focus place); so does the unnamed doer of an act of force. With no place, rebels,
    protesters or civilians facing a state's own organs are that state's ("the Mozambique
    government accepted demands from Shona rebels")."""
    update = {}
    victims_nationality = event.geo_precision == "country" and event.place_country == event.target_country
    if event.cameo_root in VIOLENT_ROOTS and event.source_text is None and event.source_code is None \
            and event.place_country and event.geo_precision != "article" and not victims_nationality:
        # an agentless act of force ("four soldiers were killed in Kandahar"): an armed actor
        # the text does not name, of the country where it acted; `source_text` stays null. A
        # country known only as the victims' own ("four Kenyan soldiers killed") says nothing
        # of the doer.
        update.update(source_country=event.place_country, source_sector=UNNAMED_ARMED_SECTOR,
                      source_code=event.place_country + UNNAMED_ARMED_SECTOR)
    for role, other in (("source", "target"), ("target", "source")):
        text = getattr(event, f"{role}_text") or ""
        if event.cameo_root in ("10", "11", "12", "13", "14") and text[:1].isupper() and getattr(event, f"{role}_code") is None \
                and getattr(event, f"{other}_country") and getattr(event, f"{other}_sector") in _DOMESTIC_POLITICS:
            # a named person the lexicons do not know, in a domestic political exchange, is of that
            # country: "Liberal Democrat leader Charles Kennedy attacked Mr Brown" -> GBR
            update[f"{role}_country"] = update[f"{role}_code"] = getattr(event, f"{other}_country")
            continue
        if getattr(event, f"{role}_sector") not in DOMESTIC_SECTORS or getattr(event, f"{role}_country") \
                or getattr(event, f"{role}_org") or _foreign(text, _ABROAD_WORDS):
            continue  # "European leaders blamed the US": not the place's people
        country = event.place_country if event.place_country and event.geo_precision != "article" else None
        # a state named bare counts as one facing a doer ("ministers called on the US"), not as the
        # owner of what it acts on ("Britain mobilized army reservists")
        other_is_state = getattr(event, f"{other}_sector") in _STATE_SECTORS or (
            role == "source" and getattr(event, f"{other}_sector") is None and not getattr(event, f"{other}_org")
            and getattr(event, f"{other}_text") != event.place_text)  # not the place itself ("a curfew in Algiers")
        if getattr(event, f"{role}_sector") in _STATE_SECTORS and country == getattr(event, f"{other}_country") and other_is_state:
            # "the cabinet discussed it with the United States": the place is the other state's
            country = None
        if country is None and getattr(event, f"{role}_sector") not in _STATE_SECTORS \
                and getattr(event, f"{other}_sector") in _STATE_SECTORS:
            country = getattr(event, f"{other}_country")  # not for armies: "destroyed military vehicles" may be the enemy's
        if country:
            update[f"{role}_country"] = country
            update[f"{role}_code"] = country + getattr(event, f"{role}_sector")
    return event.model_copy(update=update) if update else event


def _already_done(trigger: Token) -> bool:
    """A perfect with "already": told as known before the news."""
    verb = clause_verb(trigger)
    return any(c.lower_ == "already" for c in verb.children if c.dep_ == "advmod") and any(
        c.dep_ == "aux" and c.lemma_ == "have" for c in verb.children)


def _past_perfect(trigger: Token) -> bool:
    """Told in the past perfect outside reported speech and outside a temporal clause, an act
    had happened before the time of the story: background ("the MP had denied a claim", "Mr
    Blair had initially refused"); "after rebels had attacked the town" is part of the story."""
    verb = clause_verb(trigger)
    if verb.tag_ != "VBN" or not any(c.dep_ in ("aux", "auxpass") and c.lower_ in ("had", "'d") for c in verb.children):
        return False
    node = verb
    while node.dep_ in ("conj", "xcomp") and node.head.i != node.i:
        node = node.head
    return node.dep_ != "advcl"


def _in_past_narrative(trigger: Token, published: dt.date) -> bool:
    """A simple-past act with no date of its own, in a paragraph whose nearest earlier year is
    history (more than two years before publication, as `_background`), continues that story:
    "Argentina's recession in 2001 culminated in a default ... Two presidents resigned in less than
    a month." A sentence in between that speaks of now ("last week", "this year") ends it."""
    verb = clause_verb(trigger)
    past = verb.tag_ == "VBD" or (verb.tag_ == "VBN" and any(
        c.dep_ in ("aux", "auxpass") and c.tag_ == "VBD" for c in verb.children))
    sentence = trigger.sent
    if not past or _NOW_WORDS.search(sentence.text) or _YEAR_IN_TEXT.search(sentence.text):
        return False  # its own year, when it has one, dates it (see _background)
    for earlier in reversed([s for s in trigger.doc.sents if s.end <= sentence.start]):
        if _NOW_WORDS.search(earlier.text):
            return False
        years = [int(y) for y in _YEAR_IN_TEXT.findall(earlier.text)]
        if years:
            return (published - dt.date(max(years), 12, 31)).days > BACKGROUND_DAYS
    return False


def _foreign(text: str, words: frozenset[str] = _FOREIGN_WORDS) -> bool:
    """Words that put an actor abroad or above states: "European leaders", "foreign ministers"."""
    return any(word in words for word in text.lower().replace("-", " ").split())


def _home_country(events: list[Event], named: Counter) -> str | None:
    """The country an article is about: at least two thirds of the country codes of its events'
    actors and places and of the countries its text names (three at least), as in a BBC
    politics story about Westminster."""
    tally = Counter(c for e in events for c in (e.source_country, e.target_country, e.place_country) if c) + named
    if not tally:
        return None
    country, count = tally.most_common(1)[0]
    return country if count >= _HOME_MIN_ACTORS and count * 3 >= sum(tally.values()) * 2 else None


def _at_home(events: list[Event], named: Counter) -> list[Event]:
    """In an article about one country, its institutions with no country named are that
    country's ("the government", "the Lords"), and so are people the lexicons do not know in its
    political exchanges ("Environment Secretary Margaret Beckett rejected Mr Howard's comment");
    not armed actors, firms, foreign or international bodies, nor people named in visits,
    coercion or force."""
    home = _home_country(events, named)
    if home is None:
        return events
    placed = []
    for event in events:
        update = {}
        for role in ("source", "target"):
            text = getattr(event, f"{role}_text") or ""
            if getattr(event, f"{role}_country") or getattr(event, f"{role}_org") or not text or _foreign(text):
                continue
            sector = getattr(event, f"{role}_sector")
            named = sector is None and text[:1].isupper() and event.cameo_root in _HOME_EXCHANGE_ROOTS
            if sector in _HOME_SECTORS or named:
                update[f"{role}_country"] = home
                update[f"{role}_code"] = home + (sector or "")
        placed.append(event.model_copy(update=update) if update else event)
    return placed


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


def _victim_counts(mention: EventMention, doc: Doc) -> list[int]:
    """How many the victims are at least: "seven civilians", "16 killed", "a dozen"."""
    counts = [q.low or q.high or 0 for q in _quantities(mention, doc) if q.role == "target"]
    for index in mention.targets:  # a head that is itself the count ("16 killed", "a dozen killed")
        head = doc[index]
        if head.like_num:
            counts.append(number_value(head) or 0)  # "16 killed", "among eight killed"
        elif head.lower_ in ("dozen", "dozens", "scores", "hundreds", "thousands"):
            counts.append(12)
    return counts


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
        f"{role}_code": actor.code if actor and actor.code != "---" else None,  # named, but not coded
    }


def _same_actor(a: Actor, b: Actor) -> bool:
    """TURGOV acting on TUR is a state acting on itself; TURGOV acting on TURREB is not."""
    if a.country != b.country or a.org != b.org or not (a.country or a.org):
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
