"""Coding on more than one core: long-lived local coder processes (`workers`), a Dask cluster
(`cluster`), and Parquet shards for corpora larger than one database (`shards`). Each runs the
whole coder where the work is and sends back coded articles; one writer stores them."""
