"""Coding mechanisms on real-world sentences (written for these tests in wire and headline style).

Each mechanism has sentences that must be coded and, for precision, near-identical sentences
that must yield nothing: "Ghana's army beat back rebels" is an event, "Ghana beat Nigeria 2-0"
is not.
"""
from __future__ import annotations

import pytest


def codes(events):
    return sorted((e.source_code or "-", e.cameo_code, e.target_code or "-") for e in events)


def types(events):
    return sorted({e.plover_type for e in events})


# --- agentless and passive events ------------------------------------------------------------

@pytest.mark.parametrize("text, target, source", [
    ("Seven civilians were killed in Mogadishu on Monday.", "SOMCVL", "SOMUAF"),
    ("Two policemen shot dead in Peshawar", "PAKCOP", "PAKUAF"),
    # the place near which it happened gives the doer's country, not the victims' nationality
    ("Four Kenyan soldiers killed in roadside blast near the Somali border", "KENMIL", "SOMUAF"),
    ("Four Kenyan soldiers killed in a roadside blast", "KENMIL", None),
    ("Nine militants killed in Afghan operation: police", "AFGINS", "AFGUAF"),  # an Afghan operation
])
def test_agentless_violence_has_an_unnamed_doer_where_it_happened(code_sentence, text, target, source):
    events = code_sentence(text)
    assert events and all(e.plover_type == "ASSAULT" for e in events)
    assert any(e.source_text is None and e.source_code == source and e.target_code == target for e in events)


def test_the_other_side_of_a_fight_did_what_it_did_to_one_side(code_sentence):
    (event,) = code_sentence("Three protesters were killed in clashes with police in Nairobi.", date="2020-03-05")
    assert (event.source_code, event.target_code) == ("KENCOP", "KENOPP")


def test_cause_noun_names_the_doer(code_sentence):
    (event,) = code_sentence("Three soldiers were killed in a Boko Haram attack in Borno state.")
    assert (event.source_org, event.target_sector, event.plover_type) == ("BKH", "MIL", "ASSAULT")


def test_event_nouns_that_act_are_agentless_events(code_sentence):
    events = code_sentence("Two new deadly attacks hit northern Burkina Faso.")
    assert [(e.source_code, e.target_country, e.plover_type) for e in events] == [(None, "BFA", "ASSAULT")]
    (event,) = code_sentence("A car bomb killed five people in Baghdad on Sunday.")
    assert (event.source_code, event.cameo_code, event.fatalities_low) == ("IRQUAF", "183", 5)  # the car bomb says how; an unnamed doer in Iraq


def test_a_crime_with_no_political_actor_is_not_coded(code_sentence):
    assert code_sentence("After his father is killed he sets out to find the man who did it.") == []
    assert code_sentence("Two friends were shot in his Bristol hometown in October.") == []


# --- light verbs and event nouns ----------------------------------------------------------------

@pytest.mark.parametrize("text, plover", [
    ("Protesters staged a sit-in outside the parliament in Nairobi.", "PROTEST"),
    ("Israeli troops opened fire on demonstrators in Gaza.", "ASSAULT"),
    ("The Nigerian army launched an air strike against rebel positions.", "ASSAULT"),
    ("Police carried out a raid on opposition offices in Harare.", "COERCE"),  # law enforcement (police=170)
    ("Troops carried out a raid on rebel positions near Harare.", "ASSAULT"),
    ("Clashes between Sudanese troops and rebels broke out in Darfur.", "ASSAULT"),
])
def test_light_verbs_and_event_nouns(code_sentence, text, plover):
    assert plover in types(code_sentence(text))


# --- outer acts -----------------------------------------------------------------------------------

def test_threat_to_act_is_a_threat_not_the_act(code_sentence):
    events = code_sentence("Ethiopia threatened to bomb rebel positions in Tigray.")
    assert [(e.source_code, e.cameo_code, e.plover_type) for e in events] == [("ETH", "138", "THREATEN")]


def test_refusal_is_a_rejection_not_the_act(code_sentence):
    (event,) = code_sentence("Hungary refused to send troops to the mission in Mali.")
    assert (event.source_code, event.plover_type) == ("HUN", "REJECT")
    assert code_sentence("The ministry declined to comment on the report.") == []


def test_demand_targets_the_party_asked_to_act(code_sentence):
    (event,) = code_sentence("The union demanded that Kenya lift the curfew.")
    assert (event.plover_type, event.target_code) == ("REQUEST", "KEN")
    (event,) = code_sentence("The United Nations urged Iran to resume negotiations.")
    assert (event.source_code, event.cameo_code, event.target_code) == ("IGOUNO", "026", "IRN")


def test_intent_to_act_is_an_agreement(code_sentence):
    (event,) = code_sentence("France agreed to send 2,000 troops to Mali.")
    assert (event.source_code, event.plover_type) == ("FRA", "AGREE")


def test_accusation_names_the_alleged_act_but_does_not_code_it(code_sentence):
    (event,) = code_sentence("Ukraine accused Russia of shelling civilian areas.")
    assert (event.source_code, event.cameo_code, event.target_code) == ("UKR", "1123", "RUS")


# --- actors ---------------------------------------------------------------------------------------

def test_possessives_titles_and_role_nouns(code_sentence):
    (event,) = code_sentence("Egypt's intelligence chief met Hamas leaders in Cairo.")[:1]
    assert event.source_country == "EGY"
    (event,) = code_sentence("The Peruvian interior minister ordered the arrest of 12 protesters.")
    assert (event.source_code, event.plover_type) == ("PERGOV", "COERCE")


def test_actors_take_the_country_where_they_act(code_sentence):
    (event,) = code_sentence("Gunmen killed three farmers in Kaduna on Tuesday.")
    assert (event.source_code, event.target_code) == ("NGAINS", "NGACVL")


