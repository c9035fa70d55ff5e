"""Resolve stage (where): the place phrases an event's sentence offers, best first.

Extraction gives the prepositional place on the trigger ("talks in Moscow"); real reporting
puts the place in many more spots, and this module finds them in the parsed sentence:
- a place after "in/near/at/outside/..." anywhere in the clause ("killed in combat in Afghanistan");
- a place word on an event noun, the headline form ("Kabul blast kills 5", "Iraq violence kills 22");
- any other GPE/LOC/FAC entity of the sentence that is not the acting party ("Northern Burkina
  Faso hit by attacks");
- adjectival places, by the country lexicon's demonyms ("Somali unrest" -> Somalia).
Each phrase carries what qualifies it, joined after a comma so the gazetteer can narrow
homonyms: "X, Y province", "X (Y)", "X district of Y", "Y's X" all become "X, Y".
"""
from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from diurna.coding.lexicon import CountryEntry, Lexicon, NamedActor
from diurna.coding.parse import headline_of
from diurna.resolve.places import compass

PLACE_PREPS = frozenset({"in", "at", "near", "inside", "outside", "around", "along", "into", "across", "across",
                         "throughout", "outskirts", "off"})
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
# Labels of names the small model gives places it does not know: a name after a place preposition is a place
_MISTAKEN_LABELS = frozenset({"NORP", "ORG", "PERSON", "WORK_OF_ART", "PRODUCT", "LANGUAGE", "EVENT", "LAW"})
_ADMIN_NOUNS = frozenset({"province", "governorate", "region", "state", "oblast", "district", "county", "prefecture",
                          "department", "countryside", "area", "city", "town", "village", "municipality", "republic"})
_PARTS = frozenset({"north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest", "capital",
                    "border", "outskirts", "countryside", "centre", "center", "interior", "coast", "vicinity",
                    "neighbourhood", "neighborhood", "suburb", "part", "edge"})
_SUBDIVISION_NOUNS = frozenset({"province", "governorate", "region", "state", "oblast", "district", "county",
                               "prefecture", "department", "municipality", "republic", "rayon", "township", "commune"})
# Common nouns of the land whose "of Y" names the place ("in the barren mountains of the
# Western Qalamoun", "in the streets of Cairo", "in areas of Daraa").
_LAND_NOUNS = _PARTS | _ADMIN_NOUNS | frozenset({"mountain", "hill", "valley", "desert", "plain", "street", "road",
                                                 "highway", "forest", "river", "bank", "heart", "environs", "frontline",
                                                 "front", "camp", "neighbourhood", "quarter", "periphery", "province"})
# Nouns an adjectival country locates ("Afghan clash", "Somali unrest", "Afghan districts").
_WHERE_NOUNS = _PARTS | _ADMIN_NOUNS | frozenset({"clash", "fighting", "violence", "unrest", "conflict", "bloodshed",
                                                  "riot", "insurgency", "hostility", "combat", "battle", "standoff"})
# Acts done to a place: their object is where they happened, even when it also stands for a party
# ("shelled Saraqib", "Russia invaded Ukraine").
_TAKE_OR_HIT = frozenset({"shell", "bomb", "bombard", "strike", "attack", "raid", "storm", "capture", "seize", "overrun",
                          "recapture", "retake", "besiege", "hit", "target", "invade", "occupy", "liberate", "blockade",
                          "encircle", "surround", "enter", "pound"})
# Attacks "on" a place happen there ("air strikes on Hawija", "bombardment on Idlib province").
_STRIKES_ON = frozenset({"attack", "strike", "airstrike", "raid", "assault", "bombardment", "shelling", "bombing",
                         "offensive", "fire", "advance", "push", "bombard", "shell", "bomb", "rocket", "missile"})
# Ranks: lower is better. A place phrase that names the event's own location beats a mention elsewhere.
# An armed group the lexicon ties to one country ("killed in Boko Haram attacks") ranks last: its
# country is the event's only when nothing else in the text says where.
RANK_TRIGGER_PREP, RANK_CLAUSE_PREP, RANK_HEADLINE, RANK_ENTITY, RANK_ACTOR, RANK_DEMONYM, RANK_GROUP = range(7)
_GROUP_SECTORS = frozenset({"INS", "REB"})


