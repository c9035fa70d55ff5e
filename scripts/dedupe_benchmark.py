"""Benchmark of the story stage (MinHash LSH kept in DuckDB) on synthetic near-duplicates.

Builds N articles: N/5 distinct texts of ~400 words drawn (seeded) from the sample article's
vocabulary, each carried five times with the changes syndication makes (a paragraph dropped, a
sentence added, words changed). Assigns each to a story as `Store.add_batch` does, 1,000 articles
per transaction, and prints time per article, the stories found, the size of the index tables
and peak memory.
Usage: python scripts/dedupe_benchmark.py [--articles 10000] [--db PATH]
"""
from __future__ import annotations

import argparse
import random
import re
import resource
import sys
import tempfile
import time
from pathlib import Path

from diurna.dedupe.articles import STORIES
from diurna.ingest.read import read_paths
from diurna.store import Store

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "idlib_ceasefire_2020-03-05.jsonl"
COPIES = 5


def variants(n: int, seed: int = 20261125) -> list[tuple[str, int]]:
    """(text, story number) pairs: n // COPIES stories, each in COPIES near-copies."""
    (article,) = read_paths([SAMPLE])
    vocabulary = sorted(set(re.findall(r"[A-Za-z]+", article.content)))
    rng = random.Random(seed)
    out = []
    for story in range(n // COPIES):
        paragraphs = [" ".join(rng.choices(vocabulary, k=80)) + "." for _ in range(5)]
        for copy in range(COPIES):
            kept = list(paragraphs)
            if copy % 2:
                del kept[rng.randrange(len(kept))]  # a paragraph trimmed
            if copy % 3 == 2:
                kept.append(f"This story was republished by outlet {copy}.")  # a line added
            words = "\n\n".join(kept).split(" ")
            for _ in range(copy):  # a few words changed
                words[rng.randrange(len(words))] = rng.choice(vocabulary)
            out.append((" ".join(words), story))
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--db", help="keep the database here (default: a temporary one)")
    args = parser.parse_args()
    corpus = variants(args.articles)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(args.db or Path(tmp) / "stories.duckdb")
        start = time.perf_counter()
        assigned: dict[str, int] = {}  # article -> the true story of its story's first article
        story_ids: set[str] = set()
        with Store(db) as store:
            for first in range(0, len(corpus), 1000):
                with store._transaction():
                    chunk = [(f"a{n:016x}", STORIES.fingerprint(text))  # (workers compute these in an ingest)
                             for n, (text, _) in enumerate(corpus[first:first + 1000], start=first)]
                    for (article_id, _), story in zip(chunk, store._file_stories(chunk)):
                        assigned[article_id] = corpus[int(story[1:], 16)][1]
                        story_ids.add(story)
                done = first + 1000
                if done % 10_000 == 0:
                    print(f"{done:>8,} articles  {1000 * (time.perf_counter() - start) / done:6.2f} ms per article",
                          file=sys.stderr)
            elapsed = time.perf_counter() - start
            bands, signatures = (store._rows(f"SELECT count(*) FROM {t}", [])[0][0] for t in ("story_bands", "story_signatures"))
        size = db.stat().st_size
    truth = {n: story for n, (_, story) in enumerate(corpus)}
    right = sum(assigned[f"a{n:016x}"] == story for n, story in truth.items())
    stories_found = len(story_ids)
    print(f"articles              {len(corpus):,} ({len(corpus) // COPIES:,} stories of {COPIES} near-copies)")
    print(f"time per article      {1000 * elapsed / len(corpus):.2f} ms (fingerprint, lookup, insert)")
    print(f"in their true story   {right:,} of {len(corpus):,}; stories found {stories_found:,}")
    print(f"index rows            {bands:,} band keys, {signatures:,} signatures")
    print(f"database file         {size / 2**20:.1f} MB ({size / len(corpus) * 10_000 / 2**20:.1f} MB per 10k articles)")
    print(f"peak RSS              {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
