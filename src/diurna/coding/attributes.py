"""The model's attribute rules (tag -> part of speech and morphology, plus lemma exceptions) as
a table lookup.

spaCy's attribute_ruler runs a Matcher with ~180 rules over every token: about 15% of the
small model's time, though all but a handful of rules look at one token only, and only at its
tag, lower-case form, dependency label and whether it is a space. So the rules that match a
token follow from those four values: they are worked out once per distinct combination and
remembered, and the few rules that span two tokens still go through a Matcher. Rules are
applied in the ruler's order with spaCy's own setter, after all are matched, exactly as the
ruler does; tests/test_prefilter.py checks every token of the sample against the ruler.
Tokens are read and written as arrays (`Doc.to_array` / `from_array`): what the one-token rules
leave in part of speech, morphology and lemma is remembered per key, so a doc costs two array
copies and a dictionary lookup per token, not attribute access through Python objects.
The lemmatiser that follows is remembered the same way: its answer depends only on the form,
part of speech and morphology (spaCy's own cache key), but spaCy caches only some answers and
walks every token in Python, a tenth of the remaining parse time here.
"""
from __future__ import annotations

import re
from typing import Any

import numpy

from spacy.matcher import Matcher
from spacy.pipeline import AttributeRuler, Lemmatizer
from spacy.attrs import DEP, IS_SPACE, LEMMA, LOWER, MORPH, ORTH, POS, TAG
from spacy.tokens import Doc, Token
from spacy.tokens._retokenize import set_token_attrs

_FIELDS = {"TAG": 0, "LOWER": 1, "DEP": 2, "IS_SPACE": 3}


def _holds(condition: Any, value: Any) -> bool:
    if not isinstance(condition, dict):
        return condition == value
    (operator, argument), = condition.items()
    if operator == "IN":
        return value in argument
    if operator == "NOT_IN":
        return value not in argument
    if operator == "REGEX":
        return re.search(argument, value) is not None
    raise ValueError(f"attribute rule operator {operator!r} is not supported")


class AttributeTable:
    """Applies an AttributeRuler's rules to a doc, with a memo for the one-token rules, then the
    lemmatiser's, with a memo of its answers."""

    def __init__(self, ruler: AttributeRuler, lemmatizer: Lemmatizer):
        self._lemmatizer = lemmatizer
        self._lemmas: dict[tuple[int, int, int], int] = {}
        self._attrs = ruler.attrs
        self._single: list[tuple[int, dict]] = []
        self._multi = Matcher(ruler.vocab)
        self._multi_starts: list[dict] = []
        for rule, entry in enumerate(ruler.patterns):
            for pattern in entry["patterns"]:
                if len(pattern) == 1:
                    unknown = set(pattern[0]) - set(_FIELDS)
                    if unknown:
                        raise ValueError(f"attribute rule {rule} reads {unknown}: not supported by the table")
                    self._single.append((rule, pattern[0]))
                else:
                    self._multi.add(str(rule), [pattern])
                    self._multi_starts.append(pattern[0])
        self._indices = ruler.indices
        self._memo: dict[tuple, tuple[int, ...]] = {}
        self._effects: dict[tuple, Any] = {}  # _KEY_ATTRS values (LOWER as its _form) -> (pos, morph, lemma)
        self._form_ids: dict[int, int] = {}  # LOWER hash -> hash of its _form
        # forms no rule names behave alike unless a regex tells them apart: one memo entry each
        lowers = [p.get("LOWER") for _, p in self._single if "LOWER" in p]
        self._named = {v for v in lowers if isinstance(v, str)} | {w for v in lowers if isinstance(v, dict)
                                                                    for w in v.get("IN", ())}
        self._regexes = [v["REGEX"] for v in lowers if isinstance(v, dict) and "REGEX" in v]
        self._forms: dict[str, str] = {}
        self._by_signature: dict[tuple[bool, ...], str] = {}
        self._may_start = _StartTest(self._multi_starts, ruler.vocab.strings)

    def _form(self, lower: str) -> str:
        """A stand-in for `lower` that every one-token rule treats as it treats `lower`."""
        form = self._forms.get(lower)
        if form is None:
            if lower in self._named:
                form = lower
            else:  # the first form seen that no rule names and that matches the same regexes
                signature = tuple(re.search(r, lower) is not None for r in self._regexes)
                form = self._by_signature.setdefault(signature, lower)
            self._forms[lower] = form
        return form

    def _rules_for(self, key: tuple) -> tuple[int, ...]:
        rules = self._memo.get(key)
        if rules is None:
            rules = tuple(sorted({rule for rule, pattern in self._single
                                  if all(_holds(c, key[_FIELDS[f]]) for f, c in pattern.items())}))
            self._memo[key] = rules
        return rules

    def __call__(self, doc: Doc) -> Doc:
        array = doc.to_array(_KEY_ATTRS)
        keys = array.tolist()
        multi = self._multi(doc) if self._may_start(array) else []
        extra: dict[int, list[int]] = {}
        for match_id, start, end in multi:
            rule = int(doc.vocab.strings[match_id])
            extra.setdefault(doc[start:end][self._indices[rule]].i, []).append(rule)
        values = doc.to_array(_SET_ATTRS)
        strings, form_ids = doc.vocab.strings, self._form_ids
        for i, key in enumerate(keys):
            if i in extra:
                continue
            form = form_ids.get(key[1])
            if form is None:
                form = form_ids[key[1]] = strings.add(self._form(strings[key[1]]))
            key[1] = form  # forms the rules treat alike share one entry: a new word costs a lookup
            effect = self._effects.get(tuple(key))
            if effect is None:
                effect = self._effect(doc[i], tuple(key))
            if effect is _UNTABLED:
                extra[i] = []
            else:
                values[i] = effect
        doc.from_array(_SET_ATTRS, values)
        for i, rules in extra.items():  # multi-token rules, and rules that change the tag or dependency
            token = doc[i]
            for rule in sorted({*self._rules_for(self._key(token)), *rules}):
                set_token_attrs(token, self._attrs[rule])
        return self._lemmatize(doc)

    def _key(self, token: Token) -> tuple:
        return (token.tag_, self._form(token.lower_), token.dep_, token.is_space)

    def _effect(self, token: Token, key: tuple) -> Any:
        """What the one-token rules leave in POS, MORPH and LEMMA of tokens with these key values
        (worked out on `token`, the first such token seen);
        _UNTABLED when they change the tag or dependency, which stay on the per-token path."""
        before = (token.tag, token.dep)
        for rule in self._rules_for(self._key(token)):
            set_token_attrs(token, self._attrs[rule])
        effect = (token.pos, token.morph.key, token.lemma) if (token.tag, token.dep) == before else _UNTABLED
        self._effects[key] = effect
        return effect

    def _lemmatize(self, doc: Doc) -> Doc:
        """What the lemmatiser sets: a lemma for each token that has none (all, if it overwrites)."""
        strings, overwrite = doc.vocab.strings, self._lemmatizer.overwrite
        rows = doc.to_array(_LEMMA_KEY_ATTRS)
        lemmas = rows[:, 3].copy()
        for i, (orth, pos, morph, lemma) in enumerate(rows.tolist()):
            if overwrite or lemma == 0:
                key = (orth, pos, morph)
                found = self._lemmas.get(key)
                if found is None:
                    found = self._lemmas[key] = strings.add(self._lemmatizer.lemmatize(doc[i])[0])
                lemmas[i] = found
        doc.from_array([LEMMA], lemmas.reshape(-1, 1))
        return doc


