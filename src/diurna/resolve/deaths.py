"""Resolve stage (tolls): how many were killed and how many injured, from the parsed sentence.

News states a toll in many shapes, and the killer is often unknown (passive, headline):
"killed 12", "12 killed", "12 dead", "left 12 dead", "shot dead", "the death toll rose to 12",
"at least 12 people were killed" (low 12), "killing 3 soldiers and 2 civilians" (5),
"Twelve rebels, two soldiers killed" (14), "dozens killed" (24-99), "no casualties" (0),
"killed and wounded 20" (at most 20 dead). Injuries ("wounded", "injured", "hurt") are counted
apart. "including 4 children" is part of a toll, never added to it.
"""
from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Span, Token

DEATH_VERBS = frozenset({"kill", "die", "perish", "massacre", "slay", "execute", "behead", "assassinate", "neutralise",
                         "neutralize", "martyr", "slaughter", "murder", "lynch"})
INJURY_VERBS = frozenset({"wound", "injure", "hurt", "maim"})
_DEATH_NOUNS = frozenset({"death", "fatality", "martyr", "body", "life", "dead", "killing", "murder", "assassination",
                          "execution", "massacre"})
_INJURY_NOUNS = frozenset({"injury", "wounded", "injured"})
_TOLL_NOUNS = frozenset({"toll"})
_CASUALTY_NOUNS = frozenset({"casualty"})
_VAGUE = {
    "several": (2, 9), "few": (2, 9), "some": (2, 9), "multiple": (2, 9), "dozens": (24, 99), "scores": (40, 99),
    "hundreds": (200, 999), "thousands": (1000, None), "dozen": (12, 12), "many": (2, None), "numerous": (2, None),
}
_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
          "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
          "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
          "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "a": 1, "an": 1}
_LOWER = ("at least", "more than", "over", "no fewer than", "no less than", "upwards of", "in excess of")
_UPPER = ("up to", "as many as", "at most", "no more than", "fewer than", "less than", "under")
_ABOUT = ("about", "around", "some", "roughly", "approximately", "nearly", "almost", "close to")
_SUBSET_PREPS = frozenset({"including", "among"})
# Event nouns that headline lists hang victims on ("Rocket attack | Five soldiers killed").
_EVENT_NOUNS = frozenset({"attack", "clash", "blast", "explosion", "bombing", "strike", "airstrike", "raid", "ambush",
                          "fighting", "shelling", "operation", "incident", "violence", "resurgence", "offensive"})
# Singular nouns that name many people ("the regime", "the army killed"), never a toll of one.
_GROUPS = frozenset({"army", "police", "regime", "force", "militia", "group", "family", "crowd", "people", "public",
                     "population", "staff", "personnel", "military", "government", "coalition", "junta", "unit"})
# Things counted beside the dead that are not people ("300 soldiers and multiple military vehicles").
_MATERIEL = frozenset({"vehicle", "tank", "truck", "car", "position", "depot", "weapon", "building", "house", "home",
                       "warplane", "jet", "aircraft", "drone", "helicopter", "plane", "launcher", "artillery", "gun",
                       "rocket", "missile", "ammunition", "base", "checkpoint", "post", "camp", "system", "equipment"})


# "deadly attacks", "a fatal ambush", "suicide blast" (the bomber at least): someone died, how many is not said
_DEADLY = frozenset({"deadly", "fatal", "lethal", "bloody", "suicide"})
# Verbs that report a death without seeing it ("Two men said killed", "three feared dead")
_REPORTING = frozenset({"say", "report", "fear", "believe", "confirm", "claim", "presume"})
# Punctuation that joins a headline's rubric to its story ("War ordnance | Two civilians killed")
_RUBRIC = frozenset({"|", ":", "–", "—"})


# Totals over many incidents: "in separate incidents", "in various provinces", "across the country".
_SEVERAL = frozenset({"separate", "various", "different", "several", "multiple", "numerous"})
_INCIDENTS = frozenset({"incident", "attack", "clash", "area", "province", "district", "region", "part", "place", "town",
                        "city", "village", "state", "location", "operation", "raid", "strike"})
