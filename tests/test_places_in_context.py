"""Places wherever the sentence puts them and resolved in its context (issue 8, third session):
untagged names after place prepositions, conjoined places, "in the mountains of X", bare parts
("in the north", "the capital") of the country the text gives, parts of provinces, the parts of
countries news means (parts.tsv), names with lower-case particles, a name and its province
without a comma. Sentences are made up in wire style for these tests."""
from __future__ import annotations

import pytest


def _places(events):
    return {(e.place_name, e.place_country, e.geo_precision) for e in events}


def _inside(events, box):
    lat0, lat1, lon0, lon1 = box
    return all(lat0 < e.latitude < lat1 and lon0 < e.longitude < lon1 for e in events)


@pytest.mark.parametrize("text, country, precision, box", [
    # a capitalised name the tagger left a common noun, after a place preposition
    ("A car bomb killed three soldiers in Russia's Kabardino-Balkaria.", "RUS", "admin1", (43, 44.5, 42.5, 45)),
    ("Militants killed two soldiers in an encounter in J&K.", "IND", "admin1", (32, 35.5, 73, 76.5)),
    # the second of conjoined places, when the first is not in the gazetteer
    ("Fighters clashed with troops in Hamadiyah and Idlib.", "SYR", "place", (35.5, 36.3, 36.3, 37)),
    # "in the mountains of X": a common noun of the land names no place, its "of" does
    ("Gunmen killed 4 people in the mountains of the Western Qalamoun on Sunday.", "SYR", "admin1",
     (33.7, 34.3, 36.3, 37)),
])
def test_names_wherever_a_place_preposition_puts_them(code_sentence, text, country, precision, box):
    events = code_sentence(text)
    assert events and {(e.place_country, e.geo_precision) for e in events} == {(country, precision)}
    assert _inside(events, box), [(e.latitude, e.longitude) for e in events]


def test_a_bare_part_is_of_the_actors_country(code_sentence, coder):
    # "in the south" of a story whose doer is Afghan: the south of Afghanistan, at country precision
    events = code_sentence("Taliban militants killed nine policemen in the south.")
    afghanistan = coder.gazetteer.country("AFG")
    assert events and _places(events) == {("Afghanistan (south)", "AFG", "country")}
    assert all(e.latitude < afghanistan.latitude - 1 for e in events)
    events = code_sentence("Islamists killed four soldiers in the north of the country, the Algerian army said.")
    algeria = coder.gazetteer.country("DZA")
    assert events and all(e.place_country == "DZA" and e.latitude > algeria.latitude for e in events)


def test_the_capital_of_the_story(code_sentence):
    events = code_sentence("Syrian troops clashed with rebels on the outskirts of the capital.")
    assert events and _places(events) == {("Damascus", "SYR", "place")}
    # with no country to tell which capital, none
    assert all(e.place_name is None for e in code_sentence("Rebels clashed with troops in the capital."))


@pytest.mark.parametrize("text, name, box", [
    ("Rebels shelled army posts in the northern countryside of Hama.", "Ḩamāh (north)", (35.2, 36, 36, 37.5)),
    ("Rebels attacked army positions in southern Idlib.", "Idlib (south)", (35.2, 35.8, 36.3, 37)),
    ("Two soldiers were killed in eastern Homs countryside on Sunday.", "Ḩimş (east)", (34, 35.5, 37.5, 40)),
])
def test_a_part_of_a_province_has_the_point_of_that_part(code_sentence, coder, text, name, box):
    events = code_sentence(text)
    assert events and {(e.place_name, e.geo_precision) for e in events} == {(name, "admin1")}
    assert _inside(events, box), [(e.latitude, e.longitude) for e in events]


@pytest.mark.parametrize("phrase, iso3, box", [
    # the parts news means (parts.tsv), not the sectors of the country's box
    ("northwest Pakistan", "PAK", (32.5, 36, 70, 73.5)),  # Khyber Pakhtunkhwa, not Balochistan's north
    ("NE Nigeria", "NGA", (9, 13.5, 11, 14)),  # Borno, Yobe, Adamawa
    ("southern Philippines", "PHL", (5, 9.5, 121.5, 126.5)),  # Mindanao
    ("southeast Turkey", "TUR", (36.5, 38.5, 37, 43)),
    ("south Somalia", "SOM", (-1, 4, 41, 45.5)),
])
def test_the_parts_of_countries_that_news_means(coder, phrase, iso3, box):
    place = coder.gazetteer.resolve_phrase(phrase)
    assert (place.country, place.kind) == (iso3, "country")
    assert _inside([place], box), (place.latitude, place.longitude)