def test_targets_named_by_places_and_owned_things(code_sentence):
    (event,) = code_sentence("Hamas fired rockets at Tel Aviv on Saturday.")
    assert (event.source_org, event.target_country) == ("HMS", "ISR")
    (event,) = code_sentence("Jihadists attacked a military base in Mali.")
    assert event.target_code == "MLIMIL"
    (event,) = code_sentence("Bangladesh rejected an Indian proposal for talks.")
    assert (event.source_code, event.target_code, event.plover_type) == ("BGD", "IND", "REJECT")


# --- precision: each false-alarm kind next to a real event ----------------------------------------

@pytest.mark.parametrize("false_alarm, real", [
    # sport and games
    ("Ghana beat Nigeria 2-0 in the final on Saturday.", "Ghana's army beat back rebels near the border."),
    ("Slovakia clinched the cup by beating Argentina 3-0.", "Police beat protesters in the capital Bamako."),
    ("Kenya will host Uganda in the second leg on Saturday.", "Kenya will host Ugandan President Yoweri Museveni next week."),
    # commerce and technology
    ("The firm offered customers a discount on its new phones.", "Russia offered aid to Turkey after the earthquake."),
    ("Microsoft will release a patch for the flaw next week.", "Colombian rebels released three hostages on Monday."),
    # rhetoric and metaphor
    ("The central bank vowed to fight inflation.", "Nigerian troops fought Boko Haram militants near Maiduguri."),
    ("Users are bombarded with pop-up ads every day.", "Russian jets bombarded rebel positions in Idlib."),
    ("Critics said the party would hijack the debate.", "Gunmen hijacked a passenger plane near Quetta on Monday."),
    # named past events
    ("The film tells the story of the 1994 genocide.", "Sudanese militias carried out a massacre in Darfur on Monday."),
    ("Security has been tight since the 9/11 attacks.", "Militants attacked a police post in Kunar on Sunday."),
    # states, absences and habits
    ("There was no treaty between the two countries.", "Armenia and Azerbaijan signed a peace treaty on Friday."),
    ("The party always asked voters for their support.", "Iran asked Iraq for help on Monday."),
    # word senses
    ("The company demonstrated a new device at the fair.", "Thousands demonstrated against the government in Minsk."),
    ("I was charged VAT by the government.", "Police charged three journalists with sedition in Kampala."),
    ("The chief executive warned investors about falling sales.", "The United States warned Iran against attacking shipping."),
])
def test_false_alarm_next_to_real_event(code_sentence, false_alarm, real):
    assert code_sentence(false_alarm) == [], false_alarm
    assert code_sentence(real), real


@pytest.mark.parametrize("verbal, physical", [
    ("The European Parliament clashed with the European Commission over the budget.",
     "Indian and Chinese troops clashed on the border."),
    ("The two party leaders clashed over taxes in parliament.", "Police clashed with protesters in Lagos."),
])
def test_verbal_clash_between_institutions_is_disapproval(code_sentence, verbal, physical):
    events = code_sentence(verbal)
    assert events and all(e.plover_type == "ACCUSE" and e.cameo_code == "111" for e in events)
    assert {e.plover_type for e in code_sentence(physical)} == {"ASSAULT"}


def test_sport_article_needs_armed_actors(coder):
    import datetime as dt

    from diurna.records import Article

    match_report = ("France beat England 18-17 in the Six Nations clash at Twickenham. "
                    "The France captain praised his team after the match. "
                    "England's coach said the team had attacked well in the first half.")
    article = Article(record_id="sport", date=dt.date(2005, 2, 14), content=match_report, origin="test")
    (coded,) = list(coder.code([article]))
    assert coded.events == []


def test_a_hedge_above_an_infinitive_makes_it_hypothetical(code_sentence):
    # regression: "to target" was read as planned before the hedge on "try" was seen
    assert code_sentence("Terrorists might try to target the British embassy in Nairobi.") == []


def test_politicians_attacking_each_other_is_criticism(code_sentence):
    events = code_sentence("Michael Howard attacked Gordon Brown over the pension plans.", date="2005-02-10")
    assert [(e.source_code, e.cameo_code, e.plover_type) for e in events] == [("GBRPTY", "111", "ACCUSE")]


def test_a_stative_passive_is_its_subjects_stance(code_sentence):
    (event,) = code_sentence("Turkey is opposed to Greek mediation in the dispute.")
    assert (event.source_code, event.plover_type, event.target_code) == ("TUR", "REJECT", "GRC")


def test_amounts_of_goods_are_looked_through(code_sentence):
    (event,) = code_sentence("Norwegian doctors handed over 300 kg of medicine to the Red Cross in Juba.")
    assert (event.source_country, event.plover_type, event.target_org) == ("NOR", "AID", "ICRC")


def test_the_party_asked_is_never_a_date(code_sentence):
    # regression: "demanded on Tuesday that the US ..." made Tuesday the target
    (event,) = code_sentence("China on Tuesday demanded that the US halt its naval patrols.")
    assert (event.plover_type, event.target_code) == ("REQUEST", "USA")


def test_rebels_facing_a_government_are_its_country_when_no_place_is_named(code_sentence):
    (event,) = code_sentence("The Ethiopian government accepted demands from rebels for a new constitution.")
    assert (event.source_code, event.target_code) == ("ETHGOV", "ETHREB")


def test_the_place_of_the_threatened_act_gives_the_target(code_sentence):
    (event,) = code_sentence("The president threatened to impose a curfew in Nairobi.", date="2020-03-05")
    assert (event.plover_type, event.target_country) == ("THREATEN", "KEN")


