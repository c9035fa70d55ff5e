"""Coding on a Dask cluster: `--dask tcp://SCHEDULER:8786` (an existing cluster) or
`--dask local:N` (a LocalCluster of N single-threaded worker processes on this machine).

Every worker builds one coder when it joins (a worker plugin) and codes whole batches with it;
batches are submitted with pure=False (two per worker in flight) and come back in order to the
one writer. A batch whose worker dies is re-run by the scheduler on another worker; since the
writer stores by article id, a batch coded twice is stored once.
"""
from __future__ import annotations

from typing import Iterable, Iterator

from distributed import Client, LocalCluster, WorkerPlugin, get_worker

from diurna.coding.parse import ParserSettings
from diurna.records import Article
from diurna.scale.workers import Results, worker_settings

PLUGIN = "diurna-coder"


class CoderPlugin(WorkerPlugin):
    """Loads the coder once per worker process."""

    name = PLUGIN

    def __init__(self, settings: ParserSettings):
        self.settings = settings
        self.coder = None

    def setup(self, worker) -> None:
        from diurna.pipeline import Coder

        self.coder = Coder(self.settings)


def _code(batch: list[Article]) -> Results:
    from diurna.jobs import code_each

    coder = get_worker().plugins[PLUGIN].coder
    return list(code_each(coder, batch))


def _version() -> str:
    from diurna.jobs import version_of

    return version_of(get_worker().plugins[PLUGIN].coder)


def parse_address(address: str) -> tuple[str, int | None]:
    """`local:N` -> ("local", N); anything else is a scheduler address."""
    if address.startswith("local:"):
        count = address.removeprefix("local:")
        if not count.isdigit() or int(count) < 1:
            raise ValueError(f"--dask local:N needs a worker count >= 1, got {address!r}")
        return "local", int(count)
    return address, None


class DaskCoding:
    """Batches coded on a Dask cluster, results in submission order."""

    def __init__(self, address: str, settings: ParserSettings, processes: bool = True):
        target, n_workers = parse_address(address)
        self._cluster = None
        if target == "local":
            self._cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=processes,
                                         dashboard_address=None, memory_limit=0)
            self.client = Client(self._cluster)
        else:
            self.client = Client(target)
        self.client.register_plugin(CoderPlugin(worker_settings(settings)), name=PLUGIN)
        self.version = self.client.submit(_version, pure=False).result()

    def code_batches(self, batches: Iterable[list[Article]]) -> Iterator[Results]:
        in_flight = []
        limit = 2 * max(1, len(self.client.scheduler_info()["workers"]))
        for batch in batches:
            in_flight.append(self.client.submit(_code, batch, pure=False))
            if len(in_flight) >= limit:
                yield in_flight.pop(0).result()
        for future in in_flight:
            yield future.result()

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()

    def __enter__(self) -> DaskCoding:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
