"""Resolve stage (quantities): numbers of people attached to an actor phrase, with bounds.

"up to 300 Syrian soldiers" -> high 300; "several Turkish troops" -> a vague few (2-9);
"thousands of troops" -> at least 1000; "at least 12 civilians" -> low 12.
"""
from __future__ import annotations

from spacy.tokens import Token

from diurna.records import Quantity, QuantityRole

# Vague quantity words, matched as one token: (low, high), high None = open-ended.
_VAGUE = {
    "several": (2, 9), "few": (2, 9), "some": (2, 9), "multiple": (2, 9),
    "dozens": (24, 99), "scores": (40, 99), "hundreds": (200, 999), "thousands": (1000, None),
    "millions": (1_000_000, None), "dozen": (12, 12), "hundred": (100, 100), "thousand": (1000, 1000),
    "many": (2, None), "numerous": (2, None),
}
_UPPER = {"up to", "as many as", "at most", "no more than", "fewer than", "less than", "under"}
_LOWER = {"at least", "more than", "over", "no fewer than", "no less than", "upwards of"}
_WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                 "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40,
                 "fifty": 50, "hundred": 100, "thousand": 1000}


def quantity_of(head: Token, role: QuantityRole) -> Quantity | None:
    """The quantity counting the noun `head` ("soldiers" in "up to 300 Syrian soldiers"),
    which plays `role` in its event."""
    # "thousands of troops": the quantity word heads the phrase and the noun hangs off "of"
    if head.dep_ == "pobj" and head.head.lower_ == "of" and head.head.head.lower_ in _VAGUE:
        quantity_word = head.head.head
        low, high = _VAGUE[quantity_word.lower_]
        return Quantity(role=role, low=low, high=high, text=_text(quantity_word, head), unit=head.lemma_.lower())
    numbers = [c for c in head.children if c.dep_ == "nummod"]
    if numbers:
        number = numbers[0]
        value = number_value(number)
        if value is None:
            return None
        modifier = " ".join(t.lower_ for t in number.subtree if t.i < number.i)
        low, high = value, value
        if modifier in _UPPER:
            low = None
        elif modifier in _LOWER:
            high = None
            low = value + 1 if modifier in ("more than", "over") else value
        return Quantity(role=role, low=low, high=high, text=_text(number, head), unit=head.lemma_.lower())
    for child in head.children:
        if child.dep_ in ("amod", "det") and child.lower_ in _VAGUE and child.i < head.i:
            low, high = _VAGUE[child.lower_]
            return Quantity(role=role, low=low, high=high, text=_text(child, head), unit=head.lemma_.lower())
    return None


def number_value(token: Token) -> int | None:
    """The number a token writes, in digits or words ("12", "1,200", "eight")."""
    text = token.lower_.replace(",", "")
    if text.isdigit():
        return int(text)
    return _WORD_NUMBERS.get(text)


def _text(first: Token, last: Token) -> str:
    start = min([first.i] + [t.i for t in first.subtree if t.i < first.i])
    return first.doc[start:last.i + 1].text