@dataclass(frozen=True)
class PlaceMention:
    text: str  # the phrase, with qualifiers after commas: "Aleppo, Syria"
    start: int  # token span of the place itself
    end: int
    rank: int
    country: str | None = None  # set for adjectival places: the demonym's country
    # the part of that country a compass word names ("southern Afghan clash": "south"); with no
    # country, a bare part ("in the north") or "capital" of the country the event's actors or the
    # sentence's other places give
    part: str | None = None


class PlaceFinder:
    """Place phrases for the events of one paragraph. What does not depend on the event (the
    sentence's place names and demonyms) is found once per sentence, so a paragraph of many
    events costs its length, not events x length."""

    def __init__(self, doc: Doc, lexicon: Lexicon):
        self.doc = doc
        self.lexicon = lexicon
        self._sentences: dict[int, tuple[list[Span], list[tuple[int, str]]]] = {}

    def mentions(self, trigger: int, actor_heads: tuple[int, ...],
                 extracted: tuple[int, int] | None = None) -> list[PlaceMention]:
        sentence = self.doc[trigger].sent
        if sentence.start not in self._sentences:
            self._sentences[sentence.start] = (_place_entities(sentence, self.lexicon), [
                (t.i, country) for t in sentence if t.ent_type_ not in PLACE_LABELS
                and (country := _country_word(t, self.lexicon)) is not None])
        entities, demonyms = self._sentences[sentence.start]
        found = _mentions(self.doc, trigger, actor_heads, self.lexicon, extracted, entities, demonyms)
        return found + self._other_parts(sentence, found)

    def _other_parts(self, sentence: Span, found: list[PlaceMention]) -> list[PlaceMention]:
        """A headline in parts ("Soldier killed | Clashes cut road near Saraqeb"): the places of
        its other parts are mentions of the event too, as an entity of its own sentence would be
        (the parts: coding/parse.headline_of)."""
        whole = headline_of(sentence)
        if whole.start == sentence.start and whole.end == sentence.end:
            return []
        have = {(m.start, m.end) for m in found}
        more = []
        for part in whole.sents:
            if part.start == sentence.start:
                continue
            for entity in _place_entities(part, self.lexicon):
                if (entity.start, entity.end) not in have and not _names_an_organisation(entity, self.lexicon) \
                        and not _is_demonym(entity, self.lexicon):
                    more.append(PlaceMention(_with_qualifiers(self.doc, entity.start, entity.end), entity.start,
                                             entity.end, RANK_ENTITY))
        return more


def place_mentions(doc: Doc, trigger: int, actor_heads: tuple[int, ...], lexicon: Lexicon,
                   extracted: tuple[int, int] | None = None) -> list[PlaceMention]:
    """Place phrases of the trigger's sentence, best first (rank, then distance to the trigger)."""
    return PlaceFinder(doc, lexicon).mentions(trigger, actor_heads, extracted)