@pytest.mark.parametrize("text, plover_type, target_country", [
    # the place of the act that an agreement is about
    ("The Gulf Cooperation Council has agreed to open a trade office in Nairobi, officials said.", "AGREE", "KEN"),
    # the owner of the act that is condemned
    ("Hungary on Monday condemned Serbia's crackdown on ethnic Hungarian protesters.", "ACCUSE", "SRB"),
    # the origin of the offer that is refused
    ("Kenya's president rejected a fresh offer of talks from Somalia.", "REJECT", "SOM"),
    # the doer of the act that is investigated
    ("Croatian police opened an investigation into abuses committed by Serbian forces.", "ACCUSE", "SRB"),
    # the one whose act a threat waits for
    ("Chad threatened to close its border unless Sudan disarmed the militias.", "THREATEN", "SDN"),
])
def test_the_target_is_reached_through_the_act_acted_on(code_sentence, text, plover_type, target_country):
    events = [e for e in code_sentence(text, date="2020-03-05") if e.plover_type == plover_type]
    assert events and events[0].target_country == target_country


def test_the_owner_named_before_the_act_acted_on_is_the_target(code_sentence):
    events = code_sentence("Indonesia and Sri Lanka accepted the Paris Club offer on Wednesday.")
    assert {(e.source_code, e.target_code) for e in events} == {("IDN", "IGOPARIS"), ("LKA", "IGOPARIS")}


@pytest.mark.parametrize("text, source_code", [
    # a people lives where the phrase puts it, its own code kept as an ethnic marker
    ("Bosnian Serbs demanded a truce with Moslem forces in east Bosnia.", "BIHSRB"),
    ("The Albanians of southern Serbia are demanding autonomy from Serbian authorities.", "SRBALB"),
    # a national party of another country does not apply
    ("Serbian Labour Minister Dragan Milovanovic accused the unions of sabotage.", "SRBGOV"),
    # an army's word with an armed group's modifier is that group
    ("Rebel forces attacked an army battalion in North Darfur.", "SDNREB"),
    ("Opposition fighters shelled army positions near Aleppo.", "SYRREB"),
    # an industry word before an office does not make a firm; an institution words its office
    ("Indian oil minister Mani Shankar Aiyar visited Moscow on Monday.", "INDGOV"),
    ("Police chief Ian Blair criticised the Home Office.", "COP"),  # not Tony Blair's country (regression)
    ("The TUC urged ministers to raise the minimum wage.", "GBROPPTUC"),
    # a former office holder is no longer the state
    ("Former US president Bill Clinton visited Aceh on Monday.", "USAELI"),
    # armed groups of many conflicts are named in the lexicon
    ("LRA fighters killed five people in Raja County.", "UGAREBLRA"),
    ("Free Aceh Movement rebels ambushed a police patrol.", "IDNREBGAM"),
])
def test_actor_country_and_sector_from_the_whole_phrase(code_sentence, text, source_code):
    events = code_sentence(text)
    assert events and events[0].source_code == source_code


@pytest.mark.parametrize("text, coded", [
    # history the article recalls is not news it reports
    ("The EU imposed an arms ban on China in 1989 after the crackdown.", False),
    ("Troops opened fire on protesters in Beijing in June 1989.", False),
    # the same acts, dated in the article's own time
    ("The EU imposed an arms ban on China on Monday after the crackdown.", True),
    ("Troops opened fire on protesters in Beijing last week.", True),
    # a past date inside a clause about another act does not date the act
    ("Libya offered to hand over to Britain two men suspected of bombing a plane in 1988.", True),
    # a temporal clause shares its main clause's time, and a when-clause dates its main act
    ("The EU imposed its arms ban on China in 1989 after troops opened fire on protestors in Beijing.", False),
    ("President Lula promised to reduce unemployment when he was elected in 2002.", False),
])
def test_acts_dated_long_before_the_article_are_background(code_sentence, text, coded):
    assert bool(code_sentence(text, date="2005-02-10")) is coded


@pytest.mark.parametrize("text, modality", [
    # wishes, guesses, conditions and questions are no acts
    ("The Tories want the information commissioner to investigate Labour.", None),
    ("The UK would welcome migrants from Poland.", None),
    ("Hopefully Labour MPs will back the prime minister.", None),
    ("Critics asked how Britain would punish Iran.", None),
    ("The aim of UKIP is to withdraw Britain from the EU.", None),
    # announced, scheduled and reported future acts are planned
    ("The information commissioner will investigate the Labour Party.", "planned"),
    ("Labour MPs will back the prime minister.", "planned"),
    ("Britain said it would impose sanctions on Iran.", "planned"),
    ("Britain is to withdraw its troops from Iraq.", "planned"),
    ("The Red Cross chartered planes to deliver aid to Indonesia.", "planned"),  # a purpose
    ("Britain asked Iran to release the sailors.", "occurred"),  # the asking happened
])
def test_wishes_guesses_and_questions_are_not_plans(code_sentence, text, modality):
    events = code_sentence(text)
    assert (events[0].modality if events else None) == modality


@pytest.mark.parametrize("text, coded", [
    # firms named by their trade are no states, even with a country in the name
    ("Australian building products group James Hardie has agreed to pay $1bn to asbestos victims.", False),
    ("Scandal-hit jet fuel supplier China Aviation Oil has offered to repay its creditors.", False),
    ("They persuaded venture capitalists Sequoia Capital to fund Yahoo.", False),
    ("The Australian government agreed to pay compensation to the victims.", True),
    # force nouns about abstractions, markets and courts are metaphors
    ("The explosion in Xbox Live traffic should be seen as a clarion call, he said.", False),
    ("Voters were turned off by the battle of words between the politician and the journalist.", False),
    ("Mr Blunkett won the first round of a High Court battle with Mrs Quinn.", False),
    ("An explosion in a crowded market killed 12 people in Baghdad.", True),
    ("An explosion of a roadside bomb killed two soldiers near Kandahar.", True),
])
def test_firms_and_figures_of_speech_are_not_political_acts(code_sentence, text, coded):
    assert bool(code_sentence(text)) is coded


