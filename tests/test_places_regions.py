"""Subdivisions and regions as news names them (subdivisions.tsv, regions.tsv), adjectival
countries that say where, and country-level fallbacks with a point. Sentences are made up in
wire style for these tests."""
from __future__ import annotations

import pytest

from diurna.resolve.where import RANK_DEMONYM, RANK_HEADLINE, place_mentions


def _located(events):
    return {(e.place_country, e.geo_precision) for e in events}


@pytest.mark.parametrize("text, country, box", [
    # (lat_min, lat_max, lon_min, lon_max): the subdivision's own area, not the country's centroid
    ("Gunmen killed four policemen in Nangarhar on Sunday.", "AFG", (33.8, 34.8, 69.8, 71.2)),
    ("Rebels attacked an army battalion in North Darfur, a spokesman said.", "SDN", (12.5, 16.5, 23, 27.5)),
    ("One rebel was killed in a clash with federal troops in Chechnya.", "RUS", (42.5, 44, 44.8, 46.7)),
    ("Militants killed two soldiers in an ambush in Borno state.", "NGA", (10, 13.7, 11.5, 14.7)),
    ("Two soldiers were killed in clashes with separatists in Donbas.", "UKR", (47, 49.5, 36.5, 40.5)),
    ("Clashes between the army and rebels left six dead in North Kivu.", "COD", (-2, 1, 27.5, 30)),
])
def test_subdivisions_and_regions_by_their_english_names(code_sentence, coder, text, country, box):
    events = code_sentence(text)
    assert events and _located(events) == {(country, "admin1")}
    national = coder.gazetteer.country(country)
    for e in events:
        assert box[0] < e.latitude < box[1] and box[2] < e.longitude < box[3], (e.latitude, e.longitude)
        assert (e.latitude, e.longitude) != (national.latitude, national.longitude)


def test_homonyms_across_countries_and_common_words(coder):
    # the Afghan province, not the Iranian villages spelt the same way
    assert coder.gazetteer.resolve_phrase("Fariab").country == "AFG"
    # the peninsula, not Sinnai in Sardinia
    sinai = coder.gazetteer.resolve_phrase("Sinai")
    assert (sinai.country, sinai.kind) == ("EGY", "admin1")
    # a subdivision named by a common word is only taken with its admin word
    assert coder.gazetteer.resolve_phrase("the West") is None
    assert coder.gazetteer.resolve_phrase("West Region").country == "CMR"
    # a town of its own name still wins over the subdivision for a bare name
    assert coder.gazetteer.resolve_phrase("Aleppo").kind == "city"


def test_an_adjectival_country_on_the_event_says_where(coder):
    def ranks(text):
        doc = coder.parser.nlp(text)
        root = next(doc.sents).root.i
        return {doc[m.start].text: (m.rank, m.country) for m in place_mentions(doc, root, (), coder.lexicon) if m.country}

    assert ranks("2 militants killed, 3 U.S. coalition troops wounded in southern Afghan clash")["Afghan"] == (
        RANK_HEADLINE, "AFG")
    assert ranks("Nine Taleban killed in clashes with security forces in Afghan south")["Afghan"] == (RANK_HEADLINE, "AFG")
    # on an act with a doer the adjective names the doer, not the place
    assert ranks("An Israeli strike killed five militants.")["Israeli"] == (RANK_DEMONYM, "ISR")


def test_country_level_fallback_has_the_country_point(code_sentence, coder):
    # the foreign troops' country is not where it happened; the clash's adjective is
    events = code_sentence("2 militants killed, 3 U.S. coalition troops wounded in Afghan clash")
    assert events and _located(events) == {("AFG", "country")}
    afghanistan = coder.gazetteer.country("AFG")
    assert all((e.latitude, e.longitude) == (afghanistan.latitude, afghanistan.longitude) for e in events)


@pytest.mark.parametrize("phrase, iso3, north_of_centre, east_of_centre", [
    ("Northern Burkina Faso", "BFA", True, None),
    ("NE Nigeria", "NGA", True, True),
    ("eastern Ukraine", "UKR", None, True),
    ("S. Philippines", "PHL", False, None),
    ("southern South Sudan", "SSD", False, None),
])
def test_a_part_of_a_country_has_the_point_of_that_part(coder, phrase, iso3, north_of_centre, east_of_centre):
    place = coder.gazetteer.resolve_phrase(phrase)
    centre = coder.gazetteer.country(iso3)
    assert (place.country, place.kind) == (iso3, "country") and place.name != centre.name
    if north_of_centre is not None:
        assert (place.latitude > centre.latitude + 0.5) == north_of_centre
        assert (place.latitude < centre.latitude - 0.5) == (not north_of_centre)
    if east_of_centre is not None:
        assert place.longitude > centre.longitude + 0.5