def test_names_with_particles_and_without_commas(coder):
    # the Arabic article inside a name is part of it: not the Tunisian town whose other name is Marat
    place = coder.gazetteer.resolve_phrase("Maarat al-Numan")
    assert (place.country, place.kind) == ("SYR", "city")
    # "Jabal al-Zawiya" is no Jablah (a consonant match of "Jabal" alone)
    assert coder.gazetteer.resolve_phrase("Jabal al-Zawiya", ["SYR"]) is None
    # news drops "del": the Philippine province all the same
    place = coder.gazetteer.resolve_phrase("Lanao Norte")
    assert (place.name, place.country, place.kind) == ("Lanao del Norte", "PHL", "admin1")
    # a headline's name and province without the comma: the province when the name is unknown
    place = coder.gazetteer.resolve_phrase("Chobi Oromia")
    assert (place.name, place.country, place.kind) == ("Oromia", "ETH", "admin1")
    assert coder.gazetteer.resolve_phrase("Kandahar Afghanistan").name == "Kandahār"


def test_homonyms_follow_the_countries_of_the_text(code_sentence):
    # Tripoli is Lebanon's in a Lebanese story, Libya's in a Libyan one
    assert _places(code_sentence("Lebanese soldiers clashed with gunmen in Tripoli.")) == {("Tripoli", "LBN", "place")}
    assert _places(code_sentence("Libyan forces clashed with gunmen in Tripoli.")) == {("Tripoli", "LBY", "place")}


def test_actors_of_one_country_give_its_point(code_sentence, coder):
    # no place in the headline: the Taliban's country, its centroid, precision country
    events = code_sentence("Taliban kill 5 policemen")
    afghanistan = coder.gazetteer.country("AFG")
    assert events and _places(events) == {("Afghanistan", "AFG", "country")}
    assert all((e.latitude, e.longitude) == (afghanistan.latitude, afghanistan.longitude) for e in events)


def test_an_actorless_clash_placed_through_an_area_noun_is_reported(code_sentence):
    # "in the vicinity of X", "in the countryside of X": a placed clash is reported, with no doer named
    events = code_sentence("Clashes in the vicinity of Palmyra and on the outskirts of Damascus")
    assert events and {(e.plover_type, e.place_country) for e in events} == {("ASSAULT", "SYR")}
    events = code_sentence("Heavy clashes in the southern countryside of Aleppo on Sunday")
    assert events and {(e.place_name, e.geo_precision) for e in events} == {("Ḩalab (south)", "admin1")}
    # an area noun with no place is no place: nothing to report for a clash with no actor
    assert code_sentence("Clashes in the vicinity of the stadium after the match") == []


@pytest.mark.parametrize("text, place", [
    # the conjoined name the small model tags as a language or a work of art, or leaves untagged
    ("Violent clashes in Bab al-Nairab and Aleppo", ("Aleppo", "SYR", "place")),
    ("Violent clashes in Bab al-Nairab and Aleppo&#8217", ("Aleppo", "SYR", "place")),
    ("Violent clashes in Bab al-Nairab and Aleppo’", ("Aleppo", "SYR", "place")),
    # a transliteration's Arabic article written apart is joined: the whole name, not "Jisr" in Israel
    ("Warplanes struck rebel positions in Jisr al- Shughur", ("Jisr ash Shughūr", "SYR", "place")),
    ("Gunmen killed three people in al- Mayadin on Sunday", ("Al Mayādīn", "SYR", "place")),
])
def test_names_after_a_place_preposition_whatever_the_model_calls_them(code_sentence, text, place):
    events = code_sentence(text)
    assert events and _places(events) == {place}


def test_a_conjoined_word_that_is_no_place_stays_unplaced(code_sentence):
    events = code_sentence("Rebel fighters clashed with troops in Bab al-Nairab and Smith said")
    assert events and all(e.latitude is None for e in events)


