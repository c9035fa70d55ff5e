"""Benchmark: throughput, time per stage and peak memory of `diurna ingest`, next to spaCy alone
measured in the same run (as installed, and multiplying with numpy's BLAS as diurna does), with 1
and 2 processes, and optionally on a Dask LocalCluster.

Corpus: the paths given, else ../shared/bench/bbc-1000.jsonl when present, else copies of the
bundled sample (`--copies`). Prints articles/s, words/s, ms/article per stage, peak RSS of
every process (the sum over all processes, sampled every second), the ratio of ingest to spaCy's
full pipeline, per-partition times on Dask and the writer's share of them.
Usage: python scripts/benchmark.py [CORPUS ...] [--processes 1,2] [--dask 1,2] [--limit N]
"""
from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import multiprocessing
import itertools
import os
import resource
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from diurna import jobs
from diurna.coding import prefilter
from diurna.coding.parse import ParserSettings, load_model, multiply_with_numpy
from diurna.dedupe.articles import STORIES
from diurna.ingest.clean import clean
from diurna.ingest.read import read_paths
from diurna.records import Article
from diurna.scale.workers import CoderPool, InProcess
from diurna.store import Store

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "idlib_ceasefire_2020-03-05.jsonl"
BENCH = ROOT.parent / "shared" / "bench" / "bbc-1000.jsonl"