def _mentions(doc: Doc, trigger: int, actor_heads: tuple[int, ...], lexicon: Lexicon,
              extracted: tuple[int, int] | None, entities: list[Span], demonyms: list[tuple[int, str]],
              ) -> list[PlaceMention]:
    actors = {i for head in actor_heads for i in _name_tokens(doc[head])}
    found: dict[tuple[int, int], PlaceMention] = {}

    def add(start: int, end: int, rank: int, country: str | None = None, part: str | None = None) -> None:
        key = (start, end)
        if key in found and found[key].rank <= rank:
            return
        found[key] = PlaceMention(_with_qualifiers(doc, start, end), start, end, rank, country, part)

    if extracted is not None:
        add(extracted[0], extracted[1], RANK_TRIGGER_PREP)
    trigger_token = doc[trigger]
    above = _verb_chain(trigger_token)
    for entity in entities:
        head = entity.root
        if _names_an_organisation(entity, lexicon):
            # "an attack on Hamas in Gaza": Hamas is a party, not the German town of Hamm (nor is
            # "in Boko Haram attacks", parsed as a place, a place)
            for key in [k for k in found if k[0] < entity.end and entity.start < k[1] and not any(
                    _name_like(t) for t in doc[k[0]:k[1]] if not entity.start <= t.i < entity.end)]:
                del found[key]  # "in Hamas attack": the group and the attack's own words
            if (country := _group_country(entity, lexicon)) is not None:
                add(entity.start, entity.end, RANK_GROUP, country)
            continue
        prep = _place_prep(head)
        if prep is not None:
            attached = prep.head.i
            rank = RANK_TRIGGER_PREP if attached == trigger else RANK_CLAUSE_PREP if attached in above else RANK_ENTITY
        elif _modifies_event_noun(head, above):
            rank = RANK_HEADLINE
        elif _is_place_subject(head) or _names_a_part(head) or head.dep_ in ("ROOT", "appos", "npadvmod", "conj"):
            rank = RANK_ACTOR if head.i in actors else RANK_ENTITY
        elif head.dep_ == "dobj" and head.head.i == trigger and (head.i not in actors or head.lemma_.lower() in _ADMIN_NOUNS
                                                                  or trigger_token.lemma_.lower() in _TAKE_OR_HIT) and (
                entity.label_ in PLACE_LABELS or any(t.lemma_.lower() in _SUBDIVISION_NOUNS for t in entity)):
            rank = RANK_CLAUSE_PREP  # "shelled Saraqib", "captured Manbij", "bombarded Idlib province": the object is the place
        else:  # subjects and objects are parties ("Moscow has been critical", "deal with Damascus"),
            # but a country that speaks still says which country the story is in ("Algeria says
            # soldier killed"): country-level evidence, like a demonym
            country = _country_name(entity, lexicon)
            if country is not None:
                add(entity.start, entity.end, RANK_DEMONYM, country)
            continue
        add(entity.start, entity.end, rank)
    for token in doc[trigger].sent:
        # "wound 20 in north", "clashes in the south", "killed in the capital": a part of the
        # country that the event's actors or the sentence's other places give
        part = "capital" if token.lower_ == "capital" and token.pos_ == "NOUN" else compass(token.text)
        on_a_name = token.dep_ in ("amod", "compound") and token.head.i > token.i  # "S. Philippines"
        prep = _prep_before(token) if part and token.pos_ in ("NOUN", "PROPN", "ADV") and not on_a_name else None
        if prep is not None and not any(c.dep_ in ("prep", "appos", "compound") and c.lower_ not in ("in", "on") and not (
                c.lower_ == "of" and any(g.lemma_.lower() in ("country", "nation") for g in c.children))
                                        for c in token.children):  # not "north of Homs", "the capital Kabul"
            attached = prep.head.i
            rank = RANK_TRIGGER_PREP if attached == trigger else RANK_CLAUSE_PREP if attached in above else RANK_ENTITY
            add(token.i, token.i + 1, rank, None, part)
    for index, country in demonyms:
        where = _says_where(doc[index], above)
        add(index, index + 1, RANK_HEADLINE if where else RANK_DEMONYM, country, _compass_on(doc[index]) if where else None)
    return sorted(found.values(), key=lambda m: (m.rank, abs(m.start - trigger)))


def _says_where(demonym: Token, chain: set[int]) -> bool:
    """"southern Afghan clash", "Somali unrest", "in two Afghan districts", "in the Afghan south":
    an adjectival country on a noun of the event's own kind or on a part of the land says where
    it happened. On an act with a doer ("Israeli strike", "Russian shelling") it names the doer."""
    head = demonym.head
    return demonym.dep_ in ("amod", "compound", "nmod") and head.lemma_.lower() in _WHERE_NOUNS and (
        head.i in chain or head.head.i in chain or _place_prep(head) is not None)


def _compass_on(demonym: Token) -> str | None:
    """"southern Afghan clash", "the Afghan south": the part of the country named beside it."""
    head = demonym.head
    words = [head] + [c for c in head.children if c.dep_ in ("amod", "compound") and c.i != demonym.i]
    return next((part for w in words if (part := compass(w.text)) is not None), None)


def _names_an_organisation(entity: Span, lexicon: Lexicon) -> bool:
    """An entity the lexicon knows as an organisation or armed group, not as a country."""
    entries = lexicon.lookup_name(tuple(t.text for t in entity if not t.is_punct and t.lower_ != "the"))
    return bool(entries) and all(isinstance(e, NamedActor) and e.org for e in entries)