_EXPANSES = frozenset({"nation", "country", "region", "province", "state", "north", "south", "east", "west"})


# Nouns of one incident ("a roadside bomb", "in combat"); plural, or the nouns of many
# ("violence", "unrest"), they name several.
_INCIDENT_NOUNS = _EVENT_NOUNS | frozenset({"bomb", "shooting", "combat", "battle", "encounter", "firefight", "assault",
                                           "massacre", "bombardment", "explosive", "mine", "landmine", "rocket",
                                           "missile", "gunfire", "fire", "skirmish", "execution"})
_MANY_INCIDENTS = frozenset({"violence", "unrest", "bloodshed", "hostilities", "insurgency"})


@dataclass(frozen=True)
class Count:
    low: int | None  # None: open below
    high: int | None  # None: open above
    text: str


@dataclass(frozen=True)
class Toll:
    word: int  # token index of the death/injury word
    deaths: Count | None
    injured: Count | None


def tolls(sentence: Span) -> list[Toll]:
    """Every toll the sentence states, one per death or injury word."""
    found, deadly = [], []
    for token in sentence:
        if token.lower_ in _DEADLY and token.dep_ in ("amod", "compound") and token.head.lemma_.lower() in _EVENT_NOUNS:
            deadly.append(Toll(token.i, Count(1, None, f"{token.text} {token.head.text}"), None))  # "deadly attacks"
            continue
        kind = _kind(token)
        if kind is None:
            continue
        count = _count_for(token, kind)
        if count is None:
            continue
        if kind == "death" and _with_injuries(token):  # "killed and wounded 20": at most 20 dead
            found.append(Toll(token.i, Count(None, count.high, count.text), Count(None, count.high, count.text)))
        elif kind == "casualty":
            found.append(Toll(token.i, Count(0 if count.high == 0 else None, count.high, count.text), None))
        elif kind == "injury":
            shared = _with_deaths(token)
            found.append(Toll(token.i, None, Count(None, count.high, count.text) if shared else count))
        else:
            found.append(Toll(token.i, count, None))
    found += deadly  # stated counts first
    if found and _aggregate(sentence):  # one incident's toll is at most the total of all of them
        found = [Toll(t.word, Count(None, t.deaths.high, t.deaths.text) if t.deaths else None, t.injured) for t in found]
    return found


def _aggregate(sentence: Span) -> bool:
    """"killed in separate incidents", "across the nation", "nationwide": the toll is a total over
    many incidents, not one event's."""
    for token in sentence:
        lower = token.lower_
        if lower in ("nationwide", "countrywide"):
            return True
        if lower in _SEVERAL and token.dep_ == "amod" and token.head.lemma_.lower() in _INCIDENTS:
            return True
        if lower in ("across", "throughout") and any(
                c.dep_ == "pobj" and (c.lemma_.lower() in _EXPANSES or c.ent_type_ == "GPE") for c in token.children):
            return True
    return False


def may_be_a_total(sentence: Span, agentless: bool) -> bool:
    """A toll that belongs to one incident only if its place says so: the sentence names several
    incidents ("in clashes, airstrikes", "raids kill 56", "Iraq violence kills 22"), or, with no
    doer, none at all ("179 died yesterday", "More than 140 Syrians were killed yesterday").
    Placed no finer than a province, such a toll is a total over a day's or a region's incidents
    and bounds each event from above only (see pipeline._locate)."""
    nouns = [t for t in sentence if t.pos_ in ("NOUN", "PROPN") and t.lemma_.lower() in _INCIDENT_NOUNS | _MANY_INCIDENTS]
    if any(t.lemma_.lower() in _MANY_INCIDENTS or (t.tag_ in ("NNS", "NNPS") and t.dep_ != "compound") for t in nouns):
        # (a plural modifier is a mis-tagged verb: "as roadside bomb strikes vehicle")
        return True
    return agentless and not nouns