def test_a_compass_word_of_the_name_is_no_part(coder):
    for phrase, iso3 in (("South Sudan", "SSD"), ("North Korea", "PRK"), ("Central African Republic", "CAF")):
        place = coder.gazetteer.resolve_phrase(phrase)
        centre = coder.gazetteer.country(iso3)
        assert (place.name, place.latitude, place.longitude) == (centre.name, centre.latitude, centre.longitude)


def test_an_event_in_a_part_of_a_country(code_sentence, coder):
    events = code_sentence("Nine Taleban killed in clashes with security forces in Afghan south")
    afghanistan = coder.gazetteer.country("AFG")
    assert events and _located(events) == {("AFG", "country")}
    assert all(e.place_name == "Afghanistan (south)" and e.latitude < afghanistan.latitude - 1 for e in events)
    events = code_sentence("Shelling kills two children in eastern Ukraine, the defence ministry said.")
    assert events and all(e.place_country == "UKR" and e.longitude > coder.gazetteer.country("UKR").longitude + 2
                          for e in events)


def test_country_names_of_the_lexicon_and_names_ending_in_an_admin_word(coder):
    # "Burma" was a Jordanian village and "Central African Republic" nothing ("Republic" was read as
    # an admin word); the lexicon's names never take over a place's own name ("Gaza" stays the city)
    assert coder.gazetteer.resolve_phrase("Burma").country == "MMR"
    assert coder.gazetteer.resolve_phrase("Central African Republic").kind == "country"
    assert coder.gazetteer.resolve_phrase("Chechen Republic").country == "RUS"
    gaza = coder.gazetteer.resolve_phrase("Gaza")
    assert (gaza.country, gaza.kind) == ("PSE", "city")


def test_foreign_forces_act_where_the_text_puts_them(code_sentence):
    # the actors' country is no veto on a place on another continent: Russian warplanes over Idlib,
    # US troops in Kandahar; the bombarded province is the place even though it is the object
    events = code_sentence("Russian warplanes bombarded Idlib province on Monday.")
    assert events and {(e.place_name, e.place_country, e.geo_precision) for e in events} == {("Idlib", "SYR", "admin1")}
    events = code_sentence("US troops killed five militants in Kandahar on Monday.")
    assert events and {(e.place_country, e.geo_precision) for e in events} == {("AFG", "place")}


def test_the_continent_is_a_preference_not_a_veto(coder):
    # "Bar" in a Balkan story stays in Montenegro; a province named in a story about Russia's
    # forces is still that province
    assert coder.gazetteer.resolve("Bar", ["SRB", "MNE"]).country == "MNE"
    assert coder.gazetteer.resolve("Idlib province", ["RUS"]).country == "SYR"


def test_an_attack_on_a_place_happens_there(code_sentence):
    events = code_sentence("Russian warplanes carried out a bombardment on Idlib province, killing 20 civilians.")
    assert events and {e.place_country for e in events} == {"SYR"}
    events = code_sentence("Militants carried out an attack on Kabul airport on Monday.")
    assert events and {(e.place_name, e.place_country) for e in events} == {("Kabul", "AFG")}
    # sanctions "on" a country are no place
    events = code_sentence("The United States imposed new sanctions on Russia on Monday.")
    assert events and all(e.place_country != "RUS" for e in events)


def test_an_event_with_no_place_of_its_own_takes_the_datelines_town(code_sentence):
    events = code_sentence("MAIDUGURI, Nigeria (AP) — Suspected Boko Haram insurgents killed 12 villagers in an "
                           "overnight raid, police said Wednesday.")
    assert events and {(e.place_name, e.place_country, e.geo_precision) for e in events} == {("Maiduguri", "NGA", "article")}
    assert all(e.source_country != "NGA" or e.source_text != "Nigeria" for e in events)


