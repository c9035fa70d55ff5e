"""Tolls of events in their context (issue 8, third session): a toll that may be a total over
several incidents bounds an event from above only when no place finer than a country narrows it;
"killed, wounded" in a headline share one count; "dozens of X killed" counts the dozens.
Sentences are made up in wire style for these tests."""
from __future__ import annotations

import pytest


def _deaths(events):
    return {(e.fatalities_low, e.fatalities_high) for e in events if e.cameo_root in ("18", "19", "20")}


@pytest.mark.parametrize("text, deaths", [
    # a day's toll with no doer, no incident and no place: at most that many in any one event
    ("132 people were killed on Tuesday, including 45 soldiers", {(None, 132)}),
    # several incidents over a country
    ("Airstrikes and clashes killed 40 militants in Yemen on Monday", {(None, 40)}),
    ("Violence in Iraq kills 30 as militants claim bombings", {(None, 30)}),
    # one incident, or a town: the toll is that event's
    ("A roadside bomb killed 8 civilians in Afghanistan on Monday", {(8, 8)}),
    ("Gunmen killed 12 people in an attack on a market in Kano on Monday", {(12, 12)}),
    ("Airstrikes killed 40 militants in Marib on Monday", {(40, 40)}),
    # a total known only from below stays as said
    ("More than 60 Syrians were killed on Sunday", {(61, None)}),
])
def test_a_total_over_incidents_bounds_an_event_from_above(code_sentence, text, deaths):
    assert _deaths(code_sentence(text)) == deaths


def test_killed_wounded_in_a_headline_share_the_count(code_sentence):
    events = code_sentence("Local TV says dozens of protesters killed, wounded in Yemen clashes")
    assert events and all((e.fatalities_low, e.fatalities_high, e.injured_low, e.injured_high) == (None, 99, None, 99)
                          for e in events if e.fatalities_high is not None)
    assert any(e.fatalities_high == 99 for e in events)


def test_a_plural_modifier_is_no_second_incident(code_sentence):
    # "strikes" is the verb the tagger took for a plural noun: one roadside bomb, its toll exact
    events = code_sentence("Six Iraqi policemen killed as car bomb strikes convoy")
    assert _deaths(events) == {(6, 6)}


@pytest.mark.parametrize("text, deaths", [
    # a day's toll over a province, with no doer and no incident: at most that many in one event
    ("Eight people were killed in Kashmir on Tuesday", {(None, 8)}),
    ("Nine militants, two policemen among 15 killed in Aceh", {(None, 15)}),
    # the same toll in one incident, or in a town, is that event's
    ("Eight people were killed in a bomb blast in Kashmir on Tuesday", {(8, 8)}),
    ("Nine militants, two policemen among 15 killed in Banda Aceh", {(15, 15)}),
    # one death is one incident, wherever it is placed
    ("A soldier was killed in Kashmir on Tuesday", {(1, 1)}),
    ("A soldier was killed on Tuesday", {(1, 1)}),
])
def test_a_total_over_a_province_bounds_an_event_from_above(code_sentence, text, deaths):
    assert _deaths(code_sentence(text)) == deaths


@pytest.mark.parametrize("text, deaths", [
    # a strike that kills is an attack, whatever modifies it; its doer is not a named actor
    ("Four soldiers killed by coalition strikes in Yemen", {(None, 4)}),
    ("Coalition strikes kill five civilians in Yemen", {(None, 5)}),
    ("Five civilians killed in coalition strikes in Yemen", {(None, 5)}),
])
def test_deaths_by_strikes_whoever_strikes(code_sentence, text, deaths):
    assert _deaths(code_sentence(text)) == deaths


@pytest.mark.parametrize("text", [
    "A hunger strike killed the prisoner in Ankara",  # the strike's own modifier says which strike
    "Dock workers strike in Yemen port",
    "Teachers went on strike in Sanaa on Monday",
])
def test_a_strike_that_is_no_attack_kills_nobody(code_sentence, text):
    assert not [e for e in code_sentence(text) if e.cameo_root in ("18", "19", "20")]


@pytest.mark.parametrize("text, deaths, place", [
    # "X leaves N dead": the dead are the count, X the doer or the act; strife is a sign of conflict
    ("Somali unrest leaves 10 dead", {(None, 10)}, {"Somalia"}),  # a country's unrest: a total
    ("Clashes leave 10 dead in Mogadishu", {(10, 10)}, {"Mogadishu"}),
    ("The attack left 12 dead in Kidal.", {(12, 12)}, {"Kidal"}),
    ("Gunmen left 5 dead in Kano on Monday", {(5, 5)}, {"Kano"}),
])
def test_what_leaves_them_dead(code_sentence, text, deaths, place):
    events = code_sentence(text)
    assert _deaths(events) == deaths and {e.place_name for e in events} == place


@pytest.mark.parametrize("text", [
    "The storm left 12 dead in Dhaka.",  # a disaster
    "The crash left 3 dead in Leeds.",  # an accident
    "Oil prices rose on worries about unrest in Iraq and Saudi Arabia.",  # strife named, nothing done
])
def test_what_leaves_them_dead_without_conflict(code_sentence, text):
    assert code_sentence(text) == []


@pytest.mark.parametrize("text, deaths", [
    # a toll of three or more beside an act of force with no named doer makes it conflict
    ("The death toll rose to 12 after an attack on a market in Kano.", {(12, 12)}),
    ("The death toll from an attack on a market in Kano rose to 12.", {(12, 12)}),
])
def test_the_death_toll_of_an_attack(code_sentence, text, deaths):
    assert _deaths(code_sentence(text)) == deaths


@pytest.mark.parametrize("text", [
    "The death toll from the bus crash in Kano rose to 12.",
    "A drug may be linked to as many as 56,000 American deaths, a senator said.",  # the deaths are the trigger
])
def test_a_death_toll_without_force(code_sentence, text):
    assert code_sentence(text) == []


@pytest.mark.parametrize("text, deaths", [
    # whoever dies is the dead, in the perfect too (the subject was taken for a doer)
    ("At least 20 people have died in clashes in Tripoli, health officials said.", {(20, None)}),
    ("Three soldiers have died in an ambush in Cabo Delgado.", {(3, 3)}),
])
def test_those_who_have_died(code_sentence, text, deaths):
    assert _deaths(code_sentence(text)) == deaths


def test_those_who_have_died_of_no_violence(code_sentence):
    assert code_sentence("The former president has died in hospital in Nairobi.") == []
    assert code_sentence("Two climbers have died on Everest.") == []


@pytest.mark.parametrize("text, deaths", [
    # a weapon that kills is an attack, with no modifier to say which bomb
    ("A bomb killed five people in Kabul.", {(5, 5)}),
    ("Bomb kills 3 in Kidal", {(3, 3)}),
    ("A rocket killed two children in Sderot.", {(2, 2)}),
])
def test_a_weapon_that_kills(code_sentence, text, deaths):
    assert _deaths(code_sentence(text)) == deaths


def test_a_bomb_that_kills_a_bill_is_no_attack(code_sentence):
    assert code_sentence("A bomb killed the bill in parliament.") == []
    assert code_sentence("The bomb squad killed time in Leeds.") == []