@pytest.mark.parametrize("text, coded", [
    # a participle that describes its noun inside a sentence with its own verb
    ("Mr Kennedy argued that British troops deployed in Iraq should be replaced.", False),
    ("Four US soldiers killed in combat in Afghanistan", True),  # a headline participle is the news
    # an opinion shared is no agreement
    ("Deputy Speaker Sylvia Heal agreed it was of concern.", False),
    ("Turkey and Russia agreed on a ceasefire in Idlib.", True),
    # fighting for an abstraction is a metaphor; fighting for a place is not
    ("He urged the party faithful to go out and fight for victory.", False),
    ("Rebels fought for control of Aleppo on Monday.", True),
])
def test_descriptions_opinions_and_causes_are_not_acts(code_sentence, text, coded):
    assert bool(code_sentence(text)) is coded


def test_what_is_discussed_is_no_party(code_sentence):
    events = code_sentence("The government had been negotiating the return of the detainees with Pakistan.")
    assert events and all("PAK" in (e.source_code, e.target_code) and "CVL" not in e.target_code for e in events)
    assert code_sentence("The government had been negotiating the return of the detainees since 2003.") == []


def test_regression_dashes_around_an_apposition_join_no_names(code_sentence):
    # "Poland - a large EU member - has requested": one requester, not Poland and the EU
    events = code_sentence("Poland - a large and therefore crucial EU member - has requested more time from the Commission.")
    assert {e.source_code for e in events} == {"POL"}


def test_regression_a_hyphenated_trade_names_one_firm(code_sentence):
    assert code_sentence("German-US car firm DaimlerChrysler agreed to buy a stake in Mitsubishi.") == []


@pytest.mark.parametrize("text, target", [
    # a named person the lexicons do not know, in a domestic dispute, is of that country
    ("The Lib Dems accused Mr Brown of ducking the issue of council tax rises.", "GBR"),
    # not in diplomacy, where the other party is as likely foreign
    ("Putin met Mr Smith in Moscow.", None),
    # institutions and bodies named in the lexicon
    ("The US has asked the World Trade Organisation to investigate EU customs tariffs.", "IGOWTO"),
    ("MPs have urged the BBC to give watchdogs more freedom.", "GBRMEDBBC"),
])
def test_targets_named_in_a_dispute(code_sentence, text, target):
    events = code_sentence(text, date="2005-01-10")
    assert events and events[0].target_code == target


@pytest.mark.parametrize("text", [
    "More than 150,000 people were killed by the Asian Tsunami.",
    "At least 20 people died when the train derailed after a collision near Leeds.",
    "The earthquake killed 300 people in Bam.",
    "The minister said about 440 Britons were dead or missing in the disaster.",  # victims of a country
    "Four people died when a high speed train derailed near Reading.",
])
def test_disaster_deaths_are_not_acts_of_force(code_sentence, text):
    assert code_sentence(text) == []


@pytest.mark.parametrize("text", [
    "In 1998 the party said it would not return to Blackpool but did so in 2002.",
    "Tony Blair offered his congratulations, as did Conservative leader Michael Howard.",
])
def test_regression_did_is_never_a_clipped_died(code_sentence, text):
    assert [e.plover_type for e in code_sentence(text)] in ([], ["SUPPORT"])


def test_regression_a_role_word_tagged_as_a_name_is_still_an_actor(code_sentence):
    (event,) = code_sentence("Rebels attacked the army base in Goma.")
    assert (event.source_code, event.target_code) == ("CODREB", "CODMIL")


@pytest.mark.parametrize("text, expected", [
    # a Title Case Headline has its common words lower-cased for the tagger
    ("Forces Kill Insurgents, Capture Terrorist", "forces kill insurgents, capture terrorist"),
    ("Rebel Forces Attack Army Battalion In North Darfur", "rebel forces attack army battalion in North Darfur"),
    # a sentence full of names is no headline, and a name is never a clipped common word
    ("Arab League Secretary General Chadli Klibi undertook mediation between Syria and the PLO.", None),
    ("Former US president Bill Clinton visited Aceh on Monday.", None),
])
def test_regression_title_case_is_read_from_the_common_words(coder, text, expected):
    from diurna.coding.parse import headline_case
    assert headline_case(text, coder.headline_words) == (expected or text)


# --- session 3: named events, court pleas, speech about, conditions, actors ---------------------

@pytest.mark.parametrize("text, coded", [
    # an actorless event noun that another act only names is a known event, not a new one
    ("Labour MPs voted to back the invasion of Grenada.", False),
    ("The general faces charges relating to the murder of three farmers.", False),
    ("The prime minister defended the invasion of Grenada in a speech.", False),
    # the same nouns under a verb of occurrence, of witness or of force are news
    ("The UN condemned the bombing of a hospital in Aleppo.", True),
    ("Thousands fled the fighting in Goma on Sunday.", True),
    ("One protester was taken to hospital after a violent clash in Kent.", True),
    ("Three soldiers were killed in an ambush near Kidal.", True),
])
def test_event_nouns_named_by_another_act_are_not_new_events(code_sentence, text, coded):
    assert any(e.plover_type == "ASSAULT" for e in code_sentence(text)) is coded


