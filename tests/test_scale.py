"""Batched writes, whole-coder workers, Dask and Parquet shards store what a plain ingest stores."""
from __future__ import annotations

import duckdb
import pytest

from diurna import jobs
from diurna.pipeline import Coder
from diurna.records import Article, Rejection
from diurna.scale.shards import ParquetShards
from diurna.scale.workers import CoderPool, InProcess
from diurna.store import Store
from tests.conftest import SAMPLE_EVENT_COUNT, SAMPLE_STORED_EVENTS


def _copies(article: Article, n: int) -> list[Article]:
    """The sample with a different last word each time: distinct article ids, same events."""
    return [article.model_copy(update={"record_id": f"copy-{k}", "content": article.content + f" [{k}]"})
            for k in range(n)]


def _events(db) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT event_id, article_id, cameo_code, source_code, target_code FROM events "
                           "ORDER BY event_id").fetchall()


def _articles(db) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT article_id, record_id, content_hash, date, outlet, original_source, dateline_place, "
                           "title, url, origin, content, removed::VARCHAR::JSON, extra, n_events, coder_version "
                           "FROM articles ORDER BY article_id").fetchall()


class _Local:
    def __init__(self, coder: Coder):
        self.coder = coder
        self.version = jobs.version_of(coder)

    def code_batches(self, batches):
        return (list(jobs.code_each(self.coder, batch)) for batch in batches)


