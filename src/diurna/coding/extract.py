"""Extract stage: find event mentions in dependency parses.

A mention says which token triggered the event, which phrases are its source and target
(as phrase-head tokens, resolved into actors by resolve/actors.py), how sure the text is
(modality and claimant), and where it says it happened. Patterns covered:
- subject-verb-object with conjunctions and passives; agentless passives and headline
  participles ("Seven civilians were killed in Mogadishu", "Four soldiers killed in Kabul"),
  whose victims are the target and whose source stays empty;
- outer acts ("threatened to bomb", "refused to send troops", "demanded that X lift",
  "urged X to negotiate", "agreed to meet"): the outer verb is the event, its code chosen by
  the inner act (outer_acts.tsv, outer_codes.tsv), and the inner act is not coded on its own;
- light verbs with event nouns ("held talks", "opened fire on"), event nouns with their own
  participants ("talks between X and Y", "an attack by X on Y"), event nouns that do things
  ("a car bomb killed five", "two attacks hit northern Burkina Faso");
- reported speech and "according to" (claimed), intent (planned), hedges, denial.
Mentions of past or absent events ("the 1994 genocide", "since the attacks", "there was no
treaty") and habits ("always asked") are not events.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Iterable, Iterator

from spacy.attrs import IS_STOP, LEMMA, LOWER, POS
from spacy.tokens import Doc, Span, Token

from diurna.coding.lexicon import Lexicon, OuterAct, TriggerSense
from diurna.resolve.dates import WEEKDAYS

Modality = str  # occurred | claimed | planned | negated | hypothetical

_SUBJECT_DEPS = {"nsubj", "csubj"}
_OBJECT_DEPS = {"dobj", "obj"}
# Prepositions that introduce the party acted upon ("clashed with", "attacks on", "fired at").
_TARGET_PREPS = {"with", "against", "on", "upon", "at", "to", "toward", "towards", "into"}
_PLACE_PREPS = {"in", "at", "near", "inside", "outside", "around", "along", "into", "across"}
# Nouns of an area whose "of" names the place ("in the vicinity of Palmyra").
_AREA_NOUNS = {"vicinity", "outskirts", "countryside", "area", "areas", "environs", "suburbs", "north", "south", "east",
               "west", "centre", "center", "heart"}
# Prepositions through which a light verb governs its event noun ("came to an agreement",
# "put on alert", "put under investigation", "engaged in talks").
_LIGHT_PREPS = {"to", "in", "into", "on", "under"}
# Quantity heads whose "of" phrase is the real object ("thousands of troops").
_QUANTITY_NOUNS = {"thousand", "hundred", "dozen", "score", "number", "million", "group", "unit", "contingent",
                   "state", "series", "wave", "string", "spate", "round", "part", "day", "week", "hour", "month",
                   "kg", "kilogram", "ton", "tonne", "litre", "barrel", "shipment", "consignment"}
# Verbs whose object controls an infinitive ("asked Putin to step aside": Putin steps aside).
_OBJECT_CONTROL = {"ask", "urge", "tell", "order", "force", "allow", "call", "invite", "persuade", "press", "push",
                   "encourage", "pressure", "permit"}
# Dependency steps that carry the governing clause's modality down to an event.
_COMPLEMENT_DEPS = {"ccomp", "xcomp", "dobj", "acl", "pobj", "conj", "pcomp", "attr", "oprd"}
# Prepositions through which an agreement's content passes ("agreed on a ceasefire"); not "in",
# which is adverbial more often than not ("pledged in a 2018 agreement").
_COMPLEMENT_PREPS = {"on", "to", "for", "of"}
_FUTURE_AUX = {"will", "shall"}
_PRESENT_BE = {"is", "are", "am", "'s", "'re"}
# "would" is a condition or a guess ("the UK would welcome migrants", "would then reject")
_HEDGE_AUX = {"may", "might", "could", "should", "must", "can", "ought", "would"}
# Heads of an infinitive that schedule it: "is to visit", "set to", "due to", "about to".
_AIM_NOUNS = {"aim", "job", "goal", "idea", "task", "objective", "purpose", "intention", "hope", "dream", "mission"}
# (intent cues such as "plan", "intend", "expect" schedule it too: see `_scheduled`)
_SCHEDULING_HEADS = {"be", "set", "due", "about", "going", "poised", "schedule"}
_PRONOUNS = {"he", "she", "it", "they", "him", "her", "them", "its", "his", "their"}
_PERSON_PRONOUNS = {"him", "her", "them", "us", "he", "she", "they", "we"}
# Passives that state their subject's own stance towards a "to" phrase.
_STATIVE_PASSIVES = {"oppose", "commit", "dedicate", "devote"}
# Messages that speak for whoever issues them ("issued a statement condemning the attack").
_MESSAGE_NOUNS = {"statement", "declaration", "letter", "communique", "message", "resolution", "petition", "report",
                  "note", "appeal"}
# Event nouns governed by these name an event already known, not a new one ("since the attacks").
_MENTION_PREPS = {"since", "during"}
_MENTION_HEADS = {"anniversary", "memory", "memorial", "commemoration", "aftermath", "legacy", "wake", "film", "book",
                  "story", "documentary", "history", "victim", "survivor", "cost", "price", "budget", "funding",
                  "spending", "bill", "lesson", "risk", "fear", "threat", "danger", "prospect", "possibility",
                  "spectre", "sound"}
# An act "at", "in", "for" or "amid" an event noun happens inside it ("gathered for a rally"); one
# "after" it follows from it ("taken to hospital after a violent clash"): either way it is news.
_INSIDE_PREPS = {"at", "in", "for", "amid", "after"}
# Nouns of what may happen: a verb "of" them is hypothetical.
_POSSIBLE_HEADS = {"risk", "fear", "threat", "danger", "prospect", "possibility", "chance"}
_MONTHS = {"january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december"}
# Roots whose events are coded without a known doer: an agentless passive or an event noun
# ("were killed", "a bombing in Kabul") is still an act of force, protest or coercion.
_AGENTLESS_ROOTS = frozenset({"14", "15", "17", "18", "19", "20"})
# Outer-act families that need an inner act to be coded at all ("declined to comment" is nothing).
_NEEDS_INNER = {"refusal", "accusation"}
_THREAT = OuterAct("threat", "130")
_INTENT = OuterAct("intent", "030")
# Dependencies that stay inside an outer act's complement (see _core_of).
_CORE_DEPS = {"xcomp", "ccomp", "dobj", "obj", "pobj", "prep", "conj", "compound", "acl", "nsubj", "nsubjpass", "attr"}
# Roots of coercion and force, whose objects must be concrete (see _concrete_objects).
_FORCE_ROOTS = frozenset({"17", "18", "19", "20"})
# Verbs that end a state: their object event already was ("plans to end the embargo").
_ENDING_VERBS = {"end", "lift", "scrap", "abolish", "remove", "ease", "relax", "suspend", "drop", "overturn", "repeal"}
# Kin of a victim: a killing that describes whose kin they are is their story's past.
_KIN_NOUNS = {"family", "widow", "widower", "parent", "mother", "father", "son", "daughter", "relative", "brother",
              "sister", "wife", "husband", "child", "grandmother", "grandfather"}
# Spans of time a state lasts, not an act: "for more than a year", "for decades".
_LONG_SPANS = {"year", "decade", "century", "generation"}
# Words that can be auxiliaries; a verb parsed with another as its auxiliary is misparsed.
_AUXILIARIES = {"be", "have", "do", "will", "would", "shall", "should", "can", "could", "may", "might", "must",
                "ought", "to", "get", "need", "dare", "use", "'s", "'ve", "'d", "'ll", "'re", "'m", "wo", "ca", "going",
                "having", "being", "been", "getting", "got", "used"}
# Entity kinds that are never a place: "in May 2004".
_NOT_PLACES = {"DATE", "TIME", "MONEY", "PERCENT", "CARDINAL", "ORDINAL", "QUANTITY"}
# Meetings whose "on" names their topic, not a party ("negotiations on an Israeli troop pullback").
_TOPIC_NOUNS = {"talk", "negotiation", "discussion", "debate", "dialogue", "consultation", "meeting", "summit",
                "conference"}
# Nouns that count the dead: their modifiers name whose dead they are.
_DEATH_NOUNS = {"death", "casualty", "fatality", "toll"}
_DYING_VERBS = {"die", "perish"}  # their subject is the dead, never a doer
# Verbs that forecast what others will do: "is expected to be opposed", "analysts expect the bank to".
_FORECAST_VERBS = {"expect", "predict", "forecast", "tip"}
_YEAR = re.compile(r"^(1[89]|20)\d\d$")


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
    agentless: bool = False  # no doer is named ("were killed", "a bomb exploded")


def extract(doc: Doc, lexicon: Lexicon, sentences: Iterable[Span] | None = None) -> Iterator[EventMention]:
    """The event mentions of `doc`, sentence by sentence; of `sentences` only, when the caller
    knows the others hold no word that could start one (coding/prefilter.kept_sentences)."""
    for sentence in (doc.sents if sentences is None else sentences):
        tokens = [doc[i] for i in trigger_candidates(sentence, lexicon)]
        if not tokens:
            continue
        suppressed: set[int] = set()
        outer_mentions = []
        for token in tokens:
            found = _outer_act(token, lexicon)
            if found is not None:
                mention, inner = found
                suppressed |= inner
                suppressed.add(token.i)
                if mention is not None:
                    outer_mentions.append(mention)
        senses = {token.i: match_sense(token, lexicon) for token in tokens}
        for token in tokens:  # event nouns that do or cause a verb's event are coded with it
            if _pos(token) in ("verb", "adj") and senses[token.i] is not None:
                suppressed.update(_event_doers(token, lexicon))
        for token in tokens:
            if token.i in suppressed:
                continue
            sense = senses[token.i]
            if sense is None or _is_habitual(token, lexicon) or _is_purpose_of_event(token, lexicon) \
                    or _is_condition(token):
                continue
            if sense.pos == "noun":
                mention = _noun_event(token, sense, lexicon)
            else:
                mention = _verb_event(token, sense, lexicon)
            if mention is not None:
                yield mention
        for mention in outer_mentions:
            if not _is_habitual(sentence.doc[mention.trigger], lexicon):
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


def _lemma(token: Token) -> str:
    return token.lower_ if token.pos_ == "PROPN" else token.lemma_.lower()


def lemma_of(token: Token, lexicon: Lexicon) -> str:
    """The token's lemma, repaired from its form when the lemmatiser misses a lexicon word
    ("staged" -> "stag", "wound" -> "wind"): the form less -d, -ed, -s, -ing (+e) that the
    lexicons know."""
    lemma = _lemma(token)
    known = lexicon.known_words
    if lemma in known or token.pos_ not in ("VERB", "AUX") or token.is_stop:
        return lemma  # "did" is "do", never a clipped "die"
    form = token.lower_
    for candidate in (form, form[:-1], form[:-2], form[:-3], form[:-3] + "e", form[:-1] + "e" if form.endswith("d") else ""):
        if candidate in known:
            return candidate
    return lemma


def trigger_candidates(tokens: Doc | Span, lexicon: Lexicon) -> list[int]:
    """Doc indices, ascending, of the tokens of `tokens` (a doc or one sentence) whose lemma,
    form and part of speech alone could make them an outer act or a trigger with an event sense:
    what `match_sense`, `_outer_act` and `could_match` ask before any condition. The answer
    depends only on those token values, so it is read from the token arrays and remembered per
    combination (`Lexicon.candidate_memo`) instead of building a Token for every word."""
    doc, start = (tokens, 0) if isinstance(tokens, Doc) else (tokens.doc, tokens.start)
    memo = lexicon.candidate_memo
    found = []
    for i, key in enumerate(map(tuple, tokens.to_array(_CANDIDATE_ATTRS).tolist()), start):
        hit = memo.get(key)
        if hit is None:
            hit = memo[key] = _is_candidate(doc[i], lexicon)
        if hit:
            found.append(i)
    return found


def _is_candidate(token: Token, lexicon: Lexicon) -> bool:
    lemma = lemma_of(token, lexicon)
    return lemma in lexicon.outer or any(s.code != "-" for s in lexicon.triggers.get((lemma, _pos(token)), ()))


_CANDIDATE_ATTRS = [LEMMA, LOWER, POS, IS_STOP]  # all that lemma_of and _pos read


def match_sense(token: Token, lexicon: Lexicon) -> TriggerSense | None:
    pos = _pos(token)
    if pos is None:
        return None
    lemma = lemma_of(token, lexicon)
    senses = lexicon.triggers.get((lemma, pos))
    if not senses:
        return None
    if pos == "verb" and lexicon.cue(lemma, "light") and _event_object(token, lexicon) is not None:
        return None  # "held talks": the noun carries the event
    if pos == "verb" and lexicon.cue(lemma, "intent") and _complement_has_event(token, lexicon):
        return None  # "planned to attack": the complement is the event
    for sense in senses:
        if _conditions_hold(token, sense, lexicon):
            return None if sense.code == "-" else sense
    return None


def is_vetoed(token: Token, lexicon: Lexicon) -> bool:
    """The first row of the word that holds says it is no event: "a heart attack"."""
    for sense in lexicon.triggers.get((lemma_of(token, lexicon), _pos(token)), ()):
        if _conditions_hold(token, sense, lexicon):
            return sense.code == "-"
    return False


def could_match(token: Token, lexicon: Lexicon) -> bool:
    """Before NER: whether this token could start a mention once entities are known, i.e. be
    an outer act or have a sense `match_sense` could choose. Conditions that read entities
    (named, obj=@person, doer=event) count as holding, senses that are not events never veto,
    and the light-verb and intent checks are skipped, so this is never False where a
    mention could start."""
    lemma = lemma_of(token, lexicon)
    if lemma in lexicon.outer:
        return True
    pos = _pos(token)
    if pos is None:
        return False
    for sense in lexicon.triggers.get((lemma, pos), []):
        if sense.code == "-":
            continue
        if sense.named:
            if token.pos_ == "PROPN" and token.is_title:
                return True
            continue
        if _conditions_hold(token, replace(sense, person_object=False, doer_event=False), lexicon):
            return True
    return False


def _conditions_hold(token: Token, sense: TriggerSense, lexicon: Lexicon) -> bool:
    if sense.named and not (token.pos_ == "PROPN" and token.is_title and (token.dep_ == "compound" or token.ent_type_ == "EVENT")):
        return False
    if sense.pos == "noun" and sense.named is False and token.pos_ == "PROPN" and not sense.modifiers \
            and not token.is_sent_start and not token.is_lower:
        # a capitalised noun is a name ("Operation Spring Shield") unless a row says otherwise or
        # it opens the sentence ("Clash kills six"); a lower-case one never is ("a sit-in")
        return False
    objects = object_tokens(token)
    if sense.no_object and (objects or any(c.dep_ == "ccomp" for c in token.children)):
        return False
    if sense.objects:
        lemmas = {o.lemma_.lower() for o in objects} | {c.lemma_.lower() for o in objects for c in o.children
                                                         if c.dep_ == "compound"}
        if not (("*" in sense.objects and objects) or lemmas & sense.objects):
            return False
    if sense.person_object and not any(is_person_like(o, lexicon) for o in objects):
        return False
    if sense.modifiers and not (_modifier_lemmas(token) & sense.modifiers):
        return False
    if sense.particle and not any(c.dep_ == "prt" and c.lower_ == sense.particle for c in token.children):
        return False
    if sense.preps:
        holders = [token] + ([token.head] if sense.pos == "noun" and token.dep_ in _OBJECT_DEPS else [])
        if not any(c.dep_ in ("prep", "agent") and c.lower_ in sense.preps for h in holders for c in h.children):
            return False  # "opened fire on": the preposition may hang on the light verb
    if sense.counted and not any(c.dep_ == "nummod" or c.like_num for c in token.children):
        return False
    if sense.prep_objects and not any(o.lemma_.lower() in sense.prep_objects for p in token.children
                                      if p.dep_ in ("prep", "agent") for o in p.children if o.dep_ == "pobj"):
        return False
    if sense.doer_event and not any(_is_violent_noun(d, lexicon) for d in _doers(token)):
        return False
    return True


def is_person_like(token: Token, lexicon: Lexicon) -> bool:
    """A person or group: 'protesters', 'him', 'Ouattara'; not 'Italy' (a team) or 'VAT'."""
    if token.lower_ in _PERSON_PRONOUNS:
        return True
    if token.ent_type_ in ("PERSON", "NORP"):
        return True
    lemma = token.lemma_.lower() if token.pos_ != "PROPN" else token.lower_.rstrip("s")
    if token.pos_ == "NOUN" and lemma.endswith(("man", "woman", "person")) and not lemma.endswith("german"):
        return True  # "chairman", "fisherman", "spokesperson"
    return lemma in lexicon.agents or token.lemma_.lower() in lexicon.agents


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
            if c.dep_ in ("amod", "compound", "advmod", "nmod", "npadvmod", "acomp") and c.i != token.i}


def _complement_has_event(verb: Token, lexicon: Lexicon) -> bool:
    return any(
        match_sense(t, lexicon) is not None
        for c in verb.children if c.dep_ in ("xcomp", "ccomp") for t in c.subtree
    )


def _event_object(verb: Token, lexicon: Lexicon) -> Token | None:
    """The event noun a light verb governs: its object, or the object of its preposition."""
    candidates = [c for c in verb.children if c.dep_ in _OBJECT_DEPS]
    candidates += [g for c in verb.children if c.dep_ == "prep" and c.lower_ in _LIGHT_PREPS
                   for g in c.children if g.dep_ == "pobj"]
    candidates += [g for c in list(candidates) if c.lemma_.lower() in _QUANTITY_NOUNS  # "10 days of war games"
                   for p in c.children if p.dep_ == "prep" and p.lower_ == "of" for g in p.children if g.dep_ == "pobj"]
    for candidate in candidates:
        for token in [candidate, *[c for c in candidate.children if c.dep_ == "compound"]]:
            if _pos(token) == "noun" and any(
                _conditions_hold(token, s, lexicon) and s.code != "-"
                for s in lexicon.triggers.get((_lemma(token), "noun"), [])
            ):
                return token
    return None


def _doers(verb: Token) -> list[Token]:
    """The verb's subject, or the agent of its passive ("hit by two attacks")."""
    subjects = [c for c in verb.children if c.dep_ in _SUBJECT_DEPS]
    agents = _prep_objects(verb, {"by"}) if _is_passive(verb) else []
    return subjects + agents