def _group_country(entity: Span, lexicon: Lexicon) -> str | None:
    """The one country of a non-state armed group the lexicon knows ("Boko Haram" -> NGA)."""
    entries = lexicon.lookup_name(tuple(t.text for t in entity if not t.is_punct and t.lower_ != "the"))
    countries = {e.country for e in entries if isinstance(e, NamedActor) and e.sector in _GROUP_SECTORS}
    return countries.pop() if len(countries) == 1 and None not in countries else None


def _is_demonym(entity: Span, lexicon: Lexicon) -> bool:
    return any(_country_word(t, lexicon) for t in entity)


def _place_entities(sentence: Span, lexicon: Lexicon) -> list[Span]:
    """GPE/LOC/FAC entities, and capitalised objects of place prepositions the model left untagged
    ("in Ma'arat al-Nu'man", "in Russia's Ingushetia")."""
    entities = [e for e in sentence.ents if e.label_ in PLACE_LABELS]
    # names the model tags otherwise ("in Aleppo" as NORP, "in Handarat and Aleppo’" as a work of
    # art) or not at all, where a place must be
    entities += [e for e in sentence.ents if e.label_ in _MISTAKEN_LABELS and not _is_demonym(e, lexicon) and (
        _after_place_prep(e.root) or (e.root.dep_ == "compound" and e.root.head.head.lower_ in PLACE_PREPS))]
    # a headline's passive subject: "Northern Burkina Faso hit by attacks" (tagged ORG)
    entities += [e for e in sentence.ents if e.label_ in ("NORP", "ORG") and not _is_demonym(e, lexicon)
                 and _is_place_subject(e.root) and e not in entities]
    covered = {i for e in entities for i in range(e.start, e.end)}
    # "Sangin district (of Helmand)", "Raja County": a named subdivision, tagged or not
    for token in sentence:
        names = [c for c in token.children if c.dep_ == "compound" and c.pos_ == "PROPN" and c.i < token.i]
        before = sentence.doc[token.i - 1] if token.i > sentence.start else None
        if not names and before is not None and before.pos_ == "PROPN" and before.head.i != token.i \
                and before.dep_ in ("dobj", "pobj", "nsubj", "nsubjpass", "appos"):
            names = [before]  # "struck Zaporizhzhia oblast" parsed as two objects: the name and its noun
        if token.lemma_.lower() in _SUBDIVISION_NOUNS and names and token.i not in covered:
            span = sentence.doc[min(c.left_edge.i for c in names):token.i + 1]
            entities = [e for e in entities if not (span.start <= e.start and e.end <= span.end)] + [span]
            covered |= set(range(span.start, span.end))
    for token in sentence:
        if token.i in covered or not _name_like(token) or token.ent_type_ or (
                token.dep_ == "compound" and token.head.pos_ == "PROPN"):  # inside a longer name
            continue
        on_a_strike = token.head.lower_ == "on" and token.head.head.lemma_.lower() in _STRIKES_ON  # "Airstrikes on Douma"
        if (token.dep_ == "pobj" and (token.head.lower_ in PLACE_PREPS or on_a_strike)) or (
                token.head.pos_ in ("NOUN", "PROPN") and token.head.dep_ == "pobj" and token.head.head.lower_ in PLACE_PREPS
                and (token.head.pos_ == "NOUN" or token.dep_ == "conj")):  # "in Bab al-Nairab and Aleppo"
            start = min([c.i for c in token.children if c.dep_ == "compound" and c.pos_ == "PROPN"] + [token.i])
            entities.append(sentence.doc[start:token.i + 1])
    return entities


def _name_like(token: Token) -> bool:
    """A proper noun, or a capitalised noun inside the sentence that the tagger took for a common
    one ("in Russia's Ingushetia", "in J&K.")."""
    return token.pos_ == "PROPN" or (token.pos_ == "NOUN" and token.text[:1].isupper() and token.i > token.sent.start)


def _name_tokens(head: Token) -> set[int]:
    """The actor's own name: the head and its compound/flat parts ("Burkina Faso", "Abu Sayyaf")."""
    return {head.i} | {c.i for c in head.children if c.dep_ in ("compound", "flat")}


def _is_place_subject(token: Token) -> bool:
    """"Northern Burkina Faso hit by attacks": a place made the passive subject is where it happened."""
    passive_headline = token.dep_ == "nsubj" and any(c.dep_ == "agent" for c in token.head.children)
    return token.dep_ == "nsubjpass" or passive_headline or any(c.dep_ == "amod" and c.lower_.startswith(("north", "south", "east", "west", "central"))
                                            for c in token.children)


