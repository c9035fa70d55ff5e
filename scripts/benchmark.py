"""Benchmark: throughput and peak memory of coding a corpus, stage by stage.

Builds a corpus by repeating the bundled sample article (each copy with its own id), codes it,
and prints words/second for the whole pipeline and for spaCy alone, plus peak RSS.
Usage: python scripts/benchmark.py [--copies 200] [--n-process 2] [--batch-size 64] [--db PATH]
"""
from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from diurna.ingest.clean import clean
from diurna.coding.parse import ParserSettings
from diurna.pipeline import Coder
from diurna.resolve.places import Gazetteer
from diurna.ingest.read import read_paths

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "idlib_ceasefire_2020-03-05.jsonl"


def _time_calls(obj: object, method: str) -> list[list[float]]:
    """Wrap obj.method so that the time spent in it accumulates in the returned cell."""
    spent = [0.0]
    original = getattr(obj, method)

    def timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - start

    setattr(obj, method, timed)
    return [spent]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=200)
    parser.add_argument("--n-process", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--db", help="also store into this DuckDB file (default: a temporary one)")
    args = parser.parse_args()

    (article,) = read_paths([SAMPLE])
    corpus = [article.model_copy(update={"record_id": f"copy-{n}", "content": article.content + f" [{n}]"})
              for n in range(args.copies)]
    words = sum(len(a.content.split()) for a in corpus)
    print(f"corpus: {len(corpus)} articles, {words:,} words", file=sys.stderr)

    t0 = time.perf_counter()
    gazetteer = Gazetteer.load()  # cached index (built on first use)
    gazetteer_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    coder = Coder(ParserSettings(batch_size=args.batch_size, n_process=args.n_process), gazetteer=gazetteer)
    load_s = time.perf_counter() - t0
    where_when = _time_calls(coder.gazetteer, "resolve_phrase") + _time_calls(coder.dates, "resolve")

    t0 = time.perf_counter()
    texts = [(p.text, None) for a in corpus for p in clean(a).paragraphs]
    clean_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _ in coder.parser.parse(texts, n_items=len(texts)):
        pass
    parse_s = time.perf_counter() - t0

    from diurna.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or str(Path(tmp) / "bench.duckdb")
        t0 = time.perf_counter()
        n_events = 0
        with Store(db) as store:
            for coded in coder.code(corpus):
                store.add(coded)
                n_events += len(coded.events)
        total_s = time.perf_counter() - t0

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    resolve_s = sum(timer[0] for timer in where_when)
    print(f"gazetteer index load  {gazetteer_s:8.2f} s")
    print(f"model load            {load_s:8.2f} s")
    print(f"clean                 {clean_s:8.2f} s  ({words / clean_s:,.0f} words/s)")
    print(f"spaCy parse only      {parse_s:8.2f} s  ({words / parse_s:,.0f} words/s, n_process={args.n_process}, batch={args.batch_size})")
    print(f"full pipeline+store   {total_s:8.2f} s  ({words / total_s:,.0f} words/s, {len(corpus) / total_s:.1f} articles/s)")
    print(f"places + dates        {resolve_s:8.2f} s  ({100 * resolve_s / total_s:.1f}% of the pipeline, "
          f"{1000 * resolve_s / len(corpus):.1f} ms per article)")
    print(f"events                {n_events} ({n_events // len(corpus)} per article)")
    print(f"peak RSS              {peak_mb:8.0f} MB main process, {children_mb:.0f} MB largest worker")
    return 0


if __name__ == "__main__":
    sys.exit(main())