def _is_violent_noun(token: Token, lexicon: Lexicon, harm: bool = False) -> bool:
    """An act of force named by a noun ("attacks", "a car bomb"), or by a gerund ("Shelling kills two").
    With `harm` (the noun kills or wounds: "killed by coalition strikes"), a noun whose senses all
    need a modifier it lacks is the force one when something modifies it, a doer ("coalition",
    "Israeli"): a strike by them that kills is no labour strike ("the strike killed" stays unsaid)."""
    if token.tag_ == "VBG":
        return any(s.code[:2] >= "18" for s in lexicon.triggers.get((token.lower_, "noun"), []) if s.code != "-")
    if _pos(token) != "noun":
        return False
    if harm and lexicon.targets.get(_lemma(token)) == "weapon":
        return True  # "A bomb killed five", "Rocket kills 3": a weapon that kills is an attack
    senses = lexicon.triggers.get((_lemma(token), "noun"), [])
    holding = [s for s in senses if _conditions_hold(token, s, lexicon)]
    if harm and not holding and any(c.dep_ in ("compound", "amod", "poss", "nmod") for c in token.children):
        holding = senses
    return any(s.code != "-" and s.code[:2] >= "18" or s.code[:3] == "145" for s in holding)


def _event_doers(token: Token, lexicon: Lexicon) -> list[int]:
    """Event nouns doing or causing what a verb event says ("a car bomb killed five", "killed
    in a blast"): the verb's event carries them, so they are not coded again on their own."""
    if _pos(token) not in ("verb", "adj"):
        return []
    causes = _prep_objects(token, {"in", "during", "by"}) if lexicon.cue(lemma_of(token, lexicon), "harm") else []
    return [d.i for d in _doers(token) + causes if _is_violent_noun(d, lexicon)]