def test_add_batch_stores_what_add_stores(tmp_path, coder, sample_article):
    coded = list(coder.code(_copies(sample_article, 3)))
    with Store(tmp_path / "one.duckdb") as store:
        assert [store.add(c, "v") for c in coded] == [True, True, True]
    with Store(tmp_path / "batch.duckdb") as store:
        assert store.add_batch(coded + coded[:1], "v") == [True, True, True, False]  # a repeat in the batch
        assert store.add_batch(coded, "v") == [False, False, False]
        assert store.stored_ids(["nope", coded[0].article_id]) == {coded[0].article_id}
    assert _events(tmp_path / "one.duckdb") == _events(tmp_path / "batch.duckdb")
    # three near-copies: one story, their 3 x 28 coded sentences are mentions of the sample's events
    assert len(_events(tmp_path / "batch.duckdb")) == SAMPLE_STORED_EVENTS
    with duckdb.connect(str(tmp_path / "batch.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM mentions").fetchone()[0] == 3 * SAMPLE_EVENT_COUNT
    assert _articles(tmp_path / "one.duckdb") == _articles(tmp_path / "batch.duckdb")


def test_ingest_with_a_batch_coded_twice_stores_it_once(tmp_path, coder, sample_article):
    """What a retried partition looks like to the writer: the same articles come back again."""
    local = _Local(coder)
    articles = _copies(sample_article, 3)

    def twice(batches):
        for results in local.code_batches(batches):
            yield results
            yield results

    rejection = Rejection(origin="test", record_id="bad", reason="no date", excerpt="x")
    with Store(tmp_path / "db.duckdb") as store:
        tally = jobs.ingest_with(twice, local.version, store, [*articles, rejection], batch_articles=2)
        assert (tally.stored, tally.skipped, tally.rejected, tally.events) == (3, 3, 1, 84)
        again = jobs.ingest_with(twice, local.version, store, articles)
        assert (again.stored, again.skipped) == (0, 3)
        assert (store.counts()["events"], store.counts()["mentions"]) == (SAMPLE_STORED_EVENTS, 84)


def test_worker_processes_code_what_this_process_codes(tmp_path, coder, sample_article):
    articles = _copies(sample_article, 2)
    with Store(tmp_path / "here.duckdb") as store:
        jobs.ingest(coder, store, articles)
    with CoderPool(coder.parser.settings, processes=1) as pool, Store(tmp_path / "pool.duckdb") as store:
        assert pool.version == jobs.version_of(coder)
        tally = jobs.ingest_with(pool.code_batches, pool.version, store, articles, batch_articles=1)
        assert tally.stored == 2
    assert _events(tmp_path / "here.duckdb") == _events(tmp_path / "pool.duckdb")


def test_dask_local_cluster_codes_what_this_process_codes(tmp_path, coder, sample_article):
    pytest.importorskip("distributed")
    from diurna.scale.cluster import DaskCoding

    articles = _copies(sample_article, 2)
    with Store(tmp_path / "here.duckdb") as store:
        jobs.ingest(coder, store, articles)
    with DaskCoding("local:1", coder.parser.settings, processes=False) as dask, Store(tmp_path / "dask.duckdb") as store:
        assert dask.version == jobs.version_of(coder)
        tally = jobs.ingest_with(dask.code_batches, dask.version, store, articles, batch_articles=1)
        assert tally.stored == 2
    assert _events(tmp_path / "here.duckdb") == _events(tmp_path / "dask.duckdb")


def test_dask_address_is_checked():
    from diurna.scale.cluster import parse_address

    assert parse_address("local:3") == ("local", 3)
    assert parse_address("tcp://10.0.0.5:8786") == ("tcp://10.0.0.5:8786", None)
    with pytest.raises(ValueError):
        parse_address("local:0")


def test_parquet_shards_are_idempotent_and_drop_half_written_batches(tmp_path, coder, sample_article):
    local = _Local(coder)
    folder = tmp_path / "shards"
    articles = _copies(sample_article, 3)
    with ParquetShards(folder) as shards:
        tally = jobs.ingest_with(local.code_batches, local.version, shards, articles[:2], batch_articles=1)
        assert tally.stored == 2
    orphan = folder / "events" / "part-killedbeforearticles.parquet"
    orphan.write_bytes((next((folder / "events").glob("part-*.parquet"))).read_bytes())
    with ParquetShards(folder) as shards:
        assert not orphan.exists()
        tally = jobs.ingest_with(local.code_batches, local.version, shards, articles)
        assert (tally.stored, tally.skipped) == (1, 2)
        assert shards.counts() == {"articles": 3, "events": 84, "rejections": 0}
    with duckdb.connect() as con:
        ids = con.execute("SELECT count(DISTINCT event_id), count(*) FROM read_parquet(?)",
                          [str(folder / "events" / "*.parquet")]).fetchone()
    assert ids == (84, 84)


def test_cli_ingest_into_parquet_and_with_workers(tmp_path, capsys):
    from diurna.cli import main

    assert main(["ingest", "samples/", "--out-parquet", str(tmp_path / "pq")]) == 0
    assert "1 article, 28 events" in capsys.readouterr().err
    assert main(["ingest", "samples/", "--db", str(tmp_path / "db.duckdb"), "--n-process", "2"]) == 0
    assert f"1 article, {SAMPLE_STORED_EVENTS} events (28 mentions)" in capsys.readouterr().err


def test_in_process_coding_names_its_version(coder):
    assert InProcess(coder.parser.settings).version == jobs.version_of(coder)


def test_the_pool_process_lets_its_coder_go_once_the_workers_have_it(coder, sample_article):
    """The parent codes nothing: its copy of the coder (the pages the workers have each copied
    stay with them) is freed after the fork, and the workers still code."""
    import gc

    def coders() -> int:
        return sum(isinstance(o, Coder) for o in gc.get_objects())

    before = coders()
    with CoderPool(coder.parser.settings, processes=2) as pool:
        assert coders() == before
        (results,) = list(pool.code_batches([[sample_article]]))
    assert len(results[0].events) == SAMPLE_EVENT_COUNT


def test_coded_batches_are_written_several_at_a_time(tmp_path, coder, sample_article):
    """Coding tasks stay small; each write transaction takes `write_articles` or more."""
    local, articles = _Local(coder), _copies(sample_article, 5)
    with Store(tmp_path / "grouped.duckdb") as store:
        sizes = []
        add_batch = store.add_batch
        store.add_batch = lambda batch, version=None: sizes.append(len(batch)) or add_batch(batch, version)
        tally = jobs.ingest_with(local.code_batches, local.version, store, articles, batch_articles=1, write_articles=2)
    assert sizes == [2, 2, 1] and tally.stored == 5