def toll_for(trigger: Token, found: list[Toll]) -> tuple[Count | None, Count | None]:
    """The deaths and injuries that belong to the event of `trigger`: the trigger's own toll,
    else one inside its phrase or above it, else the nearest in the sentence."""
    doc = trigger.doc

    def closeness(toll: Toll) -> tuple[int, int]:
        word = doc[toll.word]
        if toll.word == trigger.i:
            return 0, 0
        related = trigger.left_edge.i <= toll.word <= trigger.right_edge.i or word.left_edge.i <= trigger.i <= word.right_edge.i
        return (1 if related else 2), abs(toll.word - trigger.i)

    def rank(toll: Toll) -> tuple[bool, tuple[int, int]]:  # a count beats "deadly" anywhere in the sentence
        return doc[toll.word].lower_ in _DEADLY, closeness(toll)

    deaths = min((t for t in found if t.deaths is not None), key=rank, default=None)
    injured = min((t for t in found if t.injured is not None), key=closeness, default=None)
    return (deaths.deaths if deaths else None), (injured.injured if injured else None)


def _kind(token: Token) -> str | None:
    lemma = token.lemma_.lower()
    lower = token.lower_
    if token.pos_ in ("VERB", "AUX") or token.tag_ in ("VBN", "VBD", "VBG"):
        if lemma in DEATH_VERBS or lower in ("killed", "killing", "martyred"):
            return "death"
        if lemma in INJURY_VERBS or lower in ("wound", "wounds", "wounded", "wounding", "injured"):
            return "injury"
    if lower == "dead":
        return "death"
    if lemma in _TOLL_NOUNS and any(c.lower_ in ("death", "casualty") or c.lemma_ == "death" for c in token.children):
        return "toll"
    if token.pos_ in ("NOUN", "PROPN", "ADJ"):
        if lemma in _DEATH_NOUNS and lemma != "dead":
            return "death" if lemma != "life" or token.head.lemma_ in ("claim", "take", "lose", "cost") else None
        if lemma in _INJURY_NOUNS or lower in _INJURY_NOUNS:
            return "injury"
        if lemma in _CASUALTY_NOUNS:
            return "casualty"
        if lower in ("killed",):
            return "death"
    return None


def _count_for(word: Token, kind: str) -> Count | None:
    if kind == "toll":  # "the death toll rose to 12", "a death toll of 12"
        return _toll_number(word)
    if any(c.dep_ == "det" and c.lower_ == "no" for c in word.children):  # "no casualties", "no deaths"
        return Count(0, 0, f"no {word.text}")
    own = _number_count(word) if word.pos_ in ("NOUN", "PROPN", "ADJ", "NUM") else None
    if own is not None:  # "12 deaths", "12 dead", "11 wounded"
        return own
    victims = _victims(word)
    if not victims:
        return None
    if any(v.lower_ in ("one", "body") and any(c.lower_ == "no" for c in v.children) or v.lower_ in ("nobody", "none")
           for v in victims):
        return Count(0, 0, " ".join(v.text for v in victims))
    counts = [c for c in (_count(v) for v in victims) if c is not None]
    if not counts:
        # "people were killed, including 12 children": at least 12; "Militants killed": at least 2
        return _including(victims) or (Count(2, None, " ".join(v.text for v in victims)) if any(
            _plural_people(v) for v in victims) else None)
    low = sum(c.low or 0 for c in counts) if any(c.low is not None for c in counts) else None
    high = None if any(c.high is None for c in counts) else sum(c.high for c in counts)
    return Count(low, high, ", ".join(c.text for c in counts))


