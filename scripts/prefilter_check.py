"""Check that the prefilter (NER on event sentences only) codes the same events as a full parse.

Codes a corpus twice, with `Coder(full_parse=True)` and with the default prefilter, and
prints how many events each found, how many are identical field for field, and every
difference. Exit status 1 when they differ.
Usage: python scripts/prefilter_check.py CORPUS [--limit N]
"""
from __future__ import annotations

import argparse
import itertools
import sys
import time

from diurna.coding.parse import ParserSettings
from diurna.ingest.read import read_paths
from diurna.pipeline import Coder
from diurna.records import Article


def coded_events(coder: Coder, articles: list[Article]) -> dict[str, dict]:
    return {e.event_id: e.model_dump() for coded in coder.code(articles) for e in coded.events}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", nargs="+")
    parser.add_argument("--limit", type=int)
    args = parser.parse_args()
    articles = [r for r in itertools.islice(read_paths(args.corpus), args.limit) if isinstance(r, Article)]
    full_coder = Coder(ParserSettings(full_parse=True))
    fast_coder = Coder(lexicon=full_coder.lexicon, gazetteer=full_coder.gazetteer)
    t0 = time.perf_counter()
    full = coded_events(full_coder, articles)
    t1 = time.perf_counter()
    fast = coded_events(fast_coder, articles)
    t2 = time.perf_counter()
    same = sum(1 for k, v in full.items() if fast.get(k) == v)
    print(f"{len(articles)} articles: full parse {len(full)} events in {t1 - t0:.1f} s, "
          f"prefilter {len(fast)} events in {t2 - t1:.1f} s, identical {same} ({100 * same / max(1, len(full)):.2f}%)")
    for key in sorted(set(full) | set(fast)):
        if full.get(key) != fast.get(key):
            a, b = full.get(key) or {}, fast.get(key) or {}
            diff = {f: (a.get(f), b.get(f)) for f in set(a) | set(b) if a.get(f) != b.get(f)}
            print(f"  {key}: {'only full' if not b else 'only prefilter' if not a else diff}  "
                  f"{(a or b).get('sentence', '')[:160]!r}")
    return 0 if same == len(full) == len(fast) else 1


if __name__ == "__main__":
    sys.exit(main())