class MemoryWatch:
    """Peak memory of this process and all its descendants, sampled in a thread: RSS per
    process, and the peak of the summed PSS (shared pages split between the processes that
    share them, so forked workers are not counted twice). Reading PSS of three processes costs
    ~20 ms of CPU each time (`cpu_seconds`; the main process's CPU figure includes it): sampled
    four times a second it took ~9% of a core from the workers, so once a second (the peaks are
    plateaus: the model and batches in flight)."""

    def __init__(self, interval: float = 1.0):
        self.interval = interval
        self.peak_total = 0
        self.peak_by_process: dict[str, int] = {}
        self.cpu_seconds = 0.0  # spent sampling, by the sampling thread
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            started = time.thread_time()
            total = 0
            for process in [me, *me.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    info = process.memory_full_info()
                    rss = info.rss
                    total += info.pss
                    name = "main" if process.pid == me.pid else f"worker {process.pid}"
                    self.peak_by_process[name] = max(self.peak_by_process.get(name, 0), rss)
            self.peak_total = max(self.peak_total, total)
            self.cpu_seconds += time.thread_time() - started
            self._stop.wait(self.interval)

    def __enter__(self) -> MemoryWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def describe(self) -> str:
        workers = sorted(v for k, v in self.peak_by_process.items() if k != "main")
        parts = f"main {self.peak_by_process.get('main', 0) / 2**20:.0f} MB"
        if workers:
            parts += ", workers " + " / ".join(f"{w / 2**20:.0f}" for w in workers) + " MB"
        return f"peak memory all processes {self.peak_total / 2**20:.0f} MB PSS (RSS: {parts})"


class Stopwatch:
    """Seconds spent inside wrapped functions and generators, by stage name: wall time, or
    with `clock=time.process_time` this process's CPU time (the writer's share of the cores)."""

    def __init__(self, clock=time.perf_counter):
        self.seconds: dict[str, float] = {}
        self.clock = clock

    def wrap(self, owner: object, name: str, stage: str, generator: bool = False) -> None:
        original = getattr(owner, name)

        def timed(*args, **kwargs):
            start = self.clock()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[stage] = self.seconds.get(stage, 0.0) + self.clock() - start

        def timed_generator(*args, **kwargs):
            iterator = original(*args, **kwargs)
            while True:
                start = self.clock()
                try:
                    item = next(iterator)
                except StopIteration:
                    return
                finally:
                    self.seconds[stage] = self.seconds.get(stage, 0.0) + self.clock() - start
                yield item

        setattr(owner, name, timed_generator if generator else timed)


def corpus(paths: list[str], copies: int, limit: int | None) -> list[Article]:
    if not paths and BENCH.exists():
        paths = [str(BENCH)]
    if paths:
        return [r for r in itertools.islice(read_paths(paths), limit) if isinstance(r, Article)]
    (article,) = read_paths([SAMPLE])
    return [article.model_copy(update={"record_id": f"copy-{n}", "content": article.content + f" [{n}]"})
            for n in range(copies)]


def line(label: str, seconds: float, articles: int, words: int, extra: str = "") -> str:
    return (f"{label:<34} {seconds:7.1f} s  {articles / seconds:6.1f} articles/s  {words / seconds:8,.0f} words/s  "
            f"{1000 * seconds / articles:6.1f} ms/article{extra}")


def spacy_alone(model: str, texts: list[str], n_process: int, batch_size: int, numpy_gemm: bool) -> tuple[float, str]:
    """spaCy's full pipeline as installed (thinc's BLIS), or multiplying with numpy as diurna does."""
    nlp = load_model(model)
    if numpy_gemm:
        multiply_with_numpy(nlp)
    with MemoryWatch() as memory:
        start = time.perf_counter()
        for _ in nlp.pipe(texts, batch_size=batch_size, n_process=n_process):
            pass
        seconds = time.perf_counter() - start
    return seconds, memory.describe()


def ingest_here(articles: list[Article], settings: ParserSettings, db: str) -> tuple[float, dict[str, float], float, str]:
    """One process: stage times from wrapped functions, and the writer's CPU time."""
    import diurna.pipeline as pipeline

    clock, cpu = Stopwatch(), Stopwatch(time.process_time)
    coding = InProcess(settings)
    clock.wrap(pipeline, "clean", "clean")
    clock.wrap(coding.coder.parser, "parse", "parse (tagger, parser; NER where events can be)", generator=True)
    clock.wrap(prefilter, "add_entities", "  of which NER on event sentences")
    clock.wrap(pipeline, "extract", "extract", generator=True)
    clock.wrap(coding.coder.gazetteer, "resolve_phrase", "  places")
    clock.wrap(coding.coder.dates, "resolve", "  dates")
    clock.wrap(STORIES, "fingerprint", "story fingerprints (MinHash)")
    with Store(db) as store, MemoryWatch() as memory:
        cpu.wrap(store, "add_batch", "write")
        clock.wrap(store, "add_batch", "write (DuckDB, one transaction per 256 articles)")
        start = time.perf_counter()
        tally = jobs.ingest_with(coding.code_batches, coding.version, store, articles)
        seconds = time.perf_counter() - start
    assert tally.stored == len(articles), tally
    return seconds, clock.seconds, cpu.seconds["write"], memory.describe() + f"; {tally.events} events"


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def ingest_pool(articles: list[Article], settings: ParserSettings, db: str, processes: int) -> tuple[float, float, float, float, str]:
    """Worker processes; the main process's CPU time in the writer and in all."""
    clock = Stopwatch(time.process_time)
    with MemoryWatch() as memory:
        with CoderPool(settings, processes) as pool, Store(db) as store:  # the pool first: it forks
            clock.wrap(store, "add_batch", "write")
            start, cpu = time.perf_counter(), _cpu()
            tally = jobs.ingest_with(pool.code_batches, pool.version, store, articles)
            seconds, cpu = time.perf_counter() - start, _cpu() - cpu
    assert tally.stored == len(articles), tally
    return (seconds, clock.seconds.get("write", 0.0), cpu, memory.cpu_seconds,
            memory.describe() + f"; {tally.events} events")


def ingest_dask(articles: list[Article], settings: ParserSettings, db: str, workers: int) -> tuple[float, list[float], float, float, float, str]:
    from distributed import get_task_stream

    from diurna.scale.cluster import DaskCoding

    clock = Stopwatch(time.process_time)
    with MemoryWatch() as memory:
        with DaskCoding(f"local:{workers}", settings) as dask, Store(db) as store:
            clock.wrap(store, "add_batch", "write")
            with get_task_stream(client=dask.client) as stream:
                start, cpu = time.perf_counter(), _cpu()
                tally = jobs.ingest_with(dask.code_batches, dask.version, store, articles)
                seconds, cpu = time.perf_counter() - start, _cpu() - cpu
            durations = [sum(s["stop"] - s["start"] for s in task["startstops"] if s["action"] == "compute")
                         for task in stream.data if str(task.get("key", "")).startswith(("_code", "('_code"))]
    assert tally.stored == len(articles), tally
    return seconds, durations, clock.seconds.get("write", 0.0), cpu, memory.cpu_seconds, memory.describe()


def isolated(function, *args):
    """Run one measurement in a fresh process, so that its memory figures are its own."""
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context) as executor:
        return executor.submit(function, *args).result()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", nargs="*")
    parser.add_argument("--copies", type=int, default=200, help="copies of the sample when no corpus is found")
    parser.add_argument("--limit", type=int, help="only the first N articles")
    parser.add_argument("--processes", default="1,2", help="process counts to measure (spaCy alone and ingest)")
    parser.add_argument("--dask", default="", help="LocalCluster worker counts to measure, e.g. 1,2")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--full-parse", action="store_true", help="measure ingest with NER on every sentence")
    args = parser.parse_args()

    load = os.getloadavg()
    articles = corpus(args.corpus, args.copies, args.limit)
    words = sum(len(a.content.split()) for a in articles)
    n = len(articles)
    print(f"corpus: {n} articles, {words:,} words; {os.cpu_count()} cores; load average at start "
          f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    settings = ParserSettings(batch_size=args.batch_size, full_parse=args.full_parse)
    start = time.perf_counter()
    texts = [p.text for a in articles for p in clean(a).paragraphs]
    clean_s = time.perf_counter() - start
    print(line("clean (all paragraphs)", clean_s, n, words))

    with tempfile.TemporaryDirectory() as tmp:
        for processes in (int(p) for p in args.processes.split(",") if p):
            spacy_s, spacy_memory = isolated(spacy_alone, settings.model, texts, processes, args.batch_size, False)
            print(line(f"spaCy full pipeline, {processes} proc", spacy_s, n, words, f"  ({spacy_memory})"))
            numpy_s, _ = isolated(spacy_alone, settings.model, texts, processes, args.batch_size, True)
            print(line(f"  the same, numpy's BLAS as diurna", numpy_s, n, words))
            db = str(Path(tmp) / f"p{processes}.duckdb")
            if processes == 1:
                seconds, stages, write_cpu, memory = isolated(ingest_here, articles, settings, db)
                print(line("diurna ingest, 1 process", seconds, n, words,
                           f"  ratio to spaCy {spacy_s / seconds:.2f} (to spaCy with numpy's BLAS {numpy_s / seconds:.2f})"))
                for stage, spent in stages.items():
                    print(f"  {stage:<50} {1000 * spent / n:7.2f} ms/article")
                rest = seconds - sum(v for k, v in stages.items() if not k.startswith("  "))
                print(f"  {'resolve, assemble, read, look-ups (the rest)':<50} {1000 * rest / n:7.2f} ms/article")
                print(f"  {'write, CPU time':<50} {1000 * write_cpu / n:7.2f} ms/article")
                print(f"  {memory}")
            else:
                seconds, write_s, cpu, sampling, memory = isolated(ingest_pool, articles, settings, db, processes)
                print(line(f"diurna ingest, {processes} worker processes", seconds, n, words,
                           f"  ratio to spaCy {spacy_s / seconds:.2f} (to spaCy with numpy's BLAS {numpy_s / seconds:.2f})"))
                print(f"  main process CPU: write {1000 * write_s / n:.2f} ms/article, all "
                      f"{1000 * cpu / n:.2f} ms/article (read, look-ups, results, write; the benchmark's memory "
                      f"sampling {1000 * sampling / n:.2f} of it); {memory}")
        for workers in (int(w) for w in args.dask.split(",") if w):
            db = str(Path(tmp) / f"dask{workers}.duckdb")
            seconds, durations, write_s, cpu, sampling, memory = isolated(ingest_dask, articles, settings, db, workers)
            print(line(f"diurna ingest, Dask LocalCluster {workers} worker(s)", seconds, n, words, f"  ({memory})"))
            if durations:
                per = statistics.mean(durations)
                print(f"  {len(durations)} partitions of {jobs.CODING_BATCH} articles: compute mean {per:.2f} s, "
                      f"max {max(durations):.2f} s, sum {sum(durations):.1f} s; writer CPU {write_s:.2f} s in all "
                      f"({1000 * write_s / n:.2f} ms/article, {write_s / len(durations) * 1000:.0f} ms per partition)")
                print(f"  client process CPU {1000 * cpu / n:.2f} ms/article (read, look-ups, scheduling, results, write; "
                      f"the benchmark's memory sampling {1000 * sampling / n:.2f} of it); "
                      f"efficiency sum(compute) / (workers x wall) {sum(durations) / (workers * seconds):.0%}")
                print(f"  one client keeps up with {per / max(cpu / len(durations), 1e-9):.0f} workers coding at this "
                      f"per-partition speed (the writer alone with {per / max(write_s / len(durations), 1e-9):.0f})")
    print(f"load average at end {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"this process's own peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