def _is_purpose_of_event(token: Token, lexicon: Lexicon) -> bool:
    """'blocked roads to press their demands', 'will visit Mauritania to mediate': a purpose
    clause of another event is that event's aim, not a second event."""
    if token.dep_ not in ("advcl", "xcomp") or not any(c.dep_ == "aux" and c.lower_ == "to" for c in token.children):
        return False
    governor = token.head
    return governor.pos_ == "VERB" and token.dep_ == "advcl" and (
        match_sense(governor, lexicon) is not None or _event_object(governor, lexicon) is not None)


def _announced_intent(verb: Token, sense: TriggerSense, modality: Modality, claimant: int | None,
                      lexicon: Lexicon) -> TriggerSense:
    """'X said it will provide aid', 'Y announced it would withdraw': an announced future act is
    an expressed intent (03x; a harmful one a threat, 13x), coded as CAMEO coders do. A future
    act reported without a speaker keeps its own code, planned."""
    if modality != "planned" or claimant is None or sense.code[:2] in ("09", "10", "11", "12", "13"):
        return sense
    speaker = verb.doc[claimant]
    if speaker.head.lower_ == "to" and speaker.head.head.lower_ == "according":
        return sense  # "according to the agreement, Turkey will withdraw": a report, not an announcement
    if not any(c.dep_ == "aux" and c.lower_ in _FUTURE_AUX for c in verb.children):
        return sense
    return TriggerSense(lemma=sense.lemma, pos=sense.pos, code=lexicon.outer_code(_INTENT, sense.code),
                        mutual=sense.mutual)


def _is_condition(token: Token) -> bool:
    """'unless Baghdad accepted its conditions', 'if he gave them a veto': a condition set on
    another act is not an event of its own."""
    node = token
    for _ in range(4):
        if node.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in ("if", "unless") for c in node.children):
            return True
        if node.head.i == node.i or node.dep_ not in ("xcomp", "ccomp", "conj", "dobj", "pobj", "prep", "advcl"):
            return False
        node = node.head
    return False


def _has_condition(verb: Token) -> bool:
    return any(c.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in ("if", "unless") for m in c.children)
               for c in verb.children)


def _is_habitual(token: Token, lexicon: Lexicon) -> bool:
    """'always asked', 'have resigned over leaks in the past': habits and generic statements;
    'has been battling the authorities for more than a year': a state that lasts, not an act."""
    node = token if _pos(token) != "noun" else (token.head if token.dep_ in _OBJECT_DEPS else token)
    nodes = [node]
    if node.dep_ == "pcomp" and node.head.lower_ == "by":
        # "were honest in the past by calling for a rise": the means shares its clause's time
        governor = node.head.head
        nodes += [governor] + ([governor.head] if governor.dep_ in ("acomp", "attr") else [])
    return any(_habit_marked(n, lexicon) for n in nodes)


def _habit_marked(node: Token, lexicon: Lexicon) -> bool:
    """A habit adverb, "in the past", or a span of a year or more on the clause word."""
    if any(c.dep_ == "advmod" and lexicon.cue(c.lower_, "habit") for c in node.children):
        return True
    if any(p.lower_ == "for" and g.lemma_.lower() in _LONG_SPANS for p in node.children if p.dep_ == "prep"
           for g in p.children if g.dep_ == "pobj"):
        return True
    return any(p.lower_ == "in" and g.lower_ == "past" and any(d.lower_ == "the" for d in g.children)
               for p in node.children if p.dep_ == "prep" for g in p.children if g.dep_ == "pobj")


# --- syntax helpers -------------------------------------------------------------------

def clause_verb(token: Token) -> Token:
    """The verb whose tense and clause are the token's: itself, or the verb a noun hangs from."""
    while token.pos_ not in ("VERB", "AUX") and token.head.i != token.i:
        token = token.head
    return token


