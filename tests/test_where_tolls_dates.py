"""Places found anywhere in the sentence, tolls, dates on real-looking news sentences, and the
per-paragraph cost of finding dates. Sentences are written in wire style for these tests."""
from __future__ import annotations

import datetime as dt
import sys

import pytest

from diurna.coding.parse import headline_of
from diurna.records import Article
from diurna.resolve.dates import DateResolver
from diurna.resolve.deaths import tolls
from diurna.resolve.where import place_mentions


@pytest.fixture(scope="module")
def nlp(coder):
    return coder.parser.nlp


def _toll(nlp, text):
    sentence = headline_of(next(nlp(text).sents))  # a headline's parts ("War ordnance | ...") count as one
    found = tolls(sentence)
    deaths = next(((t.deaths.low, t.deaths.high) for t in found if t.deaths is not None), None)
    injured = next(((t.injured.low, t.injured.high) for t in found if t.injured is not None), None)
    return deaths, injured


@pytest.mark.parametrize("text, deaths, injured", [
    ("Gunmen killed 12 people in the market.", (12, 12), None),
    ("Four US soldiers killed in combat in Afghanistan", (4, 4), None),
    ("The blast left 12 dead.", (12, 12), None),
    ("Death toll rises to nine in militant attack on passengers in northwest Pakistan", (9, 9), None),
    ("At least 12 people were killed in the attack.", (12, None), None),
    ("Gunmen killed 3 soldiers and 2 civilians, including 1 child.", (5, 5), None),
    ("Twelve Kurdish rebels, two soldiers killed in southeast Turkey", (14, 14), None),
    ("Dozens killed in Ukraine as army battles to break rebels", (24, 99), None),
    ("5 killed in Kabul blast", (5, 5), None),
    ("Suicide bombings in Afghanistan hit mosques, killing 63", (63, 63), None),
    ("Two militants shot dead in Poonch", (2, 2), None),
    ("There were no casualties.", (0, 0), None),
    ("No one was killed in the attack.", (0, 0), None),
    ("2 militants killed, 3 U.S. coalition troops wounded in southern Afghan clash", (2, 2), (3, 3)),
    ("Afghan Taleban kill 15 civilians, wound 20 in north", (15, 15), (20, 20)),
    ("Ten NDF members killed and injured in western Al-Raqqah", (None, 10), (None, 10)),
    ("Regime soldier killed in Idlib countryside", (1, 1), None),
    ("Officer killed, 4 troops hurt in latest clash with bandits", (1, 1), (4, 4)),  # headline passive, no "was"
    ("The deaths of 12 soldiers were confirmed.", (12, 12), None),
    ("The killing of dozens of protesters sparked outrage.", (24, 99), None),
    ("More than 140 Syrians were killed yesterday, Wednesday", (141, None), None),
    ("More Than Two Hundred Terrorists Perished in Afghanistan", (201, None), None),
    ("The army neutralised up to 300 soldiers and multiple military vehicles.", (None, 300), None),
    # a count unsaid: plural victims are at least two, a deadly attack or a suicide blast at least one
    ("Insurgent fighters killed in overnight raid", (2, None), None),
    ("Security forces killed militants near the border.", (2, None), None),
    ("Gunmen killed people in the market.", None, None),  # "people" is a group word, not a count
    ("Two new deadly attacks hit the north of the country", (1, None), None),
    ("A suicide blast hit the market on Monday", (1, None), None),
    ("A deadly attack killed 5 soldiers in the north.", (5, 5), None),  # a count beats "deadly"
    # counts in other shapes
    ("Airstrikes kill dozen rebels near the city", (12, 12), None),
    ("20 #Taliban fighters were killed and 5 others were wounded in shelling", (20, 20), (5, 5)),
    ("Two Islamic Jihad men said killed in clashes with police", (2, 2), None),
    ("An Israeli drone's rocket kills Palestinian in northern Gaza", (1, 1), None),
    ("War ordnance | Two civilians killed in explosion in the north", (2, 2), None),  # the rubric is no victim
    ("The shelling killed 23 civilians at least in the town", (23, None), None),
    # a total over many incidents bounds each incident's toll from above only
    ("A dozen people were killed in separate incidents on Monday", (None, 12), None),
    ("Scores of people killed in violence across the country", (None, 99), None),
    ("Gunmen killed 5 soldiers in an attack across the border", (5, 5), None),
    ("The attack left at least 15 people dead and 30 injured.", (15, None), (30, 30)),
    ("The clashes killed two people, one of them a child.", (2, 2), None),  # a subset, not a third victim
    ("Eleven people lost their lives in the attack.", (11, 11), None),
])
def test_tolls(nlp, text, deaths, injured):
    assert _toll(nlp, text) == (deaths, injured)