def _after_place_prep(head: Token) -> bool:
    return _place_prep(head) is not None


def _place_prep(head: Token) -> Token | None:
    """The place preposition a name hangs from: "in Idlib", "in the Kabul blast" (a name on the
    object), "on the outskirts of Damascus", "in the countryside of Hama" (a part of the name),
    "in Handarat and Aleppo" (a conjunct), "in Madaya and in the Eastern Ghouta" (the first of
    conjoined prepositions). When the parse hangs the name elsewhere, a place preposition right
    before it, past determiners and adjectives, still counts: headlines parse badly
    ("wound 20 in north", "in Russia's Ingushetia")."""
    node = head
    if node.dep_ in ("compound", "nmod", "amod") and node.head.pos_ in ("NOUN", "PROPN"):
        node = node.head
    while node.dep_ == "conj" and node.head.pos_ in ("NOUN", "PROPN") and node.head.i < node.i:
        node = node.head
    part_of = node.dep_ == "pobj" and node.head.lower_ == "of" and _is_land(node.head.head)
    if part_of:
        node = node.head.head
    if node.dep_ == "pobj" and (node.head.lower_ in PLACE_PREPS or (
            node.head.lower_ == "on" and node.head.head.lemma_.lower() in _STRIKES_ON)):
        return _first_conjunct(node.head)
    if part_of:
        return head.head  # "target the countryside of Hama": a place all the same
    return None if head.dep_ == "poss" else _prep_before(head)  # "in Syria's Aleppo": Syria qualifies Aleppo


def _is_land(token: Token, nouns: frozenset[str] = _LAND_NOUNS) -> bool:
    return token.lemma_.lower() in nouns or token.lower_ in nouns  # "outskirts" has the lemma "outskirt"


def _first_conjunct(prep: Token) -> Token:
    """"in Madaya and in the Eastern Ghouta": the second "in" hangs off the first."""
    while prep.dep_ == "conj" and prep.head.pos_ == "ADP" and prep.head.i < prep.i:
        prep = prep.head
    return prep


def _prep_before(head: Token) -> Token | None:
    """A place preposition just before the name's phrase, past determiners, adjectives, compass
    words and possessives ("in the north", "in Russia's Ingushetia"), in the same sentence."""
    doc, start = head.doc, head.left_edge.i if head.left_edge.i < head.i else head.i
    i = start - 1
    while i >= head.sent.start and (doc[i].pos_ in ("DET", "ADJ", "NUM") or doc[i].tag_ == "POS" or compass(doc[i].text)
                                    or (doc[i].ent_type_ in PLACE_LABELS and i + 1 < len(doc) and doc[i + 1].tag_ == "POS")):
        i -= 1
    on_a_part = doc[i].lower_ == "on" and _is_land(head, _PARTS | {"frontline", "front"})  # "on the outskirts"
    if i >= head.sent.start and (doc[i].lower_ in PLACE_PREPS or on_a_part) and doc[i].pos_ == "ADP":
        return doc[i]
    if i > head.sent.start and doc[i].lower_ == "of" and _is_land(doc[i - 1]):
        return _prep_before(doc[i - 1])  # "on the outskirts of the capital", "in the mountains of X"
    return None


def _verb_chain(trigger: Token) -> set[int]:
    """The trigger and the words above it up to its clause's verb: a place hanging off any of them
    is where the event happened ("killed in combat in Afghanistan" for the trigger "combat")."""
    chain = {trigger.i}
    node = trigger
    while node.pos_ not in ("VERB", "AUX") and node.head.i != node.i:
        node = node.head
        chain.add(node.i)
    if node.pos_ in ("VERB", "AUX"):  # "5 killed in Kabul blast": the verb's other nouns too
        chain |= {c.i for c in node.children if c.pos_ in ("NOUN", "PROPN") or c.dep_ == "prep"}
        chain |= {g.i for c in node.children if c.dep_ == "prep" for g in c.children}
    return chain


def _names_a_part(head: Token) -> bool:
    """"Iraq's north", "Russia's capital": the country of a part that is not named."""
    return head.dep_ == "poss" and head.head.lemma_.lower() in _PARTS


