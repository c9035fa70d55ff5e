"""Event patterns on single sentences. Sample sentences are quoted from the bundled article;
the others are wire-style sentences written for these tests."""
from __future__ import annotations


def triples(events):
    return sorted((e.source_code, e.cameo_code, e.target_code or "-", e.modality) for e in events)


def test_passive_voice_swaps_roles(code_sentence):
    events = code_sentence("Three Turkish soldiers were killed by Syrian government forces near Saraqib.")
    assert triples(events) == [("SYRMIL", "190", "TURMIL", "occurred")]
    assert events[0].place_text == "Saraqib"


def test_reported_speech_is_claimed_with_claimant(code_sentence):
    events = code_sentence("Erdogan previously said he had asked Putin to step aside in Syria.")
    assert triples(events) == [("TURGOV", "020", "RUSGOV", "claimed")]
    assert events[0].claimant_code == "TURGOV"


def test_according_to_makes_a_claim(code_sentence):
    events = code_sentence("According to Moscow, Turkish troops shelled Syrian army positions.")
    (event,) = events
    assert (event.source_code, event.cameo_code, event.modality, event.claimant_code) == ("TURMIL", "194", "claimed", "RUSGOV")


def test_negation(code_sentence):
    # an act that did not happen is no event; one that somebody denies is, with the denier as claimant
    assert code_sentence("Russia did not attack Turkish forces in Idlib.") == []
    assert triples(code_sentence("Ankara denied that its troops attacked Syrian soldiers.")) == [("TURMIL", "190", "SYRMIL", "negated")]


def test_future_and_hedged(code_sentence):
    # the place an act is aimed at gives the target's country when no actor is named
    assert triples(code_sentence("Turkey will send more troops to Idlib.")) == [("TUR", "154", "SYR", "planned")]
    # what only could happen is not an event; the same act as a plan is, aimed at the sites' owner
    assert code_sentence("Israel could strike Iranian nuclear sites.") == []
    assert triples(code_sentence("Israel will strike Iranian nuclear sites.")) == [("ISR", "190", "IRN", "planned")]


def test_agree_to_stop_hostilities_is_a_mutual_intent_to_yield(code_sentence):
    # the outer act is the event (035 intent to yield), mutual because the inner act is
    events = code_sentence("Turkey and Russia agree to stop all hostilities along the existing line of contact in Syria.")
    assert triples(events) == [("RUS", "035", "TUR", "occurred"), ("TUR", "035", "RUS", "occurred")]


def test_noun_events_take_their_participants(code_sentence):
    events = code_sentence("The press statement followed hours-long talks in Moscow between Russian President Vladimir Putin and his Turkish counterpart Recep Tayyip Erdogan.")
    assert triples(events) == [("RUSGOV", "040", "TURGOV", "occurred"), ("TURGOV", "040", "RUSGOV", "occurred")]


def test_agreed_to_come_is_an_intent_to_meet(code_sentence):
    events = code_sentence("Erdogan agreed to come to Russia’s capital.")
    assert triples(events) == [("TURGOV", "036", "RUSGOV", "occurred")]


def test_regression_pledge_in_past_agreement_is_not_a_planned_agreement(code_sentence):
    events = code_sentence("Turkey pledged in a 2018 agreement with Russia that it would separate terrorist elements from the so-called “moderate rebels” occupying Idlib.")
    # the pledge only, made to the other party of the agreement: no planned 057 from "in a 2018
    # agreement", no event from "rebels occupying Idlib"
    assert triples(events) == [("TUR", "030", "RUS", "occurred")]
    assert events[0].place_text is None


def test_events_need_a_source(code_sentence):
    assert code_sentence("It was also agreed to facilitate efforts to prevent the humanitarian crisis in Idlib.") == []
    assert code_sentence("A six-kilometer-wide security corridor is to be established in the area.") == []


def test_disapproval_of_a_non_actor_keeps_its_source(code_sentence):
    # criticism of "the move" is still an act of Moscow's, with no actor as target
    assert triples(code_sentence("Moscow has been highly critical of the move.")) == [("RUSGOV", "111", "-", "occurred")]


def test_mutual_event_with_one_party_keeps_its_source(code_sentence):
    # the party is where the halted act happens ("its offensive in northern Syria")
    assert triples(code_sentence("Turkey agreed to halt its offensive in northern Syria.")) == [("TUR", "035", "SYR", "occurred")]


def test_claimant_that_is_not_an_actor_keeps_its_words(code_sentence):
    (event,) = code_sentence("According to the agreement, Turkey will withdraw its troops from Idlib.")
    assert (event.source_code, event.cameo_code, event.modality) == ("TUR", "0874", "planned")
    assert (event.claimant_text, event.claimant_code, event.claimant_org) == ("agreement", None, None)
