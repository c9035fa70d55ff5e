"""Place, toll and date finders run directly over gold headlines, whether or not an event is coded.

    .venv/bin/python scripts/finder_figures.py ../shared/eval/dev.jsonl [--source ucdp_ged] [--show]

For every item of the source: the place the sentence offers (where.py over the whole sentence,
the root word standing in for a trigger, resolved with the countries the text names), the toll
nearest the root (deaths.py), and the date (dates.py, else the publication date). Prints how
many items get coordinates, the right country, a point within 25/100 km of the gold, a death
toll containing the gold best estimate, and the date exact / within one day.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path

from diurna.evaluate.gold import _km
from diurna.pipeline import Coder, _finest
from diurna.resolve.dates import DateMentions
from diurna.resolve.deaths import toll_for, tolls
from diurna.resolve.where import RANK_DEMONYM, place_mentions


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("gold")
    parser.add_argument("--source", default="ucdp_ged")
    parser.add_argument("--show", action="store_true", help="print each item's finding")
    args = parser.parse_args()
    coder = Coder()
    rows = [json.loads(line) for line in Path(args.gold).open(encoding="utf-8") if line.strip()]
    rows = [r for r in rows if r.get("source_dataset") == args.source]
    tally = dict(items=0, scorable=0, given=0, country_scored=0, country=0, km25=0, km100=0, deaths_scored=0,
                 toll_stated=0, deaths_in=0, deaths_absent=0, invented=0, dates=0, date_exact=0, date_1d=0)
    for row in rows:
        published = dt.date.fromisoformat(row["date"][:10])
        doc = coder.parser.nlp(" ".join(row["text"].split()))
        gold = row["events"][0]
        tally["items"] += 1
        candidates, found_tolls, when = [], [], None
        dates = DateMentions(doc)
        for sentence in doc.sents:
            root = sentence.root
            candidates += place_mentions(doc, root.i, (), coder.lexicon)
            found_tolls += [(root, t) for t in tolls(sentence)]
            if when is None:
                for text in dates.within(root):
                    when = when or coder.dates.resolve(text, published, False)
        countries = [m.country for m in candidates if m.country]
        resolved = [(m, coder.gazetteer.country(m.country) if m.country else coder.gazetteer.resolve_phrase(m.text, countries))
                    for m in candidates]
        strong = [(m, p) for m, p in resolved if p is not None and m.rank < RANK_DEMONYM]
        countries += [p.country for _, p in strong]
        strong = [(m, coder.gazetteer.resolve_phrase(m.text, countries)) for m, _ in strong]
        pick = _finest([(m, p) for m, p in strong if p is not None]) or next(((m, p) for m, p in resolved if p is not None), None)
        place = pick[1] if pick else None
        if gold.get("geo_scorable") and gold.get("lat") is not None:
            tally["scorable"] += 1
            if place is not None and place.latitude is not None:
                tally["given"] += 1
                km = _km(place.latitude, place.longitude, gold["lat"], gold["lon"])
                tally["km25"] += km <= 25
                tally["km100"] += km <= 100
            if gold.get("country"):
                tally["country_scored"] += 1
                tally["country"] += place is not None and place.country == gold["country"]
        deaths = None
        if found_tolls:
            root = found_tolls[0][0]
            deaths, _ = toll_for(root, [t for _, t in found_tolls])
        best = gold.get("fatalities")
        if best is not None and best > 0:
            tally["deaths_scored"] += 1
            tally["toll_stated"] += deaths is not None
            tally["deaths_in"] += deaths is not None and (deaths.low is None or deaths.low <= best) and (
                deaths.high is None or best <= deaths.high)
        elif best == 0:
            tally["deaths_absent"] += 1
            tally["invented"] += deaths is not None and (deaths.low or 0) > 0
        if gold.get("event_date") and str(gold.get("date_precision") or 1) == "1":
            tally["dates"] += 1
            day = when.date if when else published
            gap = abs((day - dt.date.fromisoformat(gold["event_date"][:10])).days)
            tally["date_exact"] += gap == 0
            tally["date_1d"] += gap <= 1
        if args.show:
            print(f"{row['text'][:90]!r}\n   place {place.name if place else None} {place.kind if place else ''} "
                  f"({pick[0].text if pick else ''}) gold {gold.get('place_name')} | deaths "
                  f"{(deaths.low, deaths.high) if deaths else None} gold {best} | date {when.date if when else published} "
                  f"gold {gold.get('event_date')}")
    pct = lambda a, b: f"{tally[a]}/{tally[b]} = {tally[a] / tally[b]:.1%}" if tally[b] else "-"  # noqa: E731
    print(f"items {tally['items']}")
    print(f"coordinates given (scorable gold place)  {pct('given', 'scorable')}")
    print(f"country right                            {pct('country', 'country_scored')}")
    print(f"within 100 km                            {pct('km100', 'scorable')}")
    print(f"within 25 km                             {pct('km25', 'scorable')}")
    print(f"toll stated (gold deaths > 0)            {pct('toll_stated', 'deaths_scored')}")
    print(f"gold deaths inside the toll              {pct('deaths_in', 'deaths_scored')}")
    print(f"deaths invented (gold 0)                 {pct('invented', 'deaths_absent')}")
    print(f"date exact / within 1 day                {pct('date_exact', 'dates')} / {pct('date_1d', 'dates')}")


if __name__ == "__main__":
    main()