@pytest.mark.parametrize("false_alarm, real", [
    # a plea in court is no appeal to anyone
    ("The former mayor pleaded guilty to fraud on Monday.", "The mayor pleaded with the army to spare the town."),
    ("He said the eight activists would plead not guilty to the charges.", "Iraq's president appealed for the release of the hostages."),
    # talking of or about something, or talking something up, is no meeting
    ("EU officials were talking darkly of a clash of cultures.", "EU officials talked with Turkish ministers on Monday."),
    ("US officials were talking up the dollar.", "US officials talked with Chinese officials in Beijing."),
    # a heart attack is an illness
    ("The party's chairman died of a heart attack in April.", "Taliban gunmen killed the party's chairman in an attack in Kabul."),
])
def test_court_pleas_speech_about_and_illness_are_not_events(code_sentence, false_alarm, real):
    assert code_sentence(false_alarm) == [], false_alarm
    assert code_sentence(real), real


@pytest.mark.parametrize("text, modality", [
    # the copula carries an adjective trigger's negation and its condition
    ("The rebels are not prepared to negotiate a ceasefire.", None),  # negated, no one claims it
    ("The rebels are prepared to negotiate a ceasefire.", "occurred"),
    ("Only if its rights are respected will Serbia be willing to sign the treaty.", None),
    ("Serbia is willing to sign the treaty.", "occurred"),
])
def test_an_adjective_triggers_copula_carries_negation_and_condition(code_sentence, text, modality):
    events = [e for e in code_sentence(text) if e.cameo_code.startswith("03")]
    assert (events[0].modality if events else None) == modality


@pytest.mark.parametrize("text, source_code", [
    # a surname after another given name is another person
    ("Police Commissioner Sir Ian Blair backed the new powers.", "COP"),
    ("Prime Minister Tony Blair backed the new powers.", "GBRGOV"),
    # an office's last word names it; a shadow office is the opposition's
    ("Turkcell's chief operating officer met executives from Israeli firms.", None),
    ("Shadow Home Secretary David Davis accused the government of incompetence.", "PTY"),
    # roles take the group a modifier names
    ("Opposition politicians called on the Irish government to resign.", "IRLOPP"),
    ("The Trade Unions Congress called for a higher minimum wage.", "GBROPPTUC"),
    ("A Treasury spokesperson dismissed the claims.", "GOV"),
])
def test_offices_surnames_and_role_groups(code_sentence, text, source_code):
    events = code_sentence(text)
    assert (events[0].source_code if events else None) == source_code


def test_an_arrest_with_no_named_doer_is_a_state_act(code_sentence):
    events = code_sentence("The chief executive of a Chinese oil firm was arrested at Changi Airport by police.")
    assert [e.plover_type for e in events] == ["COERCE"]


def test_a_means_participle_takes_its_main_verbs_date(code_sentence):
    assert code_sentence("In 2000 lorry drivers caused chaos by blocking roads with convoys.", date="2005-02-10") == []
    assert code_sentence("On Monday lorry drivers caused chaos by blocking roads with convoys.", date="2005-02-10")


@pytest.mark.parametrize("text, coded", [
    # a question, a risk and the threat of an act assert no act
    ("Did Russian jets bomb the hospital in Idlib?", False),
    ("Russian jets bombed the hospital in Idlib.", True),
    ("Suspects may be deported without risk of them being tortured by police in Egypt.", False),
    ("Suspects were tortured by police in Egypt.", True),
    ("Voters tired of the sounds of battle between the two big parties.", False),
    ("The threat of attacks by militants in Kabul kept schools closed.", False),
    ("Attacks by militants in Kabul kept schools closed.", True),
])
def test_questions_risks_and_threats_of_acts_are_not_acts(code_sentence, text, coded):
    assert bool(code_sentence(text)) is coded


@pytest.mark.parametrize("text, source_code, target_code", [
    # the party asked in a passive request is its subject
    ("IMF boss Rodrigo Rato was asked by G7 ministers to carry out a study.", "IGOG8", "IGOIMF"),
    # a spokesman for a party speaks for it; an industry is a business party
    ("A spokesman for UKIP called on the government to quit the talks.", "GBRPTYUKIP", "GBRGOV"),
    ("The European Union called on the food industry to cut adverts for children.", "IGOEU", "BUS"),
    ("A US judge banned Gazprom from taking part in the auction.", "USAJUD", "RUSBUSGAZPROM"),
])
def test_requests_and_bans_name_their_parties(code_sentence, text, source_code, target_code):
    events = code_sentence(text, date="2005-01-20")
    assert [(e.source_code, e.target_code) for e in events][:1] == [(source_code, target_code)]


def test_an_articles_home_country_goes_to_its_institutions_and_unknown_politicians(code_sentence):
    article = ("The Liberal Democrats accused the Conservatives of hypocrisy over taxes on Monday. "
               "Labour also criticised the Tories. Environment Secretary Jane Doe rejected Mr Smith's comment "
               "on Tuesday. The government denied the claims made by the party.")
    got = {(e.trigger, e.source_code, e.target_code) for e in code_sentence(article, date="2005-02-10")}
    assert ("rejected", "GBRGOV", "GBR") in got and ("denied", "GBRGOV", "GBRPTY") in got
    # one sentence is no article: an institution keeps no country it does not name
    (event,) = code_sentence("The government denied the claims.", date="2005-02-10")
    assert event.source_code == "GOV"


def test_meeting_a_target_is_no_meeting(code_sentence):
    assert code_sentence("The report asks how far the EU has come towards meeting the Lisbon targets.") == []
    assert code_sentence("EU ministers met Portuguese officials in Lisbon on Monday.")


