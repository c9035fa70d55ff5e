"""Lexicon breadth: one wire-style sentence per CAMEO code family the trigger lexicon covers,
each coded with its expected code, and a report of how many trigger rows these sentences use.

The report is a ratchet: `MIN_ROWS_EXERCISED` rises as sentences are added for more rows.
"""
from __future__ import annotations

import pytest

from diurna.coding.extract import extract

SENTENCES = [
    ("Rebels claimed responsibility for the attack on the convoy.", "015"),
    ("The government denied any involvement in the killings.", "016"),
    ("The president urged the rebels to lay down their arms.", "020"),
    ("Lebanon appealed to the United Nations for help.", "020"),
    ("Jordan pledged to support the new Iraqi government.", "032"),  # intent to cooperate diplomatically
    ("Iran offered aid to the earthquake victims in Turkey.", "033"),
    ("The rebels accepted the peace proposal on Sunday.", "030"),
    ("The Sudanese government accepted the demands of the protesters.", "083"),
    ("Russian President Vladimir Putin met his Turkish counterpart in Sochi.", "040"),
    ("The Iranian foreign minister visited Baghdad on Monday.", "042"),
    ("Qatar hosted talks between the Taliban and Afghan officials.", "043"),
    ("Sudan and South Sudan negotiated a new border deal.", "046"),
    ("Norway mediated between the government and the rebels.", "045"),
    ("Israel and Jordan signed a peace treaty on Monday.", "057"),
    ("The European Union praised the Ukrainian government for the reforms.", "051"),
    ("Sweden recognised the State of Palestine on Thursday.", "054"),
    ("Sri Lanka established diplomatic ties with Iran.", "050"),
    ("Indian and US troops held joint exercises in Rajasthan.", "062"),
    ("Germany extradited the suspect to France.", "063"),
    ("Britain sent humanitarian aid to Yemen.", "073"),
    ("The United States provided weapons to Ukraine.", "072"),
    ("Canada granted asylum to the Saudi woman.", "075"),
    ("The rebels released 20 hostages on Friday.", "0841"),
    ("Russia withdrew its troops from the Kherson region.", "0874"),
    ("The United States lifted sanctions on Sudan.", "085"),
    ("The government eased the curfew in Kashmir.", "081"),
    ("The prime minister resigned after the protests.", "083"),
    ("Police investigated the killing of the journalist.", "090"),
    ("The opposition demanded the resignation of the president.", "100"),
    ("Amnesty International condemned the executions in Iran.", "111"),
    ("China accused the United States of interference.", "112"),
    ("The court convicted the former minister of corruption.", "116"),
    ("Israel rejected the Egyptian proposal.", "120"),
    ("Russia vetoed the Security Council resolution.", "129"),
    ("North Korea threatened to attack South Korea.", "138"),
    ("Thousands of protesters demonstrated in Caracas against the government.", "141"),
    ("Doctors went on a nationwide strike across Kenya on Monday.", "143"),
    ("Protesters blocked the main highway to the capital.", "144"),
    ("Youths rioted in the suburbs of Paris for a third night.", "145"),
    ("Russia deployed thousands of troops to the border.", "154"),
    ("Australia expelled the Russian ambassador.", "161"),
    ("The United States imposed sanctions on Iran.", "163"),
    ("Police arrested 12 opposition activists in Minsk.", "173"),
    ("Britain deported dozens of migrants to Albania.", "174"),
    ("Rebels seized the town of Goma.", "192"),
    ("Authorities imposed a curfew on the capital.", "172"),
    ("Police cracked down on protesters in Tehran.", "175"),
    ("Gunmen kidnapped 30 students in Zamfara.", "181"),
    ("Police beat protesters in the capital Bamako.", "182"),
    ("A suicide bombing killed 15 people in Kabul.", "1831"),
    ("Gunmen assassinated the provincial governor.", "186"),
    ("Syrian forces attacked rebel positions near Aleppo.", "190"),
    ("Government forces shelled the town of Douma.", "194"),
    ("Israeli jets bombed targets in Gaza.", "195"),
    ("Police fired on protesters in Lagos.", "193"),
    ("The rebels violated the ceasefire in Donetsk.", "196"),
    ("Militias massacred dozens of villagers in Ituri.", "202"),
]


@pytest.mark.parametrize("text, code", SENTENCES)
def test_sentence_gets_its_code(code_sentence, text, code):
    events = code_sentence(text)
    assert code in {e.cameo_code for e in events}, [(e.trigger, e.cameo_code) for e in events]


MIN_ROWS_EXERCISED = 59


def test_trigger_row_coverage_report(coder, capsys):
    """How many trigger rows the sentences above fire, per CAMEO root."""
    lexicon = coder.lexicon
    rows = {(s.lemma, s.pos, s.code) for senses in lexicon.triggers.values() for s in senses if s.code != "-"}
    fired = set()
    for text, _ in SENTENCES:
        doc = coder.parser.nlp(text)
        fired |= {(m.sense.lemma, m.sense.pos, m.sense.code) for m in extract(doc, lexicon)} & rows
    codes = {code for _, _, code in rows}
    with capsys.disabled():
        print(f"\ntrigger rows: {len(rows)}; exercised by these sentences: {len(fired)} ({len(fired) / len(rows):.0%}); "
              f"CAMEO codes reachable from the lexicon: {len(codes)}")
    assert len(fired) >= MIN_ROWS_EXERCISED