def test_a_killer_is_not_a_victim(nlp):
    assert _toll(nlp, "The gunman killed three guards.") == ((3, 3), None)


def _best_place(coder, text, countries=()):
    doc = coder.parser.nlp(text)
    sentence = next(doc.sents)
    for mention in place_mentions(doc, sentence.root.i, (), coder.lexicon):
        if mention.country:
            return coder.gazetteer.country(mention.country)
        place = coder.gazetteer.resolve_phrase(mention.text, list(countries))
        if place is not None:
            return place
    return None


@pytest.mark.parametrize("text, name, country, kind", [
    ("Three civilians killed in booby-trapped car blast in Syria's Aleppo", "Aleppo", "SYR", "city"),  # NER says NORP
    ("4 killed in checkpoint attack in Western Afghanistan", "Afghanistan (west)", "AFG", "country"),
    ("Taliban’s judge among four dead in Ghazni clash", "Ghazni", "AFG", "city"),  # headline form on an event noun
    ("Airstrikes target the countryside of Hama", "Ḩamāh", "SYR", "admin1"),
    ("Five regime soldiers killed and wounded in Idlib countryside", "Idlib", "SYR", "admin1"),
    ("Somali unrest spreads", "Somalia", "SOM", "country"),  # adjectival place
    ("Kabul blast kills 5", "Kabul", "AFG", "city"),
    ("Northern Burkina Faso hit by two new deadly attacks", "Burkina Faso (north)", "BFA", "country"),  # tagged ORG
    ("Fighters attacked Sangin district of Helmand on Monday.", "Sangīn", "AFG", "city"),
    ("Gunmen killed five villagers in Kafr Nabl, Idlib province, on Monday.", "Kafranbel", "SYR", "city"),
    ("Two people were killed near the EU office in Skopje.", "Skopje", "MKD", "city"),  # not the town of Eu
    ("Algeria says soldier killed in clash with armed Islamists", "Algeria", "DZA", "country"),  # the speaker
])
def test_places_anywhere_in_the_sentence(coder, text, name, country, kind):
    place = _best_place(coder, text)
    assert (place.name, place.country, place.kind) == (name, country, kind)


@pytest.mark.parametrize("text, phrase", [
    ("Fighters attacked Sangin district of Helmand on Monday.", "Sangin district, Helmand"),
    ("Gunmen killed five villagers in Kafr Nabl, Idlib province, on Monday.", "Kafr Nabl, Idlib province"),
    ("Clashes erupted in Tripoli, Lebanon.", "Tripoli, Lebanon"),
    ("Militants attack court in Libya's Misrata", "Misrata, Libya"),
])
def test_place_phrases_carry_their_qualifiers(coder, text, phrase):
    doc = coder.parser.nlp(text)
    assert phrase in [m.text for m in place_mentions(doc, next(doc.sents).root.i, (), coder.lexicon)]


def test_qualifiers_pick_the_homonym(coder):
    doc = coder.parser.nlp("Protesters gathered in Bar (Montenegro) on Sunday.")
    texts = [m.text for m in place_mentions(doc, 1, (), coder.lexicon)]
    assert texts[0] == "Bar, Montenegro"
    assert coder.gazetteer.resolve_phrase(texts[0]).country == "MNE"


def test_no_continent_jumps(coder):
    # Bar in a Balkan story is the Montenegrin port, not a Ukrainian town of the same name
    assert coder.gazetteer.resolve("Bar", ["SRB", "MNE"]).country == "MNE"
    assert coder.gazetteer.resolve("Madaya", ["SYR"]).country == "SYR"
    # "near the EU office in Skopje": an acronym is never the French town of Eu
    assert coder.gazetteer.resolve("EU", ["MKD"]) is None


