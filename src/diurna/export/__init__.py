"""Output stage: events as table, JSON, JSONL and CSV."""