@pytest.mark.parametrize("paragraph, coded", [
    # a simple-past act with no date of its own continues the story of the year told before it
    ("The country's recession in 1998 ended in a default on its debts. Angry crowds took to the streets. "
     "Two presidents resigned in less than a month.", False),
    # the article's own time in between, or a year in a name, ends that story
    ("The country's recession in 1998 ended in a default on its debts. The IMF said on Monday it was "
     "pleased. Two ministers resigned in less than a month.", True),
    ("The Terrorism Act 2000 allows arrests without charge. Two ministers resigned in protest.", True),
])
def test_a_past_narrative_dates_the_acts_that_follow_it(code_sentence, paragraph, coded):
    assert any(e.cameo_code == "083" for e in code_sentence(paragraph, date="2005-02-10")) is coded


@pytest.mark.parametrize("text, target_code", [
    # what a preposition of circumstance governs is no party to the act
    ("The minister defended the plans despite opposition from the United States.", None),
    ("The minister defended the plans of the United States.", "USAGOV"),
])
def test_circumstances_name_no_target(code_sentence, text, target_code):
    events = code_sentence(text, date="2005-02-10")
    assert events and events[0].target_code == target_code


def test_a_national_adjective_owns_the_act_acted_on(code_sentence):
    # "blamed the peg for a surge in Chinese exports": whose exports the surge is of
    (event,) = code_sentence("The G7 blamed the peg for a surge in Chinese exports.", date="2005-02-10")
    assert (event.source_code, event.target_code) == ("IGOG8", "CHN")


# --- precision on ordinary news: what is not a new act (issue 7) ------------------------------

@pytest.mark.parametrize("text, coded", [
    # the past perfect tells what had happened before the story, unless reported or in a temporal clause
    ("Critics had accused the minister of corruption.", False),
    ("Critics accused the minister of corruption on Monday.", True),
    ("Police said the gunmen had attacked the village at dawn.", True),
    ("Troops arrived after rebels had attacked the village.", True),
    # an act that failed to happen is none; a failed negotiation is a rejection
    ("The government failed to recognise the ruling of the House of Lords.", False),
    ("Israelis and Palestinians failed to reach agreement on the fate of the offices on Sunday.", True),
    # appealing to voters attracts them; appealing for calm asks
    ("The party's policies appealed to all sides of the political spectrum.", False),
    ("The United Nations appealed for calm in Abidjan on Monday.", True),
    # a currency trades at a price
    ("The Indonesian rupiah bounced back to trade at 9,300.", False),
    # a lone force noun in quotation marks is someone's word for a thing
    ('The minister said there had been an "explosion" of quangos.', False),
    ("An explosion in Baghdad killed five people on Monday.", True),
    # what may happen, what others would like done and what is forecast are not acts
    ("The home secretary warned that a bombing could happen in the UK too.", False),
    ("A bombing happened in Madrid on Monday.", True),
    ("The public are reluctant for the state to fund political parties.", False),
    ("It is not enough for the military to investigate behind closed doors.", False),
    ("The bill is expected to be opposed by the Liberal Democrats.", False),
    ("The Liberal Democrats will oppose the bill.", True),
    # an adjective of intent names an act only through the act it names
    ("The administration was prepared to tackle the deficit.", False),
    ("France is ready to contribute up to 4,000 troops to the force in Liberia.", True),
    # talking to the public is no meeting of parties
    ("The prime minister said he would talk to as many people as possible during the campaign.", False),
    ("The prime minister held talks with Iraqi officials on Monday.", True),
])
def test_acts_that_did_not_newly_happen_are_not_coded(code_sentence, text, coded):
    assert bool(code_sentence(text, date="2005-02-10")) is coded


def test_death_counts_name_the_dead_not_a_doer(code_sentence):
    assert code_sentence("The drug may be linked to as many as 56,000 American deaths.", date="2005-02-10") == []
    assert not any(e.source_country == "USA" for e in code_sentence(
        "The bombing caused 12 American deaths in Baghdad on Monday.", date="2005-02-10"))


@pytest.mark.parametrize("text, target_code", [
    # words are not aimed at where they are said
    ("In the Commons, Tory frontbencher Andrew Tyrie demanded an immediate statement.", None),
    ("At their meeting in London, G7 finance ministers backed plans to write off debts.", None),
    # an agent adjective that describes a thing owns nothing: "radical reform", "official discussions"
    ("German Chancellor Gerhard Schroeder called for radical reform of the EU's stability pact.", "IGOEU"),
])
def test_targets_are_parties_not_venues_or_descriptions(code_sentence, text, target_code):
    events = code_sentence(text, date="2005-02-10")
    assert events and {e.target_code for e in events} == {target_code}


def test_an_object_pronoun_is_not_its_own_clauses_subject(code_sentence):
    (event,) = code_sentence("Many schools and local councils have also criticised them over privacy fears.", date="2005-02-10")
    assert event.target_code is None  # "them" is the phones, not the councils
    # and a ban needs someone banned: banning the phones is a rule
    assert code_sentence("Many schools and local councils have also banned them over privacy fears.", date="2005-02-10") == []
    assert code_sentence("A US judge banned Gazprom from taking part in the auction.", date="2005-02-10")
    events = code_sentence("Police arrested the protesters and beat them in Nairobi.", date="2005-02-10")
    assert [e.target_code for e in events if e.trigger == "beat"] == ["KENOPP"]


@pytest.mark.parametrize("text, coded", [
    # an act the text puts a year or more back is background, whatever the article's date
    ("MPs criticised the home secretary last year for introducing the rules.", False),
    ("MPs criticised the home secretary on Monday for introducing the rules.", True),
    ("Two years ago the Liberal Democrats called for a rise in income tax.", False),
    # a state that lasts a year or more is no act; days of fighting are
    ("Yukos has been battling the Russian authorities for more than a year.", False),
    ("Government troops have been fighting rebels in Darfur for three days.", True),
    # an obligation is no act
    ("The US is bound by law to help Taiwan defend itself.", False),
    # what an act ends already was: ending an embargo imposes none
    ("The minister defended plans to end the European Union's arms embargo on China.", True),  # the defending only
    # the toll of a past war is no new act
    ("Hundreds of thousands of people died in Angola's 30-year civil war, which ended in 2002.", False),
    ("Ten people died in clashes between police and rebels in Luanda on Monday.", True),
])
def test_background_states_and_obligations_are_not_acts(code_sentence, text, coded):
    events = code_sentence(text, date="2005-02-10")
    assert bool(events) is coded
    assert not any(e.cameo_code == "163" for e in events)