def _victims(word: Token) -> list[Token]:
    """Who died or was hurt: the object of an active verb, the subject of a passive or
    intransitive one, the noun a reduced relative hangs off ("Four soldiers killed")."""
    children = list(word.children)
    objects = [c for c in children if c.dep_ in ("dobj", "obj")]
    passive_subjects = [c for c in children if c.dep_ == "nsubjpass"]
    subjects = [c for c in children if c.dep_ == "nsubj"]
    if word.lower_ == "dead" and word.dep_ in ("oprd", "acomp", "xcomp", "ccomp", "advcl", "conj"):
        verb = word.head
        heads = [c for c in verb.children if c.dep_ in ("dobj", "nsubjpass")] or [c for c in verb.children if c.dep_ == "nsubj"]
        return _members(heads[0]) if heads else []
    if word.lower_ == "dead" and word.dep_ == "amod":
        return _members(word.head)
    if word.lemma_.lower() == "life" and word.head.lemma_.lower() == "lose":  # "Eleven people lost their lives"
        heads = [c for c in word.head.children if c.dep_ in ("nsubj", "nsubjpass")]
        return _members(heads[0]) if heads else []
    if word.pos_ == "NOUN":  # "the killing of a sect official", "the deaths of 12 soldiers"
        of = [g for c in children if c.dep_ == "prep" and c.lower_ == "of" for g in c.children if g.dep_ == "pobj"]
        return _members(of[0]) if of else []
    if objects:
        return _members(objects[0])
    for subject in passive_subjects + subjects:  # "15 people dead and 30 injured": the injured are the 30
        later = [c for c in subject.conjuncts if subject.i < c.i < word.i and any(_kind(t) for t in word.doc[subject.i + 1:c.i])]
        if later:
            return later
    if passive_subjects:
        return _members(passive_subjects[0])
    if subjects and _counted(subjects[0]):  # "Five soldiers killed", however the headline hangs together
        return _members(subjects[0])
    if word.dep_ in ("acl", "relcl", "amod") and word.head.pos_ in ("NOUN", "PROPN", "NUM", "PRON"):
        return _members(word.head, skip_own_verb=word)
    if subjects and (word.lemma_.lower() in ("die", "perish") or word.tag_ == "VBN" or _counted(subjects[0])):
        return _members(subjects[0])
    if subjects and word.lemma_.lower() in DEATH_VERBS and not any(c.dep_ in ("aux", "ccomp", "xcomp") for c in children):
        return _members(subjects[0])  # "Officer killed, 4 troops hurt": a headline's passive without its "was"
    if word.dep_ in ("xcomp", "ccomp", "oprd") and word.head.lemma_.lower() in _REPORTING and not subjects:
        # "Two Islamic Jihad men said killed", "three feared dead"
        heads = [c for c in word.head.children if c.dep_ in ("nsubj", "nsubjpass")]
        return _members(heads[0]) if heads else []
    if word.dep_ == "conj" and word.head.lemma_.lower() in DEATH_VERBS | INJURY_VERBS:  # "killed and wounded 20"
        return _victims(word.head)
    return []


def _plural_people(noun: Token) -> bool:
    """"Insurgents", "Palestinians", "Taliban militants": people, more than one, count unsaid."""
    return noun.tag_ in ("NNS", "NNPS") and noun.lemma_.lower() not in _MATERIEL | _GROUPS and noun.lower_ not in (
        "others", "people", "persons", "forces", "troops") and not any(
        c.dep_ == "det" and c.lower_ in ("no", "every", "each", "all") for c in noun.children)


def _members(head: Token, skip_own_verb: Token | None = None) -> list[Token]:
    """The head and the nouns joined to it ("3 soldiers and 2 civilians", "Twelve rebels, two
    soldiers"), leaving out those with a verb of their own ("2 killed, 3 wounded") and subsets
    ("including 4 children")."""
    root = head
    while root.dep_ in ("conj", "appos") and root.head.i != root.i and root.head.pos_ in ("NOUN", "PROPN", "NUM") \
            and _listed(root) and root.head.lemma_.lower() not in _EVENT_NOUNS \
            and not any(t.text in _RUBRIC for t in root.doc[root.head.i + 1:root.i]):
        root = root.head
    members = [root]
    stack = [root]
    while stack:
        node = stack.pop()
        for child in node.children:
            if child.dep_ in ("conj", "appos") and child.pos_ in ("NOUN", "PROPN", "NUM") and child.lemma_.lower() not in _MATERIEL \
                    and _listed(child) and not _part_of_them(child) and (skip_own_verb is not None or not any(
                        _kind(t) for t in node.doc[min(node.i, child.i) + 1:child.i])):
                # "15 people dead and 30 injured": the 30 belong to the injury word between
                own = [c for c in child.children if c.dep_ in ("acl", "relcl") and (skip_own_verb is None or c.i != skip_own_verb.i)]
                if own and child.i != head.i:
                    continue
                members.append(child)
                stack.append(child)
    own_root = [c for c in root.children if c.dep_ in ("acl", "relcl") and skip_own_verb is not None and c.i != skip_own_verb.i
                and _kind(c) is not None]
    if own_root and root.i != head.i:
        members.remove(root)
    return sorted(members, key=lambda t: t.i)


