"""SQLite storage: the one place rows become domain objects and back."""

from briefing.store.db import Store, StoreError

__all__ = ["Store", "StoreError"]