def phrase_head(token: Token) -> Token:
    """Climb compounds: 'patrol' in 'joint patrol missions' heads into 'missions'."""
    while token.dep_ == "compound" and token.head.i != token.i:
        token = token.head
    return token


def _with_conjuncts(token: Token) -> list[Token]:
    return [token, *token.conjuncts] if token.dep_ != "conj" else [token]


def _children(token: Token, deps: set[str], words: set[str] | None = None) -> list[Token]:
    return [c for c in token.children if c.dep_ in deps and (words is None or c.lower_ in words)]


def _prep_objects(token: Token, words: set[str]) -> list[Token]:
    return [g for p in _children(token, {"prep", "agent"}, words) for g in p.children if g.dep_ == "pobj"]


def _is_passive(verb: Token) -> bool:
    """Passive, including headline passives with no auxiliary ("Burkina Faso hit by attacks")."""
    return any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children) or (
        verb.tag_ == "VBN" and any(c.dep_ == "agent" for c in verb.children))


def verb_subjects(verb: Token, _depth: int = 0) -> list[Token]:
    """Who does the verb: its subject, the agent of a passive, or the controller of a clause."""
    if _depth > 6:
        return []
    if _is_passive(verb):
        agents = _prep_objects(verb, {"by"})
        if not agents and _prep_objects(verb, {"to"}) and verb.lemma_.lower() in _STATIVE_PASSIVES:
            # "Israel is opposed to French mediation": the subject holds the stance
            return [t for c in _children(verb, {"nsubjpass"}) for t in _with_conjuncts(c)]
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
    if verb.dep_ in ("advcl", "conj", "acomp") and head.pos_ in ("VERB", "AUX"):
        return verb_subjects(head, _depth + 1)  # "is opposed to": the copula's subject
    if verb.dep_ == "pcomp" and head.head is not head:  # "after coming to an agreement"
        return verb_subjects(head.head, _depth + 1)
    if verb.dep_ == "relcl" and head.pos_ in ("NOUN", "PROPN", "PRON"):
        return _with_conjuncts(head)
    if verb.dep_ == "acl" and head.lemma_.lower() in _MESSAGE_NOUNS and head.head.pos_ == "VERB":
        return verb_subjects(head.head, _depth + 1)  # "issued a declaration demanding ...": the issuer
    # participles modifying a noun ("rebels occupying Idlib") describe it; they are not events
    return []


# --- outer acts -----------------------------------------------------------------------

def _outer_act(verb: Token, lexicon: Lexicon) -> tuple[EventMention | None, set[int]] | None:
    """An outer act and the trigger tokens of its inner act (never coded on their own).

    None when `verb` is not an outer act here; (None, inner) when it is, but is not coded
    (a refusal with no inner act: "declined to comment")."""
    if verb.pos_ not in ("VERB", "ADJ") or any(c.dep_ == "prt" and c.lower_ in ("off", "out") for c in verb.children):
        return None
    outer = lexicon.outer.get(lemma_of(verb, lexicon))
    if outer is None or (verb.pos_ == "ADJ" and not _children(verb, {"xcomp"})):
        return None
    complements = _children(verb, {"xcomp", "ccomp"}) if outer.family != "accusation" else []
    complements += _prep_objects(verb, {"for", "on"}) if outer.family in ("appeal", "demand") else []
    if outer.family == "accusation":  # "accused Russia of violating", "condemned Israel for the bombing"
        complements += [g for p in _children(verb, {"prep"}, {"of", "for"}) for g in p.children if g.dep_ in ("pobj", "pcomp")]
    if outer.family in ("appeal", "demand", "refusal"):
        complements += _children(verb, _OBJECT_DEPS)
    if not complements:
        return None
    core = [t for c in complements for t in _core_of(c) if t.i != verb.i]
    suppressed = {t.i for t in core if match_sense(t, lexicon) is not None}
    if outer.family == "appeal" and any(_asked_about(c) for c in complements if c.dep_ == "ccomp"):
        return None, suppressed | {verb.i}  # "asked how Britain would punish Iran": a question, no appeal
    if outer.family == "appeal" and any(c.dep_ in ("oprd", "xcomp") and c.pos_ in ("NOUN", "PROPN", "ADJ")
                                        for c in verb.children):
        return None, suppressed | {verb.i}  # "called the sale 'the swindle of the century'": naming, no appeal
    inner = next(filter(None, (_inner_act(c, lexicon) for c in complements)), None)
    own = match_sense(verb, lexicon) if verb.pos_ == "VERB" else None
    has_clause = any(c.dep_ in ("xcomp", "ccomp") for c in complements)
    if inner is None and outer.family == "refusal" and has_clause:
        return None, suppressed | {verb.i}  # "refused to comment", "declined to rule out": no act refused
    if inner is None and lemma_of(verb, lexicon) == "agree" and any(
            c.dep_ == "ccomp" and any(s.dep_ in ("nsubj", "nsubjpass") for s in c.children) for c in complements):
        return None, suppressed | {verb.i}  # "agreed it was of concern": an opinion shared, no agreement
    if inner is None and (outer.family in _NEEDS_INNER or not has_clause):
        return None  # the verb's own sense, if any, codes it ("refused admittance")
    if inner is None and verb.pos_ == "ADJ":
        return None, suppressed | {verb.i}  # "was prepared to tackle the deficit": a stance, no act named
    inner_token, inner_sense = inner if inner else (None, None)
    if outer.family == "refusal" and inner_token is not None and _says_nothing(inner_token, lexicon):
        return None, suppressed | {verb.i}  # "refused to discuss his new position", "refused to deny the claim": no comment
    code = lexicon.outer_code(outer, inner_sense.code if inner_sense else None)
    if inner is None and own is not None:
        code = own.code
    if code == "-":
        return None, suppressed | {verb.i}  # "failed to recognise the ruling": the act did not happen
    sources = verb_subjects(verb)
    if not sources:
        return None, suppressed
    # "Turkey and Russia agree to stop hostilities": a mutual inner act between several parties
    mutual = bool(inner_sense and inner_sense.mutual) and len(sources) > 1
    sense = TriggerSense(lemma=verb.lemma_.lower(), pos="verb", code=code, mutual=mutual)
    targets = _outer_targets(verb, outer, inner_token, inner_sense, lexicon)
    modality, claimant = modality_of(verb, lexicon)
    return EventMention(verb.i, sense, _indices(sources), _indices(targets), modality, claimant, _place(verb)), suppressed


def _says_nothing(inner: Token, lexicon: Lexicon) -> bool:
    """Refused speech is no comment: denying, confirming, or discussing a topic with nobody named."""
    lemma = lemma_of(inner, lexicon)
    return inner.pos_ == "VERB" and (lexicon.cue(lemma, "deny") or lexicon.cue(lemma, "speech") or (
        lexicon.cue(lemma, "topic") and not _prep_objects(inner, {"with"})))


def _inner_act(complement: Token, lexicon: Lexicon) -> tuple[Token, TriggerSense] | None:
    """The act a complement names: its head ("to bomb"), the event noun of its light verb
    ("to hold talks"), or the act of a clause it governs ("to start to bomb"); not an event
    deeper in its object ("agreed to postpone the demonstration" names no protest)."""
    node: Token | None = complement
    for _ in range(4):
        if node is None:
            return None
        sense = match_sense(node, lexicon)
        if sense is not None:
            return node, sense
        if node.pos_ == "VERB" and lexicon.cue(lemma_of(node, lexicon), "light"):
            noun = _event_object(node, lexicon)
            if noun is not None:
                return noun, match_sense(noun, lexicon) or next(iter(lexicon.triggers[(_lemma(noun), "noun")]))
        node = next(iter(_children(node, {"xcomp", "ccomp"})), None)
    return None


def _core_of(head: Token) -> list[Token]:
    """The complement's core: its head, objects and nested complements, not its adverbials
    ("agreed to come to Moscow after a string of clashes": the clashes are their own event)."""
    found, frontier = [], [head]
    while frontier:
        token = frontier.pop(0)
        found.append(token)
        frontier.extend(c for c in token.children if c.dep_ in _CORE_DEPS
                        and (c.dep_ != "prep" or c.lower_ in _COMPLEMENT_PREPS | {"with"}))
    return found