def _part_of_them(token: Token) -> bool:
    """"two people, one of them a child": a subset, not more victims."""
    return any(c.dep_ == "prep" and c.lower_ == "of" and any(g.lower_ in ("them", "whom", "those") for g in c.children)
               for c in token.children)


def _listed(token: Token) -> bool:
    """A conjunct is another group of victims; an apposition is one only when it has its own
    count ("Twelve rebels, two soldiers"), else it renames ("Saleh, the elder brother of ...")."""
    return token.dep_ == "conj" or _counted(token)


def _counted(token: Token) -> bool:
    """An explicit count ("Two militants shot", "5 killed"); "The gunman killed" names a killer."""
    return _count(token, singular=False) is not None


def _count(noun: Token, singular: bool = True) -> Count | None:
    """The count a noun phrase gives: "12", "at least 12 people", "dozens", "scores of Afghans",
    "several soldiers"."""
    if noun.pos_ == "NUM" or noun.like_num:
        return _number(noun, noun)
    if noun.lower_ in _VAGUE and noun.tag_ in ("NNS", "NN", "JJ"):
        low, high = _VAGUE[noun.lower_]
        return Count(low, high, _phrase(noun))
    own = _number_count(noun)
    if own is not None:
        return own
    if noun.dep_ == "pobj" and noun.head.lower_ == "of" and noun.head.head.lower_ in _VAGUE and noun.head.head.tag_ in ("NNS", "NN"):
        low, high = _VAGUE[noun.head.head.lower_]  # "dozens of Serbs killed": the count is the quantity's
        return Count(low, high, _phrase(noun.head.head))
    for child in noun.children:
        if child.dep_ in ("amod", "det", "compound", "nummod") and child.lower_ in _VAGUE and child.i < noun.i:
            low, high = _VAGUE[child.lower_]
            return Count(low, high, noun.doc[child.i:noun.i + 1].text)
    if singular and noun.tag_ in ("NN", "NNP") and noun.pos_ in ("NOUN", "PROPN") and noun.lemma_.lower() not in _MATERIEL | _GROUPS \
            and not any(c.dep_ == "det" and c.lower_ in ("no", "every", "each", "all") for c in noun.children):
        return Count(1, 1, noun.doc[noun.left_edge.i:noun.i + 1].text)  # "soldier killed", "kill guard"
    if singular and noun.tag_ == "JJ" and noun.ent_type_ == "NORP" and noun.dep_ in ("dobj", "nsubjpass"):
        return Count(1, 1, noun.text)  # "rocket kills Palestinian": a person named by the adjective
    return None


def _number_count(noun: Token) -> Count | None:
    """"12 soldiers", "dozen Houthi rebels", "20 #Taliban terrorists" (a hashtag's sign in between)."""
    for number in (c for c in noun.children if c.dep_ == "nummod" and c.i < noun.i):
        if number.pos_ == "SYM":
            number = next((c for c in number.children if c.dep_ == "nummod" and c.like_num), number)
        if number.lower_ == "dozen":
            return Count(12, 12, noun.doc[number.i:noun.i + 1].text)
        count = _number(number, noun)
        if count is not None:
            return count
    return None


def _number(number: Token, last: Token) -> Count | None:
    value = _value(number)
    if value is None:
        return None
    start = min([number.i] + [t.i for t in number.subtree if t.i < number.i])
    modifier = " ".join(t.lower_ for t in number.doc[start:number.i] if t.lower_ not in _WORDS and not t.like_num)
    text = number.doc[start:max(last.i, number.i) + 1].text
    after = " ".join(t.lower_ for t in number.doc[last.i + 1:last.i + 3])
    if after == "at least":  # "23 citizens at least"
        return Count(value, None, f"{text} at least")
    if modifier.endswith(_UPPER):
        return Count(None, value, text)
    if modifier.endswith(_LOWER):
        return Count(value + 1 if modifier.endswith(("more than", "over", "in excess of")) else value, None, text)
    if modifier.endswith(_ABOUT):
        high = value if modifier.endswith(("nearly", "almost", "close to")) else round(value * 1.1)
        return Count(round(value * 0.9), high, text)
    return Count(value, value, text)


