"""The prefilter (NER only on sentences that may hold an event) codes what a full parse codes."""
from __future__ import annotations

import datetime as dt

import pytest

from diurna.coding.extract import could_match, match_sense, trigger_candidates
from diurna.coding.parse import ParserSettings
from diurna.coding.extract import extract
from diurna.coding.prefilter import event_sentences, kept_sentences
from diurna.ingest.clean import clean
from diurna.pipeline import Coder
from diurna.records import Article

# Wire-style sentences with events of the kinds whose conditions read entities (named
# operations, person objects, violent doers), next to sentences with none.
WIRE = [
    "Turkey launched Operation Spring Shield against Syrian government forces on Sunday.",
    "Police beat protesters outside the parliament in Nairobi on Tuesday.",
    "Two attacks hit northern Burkina Faso, killing 15 soldiers.",
    "A car bomb killed five people in Mogadishu, officials said.",
    "The company reported higher profits and its shares rose 3% in London.",
    "Russian President Vladimir Putin met Turkish President Recep Tayyip Erdogan in Moscow.",
    "Iran threatened to close the Strait of Hormuz if sanctions were imposed.",
    "The weather was mild and the football season ended with a 2-1 win for Arsenal.",
]


@pytest.fixture(scope="module")
def full_coder(coder: Coder) -> Coder:
    return Coder(ParserSettings(full_parse=True), lexicon=coder.lexicon, gazetteer=coder.gazetteer)


def _dumps(coder: Coder, articles: list[Article]) -> list[dict]:
    return sorted((e.model_dump() for c in coder.code(articles) for e in c.events), key=lambda e: e["event_id"])


def test_sample_article_same_events_as_full_parse(coder, full_coder, sample_article):
    fast = _dumps(coder, [sample_article])
    assert len(fast) == 28
    assert fast == _dumps(full_coder, [sample_article])


def test_wire_sentences_same_events_as_full_parse(coder, full_coder):
    articles = [Article(record_id=f"w{n}", date=dt.date(2020, 3, 5), content=text, origin="test")
                for n, text in enumerate(WIRE)]
    fast = _dumps(coder, articles)
    assert {e["record_id"] for e in fast} == {"w0", "w1", "w2", "w3", "w5", "w6"}
    assert fast == _dumps(full_coder, articles)


def test_could_match_never_misses_a_sense(full_coder, sample_article):
    """On the fully parsed sample, every token match_sense codes is one could_match keeps."""
    docs = [full_coder.parser.nlp(p.text) for p in clean(sample_article).paragraphs]
    matched = [t for doc in docs for t in doc if match_sense(t, full_coder.lexicon) is not None]
    assert len(matched) > 20
    assert all(could_match(t, full_coder.lexicon) for t in matched)


def test_trigger_candidates_hold_every_token_could_match_keeps(full_coder, sample_article):
    """The array pre-check never drops a word could_match keeps, on the parsed sample, the wire
    sentences and headline forms; it leaves most words out. Twice: the second from the memo."""
    texts = [p.text for p in clean(sample_article).paragraphs] + WIRE + ["Clash kills six | Rebels repulsed another assault"]
    for _ in range(2):
        docs = [full_coder.parser.nlp(text) for text in texts]
        kept = [(n, t.i) for n, doc in enumerate(docs) for t in doc if could_match(t, full_coder.lexicon)]
        candidates = {(n, i) for n, doc in enumerate(docs) for i in trigger_candidates(doc, full_coder.lexicon)}
        assert len(kept) > 20 and set(kept) <= candidates
        assert len(candidates) < 0.3 * sum(len(doc) for doc in docs)


def test_entities_only_in_event_sentences(coder):
    text = "The weather was mild in London on Monday. Syrian troops shelled Saraqib on Tuesday."
    (doc, _), = coder.parser.parse([(text, None)], entities_for=coder.lexicon)
    first, second = list(doc.sents)
    assert [s.text for s in event_sentences(doc, coder.lexicon)] == [second.text]
    assert not first.ents  # NER never ran on the sentence without a trigger
    assert {e.text for e in second.ents} >= {"Syrian", "Saraqib"}


def test_extraction_reads_only_kept_sentences_and_misses_nothing(coder, sample_article):
    """Extraction over the sentences NER ran on finds every mention a pass over all sentences
    finds, on the sample and the wire sentences; a fully parsed doc has no such note."""
    texts = [p.text for p in clean(sample_article).paragraphs] + WIRE
    docs = [doc for doc, _ in coder.parser.parse([(t, None) for t in texts], entities_for=coder.lexicon)]
    everywhere = [[(m.trigger, m.sense.code) for m in extract(doc, coder.lexicon)] for doc in docs]
    kept = [[(m.trigger, m.sense.code) for m in extract(doc, coder.lexicon, kept_sentences(doc))] for doc in docs]
    assert kept == everywhere and sum(map(len, kept)) > 20
    assert sum(len(kept_sentences(doc)) for doc in docs) < sum(len(list(doc.sents)) for doc in docs)
    assert kept_sentences(coder.parser.nlp("Syrian troops shelled Saraqib.")) is None


def test_attribute_table_sets_what_the_ruler_sets(full_coder, sample_article):
    """Every token of the sample and the wire sentences: same POS, morphology and lemma as the
    ruler and lemmatiser give."""
    from diurna.coding.attributes import AttributeTable

    nlp = full_coder.parser.nlp
    table = AttributeTable(nlp.get_pipe("attribute_ruler"), nlp.get_pipe("lemmatizer"))
    texts = [p.text for p in clean(sample_article).paragraphs] + WIRE + ["I'd say they ain't gonna win, he gets it.",
                                                                     "There were clashes; let's see, y'all, c'mon."]
    for text in texts * 2:  # the second time from the memos
        reference = nlp(text, disable=["ner"])
        doc = table(nlp(text, disable=["ner", "attribute_ruler", "lemmatizer"]))
        assert [(t.pos_, str(t.morph), t.lemma_, t.tag_, t.dep_) for t in doc] == \
               [(t.pos_, str(t.morph), t.lemma_, t.tag_, t.dep_) for t in reference]


def test_model_multiplies_with_numpy_in_one_thread(coder):
    """The layers use numpy's BLAS (three times BLIS's speed here); one BLAS thread per process."""
    from threadpoolctl import threadpool_info

    layers = [layer for _, pipe in coder.parser.nlp.pipeline if getattr(pipe, "model", None) for layer in pipe.model.walk()]
    assert layers and all(not layer.ops.use_blis for layer in layers)
    assert all(pool["num_threads"] == 1 for pool in threadpool_info() if pool["user_api"] == "blas")


def test_lemma_index_as_sets_gives_the_same_lemmas(coder, sample_article):
    """The lemmatiser's word lists made sets (index_lemmas_as_sets) answer exactly as the lists:
    every token of the sample and the wire sentences, against a model loaded untouched."""
    import spacy

    from diurna.coding.parse import index_lemmas_as_sets

    stock, indexed = spacy.load(coder.parser.settings.model), spacy.load(coder.parser.settings.model)
    index_lemmas_as_sets(indexed)
    table = indexed.get_pipe("lemmatizer").lookups.get_table("lemma_index")
    assert all(isinstance(words, frozenset) for words in table.values())
    texts = [p.text for p in clean(sample_article).paragraphs] + WIRE + ["The mice were fleeing geese; oxen lay felled."]
    for text in texts:
        assert [t.lemma_ for t in indexed(text, disable=["ner"])] == [t.lemma_ for t in stock(text, disable=["ner"])]