def _outer_targets(verb: Token, outer: OuterAct, inner: Token | None, inner_sense: TriggerSense | None,
                   lexicon: Lexicon) -> list[Token]:
    """Whom the outer act is aimed at: the urged party, the party told to yield, else the
    inner act's target ("threatened to bomb rebel positions" -> rebels)."""
    if outer.family in ("appeal", "demand", "accusation"):
        addressed = [t for c in _children(verb, _OBJECT_DEPS | {"dative"}) for t in _with_conjuncts(c)
                     if (_lemma(c), "noun") not in lexicon.triggers or is_person_like(c, lexicon)]
        addressed += [t for g in _prep_objects(verb, {"on", "from", "to"}) for t in _with_conjuncts(g)]
        addressed = [t for t in addressed if t.ent_type_ not in ("DATE", "TIME")]  # not "on Tuesday"
        if not addressed and _is_passive(verb):  # "Rato was asked by G7 ministers to carry out a study"
            addressed = [t for c in _children(verb, {"nsubjpass"}) for t in _with_conjuncts(c)]
        if addressed:
            return addressed
        clause_subjects = [t for c in _children(verb, {"ccomp"}) for s in _children(c, {"nsubj", "nsubjpass"})
                           for t in _with_conjuncts(s)]
        if clause_subjects:
            return clause_subjects
    own = [t for g in _prep_objects(verb, {"with", "against", "to"}) for t in _with_conjuncts(g)]
    if own:
        return own
    if inner is None or inner_sense is None:
        return []
    if inner_sense.pos == "noun":
        return _noun_participants(inner, inner_sense, lexicon)[1]
    return _verb_targets(inner, inner_sense, lexicon)


# --- events from verbs and adjectives -------------------------------------------------

def _has_finite_verb(sentence: Span) -> bool:
    return any(t.tag_ in ("VBD", "VBZ", "VBP", "MD") and t.dep_ in ("ROOT", "aux", "auxpass") for t in sentence)


def _verb_event(verb: Token, sense: TriggerSense, lexicon: Lexicon) -> EventMention | None:
    agentless = False
    if verb.dep_ == "csubj" and verb.tag_ == "VBG":
        return None  # "Detaining suspects without trial breaks human rights laws": an activity, no act
    if verb.dep_ == "amod" and verb.tag_ == "VBN" and verb.i < verb.head.i:
        return None  # "a charity which helps abused victims": a participle before its noun describes it
    if any(c.dep_ in ("aux", "auxpass") and c.lemma_.lower() not in _AUXILIARIES and c.lower_ not in _AUXILIARIES
           for c in verb.children):
        return None  # "which helps abused victims" parsed with "helps" as an auxiliary of "abused": a misparse
    harm = lexicon.cue(lemma_of(verb, lexicon), "harm")
    if verb.dep_ == "acl" and verb.tag_ == "VBN" and _pos(verb.head) == "noun" and _children(verb, _OBJECT_DEPS):
        # a headline the parser read as a noun phrase: "Syrian government airstrikes killed 12
        # civilians" (the noun is the doer; "airstrikes" stand for their own doer)
        sources, targets = [verb.head], _verb_targets(verb, sense, lexicon)
        agentless = _is_violent_noun(verb.head, lexicon)
    elif verb.dep_ == "acl" and verb.tag_ == "VBN" and (_pos(verb.head) == "noun" or verb.head.like_num):
        # "Four US soldiers killed in combat", "a journalist detained in Almaty": the noun is the
        # victim ("two imprisoned bloggers", before the noun, describes a state, not an event).
        # Inside a sentence with its own main verb, a participle other than a harm describes its
        # noun: "British troops deployed in Iraq should be replaced", "Habib, previously accused
        # of terrorist offences, will be released"
        if not harm and _has_finite_verb(verb.sent) and not _prep_objects(verb, {"by"}):
            return None
        victim = verb.head
        if victim.dep_ == "pobj" and victim.head.lower_ == "of" and victim.head.head.lemma_.lower() in _KIN_NOUNS:
            return None  # "the family of an Iraqi civilian killed by UK troops have won a challenge": their back-story
        sources = [a for g in _prep_objects(verb, {"by"}) for a in _with_conjuncts(g)]
        targets = _with_conjuncts(verb.head)
        # "experts killed by coalition strikes": strikes stand for their doer, whom their modifiers may name
        agentless = not sources or all(_is_violent_noun(s, lexicon, harm=bool(harm)) for s in sources)
    elif harm and sense.pos == "verb" and not _is_passive(verb) and not object_tokens(verb) \
            and (not _children(verb, {"aux", "prt"}) or lemma_of(verb, lexicon) in _DYING_VERBS) \
            and verb.tag_ in ("VBD", "VBN") and verb_subjects(verb):
        # headline passive: "Nine rebels killed in Afghan operation", "Two militants shot dead";
        # whoever dies is the victim, in any tense ("At least 20 people have died in clashes")
        sources, targets, agentless = [], verb_subjects(verb), True
    elif sense.pos == "adj" and harm and verb.dep_ == "dobj" and lemma_of(verb.head, lexicon) == "leave" \
            and verb_subjects(verb.head):
        # "Somali unrest leaves 10 dead", "the attack left 12 dead": the dead are the count; what
        # left them is the doer, or, an act of force, the event whose modifiers may name the doer
        sources, targets = verb_subjects(verb.head), []
        agentless = all(_is_violent_noun(s, lexicon, harm=True) for s in sources)
    elif sense.pos == "adj" and harm:
        if verb.dep_ in ("oprd", "xcomp", "ccomp") and match_sense(verb.head, lexicon) is not None:
            return None  # "shot dead": the verb is the event
        targets = verb_subjects(verb) or verb_subjects(verb.head) or ([verb.head] if verb.dep_ == "amod" else [])
        if not targets and verb.dep_ == "ROOT":
            targets = [c for c in verb.children if c.dep_ in ("npadvmod", "nummod", "nsubj")]
        sources, agentless = [], True
    else:
        sources = verb_subjects(verb)
        if not sources and verb.dep_ == "acl" and _pos(verb.head) == "noun":
            # "an agreement to de-escalate the conflict": the agreement's parties de-escalate
            noun_sense = match_sense(verb.head, lexicon)
            if noun_sense is not None:
                sources = _noun_participants(verb.head, noun_sense, lexicon)[0]
        if sense.pos == "adj":  # "Moscow has been highly critical of ..."
            sources = sources or verb_subjects(verb.head)
        targets = _verb_targets(verb, sense, lexicon)
        if not sources:
            # an agentless passive ("were killed"); a participle describing its noun
            # ("rebels occupying Idlib") is not an event
            if sense.code[:2] not in _AGENTLESS_ROOTS or not _is_passive(verb):
                return None
            agentless = True
        elif all(_is_violent_noun(s, lexicon, harm=bool(harm)) for s in sources):
            agentless = True  # "a car bomb killed five": the bomb's own modifiers may name the doer
            doer_sense = match_sense(sources[0], lexicon) if sources[0].pos_ != "VERB" else None
            if doer_sense is not None and doer_sense.code[:2] in ("18", "19", "20") and doer_sense.code != "190":
                sense = doer_sense  # "a suicide bombing killed 15": the bombing says how (1831)
    if agentless and _ongoing_passive(verb):
        return None  # "many people are getting injured": what keeps happening, not a dated act
    if agentless and not sources:
        # "killed in Boko Haram attacks", "dead in NPA attack": the attack names the doer
        causes = _prep_objects(verb, {"in", "during", "by"})
        if any(c.pos_ == "NOUN" and _is_mention(c) for c in causes):
            return None  # "died in Angola's 30-year civil war": the toll of a past war, no new act
        sources = [n for n in causes if _is_violent_noun(n, lexicon, harm=bool(harm))]
    if sense.code[:2] in _FORCE_ROOTS and not sense.object_is_instrument and not _concrete_objects(verb, lexicon):
        return None  # "fight inflation", "killing off demand": force against an abstraction is a metaphor
    modality, claimant = modality_of(verb, lexicon)
    if modality == "planned" and any(m.lower_ == "unless" for c in _children(verb, {"advcl"}) for m in c.children):
        # "will withdraw its force unless ...": a conditional act is a threat
        sense = TriggerSense(lemma=sense.lemma, pos=sense.pos, code=lexicon.outer_code(_THREAT, sense.code))
    else:
        sense = _announced_intent(verb, sense, modality, claimant, lexicon)
    # "killed 40 rebels near Maarat al-Numan": the place may hang off the object
    place = _place(verb) or next(filter(None, (_place(o) for o in _children(verb, _OBJECT_DEPS))), None)
    return EventMention(verb.i, sense, _indices(sources), _indices(targets), modality, claimant, place,
                        agentless=agentless)