def _value(token: Token) -> int | None:
    text = token.lower_.replace(",", "")
    if text.isdigit():
        return int(text)
    if text in ("hundred", "thousand"):  # "Two Hundred", "three thousand": the multiplier heads the number
        factors = [_WORDS.get(c.lower_) or (int(c.text) if c.text.isdigit() else None) for c in token.children
                   if c.i < token.i and c.dep_ in ("compound", "nummod", "quantmod")]
        factor = next((f for f in factors if f), 1)
        return factor * (100 if text == "hundred" else 1000)
    if text in _WORDS and text not in ("a", "an"):
        value = _WORDS[text]
        # "two hundred", "three thousand"
        following = token.doc[token.i + 1] if token.i + 1 < len(token.doc) else None
        if following is not None and following.lower_ in ("hundred", "thousand"):
            value *= 100 if following.lower_ == "hundred" else 1000
        return value
    return None


def _toll_number(toll: Token) -> Count | None:
    for child in toll.children:  # "a death toll of 12"
        if child.dep_ == "prep" and child.lower_ == "of":
            for obj in child.children:
                if obj.like_num:
                    return _number(obj, obj)
    verb = toll.head
    for child in verb.children:  # "rose to 12", "stands at 12", "reached 12"
        if child.dep_ == "prep" and child.lower_ in ("to", "at"):
            for obj in child.children:
                if obj.like_num or obj.pos_ == "NUM":
                    return _number(obj, obj)
                own = _number_count(obj)
                if own is not None:
                    return own
        if child.dep_ in ("dobj", "attr") and child.i > toll.i:
            count = _count(child)
            if count is not None:
                return count
    return None


def _including(victims: list[Token]) -> Count | None:
    """"killed dozens of people, including 12 children" keeps the vague count; with no count of
    its own, "people were killed, including 12 children" says at least 12."""
    for victim in victims:
        for child in victim.children:
            if child.dep_ == "prep" and child.lower_ in _SUBSET_PREPS:
                for obj in child.children:
                    count = _count(obj)
                    if count is not None and count.low is not None:
                        return Count(count.low, None, count.text)
    return None


def _listed_after(word: Token) -> list[Token]:
    """"killed, wounded", "killed and wounded" in a headline the parser did not join: the word
    listed right after it."""
    doc = word.doc
    if word.i + 2 < len(doc) and doc[word.i + 1].lower_ in (",", "and", "or"):
        return [doc[word.i + 2]]
    return []


def _listed_before(word: Token) -> list[Token]:
    doc = word.doc
    if word.i - 2 >= word.sent.start and doc[word.i - 1].lower_ in (",", "and", "or"):
        return [doc[word.i - 2]]
    return []


def _with_injuries(word: Token) -> bool:
    """"killed and wounded", "killed or injured", "killed, wounded": one number for both."""
    linked = [c for c in word.children if c.dep_ == "conj"] + ([word.head] if word.dep_ == "conj" else []) + _listed_after(word)
    return any(t.lemma_.lower() in INJURY_VERBS or t.lower_ in ("wounded", "injured") for t in linked) and not any(
        _victims_of_own(t) for t in linked)


def _with_deaths(word: Token) -> bool:
    linked = [c for c in word.children if c.dep_ == "conj"] + ([word.head] if word.dep_ == "conj" else []) + _listed_before(word)
    return any(t.lemma_.lower() in DEATH_VERBS or t.lower_ == "killed" for t in linked) and not _victims_of_own(word)


def _victims_of_own(token: Token) -> bool:
    return any(c.dep_ in ("dobj", "nsubjpass", "nsubj") for c in token.children)


def _phrase(token: Token) -> str:
    return token.doc[token.left_edge.i:token.right_edge.i + 1].text if token.right_edge.i - token.left_edge.i < 8 else token.text