def test_country_and_admin1_have_centroids_and_cities_have_admin1(coder):
    syria = coder.gazetteer.country("SYR")
    assert syria.kind == "country" and 32 < syria.latitude < 37.5 and 35.5 < syria.longitude < 42.5
    fiji = coder.gazetteer.country("FJI")  # across the antimeridian: the mean of unit vectors stays in Fiji
    assert -19 < fiji.latitude < -16 and abs(fiji.longitude) > 177
    saraqib = coder.gazetteer.resolve("Saraqib", ["SYR"])
    assert saraqib.admin1 == "Idlib"
    province = coder.gazetteer.resolve("Idlib province", ["SYR"])
    assert province.kind == "admin1" and abs(province.latitude - 35.9) < 0.5


def test_events_in_idlib_towns_filter_by_admin1(code_sentence):
    events = code_sentence("Syrian forces shelled rebel positions in Saraqib on Monday.")
    assert events and {(e.place_name, e.admin1, e.geo_precision) for e in events} == {("Saraqib", "Idlib", "place")}


def test_focus_place_only_when_actors_fit(coder):
    text = ("Israeli forces killed three Palestinians in Gaza City on Monday. Israeli troops raided a camp in Gaza."
            "\n\nFrench police arrested two men on Tuesday.")
    article = Article(record_id="t", date=dt.date(2024, 3, 5), content=text, origin="test")
    (coded,) = list(coder.code([article]))
    arrests = [e for e in coded.events if e.source_country == "FRA"]
    assert arrests, "the arrest is coded"
    for event in arrests:  # not in Gaza: the country of its actors, with a point
        assert event.place_country == "FRA" and event.geo_precision == "country" and event.latitude is not None


PUBLISHED = dt.date(2020, 5, 15)  # a Friday


@pytest.mark.parametrize("text, expected", [
    ("yesterday", (dt.date(2020, 5, 14), "day")),
    ("last night", (dt.date(2020, 5, 14), "day")),
    ("overnight", (dt.date(2020, 5, 14), "day")),
    ("earlier this month", (dt.date(2020, 5, 1), "month")),
    ("on 5 May", (dt.date(2020, 5, 5), "day")),
    ("in late April", (dt.date(2020, 4, 1), "month")),
    ("Wednesday", (dt.date(2020, 5, 13), "day")),
    ("yesterday, Thursday", (dt.date(2020, 5, 14), "day")),
    ("yesterday, Wednesday", (dt.date(2020, 5, 13), "day")),  # the named day wins over the relative word
    ("March 6, 2019", (dt.date(2019, 3, 6), "day")),
])
def test_dates_relative_to_publication(text, expected):
    resolved = DateResolver().resolve(text, PUBLISHED, planned=False)
    assert (resolved.date, resolved.precision) == expected


def test_headline_without_date_keeps_publication_date(code_sentence):
    events = code_sentence("Turkish troops attacked Syrian positions.")
    assert events and all((e.event_date, e.date_precision) == (dt.date(2020, 3, 5), "article") for e in events)


def test_noun_trigger_takes_the_date_of_its_verb(code_sentence):
    # the attack that wounded them is coded with the wounding (its doer is the source)
    events = code_sentence("Turkish soldiers were wounded yesterday in an attack by Syrian forces.")
    attacks = [e for e in events if e.source_code == "SYRMIL"]
    assert attacks and all(e.event_date == dt.date(2020, 3, 4) for e in attacks)


def _diurna_lines(coder, article: Article) -> int:
    """Python lines executed by the resolve stage and the assembly (pipeline.py) while coding
    `article`: a deterministic count of the work that looks up places, dates and tolls."""
    count = 0

    def tracer(frame, event, arg):
        nonlocal count
        name = frame.f_code.co_filename.replace("\\", "/")
        if "diurna/resolve/" not in name and not name.endswith("diurna/pipeline.py"):
            return None
        count += 1
        return tracer

    sys.settrace(tracer)
    try:
        list(coder.code([article]))
    finally:
        sys.settrace(None)
    return count