class _StartTest:
    """Whether a doc has a token that may start one of the multi-token rules, from its TAG,
    LOWER and DEP columns: the Matcher over every token costs more than all one-token rules,
    and the rules it serves ("gon na", "there is") are rare. Each rule's first token is tested
    on one field only (its form when it names one), so the answer may be yes where no rule
    matches, never no where one does."""

    def __init__(self, starts: list[dict], strings):
        self._always = False
        self._values: dict[int, set[int]] = {TAG: set(), LOWER: set(), DEP: set()}
        self._regexes: list[str] = []
        self._regex_hits: dict[int, bool] = {}
        self._strings = strings
        for start in starts:
            field = next((f for f in ("LOWER", "DEP", "TAG") if f in start), None)
            condition = start.get(field)
            if isinstance(condition, str):
                self._values[_FIELD_ATTRS[field]].add(strings.add(condition))
            elif isinstance(condition, dict) and set(condition) == {"IN"}:
                self._values[_FIELD_ATTRS[field]].update(strings.add(v) for v in condition["IN"])
            elif field == "LOWER" and isinstance(condition, dict) and set(condition) == {"REGEX"}:
                self._regexes.append(condition["REGEX"])
            else:
                self._always = True
        self._arrays = [(_KEY_ATTRS.index(attr), numpy.array(sorted(values), dtype=numpy.uint64))
                        for attr, values in self._values.items() if values]

    def __call__(self, keys: numpy.ndarray) -> bool:
        if self._always:
            return True
        for column, values in self._arrays:
            if numpy.isin(keys[:, column], values).any():
                return True
        if self._regexes:
            for lower in set(keys[:, _KEY_ATTRS.index(LOWER)].tolist()):
                hit = self._regex_hits.get(lower)
                if hit is None:
                    text = self._strings[lower]
                    hit = self._regex_hits[lower] = any(re.search(r, text) for r in self._regexes)
                if hit:
                    return True
        return False


_FIELD_ATTRS = {"TAG": TAG, "LOWER": LOWER, "DEP": DEP}
_KEY_ATTRS = [TAG, LOWER, DEP, IS_SPACE, POS, MORPH, LEMMA]  # the rules' inputs, and what they may overwrite
_SET_ATTRS = [POS, MORPH, LEMMA]
_LEMMA_KEY_ATTRS = [ORTH, POS, MORPH, LEMMA]
_UNTABLED = object()