def _ongoing_passive(verb: Token) -> bool:
    """A present progressive passive: "are getting injured", "is being killed"."""
    aux = {c.lower_ for c in verb.children if c.dep_ in ("aux", "auxpass")}
    return bool(aux & {"are", "is", "'re", "'s"}) and bool(aux & {"being", "getting"})


def _concrete_objects(verb: Token, lexicon: Lexicon) -> bool:
    """True when the verb has no direct object, or one that force can be used against: a
    person or group, a named place or body, a building or vehicle ("attacked a convoy"); and
    when what it is done with, if said, is a weapon ("attacked with machetes")."""
    means = [m for m in _prep_objects(verb, {"with"})  # things, not manners ("with impunity") or parties
             if (m.tag_ == "NNS" or any(c.dep_ == "det" for c in m.children))
             and m.pos_ != "PROPN" and not m.ent_type_ and not is_person_like(m, lexicon)]
    if means and not any(m.lemma_.lower() in lexicon.targets for m in means):
        return False  # "bombarded with pop-up ads", "hit with a fine"
    objects = object_tokens(verb)
    causes = _prep_objects(verb, {"for"})
    if not objects and causes and not any(
            is_person_like(c, lexicon) or c.lemma_.lower() in lexicon.targets
            or any(t.pos_ == "PROPN" or t.ent_type_ in ("GPE", "LOC", "FAC", "ORG", "NORP", "PERSON") for t in c.subtree)
            for c in causes):
        return False  # "fight for victory", "battling for every vote"; not "fought for control of Aleppo"
    if not objects:
        return True
    return any(is_person_like(o, lexicon) or o.pos_ == "PROPN" or o.like_num
               or o.ent_type_ in ("GPE", "LOC", "FAC", "ORG", "NORP", "PERSON")
               or o.lemma_.lower() in lexicon.targets or o.lemma_.lower() in _QUANTITY_NOUNS
               or any(s.code[:2] >= "18" for s in lexicon.triggers.get((_lemma(o), "noun"), []) if s.code != "-")
               for o in objects)  # "repulsed another assault": an act of force, in any of its senses


def _verb_targets(verb: Token, sense: TriggerSense, lexicon: Lexicon) -> list[Token]:
    if _is_passive(verb) and verb.lemma_.lower() in _STATIVE_PASSIVES and not _prep_objects(verb, {"by"}):
        return [t for g in _prep_objects(verb, {"to"}) for t in _with_conjuncts(g)]
    if _is_passive(verb):
        return [t for c in _children(verb, {"nsubjpass", "nsubj"}) for t in _with_conjuncts(c)]
    objects = [t for c in _children(verb, _OBJECT_DEPS) for t in _with_conjuncts(c)]
    parties = [t for o in objects if _pos(o) == "noun" and (_lemma(o), "noun") in lexicon.triggers
               for g in _prep_objects(o, {"between", "among", "with"}) for t in _with_conjuncts(g)]
    if parties:
        return parties  # "hosted talks between the Taliban and Afghan officials"
    if sense.pos == "verb" and lexicon.cue(lemma_of(verb, lexicon), "topic"):
        objects = []  # "discussed military action with Israel": the object is what is talked about
    if sense.pos == "verb" and not sense.object_is_instrument and objects:
        return objects
    datives = _children(verb, {"dative", "iobj"})
    if datives:
        return [t for d in datives for t in _with_conjuncts(d)]
    preps = (_TARGET_PREPS | {"of"}) if sense.pos == "adj" else _TARGET_PREPS
    return [t for g in _prep_objects(verb, preps) for t in _with_conjuncts(g)]


# --- events from nouns ----------------------------------------------------------------

def _noun_event(noun: Token, sense: TriggerSense, lexicon: Lexicon) -> EventMention | None:
    if _is_mention(noun):
        return None
    if sense.code[:2] in _FORCE_ROOTS and _figurative(noun, lexicon):
        return None
    sources, targets, light_verb, binder = _noun_participants(noun, sense, lexicon)
    agentless = False
    if not sources:
        if sense.code[:2] not in _AGENTLESS_ROOTS or not (targets or _is_reported_here(noun, light_verb, lexicon)):
            return None
        if light_verb is None and _named_by_another_act(noun, lexicon):
            return None
        agentless = True
    elif light_verb is None and binder is None and not _is_reported_here(noun, None, lexicon) \
            and not _prep_objects(noun, {"by", "between", "among", "on", "against", "with"}):
        return None  # "the Rwandan genocide": a modifier alone does not make a new event
    # a light verb carries the tense ("will be carrying out patrols"), and so does a verb of
    # occurrence ("a bombing could happen in the UK"); otherwise the noun's own position does
    # ("agreed a document detailing a ceasefire")
    head = phrase_head(noun)
    governor = head.head if head.dep_ in ("nsubj", "nsubjpass") and head.head.pos_ in ("VERB", "AUX") else None
    occurring = governor if governor is not None and lexicon.cue(lemma_of(governor, lexicon), "occur") else None
    modality, claimant = modality_of(light_verb or occurring or noun, lexicon)
    if modality == "occurred" and light_verb is None and governor is not None and _schedules(governor, lexicon):
        modality = "planned"  # "talks are scheduled for Monday", "the summit is planned for May", "talks are due"
    if light_verb is not None:
        sense = _announced_intent(light_verb, sense, modality, claimant, lexicon)
    anchor = light_verb or binder
    return EventMention(noun.i, sense, _indices(sources), _indices(targets), modality, claimant,
                        _place(noun) or _place(phrase_head(noun)) or _place(light_verb),
                        anchor.i if anchor is not None else None, agentless)


def _figurative(noun: Token, lexicon: Lexicon) -> bool:
    """A force noun whose "of" or "in" names an abstraction, in a sentence that names no place:
    "the battle of words", "an explosion in Xbox Live traffic", "an explosion of quangos"."""
    if _in_scare_quotes(noun):
        return True  # there had been an "explosion" of them
    if any(t.ent_type_ in ("GPE", "LOC", "FAC") for t in noun.sent):
        return False
    complements = _prep_objects(noun, {"of", "in"})
    return bool(complements) and not any(
        is_person_like(c, lexicon) or c.like_num or c.ent_type_ in ("NORP", "PERSON")
        or c.lemma_.lower() in lexicon.targets or c.lemma_.lower() in lexicon.agents
        or any(m.lemma_.lower() in lexicon.targets for m in c.children if m.dep_ == "compound")
        for c in complements)


def _in_scare_quotes(token: Token) -> bool:
    """A lone word in quotation marks is someone's word for a thing, not the thing: "explosion"."""
    doc = token.doc
    quotes = {'"', "“", "”", "'", "‘", "’"}
    return 0 < token.i < len(doc) - 1 and doc[token.i - 1].text in quotes and doc[token.i + 1].text in quotes