def test_a_duration_is_no_date_and_scheduled_talks_are_planned(code_sentence):
    (event, *_) = code_sentence("Government troops have been fighting rebels in Darfur for three days.", date="2005-02-10")
    assert event.date_precision == "article"  # "for three days" says how long, not when
    events = code_sentence("Talks between Iran and the EU are scheduled for Monday.", date="2005-02-10")
    assert events and all(e.modality == "planned" and e.event_date.isoformat() == "2005-02-14" for e in events)


@pytest.mark.parametrize("section, url, coded", [
    # an article its input files under sport or entertainment is a sport or culture piece:
    # only armed actors make an event there ("MPs have urged the BBC" in a review is kept out)
    ("entertainment", None, False),
    (None, "https://www.example.com/sport/athletics/123", False),
    ("politics", "https://www.example.com/news/politics/123", True),
    (None, None, True),
])
def test_a_sport_or_culture_section_needs_armed_actors(coder, section, url, coded):
    import datetime as dt

    from diurna.records import Article
    text = "MPs have urged the BBC to give watchdogs more freedom to scrutinise how licence fee money is spent."
    article = Article(record_id="t", date=dt.date(2005, 2, 10), content=text, origin="test", url=url,
                      extra={"section": section} if section else {})
    (coded_article,) = list(coder.code([article]))
    assert bool(coded_article.events) is coded


@pytest.mark.parametrize("text, coded", [
    # "would then" is a consequence, not an announced act
    ("He said that the parliament would then reject the Council's version of the law.", False),
    ("He said that the parliament would reject the Council's version of the law.", True),
    # what keeps happening to people with no doer named is no dated act
    ("Many people are getting injured in the villages because of that.", False),
    ("Five soldiers were killed in Kandahar on Monday.", True),
    # a domain word that only names a section does not make a sentence a sport piece
    ("A group of MPs and peers has called for a tightening of the rules on betting on sport.", True),
])
def test_consequences_and_ongoing_harm_are_not_acts(code_sentence, text, coded):
    assert bool(code_sentence(text, date="2005-02-10")) is coded


def test_paying_compensation_returns_property_and_within_is_no_date(code_sentence):
    (event,) = code_sentence("Uganda said on Sunday it had paid compensation to 67 elderly British nationals.", date="2005-02-10")
    assert (event.plover_type, event.source_code) == ("RETREAT", "UGA")
    (event,) = code_sentence("Mr Bush has promised to halve the budget deficit within five years.", date="2005-02-10")
    assert (event.cameo_code, event.date_precision) == ("030", "article")  # "within five years" is no date


@pytest.mark.parametrize("text, source_code, target_code", [
    # a role takes the sector of the group it comes from; a place that owns it gives the country
    ("The latest delegation from the CBI met SEC officials on Wednesday.", "GBRBUSCBI", "USAGOVSEC"),
    ("New York's top law officer launched an inquiry into the insurers on Monday.", "USACOP", None),
    # actors named as from abroad do not take the place of the state they face
    ("European leaders have openly blamed the US for the sharp rise of the euro.", "GOV", "USA"),
    # a former official of an international body is no longer the body
    ("Israel has asked a former International Monetary Fund director to run its central bank.", "ISR", "ELI"),
    # a titled name is a person even where the tagger took it for a place
    ("A spokesman for UKIP called on Mr Hockney to quit the London Assembly.", "GBRPTYUKIP", "GBR"),
    # a visit's party is the country of the place visited, however small
    ("Foreign Secretary Jack Straw will visit Auschwitz for the anniversary.", "GBRGOV", "POL"),
    # two parties negotiating are the parties; what they negotiate on is the topic
    ("Israel and Lebanon renewed negotiations today on an Israeli troop pullback.", "ISR", "LBN"),
])
def test_actors_from_roles_owners_and_visits(code_sentence, text, source_code, target_code):
    events = code_sentence(text, date="2005-02-10")
    assert (source_code, target_code) in {(e.source_code, e.target_code) for e in events}
    assert all(e.target_code != "IGOIMF" and e.source_code != "USAGOV" for e in events)


@pytest.mark.parametrize("text, code", [
    ("Labour have refused to discuss his exact new position.", None),  # no comment
    ("The chancellor once again refused to deny the claim.", None),
    ("Iran refused to discuss the issue with the EU.", "125"),
    ("Tory peer Lord Tebbit said he agreed with Dr Fox's view.", None),  # an opinion shared
    ("Labour's poster plans were recently withdrawn from the party's website.", None),
    ("Another senior economic adviser called the sale \"the swindle of the century\".", None),  # naming, no appeal
    ("Tory leader Michael Howard went on the offensive over comments Mr Blunkett made.", "111"),  # verbal
    ("The Lib Dems have pledged to oppose the bill when it is debated next Monday.", "120"),  # opposition, no threat
])
def test_word_senses_of_refusals_agreements_and_pledges(code_sentence, text, code):
    assert [e.cameo_code for e in code_sentence(text, date="2005-02-10")][:1] == ([code] if code else [])


