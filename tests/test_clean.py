"""Clean stage: boilerplate out, offsets kept."""
from __future__ import annotations

import datetime as dt

from hypothesis import given, settings, strategies as st

from diurna.ingest.clean import clean
from diurna.records import Article


def article(content: str) -> Article:
    return Article(record_id="t", date=dt.date(2020, 3, 5), content=content, origin="test")


def test_sample_boilerplate_is_removed_and_dateline_kept(sample_article):
    cleaned = clean(sample_article)
    assert (cleaned.original_source, cleaned.dateline_place) == ("RT", "Moscow")
    kinds = [r.kind for r in cleaned.removals]
    assert kinds == ["dateline", "embed", "link", "link", "footnote"]
    text = "\n".join(p.text for p in cleaned.paragraphs)
    for gone in ("pic.twitter.com", "@RT_com", "ALSO ON", "READ MORE", "RT/Moscow", "*Jabhat"):
        assert gone not in text
    assert text.startswith("The Russian and Turkish leaders have held a press conference in Moscow")
    assert "al-Nusra* militants" in text  # the marker stays, only the footnote goes


def test_every_kept_character_maps_back(sample_article):
    for paragraph in clean(sample_article).paragraphs:
        for offset, char in enumerate(paragraph.text):
            if char != " ":
                assert sample_article.content[paragraph.to_original(offset)] == char


def test_wire_dateline():
    cleaned = clean(article("MOSCOW, March 5 (Reuters) - Russia and Turkey agreed a ceasefire."))
    assert (cleaned.original_source, cleaned.dateline_place) == ("Reuters", "Moscow")
    assert cleaned.paragraphs[0].text == "Russia and Turkey agreed a ceasefire."


def test_wire_dateline_with_its_country():
    # the country qualifies the town, and is no actor of the first sentence
    cleaned = clean(article("MAIDUGURI, Nigeria (AP) — Suspected insurgents killed 12 villagers in an overnight raid."))
    assert (cleaned.original_source, cleaned.dateline_place) == ("AP", "Maiduguri, Nigeria")
    assert cleaned.paragraphs[0].text.startswith("Suspected insurgents killed")
    cleaned = clean(article("KABUL, Afghanistan, June 3 (Reuters) - A bomb killed five soldiers."))
    assert (cleaned.original_source, cleaned.dateline_place) == ("Reuters", "Kabul, Afghanistan")


def test_html_injection_is_stripped_not_coded():
    cleaned = clean(article('Turkey <script>alert("x")</script>shelled <b>Syrian</b> positions.<img src=x onerror=alert(1)>'))
    (paragraph,) = cleaned.paragraphs
    assert paragraph.text == "Turkey shelled Syrian positions."
    assert {r.kind for r in cleaned.removals} == {"markup"}


def test_whitespace_is_normalised_and_paragraphs_split():
    cleaned = clean(article("First  line\nstill first.\n\n\n   Second\tparagraph.  "))
    assert [p.text for p in cleaned.paragraphs] == ["First line still first.", "Second paragraph."]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=400))
def test_offsets_hold_for_any_text(text):
    a = article(text if text.strip() else "x")
    for paragraph in clean(a).paragraphs:
        for offset, char in enumerate(paragraph.text):
            if char != " ":
                assert a.content[paragraph.to_original(offset)] == char


def _reference_paragraph(content: str, start: int, end: int, removals) -> tuple | None:
    """The plain definition of a cleaned paragraph: every word no removal covers, one space
    between words, and where each word came from."""
    import re

    kept, cursor = [], start
    for removal in sorted(removals, key=lambda r: r.start):
        if removal.end <= cursor or removal.start >= end:
            continue
        kept.append((cursor, max(cursor, removal.start)))
        cursor = max(cursor, removal.end)
    kept.append((cursor, end))
    words = [(m.group(), m.start()) for s, e in kept for m in re.compile(r"\S+").finditer(content, s, e)]
    if not words:
        return None
    return " ".join(w for w, _ in words), [o for _, o in words]


_PIECES = st.sampled_from(["word", "Kabul", "12", " ", "  ", "\n", "\t", "\u00a0", "\u2009 ", "<b>", "</b>", " <i>x</i> ", "."])


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, min_size=1, max_size=40))
def test_paragraph_text_and_offsets_match_the_plain_definition(pieces):
    """Whitespace runs of any kind and length, and markup removed inside a paragraph, give the
    text and word offsets of the word-by-word definition."""
    from diurna.ingest.clean import _build_paragraph, _paragraph_spans

    content = "".join(pieces)
    cleaned = clean(article(content if content.strip() else "x"))
    content = cleaned.article.content
    references = [r for s, e in _paragraph_spans(content) if (r := _reference_paragraph(content, s, e, cleaned.removals))]
    assert len(references) == len(cleaned.paragraphs)
    for paragraph, (text, origins) in zip(cleaned.paragraphs, references):
        assert paragraph.text == text
        offsets = [0] + [i + 1 for i, c in enumerate(paragraph.text) if c == " "]
        assert [paragraph.to_original(o) for o in offsets] == origins
    assert _build_paragraph("  a \n\t b ", 0, 9, []).text == "a b"


def test_character_references_are_decoded_and_map_back():
    content = "Shelling hit Aleppo&#8217;s old city and J&amp;K, said the &lt;b&gt; tag, AT&T and Idlib&#8217"
    (paragraph,) = clean(article(content)).paragraphs
    assert paragraph.text == "Shelling hit Aleppo’s old city and J&K, said the &lt;b&gt; tag, AT&T and Idlib’"
    # markup stays text, a bare ampersand stays itself; every word maps back to its original span
    for word, original in (("Aleppo’s", "Aleppo&#8217;s"), ("J&K,", "J&amp;K,"), ("Idlib’", "Idlib&#8217"),
                           ("AT&T", "AT&T"), ("&lt;b&gt;", "&lt;b&gt;")):
        start = paragraph.text.index(word)
        assert content[slice(*paragraph.span_to_original(start, start + len(word)))] == original
    # a reference to nothing printable stays as written
    assert clean(article("a x&#0;y b")).paragraphs[0].text == "a x&#0;y b"


def test_an_arabic_article_split_from_its_name_is_joined():
    content = "Clashes in al- Mayadin and Jabal al- Akrad, as- Suwayda too, but al- and el- stay"
    (paragraph,) = clean(article(content)).paragraphs
    assert paragraph.text == "Clashes in al-Mayadin and Jabal al-Akrad, as-Suwayda too, but al- and el- stay"
    start = paragraph.text.index("al-Mayadin")
    assert content[slice(*paragraph.span_to_original(start, start + len("al-Mayadin")))] == "al- Mayadin"
    for offset, char in enumerate(paragraph.text):
        if char != " ":
            assert content[paragraph.to_original(offset)] == char