def _is_mention(noun: Token) -> bool:
    """An event noun that names a known or absent event rather than reporting one: 'the 1994
    genocide', 'the 9/11 attacks', 'since the bombings', 'no treaty', 'a film about the war'."""
    head = phrase_head(noun)
    if head.dep_ == "conj" and head.head.pos_ == "NOUN" and head.head.i != noun.i and _is_mention(head.head):
        return True  # "after the 11 September attacks and ongoing military operations": both are named
    if head.dep_ == "dobj" and _lemma(head.head) in _ENDING_VERBS:
        return True  # "plans to end the arms embargo", "lifted the blockade": what ends already was
    for node in {noun, head}:
        for child in node.children:
            if child.dep_ == "det" and child.lower_ in ("no", "any"):
                return True
            if child.dep_ == "relcl" and child.lemma_.lower() in _ENDING_VERBS:
                return True  # "Angola's civil war, which finally ended in 2002"
            if child.dep_ in ("nmod", "compound", "amod") and child.lemma_.lower() in _LONG_SPANS \
                    and any(c.dep_ == "nummod" for c in child.children):
                return True  # "the 30-year civil war": a whole past conflict
            if child.dep_ in ("nummod", "compound", "amod", "npadvmod") and _YEAR.match(child.text):
                return True
            if child.dep_ in ("compound", "nummod") and "/" in child.text:  # "9/11 attacks"
                return True
            if child.dep_ in ("compound", "nmod", "nummod") and child.ent_type_ == "DATE" and any(
                    t.lower_ in _MONTHS for t in child.subtree):  # "the 11 September attacks": a named date
                return True
    if head.dep_ == "pobj":
        prep = head.head
        if prep.lower_ in _MENTION_PREPS or prep.lower_ == "without":
            return True
        if prep.lower_ in ("of", "about") and prep.head.lemma_.lower() in _MENTION_HEADS:
            return True
    return False


def _named_by_another_act(noun: Token, lexicon: Lexicon) -> bool:
    """An actorless event noun that another verb acts on names a known event; the sentence
    reports that other act or judges it: "MPs backed the invasion of Iraq", "charges relating to the
    murder of one Chilean", "the detention of 12 men was unlawful". Verbs of occurrence,
    of force and of witness ("condemned the attack", "fled the fighting") still report it."""
    head = phrase_head(noun)
    while head.dep_ == "conj" and match_sense(head.head, lexicon) is not None:  # "the 9/11 attacks and operations"
        head = head.head
    if any(c.dep_ == "nummod" for c in head.children):
        return False  # "20 civilian casualties are the outcome of ...": a count reports
    if head.dep_ in ("dobj", "nsubj"):  # "backed the invasion", "the detention of 12 men was unlawful"
        governor = head.head
    elif head.dep_ == "pobj" and head.head.dep_ == "prep" and head.head.lower_ not in _INSIDE_PREPS:
        governor = head.head.head
    else:
        return False
    if governor.pos_ not in ("VERB", "AUX"):
        return False
    lemma = lemma_of(governor, lexicon)
    if lexicon.cue(lemma, "occur") or lexicon.cue(lemma, "witness") or lexicon.cue(lemma, "harm"):
        return False
    sense = match_sense(governor, lexicon)
    return sense is None or sense.code[:2] not in _AGENTLESS_ROOTS


def _is_reported_here(noun: Token, light_verb: Token | None, lexicon: Lexicon) -> bool:
    """An event noun the sentence reports as happening: under a light verb, the subject or
    object of a verb of occurrence ("fighting erupted", "the attack killed 12", "hit by attacks"),
    counted ("20 casualties"), placed ("clashes in Kabul"), or a headline's subject."""
    if light_verb is not None:
        return True
    head = phrase_head(noun)
    governor = head.head
    if head.dep_ in ("nsubj", "nsubjpass", "dobj") and lexicon.cue(lemma_of(governor, lexicon), "occur"):
        return True
    if head.dep_ == "attr" and lemma_of(governor, lexicon) == "be" and any(c.dep_ == "expl" for c in governor.children):
        return True  # "there was heavy fighting in three districts": an existential reports it
    if head.dep_ == "pobj" and governor.lower_ == "by" and lexicon.cue(lemma_of(governor.head, lexicon), "occur"):
        return True
    if head.dep_ in ("nsubj", "nsubjpass") and governor.pos_ == "VERB" and match_sense(governor, lexicon) is not None:
        return True
    if any(c.dep_ == "nummod" for c in head.children):
        return True
    return _place(noun) is not None or _place(head) is not None


def _noun_participants(
    noun: Token, sense: TriggerSense, lexicon: Lexicon,
) -> tuple[list[Token], list[Token], Token | None, Token | None]:
    """(sources, targets, light verb, agreement verb) of an event noun."""
    head = phrase_head(noun)
    nodes = [noun] if head is noun else [noun, head]
    modifiers = [  # a name's other words are not actors
        c for n in nodes for c in n.children
        if c.dep_ in ("compound", "amod", "poss", "nmod") and c.i < n.i and c.i != noun.i and not c.is_punct
        and not _is_place_word(c) and _could_name_actor(c, lexicon)
    ] if not sense.named else []
    # "56,000 American deaths", "Iraqi casualties": a death's modifiers name the dead, not a doer
    dead = lexicon.cue(_lemma(noun), "harm") or _lemma(noun) in _DEATH_NOUNS
    sources: list[Token] = [] if dead else modifiers
    sources += _prep_objects(noun, {"by"})
    between = [t for g in _prep_objects(noun, {"between", "among"}) for t in _with_conjuncts(g)]
    preps = _TARGET_PREPS - {"to", "into", "at"} - ({"on", "upon"} if _lemma(noun) in _TOPIC_NOUNS else set())
    targets = [t for n in nodes for g in _prep_objects(n, preps) for t in _with_conjuncts(g)]
    if dead:  # "casualties among government troops": the dead, not the parties of a fight among them
        # (a preposition after a list of nouns is shared: "Tank damage and casualties among troops")
        shared = [noun.head] if noun.dep_ == "conj" and noun.head.pos_ == "NOUN" else []
        targets = targets or [t for n in nodes + shared for g in _prep_objects(n, {"among"}) if g.i > noun.i
                              for t in _with_conjuncts(g)] or modifiers
        between = [t for t in between if t not in targets]
    if not targets and sense.code[:2] in _FORCE_ROOTS:  # "the killing of a sect official", "the arrest of 12"
        targets = [t for g in _prep_objects(noun, {"of"}) for t in _with_conjuncts(g)
                   if is_person_like(t, lexicon) or t.pos_ == "PROPN" or t.like_num]
    light_verb = binder = None
    if between:
        sources = sources + between
    if not between and not _has_actor_shape(sources):
        light_verb = _light_verb_governor(head, lexicon)
        if light_verb is not None:
            sources = verb_subjects(light_verb)
            targets = targets or [t for g in _prep_objects(light_verb, {"with", "against", "on"} & (preps | {"with"}))
                                  for t in _with_conjuncts(g)]
        elif head.dep_ in _OBJECT_DEPS and lexicon.cue(lemma_of(head.head, lexicon), "own"):
            light_verb = head.head  # "a new alliance claimed the border attack": the claimer did it
            sources = verb_subjects(head.head)
        else:
            binder = _binding_verb(head, lexicon)
            sources = verb_subjects(binder) if binder is not None else []
    return sources, targets, light_verb, binder


def _could_name_actor(token: Token, lexicon: Lexicon) -> bool:
    """'Syrian' army attacks, 'Boko Haram' attack, 'police' raids, 'Russia's' offensive; not
    'air' strike or 'roadside' bomb."""
    return (token.pos_ == "PROPN" or token.ent_type_ in ("NORP", "GPE", "ORG", "PERSON")
            or (token.dep_ == "poss" and not is_pronoun(token)) or token.lemma_.lower() in lexicon.agents)


def is_place_name(token: Token) -> bool:
    return token.pos_ == "PROPN" and token.ent_type_ in ("GPE", "LOC", "FAC")


def _is_place_word(token: Token) -> bool:
    """'Kabul' in 'Kabul blast' says where, not who (demonyms and group names still say who)."""
    return is_place_name(token) and token.dep_ == "compound"


def _has_actor_shape(tokens: list[Token]) -> bool:
    """Modifiers that can name an actor: proper nouns, nationality adjectives, possessives."""
    return any(t.pos_ in ("PROPN", "NOUN") or t.ent_type_ in ("NORP", "GPE", "ORG", "PERSON")
               or (t.dep_ == "poss" and not is_pronoun(t)) for t in tokens)  # "its invasion": the light verb says whose


