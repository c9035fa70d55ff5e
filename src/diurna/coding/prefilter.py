"""Prefilter stage: named-entity recognition only where an event can be.

NER is half of spaCy's time and nearly all sentences of a news article hold no event. The
tagger, parser and lemmatiser run on every paragraph exactly as in a full parse (so parses,
lemmas, sentence counts and the article's topic are unchanged); NER then runs only on the
sentences that hold a word `extract` could code. Which words those are is read from the
lexicons through `extract.could_match`, which never says no where `match_sense` could say
yes once entities are known: a lexicon change moves the filter with it. Entities found in a
kept sentence are set on the paragraph's Doc; the other sentences have none. The kept
sentences are also noted on the Doc (`kept_sentences`), so that extraction reads only them:
a sentence with no word `could_match` keeps can start no mention.
"""
from __future__ import annotations

from typing import Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc, Span

from diurna.coding.attributes import AttributeTable
from diurna.coding.extract import could_match, trigger_candidates
from diurna.coding.lexicon import Lexicon

ENTITY_PIPE = "ner"
RULER_PIPE = "attribute_ruler"
LEMMATIZER_PIPE = "lemmatizer"
KEPT_SENTENCES = "diurna.kept_sentences"  # Doc.user_data key: start tokens of the event sentences


def event_sentences(doc: Doc, lexicon: Lexicon) -> list[Span]:
    """The sentences of a parsed (entity-free) doc that may hold an event mention: those with a
    token `could_match` keeps (asked only of the words whose lemma could be a trigger)."""
    kept = {doc[i].sent.start for i in trigger_candidates(doc, lexicon) if could_match(doc[i], lexicon)}
    return [sentence for sentence in doc.sents if sentence.start in kept]


def add_entities(nlp: Language, docs: list[Doc], lexicon: Lexicon, batch_size: int = 256) -> int:
    """Run NER on the event sentences of `docs` (parsed without NER) and set the entities found
    on each doc; tokens elsewhere are outside any entity. Returns how many tokens NER saw."""
    ner = nlp.get_pipe(ENTITY_PIPE)
    kept = [(n, sentence) for n, doc in enumerate(docs) for sentence in event_sentences(doc, lexicon)]
    found: list[list[Span]] = [[] for _ in docs]
    for (n, sentence), tagged in zip(kept, ner.pipe((s.as_doc() for _, s in kept), batch_size=batch_size)):
        found[n].extend(Span(docs[n], sentence.start + e.start, sentence.start + e.end, label=e.label)
                        for e in tagged.ents)
    starts: list[list[int]] = [[] for _ in docs]
    for n, sentence in kept:
        starts[n].append(sentence.start)
    for doc, entities, kept_starts in zip(docs, found, starts):
        doc.set_ents(entities, default="outside")
        doc.user_data[KEPT_SENTENCES] = kept_starts
    return sum(len(sentence) for _, sentence in kept)


def kept_sentences(doc: Doc) -> list[Span] | None:
    """The sentences `add_entities` ran NER on (the only ones that can hold a mention), or None
    for a doc that went through the whole pipeline."""
    starts = doc.user_data.get(KEPT_SENTENCES)
    if starts is None:
        return None
    return [doc[start].sent for start in starts]


def attribute_table(nlp: Language) -> AttributeTable | None:
    """The table for the model's attribute rules and lemmatiser, when its last three pipes are
    the ruler, the lemmatiser and NER (as in spaCy's English models); otherwise None and the
    ruler and lemmatiser run."""
    if nlp.pipe_names[-3:] != [RULER_PIPE, LEMMATIZER_PIPE, ENTITY_PIPE]:
        return None
    return AttributeTable(nlp.get_pipe(RULER_PIPE), nlp.get_pipe(LEMMATIZER_PIPE))


def parse_selectively(nlp: Language, items: Iterable[tuple[str, object]], lexicon: Lexicon,
                      batch_size: int = 64, n_process: int = 1,
                      attributes: AttributeTable | None = None) -> Iterator[tuple[Doc, object]]:
    """nlp.pipe over (text, context) pairs with NER on event sentences only, in order; with
    `attributes`, the attribute rules and the lemmatiser go through that table."""
    pending: list[tuple[Doc, object]] = []
    skipped = [ENTITY_PIPE] if attributes is None else [RULER_PIPE, LEMMATIZER_PIPE, ENTITY_PIPE]
    for doc, context in nlp.pipe(items, as_tuples=True, batch_size=batch_size, disable=skipped, n_process=n_process):
        if attributes is not None:
            doc = attributes(doc)
        pending.append((doc, context))
        if len(pending) >= batch_size:
            add_entities(nlp, [d for d, _ in pending], lexicon, batch_size)
            yield from pending
            pending = []
    if pending:
        add_entities(nlp, [d for d, _ in pending], lexicon, batch_size)
        yield from pending