def _modifies_event_noun(head: Token, chain: set[int]) -> bool:
    """"Kabul blast", "Ghazni clash", "Nangarhar airstrike": a place word on a noun of the event."""
    return head.dep_ in ("compound", "nmod", "amod", "npadvmod") and head.head.pos_ in ("NOUN", "PROPN") and (
        head.head.i in chain or head.head.head.i in chain)


def _country_word(token: Token, lexicon: Lexicon) -> str | None:
    """The country of an adjectival place ("Somali", "Afghan") or of a bare country name the
    model did not tag."""
    if not token.text[:1].isupper() or token.pos_ not in ("ADJ", "PROPN", "NOUN"):
        return None
    countries = {e.iso3 for e in lexicon.lookup_name((token.text,)) if isinstance(e, CountryEntry)
                 and e.kind in ("demonym", "name")}
    return countries.pop() if len(countries) == 1 else None


def _country_name(entity: Span, lexicon: Lexicon) -> str | None:
    words = tuple(t.text for t in entity if t.pos_ != "DET")
    countries = {e.iso3 for e in lexicon.lookup_name(words) if isinstance(e, CountryEntry) and e.kind == "name"}
    return countries.pop() if len(countries) == 1 else None


def _with_qualifiers(doc: Doc, start: int, end: int) -> str:
    """"X, Y province" / "X (Y)" / "X district of Y" / "Y's X" -> "X, Y"."""
    text = doc[start:end].text
    qualifiers: list[str] = []
    head = doc[start:end].root
    # "in northern Afghanistan", "Iraq's north": the compass word goes with the name
    sides = [c for c in head.children if c.dep_ in ("amod", "compound") and c.i < start and compass(c.text)]
    if head.dep_ == "poss" and compass(head.head.text):
        sides.append(head.head)
    if sides and not compass(doc[start].text):
        text = f"{sides[0].text} {text}"
    part = head.head.head if head.dep_ == "pobj" and head.head.lower_ == "of" else None
    if part is not None and part.lemma_.lower() in _ADMIN_NOUNS and not any(
            c.dep_ == "compound" and c.pos_ == "PROPN" for c in part.children):
        text = f"{text} {part.text}"  # "the countryside of Hama" is Hama's province
        sides = [c for c in part.children if c.dep_ in ("amod", "compound") and compass(c.text)]
        if sides and not compass(doc[start].text):  # "the northern countryside of Homs": its north
            text = f"{sides[0].text} {text}"
    # "Syria's Aleppo", "Libya's Misrata"
    for child in head.children:
        if child.dep_ == "poss" and child.i < start and child.ent_type_ in PLACE_LABELS:
            qualifiers.append(_entity_text(child))
    i = end
    # "X district of Y", "X province of Y"
    if i < len(doc) and doc[i].lower_ in _ADMIN_NOUNS:
        text = f"{text} {doc[i].text}"
        sides = [c for c in doc[i].children if c.dep_ in ("amod", "compound") and c.i < start and compass(c.text)]
        if sides and not compass(text.split()[0]):  # "in eastern Homs countryside"
            text = f"{sides[0].text} {text}"
        i += 1
    if doc[i - 1].lower_ in _ADMIN_NOUNS and i + 1 < len(doc) and doc[i].lower_ == "of" and doc[i + 1].ent_type_ in PLACE_LABELS:
        qualifiers.append(_entity_text(doc[i + 1]))
    # "X, Y province" / "X, Y"
    if i + 1 < len(doc) and doc[i].text == "," and doc[i + 1].ent_type_ in PLACE_LABELS:
        qualifiers.append(_entity_text(doc[i + 1], with_admin=True))
    # "X (Y)"
    if i + 2 < len(doc) and doc[i].text == "(" and (doc[i + 1].ent_type_ in PLACE_LABELS or doc[i + 1].pos_ == "PROPN"):
        qualifiers.append(_entity_text(doc[i + 1], with_admin=True))
    return ", ".join([text, *qualifiers])


def _entity_text(token: Token, with_admin: bool = False) -> str:
    """The whole entity that `token` starts, plus a following admin noun ("Homs province")."""
    doc = token.doc
    end = token.i + 1
    while end < len(doc) and doc[end].ent_iob_ == "I":
        end += 1
    if with_admin and end < len(doc) and doc[end].lower_ in _ADMIN_NOUNS:
        end += 1
    return doc[token.i:end].text