def test_long_paragraph_work_is_linear(coder):
    """A paragraph twice as long costs about twice the work, not four times. Dates used to be
    looked up by a pass over every entity of the paragraph for every event, which made a
    450,000-character paragraph take minutes; at this size that scan made the ratio 2.41, the
    indexed lookup makes it 2.00."""
    sentence = ("Turkish troops attacked Syrian positions near Saraqib on March 3, on February 4, on January 5, "
                "on March 6 2019, on April 7 2018 and on May 8 2017, killing 12 people. ")
    short = Article(record_id="s", date=dt.date(2020, 3, 5), content=sentence * 60, origin="test")
    long = Article(record_id="l", date=dt.date(2020, 3, 5), content=sentence * 120, origin="test")
    list(coder.code([short]))  # warm caches
    ratio = _diurna_lines(coder, long) / _diurna_lines(coder, short)
    assert ratio < 2.25, ratio


def test_subdivisions_always_have_a_point(coder, code_sentence):
    # no town is tied to Jammu and Kashmir: its namesake town gives the point
    kashmir = coder.gazetteer.resolve("Kashmir", ["IND"])
    assert (kashmir.kind, kashmir.country) == ("admin1", "IND") and kashmir.latitude is not None
    # Punjab (Pakistan) names no town, but its seat (Lahore, subdivisions.tsv) ties it to its towns:
    # the event gets the province's own centroid, not the country's point
    events = code_sentence("Pakistani troops attacked militants in Punjab province.")
    assert events and {(e.place_name, e.admin1, e.geo_precision) for e in events} == {("Punjab", "Punjab", "admin1")}
    pakistan = coder.gazetteer.country("PAK")
    assert all((e.latitude, e.longitude) != (pakistan.latitude, pakistan.longitude) and 29 < e.latitude < 33.5
               and 70 < e.longitude < 75.5 for e in events)


def test_a_qualifying_town_keeps_a_village_in_its_country(coder):
    # "Kalo" alone is Kalaw in Myanmar; qualified by Djibo (Burkina Faso) it is no Kalo at all,
    # and the event is put at the town that qualifies it
    assert coder.gazetteer.resolve_phrase("Kalo village, Djibo").name == "Djibo"
    assert coder.gazetteer.resolve_phrase("Kafr Nabl, Idlib province").name == "Kafranbel"


def test_participle_takes_its_main_verb_date_and_untagged_relative_words_count(code_sentence):
    # the attack and the killing it caused have one source, target and code: one event, dated Wednesday
    events = code_sentence("Al Shabaab militants attacked a military base on Wednesday, killing at least 7 soldiers.")
    assert events and all(e.event_date == dt.date(2020, 3, 4) for e in events)  # published Thursday 5 March
    events = code_sentence("Syrian government forces shelled the town of Kafr Nabl overnight, killing two children.")
    assert events and all((e.event_date, e.date_text) == (dt.date(2020, 3, 4), "overnight") for e in events)


def test_village_qualified_in_parentheses(coder):
    text = "On 12 March 2021, unidentified gunmen killed 3 civilians in Kalo village (Djibo, Soum province)."
    (coded,) = list(coder.code([Article(record_id="k", date=dt.date(2021, 3, 15), content=text, origin="test")]))
    assert coded.events and {(e.place_text, e.place_name, e.place_country) for e in coded.events} == {
        ("Kalo village, Djibo", "Djibo", "BFA")}
    assert {(e.fatalities_low, e.fatalities_high, e.event_date) for e in coded.events} == {(3, 3, dt.date(2021, 3, 12))}


def test_a_lone_village_sized_namesake_or_an_acronym_is_no_place(coder):
    # regression: "killed in Kashmir" went to Cashmere (Washington, 3,000 people) and "at LoC"
    # (the Line of Control) to Bình Long in Vietnam
    kashmir = coder.gazetteer.resolve_phrase("Kashmir")  # the Indian subdivision, never the town in Washington
    assert (kashmir.country, kashmir.kind) == ("IND", "admin1")
    assert coder.gazetteer.resolve_phrase("Cashmere") is None
    assert coder.gazetteer.resolve_phrase("LoC") is None
    assert coder.gazetteer.resolve_phrase("Saraqib").country == "SYR"  # a town of 34,000 needs no context
