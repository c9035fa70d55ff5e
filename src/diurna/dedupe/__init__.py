"""Dedupe stage: near-duplicate articles into stories (articles.py), reporting sentences into
real-world events (events.py). Runs between resolve and store; the store supplies what is
already stored (see store/database.py)."""
