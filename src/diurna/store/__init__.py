"""Store stage: articles, events and rejections in an embedded DuckDB database."""
from diurna.store.database import EventFilter, Store, StoreError

__all__ = ["EventFilter", "Store", "StoreError"]
