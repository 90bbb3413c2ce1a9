"""The entity stage: extract the named entities of new or changed articles.

It runs after extraction and before clustering in every fetch. Extraction is
per article and cheap (one compiled pattern), so it keeps no other state than
the gazetteer version each article was done with.
"""

from __future__ import annotations

from collections import Counter

from briefing import entities
from briefing.store import Store
from briefing.store import entities as entity_store
from briefing.store.entities import Named


def run(store: Store, batch: int = 2000) -> int:
    """Extract every article not done with the current gazetteer; returns how many."""
    table = entities.gazetteer()
    entity_store.save_spellings(
        store,
        table.version,
        [(s, e.name) for s, e in table.spellings.items()]
        + [(e.name, e.name) for e in table.spellings.values()],
    )
    done = 0
    while todo := entity_store.pending(store, table.version, batch):
        found: dict[int, Counter[Named]] = {}
        for item in todo:
            counts = entities.article_entities(item.title, item.body)
            found[item.id] = Counter({Named(e.type, e.name): n for e, n in counts.items()})
        entity_store.save(store, table.version, found)
        done += len(todo)
    return done