def test_a_second_level_subdivision_the_index_lacks_does_not_veto_its_town(code_sentence):
    # "Soum province" (Burkina Faso) is not in the index, and a town abroad called Soum is no reason
    # to drop Djibo
    events = code_sentence("Unidentified gunmen killed a local chief in the Djibo area of Soum province overnight.")
    assert events and {(e.place_name, e.place_country, e.geo_precision) for e in events} == {("Djibo", "BFA", "place")}


def test_second_level_subdivisions(coder):
    # a province of Burkina Faso and of the Philippines, a district of Uganda: named, with their
    # seat's point or their region's, and their region as admin1
    soum = coder.gazetteer.resolve_phrase("Soum province")
    assert (soum.country, soum.kind, soum.admin1) == ("BFA", "admin1", "Sahel") and 13 < soum.latitude < 15.5
    agusan = coder.gazetteer.resolve_phrase("Agusan del Norte")
    assert (agusan.country, agusan.kind) == ("PHL", "admin1") and 7.5 < agusan.latitude < 10
    assert coder.gazetteer.resolve_phrase("Gulu district").country == "UGA"


def test_an_event_with_no_actor_needs_a_place_the_finder_sees(code_sentence):
    # "Sulu clash": a place on the event noun that the tagger does not call a GPE still says where
    events = code_sentence("ASG member killed, soldier wounded in Sulu clash")
    assert events and {e.place_country for e in events} == {"PHL"}
    assert not code_sentence("Heavy fighting erupted on Monday.")  # no actor, no place: nothing to code


def test_the_countryside_of_a_town_is_its_province(coder):
    for phrase, name in (("rural Daraa", "Dar'ā"), ("Damascus countryside", "Rīf Dimashq"), ("rural Damascus", "Rīf Dimashq")):
        place = coder.gazetteer.resolve_phrase(phrase)
        assert (place.name, place.country, place.kind) == (name, "SYR", "admin1")
    assert coder.gazetteer.resolve_phrase("Damascus").kind == "city"


@pytest.mark.parametrize("text, name, box", [
    # subdivisions whose GeoNames code only a seat (or, "~Adama", another town) ties: their own
    # point at admin1 precision, no longer the country's (subdivisions.tsv version 2)
    ("Fighting in Kachin state killed five soldiers on Monday.", "Kachin", (23.5, 28.5, 96, 98.8)),
    ("Government troops clashed with rebels in Oromia on Monday.", "Oromia", (4, 10.5, 34.5, 42.5)),
    ("Gunmen attacked a police station in Lofa County on Friday.", "Lofa", (7.5, 8.6, -10.6, -9.3)),
    ("Shelling killed two civilians in Zaporizhzhia oblast on Sunday.", "Zaporizka oblast", (46.5, 48.2, 34.5, 37)),
    # neighbours the ties had swapped: Kayah in the east, Tanintharyi in the far south
    ("Rebels attacked an army post in Kayah state.", "Kayah", (18.8, 20, 96.8, 97.8)),
    ("Rebels attacked an army post in Tanintharyi region.", "Tanintharyi", (10, 15, 97.5, 99.5)),
])
def test_subdivisions_tied_by_their_seat_have_their_own_point(code_sentence, text, name, box):
    events = code_sentence(text)
    lat0, lat1, lon0, lon1 = box
    assert events and {(e.place_name, e.geo_precision) for e in events} == {(name, "admin1")}
    assert all(lat0 < e.latitude < lat1 and lon0 < e.longitude < lon1 for e in events), [(e.latitude, e.longitude) for e in events]


def test_a_subdivision_shelled_is_the_place_of_the_shelling(code_sentence):
    # "oblast" is a target of force like "province" (targets.tsv version 2); a county's budget is none
    events = code_sentence("Russian forces shelled Kharkiv oblast on Sunday.")
    assert events and {(e.place_name, e.geo_precision, e.source_country) for e in events} == {
        ("Kharkivska oblast", "admin1", "RUS")}
    assert code_sentence("The opposition attacked the county budget on Monday.") == []


def test_a_subdivision_parsed_as_two_objects(code_sentence):
    # "struck Zaporizhzhia oblast" with the name and its noun both objects of the verb (and the
    # name tagged a person): the oblast struck, not the attacker's country
    events = code_sentence("Russian missiles struck Zaporizhzhia oblast on Sunday.")
    assert events and {(e.place_name, e.geo_precision) for e in events} == {("Zaporizka oblast", "admin1")}
    assert all(e.latitude is None for e in code_sentence("Rebels struck Smith hard."))
