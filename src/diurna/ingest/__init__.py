"""Ingest stages: read input files into articles, clean them for parsing."""
