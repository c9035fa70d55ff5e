"""Long-lived coder processes on this machine.

Each process loads the model, lexicons and gazetteer once and codes whole batches (clean ->
parse -> extract -> resolve), sending back coded articles; the parent only reads, looks up
and writes. Batches come back in the order they were sent. Workers die with their parent
(even by kill -9), and a worker that dies stops the run with an error (a re-run resumes).
"""
from __future__ import annotations

import ctypes
import dataclasses
import gc
import multiprocessing
import queue
from typing import Iterable, Iterator

from diurna.coding.parse import ParserSettings
from diurna.pipeline import CodedArticle
from diurna.records import Article, Rejection

Results = list[CodedArticle | Rejection]


class WorkerDied(RuntimeError):
    pass


def worker_settings(settings: ParserSettings) -> ParserSettings:
    """A worker is one process: spaCy inside it runs single-process."""
    return dataclasses.replace(settings, n_process=1)


class InProcess:
    """Batches coded in this process (the default, and one worker's view of the job)."""

    def __init__(self, settings: ParserSettings):
        from diurna.jobs import version_of
        from diurna.pipeline import Coder

        self.coder = Coder(settings)
        self.version = version_of(self.coder)

    def code_batches(self, batches: Iterable[list[Article]]) -> Iterator[Results]:
        from diurna.jobs import code_each

        return (list(code_each(self.coder, batch)) for batch in batches)

    def close(self) -> None:
        pass

    def __enter__(self) -> InProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _serve(box: list, tasks, results) -> None:
    from diurna.coding.parse import _worker_dies_with_parent
    from diurna.jobs import code_each, version_of

    _worker_dies_with_parent()
    coder = box[0]
    results.put(("version", version_of(coder)))
    while (task := tasks.get()) is not None:
        number, batch = task
        results.put((number, list(code_each(coder, batch))))


class CoderPool:
    """`processes` coder processes fed through one task queue.

    The coder (model, lexicons, gazetteer: ~350 MB, mostly read-only) is built once here and
    the workers are forked from it, so they share its pages instead of each loading a copy.
    Open the pool before the database: a process holding a DuckDB connection is not forked."""

    def __init__(self, settings: ParserSettings, processes: int):
        from diurna.pipeline import Coder

        context = multiprocessing.get_context("fork")
        self._tasks, self._results = context.Queue(), context.Queue()
        box = [Coder(worker_settings(settings))]  # emptied here once the workers have their copy
        gc.collect()
        gc.freeze()  # the collector would otherwise touch, and so copy, every shared object
        self._processes = [context.Process(target=_serve, args=(box, self._tasks, self._results), daemon=True)
                           for _ in range(processes)]
        for process in self._processes:
            process.start()
        # This process codes nothing: let its coder go. The workers keep the pages they share;
        # those they have each copied (every object they touch) would otherwise be held here too.
        box.clear()
        gc.unfreeze()
        gc.collect()
        _return_free_memory()
        self._pending: dict[int, Results] = {}
        self.version = ""
        for _ in self._processes:
            _, self.version = self._next()

    def _next(self) -> tuple:
        while True:
            try:
                return self._results.get(timeout=1.0)
            except queue.Empty:
                dead = [p for p in self._processes if not p.is_alive()]
                if dead:
                    raise WorkerDied(f"a coder process died (exit code {dead[0].exitcode}); re-run to resume") from None

    def code_batches(self, batches: Iterable[list[Article]]) -> Iterator[Results]:
        """Code batches in the workers, two per worker in flight, yielding results in order."""
        iterator = iter(batches)
        sent = done = 0
        exhausted = False
        while True:
            while not exhausted and sent - done < 2 * len(self._processes):
                batch = next(iterator, None)
                if batch is None:
                    exhausted = True
                    break
                self._tasks.put((sent, batch))
                sent += 1
            if done == sent:
                return
            while done not in self._pending:
                number, results = self._next()
                self._pending[number] = results
            yield self._pending.pop(done)
            done += 1

    def close(self) -> None:
        for _ in self._processes:
            self._tasks.put(None)
        for process in self._processes:
            process.join(timeout=10)
            if process.is_alive():
                process.terminate()

    def __enter__(self) -> CoderPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _return_free_memory() -> None:
    """Give the heap's free pages back to the system (glibc keeps them otherwise)."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to give back this way
        pass


def coding_for(settings: ParserSettings, processes: int = 1, dask: str | None = None) -> InProcess | CoderPool:
    """Where batches are coded: a Dask cluster, `processes` local worker processes, or here."""
    if dask is not None:
        from diurna.scale.cluster import DaskCoding

        return DaskCoding(dask, settings)
    return CoderPool(settings, processes) if processes > 1 else InProcess(settings)
