"""The lexicon files are consistent and cover what the README promises."""
from __future__ import annotations

import pycountry

from diurna.coding.lexicon import load_lexicon, name_key


def test_every_cameo_root_has_triggers():
    lexicon = load_lexicon()
    roots = {s.code[:2] for senses in lexicon.triggers.values() for s in senses if s.code != "-"}
    assert roots == {f"{n:02d}" for n in range(1, 21)}


def test_quad_classes_and_goldstein_facts():
    cameo = load_lexicon().cameo
    assert (cameo["057"].quad_class, cameo["057"].goldstein) == (1, 8.0)
    assert (cameo["062"].quad_class, cameo["0871"].quad_class) == (2, 2)
    assert (cameo["112"].quad_class, cameo["112"].goldstein) == (3, -2.0)
    assert (cameo["190"].quad_class, cameo["190"].goldstein) == (4, -10.0)
    assert cameo["0874"].goldstein == 10.0


def test_country_codes_are_iso3():
    lexicon = load_lexicon()
    codes = {e.iso3 for entries in lexicon.names.values() for e in entries if hasattr(e, "iso3")}
    unknown = {c for c in codes if pycountry.countries.get(alpha_3=c) is None}
    assert unknown == {"XKX"}  # Kosovo's user-assigned code, as GeoNames and most event data use


def test_acronyms_match_case_sensitively():
    lexicon = load_lexicon()
    assert lexicon.lookup_name(("US",)) and not lexicon.lookup_name(("us",))
    assert lexicon.lookup_name(("IS",)) and not lexicon.lookup_name(("is",))
    assert lexicon.lookup_name(("WHO",)) and not lexicon.lookup_name(("who",))
    assert lexicon.lookup_name(name_key("Recep Tayyip Erdogan"))[0].country == "TUR"


def test_no_surface_form_names_two_countries():
    lexicon = load_lexicon()
    clashes = {key: {e.iso3 for e in entries if hasattr(e, "iso3")} for key, entries in lexicon.names.items()}
    assert {k: v for k, v in clashes.items() if len(v) > 1} == {}
