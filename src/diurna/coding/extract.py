"""Extract stage: find event mentions in dependency parses.

A mention says which token triggered the event, which phrases are its source and target
(as phrase-head tokens, resolved into actors by resolve/actors.py), how sure the text is (modality
and claimant), and where it says it happened. Patterns covered: subject-verb-object with
conjunctions and passives, control verbs ("agreed to stop hostilities"), light verbs with
event nouns ("held talks", "carried out joint patrols"), event nouns with their own
participants ("talks between X and Y", "Syrian Army attacks on ..."), and reported speech.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from spacy.tokens import Doc, Span, Token

from diurna.coding.lexicon import Lexicon, TriggerSense

Modality = str  # occurred | claimed | planned | negated | hypothetical

_SUBJECT_DEPS = {"nsubj", "csubj"}
_OBJECT_DEPS = {"dobj", "obj"}
# Prepositions that introduce the party acted upon ("clashed with", "attacks on", "fired at").
_TARGET_PREPS = {"with", "against", "on", "upon", "at", "to", "toward", "towards", "into"}
_PLACE_PREPS = {"in", "at", "near", "inside", "outside", "around", "along", "into", "across"}
# Quantity heads whose "of" phrase is the real object ("thousands of troops").
_QUANTITY_NOUNS = {"thousand", "hundred", "dozen", "score", "number", "million", "group", "unit", "contingent"}
# Verbs whose object controls an infinitive ("asked Putin to step aside": Putin steps aside).
_OBJECT_CONTROL = {"ask", "urge", "tell", "order", "force", "allow", "call", "invite", "persuade", "press", "push"}
# Dependency steps that carry the governing clause's modality down to an event.
_COMPLEMENT_DEPS = {"ccomp", "xcomp", "dobj", "acl", "pobj", "conj", "pcomp", "attr", "oprd"}
# Prepositions through which an agreement's content passes ("agreed on a ceasefire"); not "in",
# which is adverbial more often than not ("pledged in a 2018 agreement").
_COMPLEMENT_PREPS = {"on", "to", "for", "of"}
_FUTURE_AUX = {"will", "shall", "would"}
_HEDGE_AUX = {"may", "might", "could"}
_PRONOUNS = {"he", "she", "it", "they", "him", "her", "them", "its", "his", "their"}


@dataclass(frozen=True)
class EventMention:
    trigger: int  # token index in the doc
    sense: TriggerSense
    sources: tuple[int, ...]  # phrase-head token indices
    targets: tuple[int, ...]
    modality: Modality
    claimant: int | None
    place: tuple[int, int] | None  # token span of the place phrase
    anchor: int | None = None  # the light or agreement verb an event noun hangs from


def extract(doc: Doc, lexicon: Lexicon) -> Iterator[EventMention]:
    for sentence in doc.sents:
        for token in sentence:
            sense = match_sense(token, lexicon)
            if sense is None:
                continue
            if sense.pos == "noun":
                mention = _noun_event(token, sense, sentence, lexicon)
            else:
                mention = _verb_event(token, sense, sentence, lexicon)
            if mention is not None:
                yield mention


# --- trigger senses -------------------------------------------------------------------

def _pos(token: Token) -> str | None:
    if token.pos_ == "VERB":
        return "verb"
    if token.pos_ in ("NOUN", "PROPN"):
        return "noun"
    if token.pos_ == "ADJ":
        return "adj"
    return None


def match_sense(token: Token, lexicon: Lexicon) -> TriggerSense | None:
    pos = _pos(token)
    if pos is None:
        return None
    lemma = (token.lower_ if token.pos_ == "PROPN" else token.lemma_.lower())
    senses = lexicon.triggers.get((lemma, pos))
    if not senses:
        return None
    if pos == "verb" and lexicon.cue(lemma, "light") and _event_object(token, lexicon) is not None:
        return None  # "held talks": the noun carries the event
    if pos == "verb" and lexicon.cue(lemma, "intent") and _complement_has_event(token, lexicon):
        return None  # "agreed to come to Moscow": the complement is the event
    for sense in senses:
        if _conditions_hold(token, sense):
            return None if sense.code == "-" else sense
    return None


def _conditions_hold(token: Token, sense: TriggerSense) -> bool:
    if sense.named and not (token.pos_ == "PROPN" and token.is_title and (token.dep_ == "compound" or token.ent_type_ == "EVENT")):
        return False
    if sense.pos == "noun" and sense.named is False and token.pos_ == "PROPN" and not sense.modifiers:
        # a capitalised noun is a name ("Operation Spring Shield") unless a row says otherwise
        return False
    objects = object_tokens(token)
    if sense.no_object and objects:
        return False
    if sense.objects:
        lemmas = {o.lemma_.lower() for o in objects}
        if not (("*" in sense.objects and objects) or lemmas & sense.objects):
            return False
    if sense.modifiers and not (_modifier_lemmas(token) & sense.modifiers):
        return False
    if sense.particle and not any(c.dep_ == "prt" and c.lower_ == sense.particle for c in token.children):
        return False
    if sense.preps and not any(c.dep_ in ("prep", "agent") and c.lower_ in sense.preps for c in token.children):
        return False
    return True


def object_tokens(token: Token) -> list[Token]:
    """Direct objects (for nouns: 'of' complements), looking through quantity words."""
    if token.pos_ in ("NOUN", "PROPN"):
        heads = [g for c in token.children if c.dep_ == "prep" and c.lower_ == "of" for g in c.children if g.dep_ == "pobj"]
    else:
        heads = [c for c in token.children if c.dep_ in _OBJECT_DEPS]
    found: list[Token] = []
    for head in heads:
        for item in _with_conjuncts(head):
            found.append(item)
            if item.lemma_.lower() in _QUANTITY_NOUNS or item.like_num:
                found.extend(g for c in item.children if c.dep_ == "prep" and c.lower_ == "of"
                             for p in c.children if p.dep_ == "pobj" for g in _with_conjuncts(p))
    return found


def _modifier_lemmas(token: Token) -> set[str]:
    head = phrase_head(token)
    nodes = {token, head}
    return {c.lemma_.lower() for n in nodes for c in n.children
            if c.dep_ in ("amod", "compound", "advmod", "nmod", "npadvmod") and c.i != token.i}


def _complement_has_event(verb: Token, lexicon: Lexicon) -> bool:
    return any(
        match_sense(t, lexicon) is not None
        for c in verb.children if c.dep_ in ("xcomp", "ccomp") for t in c.subtree
    )


def _event_object(verb: Token, lexicon: Lexicon) -> Token | None:
    """The event noun a light verb governs: its object, or the object of its preposition."""
    candidates = [c for c in verb.children if c.dep_ in _OBJECT_DEPS]
    candidates += [g for c in verb.children if c.dep_ == "prep" and c.lower_ in ("to", "in", "into")
                   for g in c.children if g.dep_ == "pobj"]
    for candidate in candidates:
        for token in [candidate, *[c for c in candidate.children if c.dep_ == "compound"]]:
            if _pos(token) == "noun" and any(
                _conditions_hold(token, s) and s.code != "-"
                for s in lexicon.triggers.get((token.lemma_.lower() if token.pos_ != "PROPN" else token.lower_, "noun"), [])
            ):
                return token
    return None


# --- syntax helpers -------------------------------------------------------------------

def phrase_head(token: Token) -> Token:
    """Climb compounds: 'patrol' in 'joint patrol missions' heads into 'missions'."""
    while token.dep_ == "compound" and token.head is not token:
        token = token.head
    return token


def _with_conjuncts(token: Token) -> list[Token]:
    return [token, *token.conjuncts] if token.dep_ != "conj" else [token]


def _children(token: Token, deps: set[str], words: set[str] | None = None) -> list[Token]:
    return [c for c in token.children if c.dep_ in deps and (words is None or c.lower_ in words)]


def _prep_objects(token: Token, words: set[str]) -> list[Token]:
    return [g for p in _children(token, {"prep", "agent"}, words) for g in p.children if g.dep_ == "pobj"]


def _is_passive(verb: Token) -> bool:
    return any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children)


def verb_subjects(verb: Token, _depth: int = 0) -> list[Token]:
    """Who does the verb: its subject, the agent of a passive, or the controller of a clause."""
    if _depth > 6:
        return []
    if _is_passive(verb):
        agents = _prep_objects(verb, {"by"})
        return [a for g in agents for a in _with_conjuncts(g)]
    for child in verb.children:
        if child.dep_ in _SUBJECT_DEPS:
            return _with_conjuncts(child)
    head = verb.head
    if head is verb:
        return []
    if verb.dep_ == "xcomp" or (verb.dep_ == "ccomp" and head.lemma_.lower() in _OBJECT_CONTROL):
        controller = _children(head, _OBJECT_DEPS)
        if head.lemma_.lower() in _OBJECT_CONTROL and controller:
            return _with_conjuncts(controller[0])
        return verb_subjects(head, _depth + 1)
    if verb.dep_ in ("advcl", "conj") and head.pos_ in ("VERB", "AUX"):
        return verb_subjects(head, _depth + 1)
    if verb.dep_ == "pcomp" and head.head is not head:  # "after coming to an agreement"
        return verb_subjects(head.head, _depth + 1)
    if verb.dep_ == "relcl" and head.pos_ in ("NOUN", "PROPN", "PRON"):
        return _with_conjuncts(head)
    # participles modifying a noun ("rebels occupying Idlib") describe it; they are not events
    return []


# --- events from verbs and adjectives -------------------------------------------------

def _verb_event(verb: Token, sense: TriggerSense, sentence: Span, lexicon: Lexicon) -> EventMention | None:
    sources = verb_subjects(verb)
    if not sources and verb.dep_ == "acl" and _pos(verb.head) == "noun":
        # "an agreement to de-escalate the conflict": the agreement's parties de-escalate
        noun_sense = match_sense(verb.head, lexicon)
        if noun_sense is not None:
            sources = _noun_participants(verb.head, noun_sense, lexicon)[0]
    if sense.pos == "adj":  # "Moscow has been highly critical of ..."
        sources = sources or verb_subjects(verb.head)
    if not sources:
        return None
    targets = _verb_targets(verb, sense)
    modality, claimant = modality_of(verb, lexicon)
    # "killed 40 rebels near Maarat al-Numan": the place may hang off the object
    place = _place(verb) or next(filter(None, (_place(o) for o in _children(verb, _OBJECT_DEPS))), None)
    return EventMention(verb.i, sense, _indices(sources), _indices(targets), modality, claimant, place)


def _verb_targets(verb: Token, sense: TriggerSense) -> list[Token]:
    if _is_passive(verb):
        return [t for c in _children(verb, {"nsubjpass"}) for t in _with_conjuncts(c)]
    if sense.pos == "verb" and not sense.object_is_instrument:
        objects = [t for c in _children(verb, _OBJECT_DEPS) for t in _with_conjuncts(c)]
        if objects:
            return objects
    datives = _children(verb, {"dative", "iobj"})
    if datives:
        return [t for d in datives for t in _with_conjuncts(d)]
    preps = (_TARGET_PREPS | {"of"}) if sense.pos == "adj" else _TARGET_PREPS
    return [t for g in _prep_objects(verb, preps) for t in _with_conjuncts(g)]


# --- events from nouns ----------------------------------------------------------------

def _noun_event(noun: Token, sense: TriggerSense, sentence: Span, lexicon: Lexicon) -> EventMention | None:
    sources, targets, light_verb, binder = _noun_participants(noun, sense, lexicon)
    if not sources:
        return None
    # a light verb carries the tense ("will be carrying out patrols"); otherwise the noun's
    # own position does ("agreed a document detailing a ceasefire")
    modality, claimant = modality_of(light_verb or noun, lexicon)
    anchor = light_verb or binder
    return EventMention(noun.i, sense, _indices(sources), _indices(targets), modality, claimant,
                        _place(noun) or _place(phrase_head(noun)) or _place(light_verb),
                        anchor.i if anchor is not None else None)


def _noun_participants(
    noun: Token, sense: TriggerSense, lexicon: Lexicon,
) -> tuple[list[Token], list[Token], Token | None, Token | None]:
    """(sources, targets, light verb, agreement verb) of an event noun."""
    head = phrase_head(noun)
    nodes = [noun] if head is noun else [noun, head]
    sources: list[Token] = [] if sense.named else [  # a name's other words are not actors
        c for n in nodes for c in n.children
        if c.dep_ in ("compound", "amod", "poss", "nmod") and c.i < n.i and c.i != noun.i and not c.is_punct
    ]
    sources += _prep_objects(noun, {"by"})
    between = [t for g in _prep_objects(noun, {"between", "among"}) for t in _with_conjuncts(g)]
    targets = [t for n in nodes for g in _prep_objects(n, _TARGET_PREPS - {"to", "into"}) for t in _with_conjuncts(g)]
    light_verb = binder = None
    if between:
        sources = sources + between
    if not between and not _has_actor_shape(sources):
        light_verb = _light_verb_governor(head, lexicon)
        if light_verb is not None:
            sources = verb_subjects(light_verb)
            targets = targets or [t for g in _prep_objects(light_verb, {"with", "against", "on"}) for t in _with_conjuncts(g)]
        else:
            binder = _binding_verb(head, lexicon)
            sources = verb_subjects(binder) if binder is not None else []
    return sources, targets, light_verb, binder


def _has_actor_shape(tokens: list[Token]) -> bool:
    """Modifiers that can name an actor: proper nouns, nationality adjectives, possessives."""
    return any(t.pos_ in ("PROPN", "NOUN") or t.ent_type_ in ("NORP", "GPE", "ORG", "PERSON") or t.dep_ == "poss" for t in tokens)


def _light_verb_governor(head: Token, lexicon: Lexicon) -> Token | None:
    if head.dep_ in _OBJECT_DEPS and lexicon.cue(head.head.lemma_.lower(), "light"):
        return head.head
    if head.dep_ == "pobj" and head.head.lower_ in ("to", "in", "into"):
        verb = head.head.head
        if verb.pos_ == "VERB" and lexicon.cue(verb.lemma_.lower(), "light"):
            return verb
    return None


def _binding_verb(token: Token, lexicon: Lexicon) -> Token | None:
    """A verb such as 'agree' whose object contains this event: 'agreed a document detailing a ceasefire'."""
    node = token
    for _ in range(6):
        if node.head is node or not _is_complement_step(node):
            return None
        node = node.head
        if node.pos_ == "VERB" and lexicon.cue(node.lemma_.lower(), "bind"):
            return node
    return None


def _is_complement_step(node: Token) -> bool:
    if node.dep_ == "prep":
        return node.lower_ in _COMPLEMENT_PREPS
    if node.dep_ == "advcl":  # "... to de-escalate" purpose clauses carry intent, others don't
        return any(c.dep_ == "aux" and c.lower_ == "to" for c in node.children)
    return node.dep_ in _COMPLEMENT_DEPS


# --- modality and place ---------------------------------------------------------------

def modality_of(token: Token, lexicon: Lexicon) -> tuple[Modality, int | None]:
    """How the text presents the event, and who claims it (token index of the claimant head)."""
    modality: Modality = "occurred"
    claimant: int | None = None
    node = token
    for step in range(8):
        aux = {c.lower_ for c in node.children if c.dep_ in ("aux", "auxpass")}
        if any(c.dep_ == "neg" for c in node.children) and (step == 0 or lexicon.cue(node.lemma_.lower(), "intent")
                                                           or lexicon.cue(node.lemma_.lower(), "speech")):
            return "negated", claimant
        if step > 0 and lexicon.cue(node.lemma_.lower(), "deny"):
            subjects = verb_subjects(node)
            return "negated", subjects[0].i if subjects else claimant
        if modality == "occurred":
            if aux & _HEDGE_AUX or (step > 0 and lexicon.cue(node.lemma_.lower(), "hedge")):
                modality = "hypothetical"
            elif aux & _FUTURE_AUX or (step == 0 and "to" in aux and node.tag_ == "VB"):
                modality = "planned"
            elif step > 0 and lexicon.cue(node.lemma_.lower(), "intent"):
                modality = "planned"
        if step > 0 and claimant is None and lexicon.cue(node.lemma_.lower(), "speech"):
            subjects = verb_subjects(node)
            if subjects:
                claimant = subjects[0].i
                if modality == "occurred":
                    modality = "claimed"
        if node.head is node or not _is_complement_step(node):
            break
        node = node.head
    if claimant is None:
        according = _according_to(token.sent)
        if according is not None:
            claimant = according.i
            if modality == "occurred":
                modality = "claimed"
    return modality, claimant


def _according_to(sentence: Span) -> Token | None:
    for token in sentence:
        if token.lower_ == "according":
            for prep in token.children:
                if prep.lower_ == "to":
                    for obj in prep.children:
                        if obj.dep_ == "pobj":
                            return obj
    return None


def _place(token: Token | None) -> tuple[int, int] | None:
    """The place phrase of 'in Idlib', 'in the war-torn Idlib province', 'along Idlib's M-4 highway'."""
    if token is None:
        return None
    if token.dep_ == "relcl" and any(c.lower_ == "where" for c in token.children):
        return token.head.i, token.head.i + 1  # "Idlib, where Turkish forces have clashed"
    for obj in _prep_objects(token, _PLACE_PREPS):
        name_parts = [c for c in obj.children if c.dep_ in ("compound", "poss", "amod", "nmod") and c.i < obj.i]
        if obj.ent_type_ in ("GPE", "LOC", "FAC") or obj.pos_ == "PROPN" or any(
            c.ent_type_ in ("GPE", "LOC", "FAC") or c.pos_ == "PROPN" for c in name_parts
        ):
            start = min([c.left_edge.i for c in name_parts if c.ent_type_ or c.pos_ == "PROPN"] + [obj.i])
            return start, obj.i + 1
    return None


def _indices(tokens: list[Token]) -> tuple[int, ...]:
    seen: dict[int, None] = {}
    for token in tokens:
        seen.setdefault(token.i, None)
    return tuple(seen)


def is_pronoun(token: Token) -> bool:
    return token.lower_ in _PRONOUNS