def test_a_rubric_bar_ends_a_sentence_and_is_punctuation(coder):
    ((doc, _),) = list(coder.parser.parse([("Soldier killed in Aleppo | Clashes cut a road near Saraqeb", None)]))
    assert [s.text for s in doc.sents] == ["Soldier killed in Aleppo |", "Clashes cut a road near Saraqeb"]
    bar = next(t for t in doc if t.text == "|")
    assert bar.dep_ == "punct" and not list(bar.children)
    ((doc, _),) = list(coder.parser.parse([("Rocket attack | Five soldiers killed and wounded in Hama countryside", None)]))
    assert len(list(doc.sents)) == 2  # no break inside a part ("Five" alone)
    ((doc, _),) = list(coder.parser.parse([("Soldiers killed in the A|B sector", None)]))
    assert len(list(doc.sents)) == 1  # a bar between words is no rubric


@pytest.mark.parametrize("text, place", [
    # parsed as one sentence, the rubric became the subject and the story's act was lost
    ("“Truce zone” | Regime forces kill farmer working on his land near Idlib", ("Idlib", "SYR", "place")),
    # the other part of the headline says where ...
    ("Soldier killed | Shelling and clashes cut off main road near Saraqeb", ("Saraqib", "SYR", "place")),
    # ... unless the event's own part does
    ("Soldier killed in Aleppo | Shelling and clashes cut off main road near Saraqeb", ("Aleppo", "SYR", "place")),
])
def test_the_parts_of_a_headline_share_their_places(code_sentence, text, place):
    events = code_sentence(text)
    assert events and _places(events) == {place}


def test_the_rubric_gives_the_circumstances_of_its_story(code_sentence):
    # the rubric is the sign of conflict; the victims are the story's, not the rubric's words
    events = code_sentence("Landmine blast | Two shepherds killed near Palmyra")
    assert events and {(e.fatalities_low, e.fatalities_high, e.place_country) for e in events} == {(2, 2, "SYR")}
    assert code_sentence("Two shepherds killed near Palmyra") == []  # no sign of conflict
    assert code_sentence("Floods | Two shepherds killed near Palmyra") == []  # a disaster
    events = code_sentence("Mortar attack | Four soldiers killed and wounded in Hama countryside")
    assert events and {(e.fatalities_low, e.fatalities_high) for e in events} == {(None, 4)}


@pytest.mark.parametrize("text, place", [
    # an armed group is no place: not Hamm in Germany, not a Turkish village called Taliban
    ("Two guards killed in Hamas attack", ("Palestinian Territory", "PSE", "country")),
    ("Three soldiers killed in Taliban attack", ("Afghanistan", "AFG", "country")),
    # with no actor parsed, the group's one country; a demonym or a place says otherwise
    ("Villager, local imam killed in Boko Haram raids", ("Nigeria", "NGA", "country")),
    ("Five Chadian soldiers killed in Boko Haram ambush", ("Chad", "TCD", "country")),
    ("Villagers killed in Boko Haram raid near Diffa", ("Diffa", "NER", "place")),
])
def test_an_armed_group_says_the_country_only_when_nothing_else_does(code_sentence, text, place):
    events = code_sentence(text)
    assert events and _places(events) == {place}


@pytest.mark.parametrize("text, place", [
    # "casualties among X": the dead are X (not parties of a fight among them), and the headline
    # with no verb reports them where it says; a preposition after a list of nouns is shared
    ("Heavy casualties among government troops in Idlib", ("Idlib", "SYR", "place")),
    ("Material losses and casualties among rebel fighters in Hama countryside", ("Ḩamāh", "SYR", "admin1")),
])
def test_casualties_among_them_are_reported_where_said(code_sentence, text, place):
    events = code_sentence(text)
    assert events and _places(events) == {place}


def test_casualties_among_fans_are_no_event(code_sentence):
    assert code_sentence("Heavy casualties among fans after the match in Cairo") == []


def test_an_untagged_name_struck_on_is_the_place(code_sentence):
    # "Airstrikes on Douma" with Douma left untagged by the model: the target of the strikes
    events = code_sentence("Airstrikes on rebel-held Douma killed 23 civilians, including seven children.")
    assert events and _places(events) == {("Dūmā", "SYR", "place")}
    # "on" a person is no place
    assert all(e.latitude is None for e in code_sentence("The attack on Smith was condemned by the party."))


def test_an_airport_code_is_no_name_of_a_town(code_sentence, coder):
    # GeoNames lists "GAO" (Guantánamo's airport) among Guantánamo's names: Gao is in Mali
    events = code_sentence("Bomb kills 3 in Gao")
    assert events and _places(events) == {("Gao", "MLI", "place")}
    assert coder.gazetteer.resolve("Guantanamo").country == "CUB"