@pytest.mark.parametrize("text, coded", [
    # an earlier holder's acts are history
    ("A previous Labour chancellor resigned after he leaked the Budget.", False),
    ("The Labour chancellor resigned on Monday after he leaked the Budget.", True),
    # the means of an act done in the past shares its time
    ("The party won votes in the past by calling for lower taxes.", False),
    # a bare verb shares the generic present of its conjunct, in an article body
    ("The minister spoke on Monday. He said the rally went well. Reporters asked him about it. "
     "Labour says the Lib Dems are soft on crime, support higher taxes and oppose controls.", False),
    # a verbal act "already" done is known before the news; an act of force so told is still reported
    ("The European Parliament has already clashed with the European Union on the issue.", False),
    ("The European Parliament clashed with the European Union on the issue on Monday.", True),
    ("Fighting has already killed 12 people in Darfur.", True),
    # praise by investors is a market's reaction; their lobbying is political
    ("Analysts and investors have welcomed the government decision.", False),
    ("Business leaders urged the government to cut taxes.", True),
    # paying for a policy is no aid
    ("The Tories said they would fund the cuts by removing inefficiencies.", False),
    ("The EU funded the rebels in Darfur on Monday.", True),
])
def test_earlier_holders_means_and_reactions(code_sentence, text, coded):
    events = code_sentence(text, date="2005-02-10")
    assert bool([e for e in events if e.cameo_root not in ("01",)]) is coded, [(e.trigger, e.cameo_code) for e in events]


def test_an_act_dated_more_than_a_year_back_is_background(code_sentence):
    # a month or a day more than a year before the article; a bare year keeps two
    assert code_sentence("British soldiers shot four Iraqi civilians in May 2003.", date="2005-02-10") == []
    (event,) = code_sentence("British soldiers shot four Iraqi civilians in May 2004.", date="2005-02-10")
    assert event.place_name != "May"  # a month is no place


def test_an_organisation_is_no_place(code_sentence):
    (event,) = code_sentence("Israel launched an attack on Hamas in Gaza.", date="2005-02-10")
    assert (event.target_org, event.place_country) == ("HMS", "PSE")  # not the German town of Hamm


@pytest.mark.parametrize("text, force", [
    # acts under a rule the lexicon knows ended are history
    ("More than 3,000 people were killed for political reasons under Gen Pinochet's regime, a report says.", False),
    ("Thousands were killed under Vladimir Putin's rule, a report says.", True),
    # a verb parsed with another verb as its auxiliary is a misparse ("helps" is no auxiliary)
    ("The bank will put money in a fund to be run by a Madrid charity, the Garcia Foundation, which helps abused children.", False),
    # what is conjoined to a named past event under one preposition is named too
    ("Republicans blamed the deficit on the economy after the 11 September attacks and military operations in Iraq.", False),
    # the police of a crime story are no sign of conflict
    ("Police investigating the Stefan's murder dismissed its influence.", False),
])
def test_past_rule_misparses_and_crime_are_no_force(code_sentence, text, force):
    events = code_sentence(text, date="2005-02-10")
    assert bool([e for e in events if e.cameo_root in ("18", "19", "20")]) is force


def test_an_articles_named_countries_make_its_home(code_sentence):
    # the text names Britain three times: its unknown politicians and bare institutions are British
    article = ("Britain's economy grew last year. The British government said London was pleased. "
               "Environment Secretary Jane Doe rejected Mr Smith's comment on Monday.")
    (event,) = code_sentence(article, date="2005-02-10")
    assert (event.source_code, event.target_code) == ("GBRGOV", "GBR")
    # people named as coming from abroad stay out of it
    article = ("The US economy grew. The US dollar rose. The US trade gap widened. "
               "Ministers from European and Asian governments called on the US to strengthen the dollar.")
    (event,) = code_sentence(article, date="2005-02-10")
    assert (event.source_code, event.target_code) == ("GOV", "USA")


def test_an_arrangement_in_the_present_progressive_is_planned(code_sentence):
    events = code_sentence("The government is holding a further meeting on Friday with industry and retail representatives.",
                           date="2005-02-10")
    assert {(e.modality, e.event_date.isoformat()) for e in events} == {("planned", "2005-02-11")}
    assert {e.target_code for e in events} == {"BUS", "GOV"}  # "industry and retail representatives" are business


@pytest.mark.parametrize("text, coded", [
    # an existential reports what it says there was; "no fighting" is none
    ("There was heavy fighting in more than three districts in Panjshir last night.", True),
    ("There was no fighting in Kabul.", False),
    # force against an act of force is concrete: "repulsed another assault"; against inflation it is a metaphor
    ("Ukrainian defenders repulsed another assault near Marinka.", True),
    ("The bank fought inflation.", False),
])
def test_existentials_and_repelled_attacks(code_sentence, text, coded):
    assert bool(code_sentence(text, date="2020-03-05")) is coded


def test_police_raids_are_law_enforcement_and_a_victims_kin_tell_their_past(code_sentence):
    (event,) = code_sentence("Last week Finnish police raided a file-sharing site based in the country.", date="2005-02-10")
    assert (event.cameo_code, event.plover_type) == ("170", "COERCE")
    (event,) = code_sentence("Israeli troops raided a Hamas office in Gaza.", date="2005-02-10")
    assert event.plover_type == "ASSAULT"
    assert code_sentence("The family of an Iraqi civilian allegedly killed by UK troops have won a challenge.",
                         date="2005-02-10") == []
    assert code_sentence("The bodies of 12 soldiers killed in the ambush were recovered in Kandahar on Monday.",
                         date="2005-02-10")


def test_victims_counted_in_words_are_a_sign_of_conflict(code_sentence):
    # three or more victims make agentless deaths conflict, whether counted in digits or words
    assert code_sentence("A commander and an activist were among eight killed in Kashmir.", date="2002-01-10")
    assert code_sentence("A commander and an activist were among 8 killed in Kashmir.", date="2002-01-10")
