"""Resolve stage (actors): turn an actor phrase in a parse into coded actors.

"Russian and Turkish troops" -> RUSMIL, TURMIL; "Russian President Vladimir Putin" -> RUSGOV;
"Moscow" (as an actor) -> RUSGOV; "its army" -> the antecedent's country + MIL;
"Syrian Army attacks" (an event noun as subject) -> the actor its modifiers name.
A phrase that names no country, organisation or agent yields no actor.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from spacy.tokens import Token

from diurna.coding.extract import clause_verb, is_place_name, is_pronoun, match_sense
from diurna.coding.lexicon import CountryEntry, Lexicon, NamedActor
from diurna.records import Actor
from diurna.resolve.places import Gazetteer

# Dependents that belong to the phrase naming an actor (not its relative clauses or places).
_PHRASE_DEPS = {"compound", "amod", "nmod", "poss", "det", "nummod", "quantmod", "case", "punct", "appos", "flat", "npadvmod"}
_MODIFIER_DEPS = {"compound", "amod", "poss", "nmod"}
# A city this big, named where an actor would be, stands for its country ("fired at Tel Aviv").
_ACTOR_PLACE_POPULATION = 50_000
# Agent nouns that in a proper name do not name a role.
_NAME_WORDS = {"capital", "state", "city"}
# Titles before a surname ("Mr Blair"): not a given name.
_HONORIFICS = {"mr", "mrs", "ms", "miss", "dr", "sir", "lord", "lady", "dame", "president", "prime", "minister",
               "general", "gen", "col", "colonel", "sheikh", "king", "queen", "prince", "princess", "senator", "sen",
               "rep", "judge", "justice", "governor", "gov", "mayor", "chancellor", "secretary", "professor", "prof"}
# Words that make an office holder a former one, and the sectors of offices.
_FORMER_WORDS = {"former", "ex", "ex-", "one-time", "erstwhile"}
_OFFICE_SECTORS = {"GOV", "MIL", "LEG", "JUD", "COP"}
# Posts in international bodies that the agent lexicon need not know as sectors.
_OFFICIAL_WORDS = {"director", "secretary-general", "commissioner", "envoy", "official", "chief", "head", "president"}
# Industries that make a "group" or a "giant" a firm: "building products group", "the oil giant".
_INDUSTRIES = {"product", "products", "steel", "oil", "media", "drink", "drinks", "food", "building", "banking",
               "insurance", "mining", "energy", "chemical", "chemicals", "pharmaceutical", "drug", "retail",
               "engineering", "telecoms", "telecommunications", "software", "technology", "car", "airline",
               "travel", "leisure", "entertainment", "music", "publishing", "property", "construction"}
# Modifiers that make a role a company's: "chief operating officer", "marketing director".
_CORPORATE_WORDS = {"operating", "financial", "executive", "technology", "marketing", "commercial", "managing",
                    "sales", "investment"}
# Roles any group has; their sector is the group's when a modifier names one ("rebel leaders").
_ROLE_NOUNS = {"leader", "spokesman", "spokeswoman", "spokesperson", "official", "chief", "head", "delegation",
               "representative", "envoy", "commander", "politician", "commissioner", "lawmaker", "mp", "member"}
# Sectors a role takes from the group it belongs to.
_GROUP_SECTORS = frozenset({"REB", "INS", "OPP", "PTY", "MIL", "COP", "JUD", "LEG", "NGO", "MED", "BUS"})
# Roles that head a body: "Euronext chief", "LSE boss" (of a body the lexicons may not know).
_HEAD_NOUNS = {"chief", "boss", "head"}
# Heads that count people without naming them: "4 killed", "scores of Afghans", "dozens".
_COUNT_WORDS = {"dozens", "scores", "hundreds", "thousands", "several", "many", "some", "dozen", "others", "few"}
# Agent adjectives that describe a thing rather than own it: "official discussions", "radical
# reform", "a general strike", "relative calm", "executive pay".
_MANNER_ADJECTIVES = {"official", "general", "radical", "chief", "relative", "executive", "academic", "irregular",
                      "ultra", "elder", "representative"}
# What a leader's time in power is called: "under Pinochet's regime".
_RULE_NOUNS = {"regime", "rule", "government", "dictatorship", "presidency", "reign", "administration", "leadership"}
# Prepositions through which a thing points at its owner: "calls by Belarus's rulers for aid",
# "an offer from Afghanistan", "the homes of Palestinians".
_OWNER_PREPS = {"by", "from", "of"}


@dataclass(frozen=True)
class NameMatch:
    start: int  # token indices [start, end)
    end: int
    entry: NamedActor | CountryEntry


class ActorResolver:
    def __init__(self, lexicon: Lexicon, gazetteer: Gazetteer | None = None):
        self.lexicon = lexicon
        self.gazetteer = gazetteer  # for places named as actors or targets ("fired at Tel Aviv")

    def resolve(self, head: Token, day: dt.date, _depth: int = 0, owned: bool = True) -> list[Actor]:
        """Actors named by the phrase headed by `head`; a former office holder ("former US
        president Bill Clinton", "ex-minister Clare Short") is no longer the state: ELI."""
        actors = self._resolve(head, day, _depth, owned)
        tokens = self._phrase_tokens(head) if actors else []
        if any(t.lower_ in _FORMER_WORDS or t.lower_.startswith("ex-") for t in tokens):
            # a former official of an international body is no longer the body ("a former IMF director")
            official = any(t.lemma_.lower() in self.lexicon.agents or t.lower_ in _OFFICIAL_WORDS for t in tokens)
            actors = [a.model_copy(update={"sector": "ELI"}) if a.sector in _OFFICE_SECTORS
                      else a.model_copy(update={"sector": "ELI", "org": None}) if official and a.org and a.country is None
                      else a for a in actors]
        return actors

    def _resolve(self, head: Token, day: dt.date, _depth: int = 0, owned: bool = True) -> list[Actor]:
        """Actors named by the phrase headed by `head` (several for "Russian and Turkish troops").

        `owned`: a thing may stand for its owner ("an Indian proposal" -> IND); for doers only
        things with an agent modifier do ("Israeli army bulldozers"), not unknown people
        ("a US airline attendant" is not the US)."""
        if _depth > 3:
            return []
        if is_pronoun(head) and head.dep_ != "poss":
            antecedent = self._antecedent(head, day)
            return [a.model_copy(update={"text": head.text}) for a in antecedent]
        tokens = self._phrase_tokens(head)
        text = _text(tokens)
        matches = self._name_matches(tokens, day)
        agent_sector = self._agent_sector(head)

        # "Putin-Erdogan meeting": one actor per hyphen-joined name, but only when the head is a
        # name or an event; "the Syrian-Turkish conflict" names no actor
        named_or_event = head.pos_ == "PROPN" or match_sense(head, self.lexicon) is not None
        joined = any(t.text == "-" and not t.whitespace_ and t.i > 0 and not t.nbor(-1).whitespace_ for t in tokens)
        if agent_sector is None and named_or_event and len(matches) >= 2 and joined \
                and self._title_sector(tokens) != "BUS":  # "German-US car firm DaimlerChrysler" is one firm
            return _unique(_actor(_text_of(head.doc, m.start, m.end), m.entry) for m in matches)

        head_match = next((m for m in matches if m.start <= head.i < m.end), None)
        if head_match is not None and agent_sector is None:
            people = isinstance(head_match.entry, CountryEntry) and head_match.entry.kind == "demonym" \
                and head.tag_ in ("NNS", "NNPS")
            if people:
                # a people lives where the phrase puts it, with its own code as an ethnic marker
                # (CAMEO style): "Bosnian Serbs" -> BIHSRB, "the Albanians of southern Serbia" ->
                # SRBALB, "ethnic Albanians in Kosovo" -> XKXALB
                people_of = head_match.entry.iso3
                home = next((m.entry.iso3 for m in matches if m.end <= head.i and isinstance(m.entry, CountryEntry)
                             and m.entry.iso3 != people_of), None) or self._located_in(head, day)
                if home is not None and home != people_of:
                    return [Actor(text=text, country=home, org=people_of)]
            actor = _actor(text, head_match.entry)
            if actor.sector is None:  # "Russian President Vladimir Putin" has GOV from "President"
                actor = actor.model_copy(update={"sector": self._title_sector(tokens)})
            return [actor]

        if agent_sector is not None:
            countries = [m for m in matches if isinstance(m.entry, CountryEntry)]
            orgs = _at_home([m for m in matches if isinstance(m.entry, NamedActor)], countries)
            if orgs:  # "Hezbollah fighters", "Al-Qaeda affiliated forces": the group decides
                return _unique(_actor(text, m.entry, fallback_sector=agent_sector) for m in orgs)
            if countries:
                return _unique(
                    Actor(text=text, country=m.entry.iso3, sector=agent_sector) for m in countries
                )
            located = self._located_in(head, day) or self._possessor_place(head)
            if located is not None:  # "opposition groups in Zimbabwe", "demonstrators in Baghdad", "New York's top law officer"
                return [Actor(text=text, country=located, sector=agent_sector)]
            possessor = next((t for t in tokens if t.dep_ == "poss" and is_pronoun(t)), None)
            if possessor is not None:
                antecedent = self._antecedent(possessor, day)
                if antecedent:
                    return [Actor(text=text, country=antecedent[0].country, sector=agent_sector)]
            if head.pos_ != "PROPN" or head.lower_ in self.lexicon.agents or head.lower_[:-1] in self.lexicon.agents:
                # a role word the tagger took for a name at the start of a sentence ("Rebels attacked")
                return [Actor(text=text, sector=agent_sector)]
            return []

        sense = match_sense(head, self.lexicon)
        if sense is not None:
            # an event noun standing for its doer: "Syrian Army attacks ... killed"; a place
            # word in it says where, not who ("Kabul blast"); the other side of a fight is the
            # doer of what the fight did to one side ("killed in clashes with Israeli forces")
            found: list[Actor] = []
            for child in head.children:
                if child.dep_ in _MODIFIER_DEPS and child.i < head.i:
                    named = self.resolve(child, day, _depth + 1)
                    # a named group stays ("Boko Haram attack", tagged a facility by the parser)
                    found.extend(a for a in named if a.org or not is_place_name(child))
            doer_preps = ("by", "with") if sense.mutual else ("by",)
            found += [a for g in head.children if g.dep_ in ("prep", "agent") and g.lower_ in doer_preps
                      for o in g.children if o.dep_ == "pobj" for a in self.resolve(o, day, _depth + 1)]
            return _unique(found)
        if head.like_num or head.lower_ in _COUNT_WORDS:
            # "4 killed", "scores of Afghans": counted people, of a country when the "of" names one
            counted = [a for g in head.children if g.dep_ == "prep" and g.lower_ == "of"
                       for o in g.children if o.dep_ == "pobj" for a in self.resolve(o, day, _depth + 1)]
            return counted or [Actor(text=text, sector="CVL")]
        titled = any(t.lower_.rstrip(".") in _HONORIFICS for t in tokens if t.i < head.i)  # "Mr Hockney" is a person
        if head.pos_ == "PROPN" and head.ent_type_ in ("GPE", "LOC") and self.gazetteer is not None and not titled:
            country = self._place_country(text)
            return [Actor(text=text, country=country)] if country else []
        if head.pos_ == "PROPN" and (head.ent_type_ not in ("GPE", "LOC", "FAC", "DATE") or titled):
            # a name the lexicon does not know: "Afghan Taleban", "President Dos Sontas"
            title = self._title_sector(tokens)
            countries = [m for m in matches if isinstance(m.entry, CountryEntry)]
            orgs = _at_home([m for m in matches if isinstance(m.entry, NamedActor) and m.entry.org], countries)
            if orgs:  # "Kenzo Oshima, the United Nations Emergency Relief Coordinator"
                return _unique(_actor(text, m.entry, fallback_sector=title) for m in orgs)
            if countries:
                return _unique(Actor(text=text, country=m.entry.iso3, sector=title) for m in countries)
            if title is not None or titled or head.ent_type_ in ("PERSON", "ORG", "NORP"):
                return [Actor(text=text, sector=title)]
            return []
        if head.pos_ == "NOUN":
            owners = self._owner(head, day, _depth)
            if owned or head.lemma_.lower() in self.lexicon.targets:
                return owners
            # a doer is its owner only when that is a group or a force ("al-Qaeda's network",
            # "Israeli army bulldozers"), not a country ("a US airline attendant")
            return [a for a in owners if a.org or a.sector]
        return []

    def under_past_rule(self, trigger: Token, day: dt.date | None, days: int) -> bool:
        """Told as done "under" a leader's rule that ended more than `days` before `day`
        ("killed under Gen Pinochet's regime"): the lexicon knows the leader's tenure."""
        if day is None:
            return False
        rules = [o for p in clause_verb(trigger).subtree if p.dep_ == "prep" and p.lower_ == "under" for o in p.children
                 if o.dep_ == "pobj" and o.lemma_.lower() in _RULE_NOUNS]
        for rule in rules:
            owners = [t for c in rule.children if c.dep_ in ("poss", "compound") for t in c.subtree]
            for match in self._name_matches(owners, day) if owners else []:
                ended = [e.valid_to for e in self.lexicon.lookup_name(tuple(t.text for t in owners[0].doc[match.start:match.end]))
                         if isinstance(e, NamedActor) and e.valid_to is not None]
                if ended and all((day - end).days > days for end in ended):
                    return True
        return False

    def _located_in(self, head: Token, day: dt.date) -> str | None:
        """The country of a place the phrase puts its people in: "farmers in Kaduna" -> NGA."""
        for prep in head.children:
            if prep.dep_ == "prep" and prep.lower_ in ("in", "from", "of"):
                for place in prep.children:
                    if place.dep_ == "pobj" and place.ent_type_ in ("GPE", "LOC"):
                        phrase = place.doc[place.left_edge.i:place.i + 1]
                        found = self._name_matches(list(phrase), day)
                        country = next((m.entry.iso3 for m in found if isinstance(m.entry, CountryEntry)), None)
                        return country or self._place_country(phrase.text)
        return None

    def _possessor_place(self, head: Token) -> str | None:
        """The country of a place that owns the phrase: "New York's top law officer" -> USA."""
        for owner in head.children:
            if owner.dep_ == "poss" and is_place_name(owner):
                return self._place_country(owner.doc[owner.left_edge.i:owner.i + 1].text)
        return None

    def _place_country(self, text: str) -> str | None:
        """A town or region big enough to stand for its country in a news sentence."""
        if self.gazetteer is None:
            return None
        place = self.gazetteer.resolve(text)
        if place is None or (place.kind == "city" and place.population < _ACTOR_PLACE_POPULATION):
            return None
        return place.country

    def _owner(self, head: Token, day: dt.date, depth: int) -> list[Actor]:
        """Who a thing belongs to or comes from: "an Indian proposal" -> IND, "Saddam Hussein's
        proposal" -> IRQGOV, "a military base" -> MIL, "calls by Belarus's rulers" -> BLRGOV."""
        left = [t for t in head.subtree if t.i < head.i]
        named = {m.entry.iso3 for m in self._name_matches(left, day) if isinstance(m.entry, CountryEntry)} if left else set()
        if len(named) > 1:
            return []  # "the Syrian-Turkish conflict" is between two states, owned by neither
        found: list[Actor] = []
        for child in head.children:
            if child.lower_ in _COUNT_WORDS or child.like_num or (child.dep_ == "compound" and is_place_name(child)):
                continue  # "many economists", "the London exchange": a count or a place, not an owner
            if child.dep_ in _MODIFIER_DEPS and child.i < head.i:
                if child.pos_ == "ADJ" and child.lower_ in _MANNER_ADJECTIVES:
                    continue
                if child.pos_ == "ADJ" and self.lexicon.agents.get(child.lower_):
                    found.append(Actor(text=_text_of(head.doc, child.i, head.i + 1), sector=self.lexicon.agents[child.lower_]))
                elif not is_place_name(child) or head.lemma_.lower() not in self.lexicon.targets:
                    found.extend(self.resolve(child, day, depth + 1))
            elif child.dep_ == "prep" and child.lower_ in _OWNER_PREPS:
                found.extend(a for o in child.children if o.dep_ == "pobj" for a in self.resolve(o, day, depth + 1))
        countries = {a.country for a in found if a.country}
        if len(countries) > 1:
            return []  # "the Syrian-Turkish conflict" is between two states, owned by neither
        if len(found) > 1 and len(countries) <= 1 and not any(a.org for a in found):
            # "a military base in Mali", "Israeli army bulldozers": one actor, its sector from
            # one modifier and its country from another
            sector = next((a.sector for a in found if a.sector), None)
            return [Actor(text=_text_of(head.doc, head.left_edge.i, head.i + 1), country=next(iter(countries), None), sector=sector)]
        return _unique(found)

    # --- pieces ---------------------------------------------------------------------------

    def _phrase_tokens(self, head: Token) -> list[Token]:
        keep: list[Token] = []

        def walk(token: Token) -> None:
            keep.append(token)
            for child in token.children:
                if child.dep_ in _PHRASE_DEPS or (child.dep_ in ("conj", "cc") and token.dep_ in ("amod", "compound")):
                    walk(child)
                elif child.dep_ == "prep" and self._agent_sector(token) is not None and (
                        child.lower_ == "of" or (child.lower_ in ("for", "from") and token.lemma_.lower() in _ROLE_NOUNS | {"minister"})):
                    walk(child)  # "forces of the Syrian government", "a spokesman for UKIP", "a delegation from the CBI"
                elif child.dep_ == "pobj" and token.dep_ == "prep":
                    walk(child)

        walk(head)
        return sorted(keep, key=lambda t: t.i)

    def _name_matches(self, tokens: list[Token], day: dt.date) -> list[NameMatch]:
        """Longest-first lexicon matches over contiguous runs of the phrase's tokens."""
        indices = {t.i for t in tokens}
        doc = tokens[0].doc
        matches: list[NameMatch] = []
        position = min(indices)
        last = max(indices)
        while position <= last:
            matched = False
            for length in range(min(self.lexicon.longest_name, last - position + 1), 0, -1):
                span = range(position, position + length)
                if not all(i in indices for i in span):
                    continue
                words = tuple(doc[i].text for i in span)
                known = self.lexicon.lookup_name(words)
                entries = [e for e in known if not isinstance(e, NamedActor) or e.valid_on(day)]
                if not entries:  # out of office: still a national of the country, no longer its government
                    entries = [NamedActor(e.country, None, None, None, None) for e in known
                               if isinstance(e, NamedActor) and e.country and not e.org]
                if entries and length == 1 and _other_given_name(doc, position) and isinstance(entries[0], NamedActor) \
                        and not entries[0].org:
                    entries = []  # "Sir Ian Blair" is not Tony Blair: a surname after another given name
                if entries:
                    matches.append(NameMatch(position, position + length, entries[0]))
                    position += length
                    matched = True
                    break
            if not matched:
                position += 1
        return matches

    def _agent_sector(self, token: Token) -> str | None:
        if token.pos_ not in ("NOUN", "PROPN"):
            return None
        lemma = token.lemma_.lower()
        if token.pos_ == "PROPN":  # spaCy does not lemmatise proper nouns: "Army", "Forces"
            lemma = token.lower_
            if lemma in _NAME_WORDS:
                return None  # "Sequoia Capital", "Islamic State" name things, not roles
            if lemma not in self.lexicon.agents and lemma.endswith("s"):
                lemma = lemma[:-1]
        sector = self.lexicon.agents.get(lemma)
        if sector == "MIL" and any(c.lower_ == "security" for c in token.children):
            return "COP"  # "security forces"
        if lemma in ("group", "giant", "firm") and any(
                c.dep_ == "compound" and (self.lexicon.domains.get(c.lemma_.lower()) == "commerce" or c.lemma_.lower() in _INDUSTRIES)
                for c in token.children):
            return "BUS"  # "building products group James Hardie", "the oil giant"
        if sector == "MIL":
            # "rebel forces", "opposition fighters", "militia troops" are not a state's army
            for child in token.children:
                group = self.lexicon.agents.get(child.lemma_.lower()) if child.dep_ in ("compound", "amod") else None
                if group in ("REB", "INS", "OPP"):
                    return "REB" if group == "OPP" else group
        if sector is not None and any(c.lower_ == "shadow" for c in token.children):
            return "PTY"  # "the shadow chancellor": the opposition, not the government
        if sector is not None and any(c.lower_ in _CORPORATE_WORDS for c in token.children):
            return "BUS"  # "chief operating officer", "finance director" of a firm
        if sector == "GOV" and lemma in _ROLE_NOUNS:
            # "rebel leaders", "opposition spokesman": the group's sector, not the state's; so is
            # that of the group a role speaks for ("delegations of business leaders")
            for child in token.children:  # "industry and retail representatives" (an nmod)
                group = self.lexicon.agents.get(child.lemma_.lower()) if child.dep_ in ("compound", "amod", "nmod") else None
                if group in _GROUP_SECTORS:
                    return group
            for member in (o for p in token.children if p.dep_ == "prep" and p.lower_ in ("of", "from")
                           for o in p.children if o.dep_ == "pobj"):
                group = self._agent_sector(member)
                if group in _GROUP_SECTORS:
                    return group
            if self._heads_unknown_body(token):
                return None
        return sector

    def _heads_unknown_body(self, token: Token) -> bool:
        """"Euronext chief", "LSE boss": the head of a body the lexicons do not know (a firm as
        often as not), not of a state ("army chief", "UN chief", "Kremlin chief")."""
        if token.lower_ not in _HEAD_NOUNS and token.lemma_.lower() not in _HEAD_NOUNS:
            return False
        before = token.doc[token.i - 1] if token.i > 0 else None
        owners = [c for c in token.children if c.dep_ == "compound"] + ([before] if before is not None else [])
        return any((o.pos_ == "PROPN" and o.ent_type_ == "ORG") or (o.is_title and not o.is_sent_start and o.pos_ in ("NOUN", "PROPN"))
                   for o in owners if o.lower_ not in self.lexicon.agents and not self.lexicon.lookup_name((o.text,)))

    def _title_sector(self, tokens: list[Token]) -> str | None:
        """A title in a name ("President", "Foreign Minister") gives the sector."""
        for token in tokens:
            if token.pos_ == "PROPN" and token.lower_ in _NAME_WORDS:
                continue  # "Sequoia Capital" names a firm; it is no capital city
            if token.lemma_.lower() in ("group", "giant", "firm") and self._agent_sector(token) == "BUS":
                return "BUS"  # "building products group James Hardie"
            sector = self.lexicon.agents.get(token.lower_) or (
                self.lexicon.agents.get(token.lemma_.lower()) if token.tag_ == "NNS" else None)
            if sector == "BUS" and token.pos_ != "PROPN" and any(
                    self.lexicon.agents.get(t.lower_) not in (None, "BUS") for t in tokens if t.i > token.i):
                continue  # "Indian oil minister": an industry word before an office
            if sector is not None and token.dep_ in ("compound", "amod") and token.head in tokens \
                    and self.lexicon.agents.get(token.head.lower_):
                continue  # "chief operating officer", "Police Commissioner": the last word names the office
            if sector is not None and self._heads_unknown_body(token):
                return None
            if sector is not None:
                return self._agent_sector(token) if token.pos_ in ("NOUN", "PROPN") else sector
        return None

    def _antecedent(self, pronoun: Token, day: dt.date) -> list[Actor]:
        """The nearest earlier subject (or, for an object pronoun, object) in the sentence that names an actor and agrees in number
        ("Doctors in Athens wanted to operate but he insisted": not the doctors)."""
        plural = pronoun.lower_ in ("they", "them", "their")
        singular = pronoun.lower_ in ("he", "she", "him", "her", "his")
        # an object pronoun is never its own clause's subject ("councils have banned them": not
        # the councils; that would be "themselves"), and may stand for an earlier object
        # ("arrested the protesters and beat them")
        own_clause = _clause_of(pronoun).i if pronoun.lower_ in ("him", "her", "them") else None
        kinds = ("nsubj", "nsubjpass") if own_clause is None else ("nsubj", "nsubjpass", "dobj")
        for token in reversed(list(pronoun.sent)[: pronoun.i - pronoun.sent.start]):
            if own_clause is not None and token.dep_ != "dobj" and _clause_of(token).i == own_clause:
                continue
            if token.dep_ in kinds and not is_pronoun(token):
                if (singular and token.tag_ in ("NNS", "NNPS")) or (plural and token.tag_ == "NN" and not token.conjuncts):
                    continue
                actors = self.resolve(token, day, _depth=3)
                if actors:
                    return actors
        return []


def _clause_of(token: Token) -> Token:
    """The verb of the clause a word belongs to (conjoined subjects and verbs share the first one's)."""
    node = token
    while node.head.i != node.i and (node.pos_ not in ("VERB", "AUX") or node.i == token.i):
        node = node.head
    while node.dep_ == "conj" and node.head.pos_ in ("VERB", "AUX"):
        node = node.head  # "arrested the protesters and beat them": one subject for both verbs
    return node


def _actor(text: str, entry: NamedActor | CountryEntry, fallback_sector: str | None = None) -> Actor:
    if isinstance(entry, CountryEntry):
        return Actor(text=text, country=entry.iso3, sector="GOV" if entry.kind == "capital" else None)
    return Actor(text=text, country=entry.country, sector=entry.sector or fallback_sector, org=entry.org)


def _other_given_name(doc, position: int) -> bool:
    """The word before a surname is a given name of the same person ("Ian" in "Sir Ian Blair"),
    not a title ("Mr Blair") or another word."""
    if position == 0:
        return False
    before = doc[position - 1]
    return before.pos_ == "PROPN" and before.ent_type_ == "PERSON" and before.is_title \
        and before.lower_.rstrip(".") not in _HONORIFICS


def _unique(actors) -> list[Actor]:
    seen: dict[str, Actor] = {}
    for actor in actors:
        seen.setdefault(actor.code, actor)
    return list(seen.values())


def _text(tokens: list[Token]) -> str:
    doc = tokens[0].doc
    return _text_of(doc, tokens[0].i, tokens[-1].i + 1)


def _text_of(doc, start: int, end: int) -> str:
    return doc[start:end].text.strip(" “”\"'‘’")


def _at_home(orgs: list, countries: list) -> list:
    """Named organisations of a country, unless the phrase names another country: the
    "Serbian Labour Minister" is no member of Britain's Labour Party."""
    if not countries:
        return orgs
    named = {m.entry.iso3 for m in countries}
    return [m for m in orgs if m.entry.country is None or m.entry.country in named]