def _light_verb_governor(head: Token, lexicon: Lexicon) -> Token | None:
    if head.dep_ in _OBJECT_DEPS and lexicon.cue(lemma_of(head.head, lexicon), "light"):
        return head.head
    if head.dep_ == "pobj" and head.head.lower_ == "of" and head.head.head.lemma_.lower() in _QUANTITY_NOUNS:
        head = head.head.head  # "launched 10 days of war games"
    if head.dep_ == "pobj" and head.head.lower_ in _LIGHT_PREPS:
        verb = head.head.head
        if verb.pos_ == "VERB" and lexicon.cue(lemma_of(verb, lexicon), "light"):
            return verb
    return None


def _binding_verb(token: Token, lexicon: Lexicon) -> Token | None:
    """A verb such as 'agree' whose object contains this event: 'agreed a document detailing a ceasefire'."""
    node = token
    for _ in range(6):
        if node.head.i == node.i or not _is_complement_step(node):
            return None
        node = node.head
        if node.pos_ == "VERB" and lexicon.cue(lemma_of(node, lexicon), "bind"):
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
    reported_future = False
    node = token
    for step in range(8):
        # an adjective trigger's copula carries its tense and negation: "are not prepared to"
        clause = [node, node.head] if step == 0 and node.dep_ == "acomp" else [node]
        aux = {c.lower_ for n in clause for c in n.children if c.dep_ in ("aux", "auxpass")}
        if any(c.dep_ == "neg" for n in clause for c in n.children) and (
                step == 0 or lexicon.cue(lemma_of(node, lexicon), "intent") or lexicon.cue(lemma_of(node, lexicon), "speech")):
            return "negated", claimant
        if step == 0 and len(clause) == 2 and aux & _FUTURE_AUX and _has_condition(node.head):
            # "only if ... will the member states be willing to": a willingness on a condition (a
            # conditional act is a threat, "will withdraw unless", coded as such elsewhere)
            return "hypothetical", claimant
        if step > 0 and lexicon.cue(lemma_of(node, lexicon), "deny"):
            subjects = verb_subjects(node)
            return "negated", subjects[0].i if subjects else claimant
        hedged = any(c.dep_ == "advmod" and lexicon.cue(c.lower_, "hedge") for c in node.children)
        if aux == {"would"} and modality == "occurred" and any(c.lower_ == "then" for c in node.children if c.dep_ == "advmod"):
            modality, reported_future = "hypothetical", False  # "the parliament would then reject": a consequence
        elif aux == {"would"} and modality == "occurred" and not hedged:
            modality, reported_future = "hypothetical", True  # "the UK would welcome", unless reported
        elif aux & _HEDGE_AUX or hedged or (step > 0 and lexicon.cue(lemma_of(node, lexicon), "hedge")) \
                or _asked_about(node) or _feared(node) or (step == 0 and _is_question(node)) \
                or (step > 0 and _forecast(node, lexicon)):
            # "might try to target", "hopefully will support", "how they will fund"
            modality, reported_future = "hypothetical", False
        elif modality == "occurred" and step == 0 and "to" in aux and node.tag_ == "VB":
            # an infinitive is planned when it is a purpose ("dispatched inspectors to monitor")
            # or scheduled or intended ("is to visit", "decided to back", "set to"); someone's
            # leave or wish is no act ("persuaded them to fund", "the aim is to withdraw")
            scheduled = node.dep_ == "advcl" or _scheduled(node.head, lexicon)
            if any(c.dep_ == "mark" and c.lower_ == "for" for c in node.children):
                scheduled = False  # "reluctant for the state to fund parties", "not enough for the military to investigate"
            modality = "planned" if scheduled else "hypothetical"
        elif modality == "occurred" and aux & _FUTURE_AUX:
            modality = "planned"
        elif modality == "occurred" and step == 0 and node.tag_ == "VBG" and aux & _PRESENT_BE and _names_a_day(node):
            modality = "planned"  # "is holding a further meeting on Friday": an arrangement
        elif modality == "occurred" and step > 0 and (lexicon.cue(lemma_of(node, lexicon), "intent")
                                                       or lexicon.cue(lemma_of(node, lexicon), "bind")):
            modality = "planned"  # "agreed a document detailing a ceasefire": the content is to come
        if step > 0 and claimant is None and lexicon.cue(lemma_of(node, lexicon), "speech"):
            subjects = verb_subjects(node)
            if subjects:
                claimant = subjects[0].i
                if modality == "occurred":
                    modality = "claimed"
                elif reported_future:
                    modality = "planned"  # "said they would blockade Paris": a reported "will"
        if node.head.i == node.i or not _is_complement_step(node):
            break
        node = node.head
    if claimant is None:
        according = _according_to(token.sent)
        if according is not None:
            claimant = according.i
            if modality == "occurred":
                modality = "claimed"
    return modality, claimant


def _schedules(verb: Token, lexicon: Lexicon) -> bool:
    """A verb that puts its subject event in the future: "scheduled", "planned", "is due"."""
    lemma = lemma_of(verb, lexicon)
    if lemma == "be":
        return any(c.dep_ in ("acomp", "attr") and c.lemma_.lower() in _SCHEDULING_HEADS for c in verb.children)
    return lemma in _SCHEDULING_HEADS or lexicon.cue(lemma, "intent")


def _names_a_day(verb: Token) -> bool:
    """A weekday, "tomorrow" or "next ..." on the verb: the day an arrangement is for."""
    return any(t.lower_ in WEEKDAYS or t.lower_ in ("tomorrow", "next") for p in verb.children
               if p.dep_ in ("prep", "npadvmod") for t in p.subtree)


def _scheduled(head: Token, lexicon: Lexicon) -> bool:
    """"is to visit", "decided to back", "an agreement to de-escalate"; not "the aim is to withdraw"."""
    lemma = lemma_of(head, lexicon)
    if lemma == "be":
        return not any(c.dep_ == "nsubj" and c.lemma_.lower() in _AIM_NOUNS for c in head.children)
    return head.pos_ in ("NOUN", "PROPN") or lemma in _SCHEDULING_HEADS or lexicon.cue(lemma, "intent") \
        or lexicon.cue(lemma, "bind") or lemma in lexicon.outer


def _forecast(verb: Token, lexicon: Lexicon) -> bool:
    """Someone forecasts what another will do: "the bill is expected to be opposed", "analysts
    expect the bank to raise rates"; not "the minister expects to sign" (his own plan)."""
    return lemma_of(verb, lexicon) in _FORECAST_VERBS and (_is_passive(verb) or bool(_children(verb, _OBJECT_DEPS)))


def _asked_about(verb: Token) -> bool:
    """An indirect question or a free relative names no act: "questioned how Labour would fund
    its plans", "asked whether they had attacked", "did not deliver what they promised"."""
    if verb.dep_ not in ("ccomp", "pcomp", "advcl", "csubj", "xcomp", "pobj", "dobj"):
        return False
    return any((c.tag_ == "WRB" and c.lower_ in ("how", "why")) or (c.dep_ == "mark" and c.lower_ == "whether")
               or (c.tag_ == "WP" and c.lower_ == "what") for c in verb.children)


def _feared(verb: Token) -> bool:
    """A verb named as what may happen: "without risk of them being tortured", "fears of being
    attacked"."""
    prep = verb.head if verb.dep_ == "pcomp" else None
    return prep is not None and prep.lower_ == "of" and prep.head.lemma_.lower() in _POSSIBLE_HEADS


def _is_question(token: Token) -> bool:
    """A direct question asserts nothing: "So is UKIP's job to destroy the Tories?"."""
    return token.sent.text.rstrip(' "\'’”').endswith("?")


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
        if obj.lower_ in _AREA_NOUNS:  # "clashes in the vicinity of Palmyra", "in the countryside of Aleppo"
            obj = next((o for p in obj.children if p.lower_ == "of" for o in p.children if o.dep_ == "pobj"), obj)
        if obj.ent_type_ in _NOT_PLACES or obj.lower_ in _MONTHS:
            continue  # "in May 2004", "at 0600 GMT"
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
