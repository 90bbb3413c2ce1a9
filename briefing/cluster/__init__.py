"""Grouping coverage: near-duplicates, events, stories and their timelines.

- `text`: words, names (capitalized multi-word names, acronyms, CVE ids,
  amounts), shingles, canonical URLs — no models to download.
- `vectors`: hashed TF-IDF (scikit-learn's `HashingVectorizer` hashing, through mmh3), one
  vector over words and one over names; title and lead weigh more than the body.
- `dedup`: MinHash (datasketch's scheme) over word shingles of the body, LSH, and
  canonical-URL identity; the original is the earliest published.
- `grouping`: online centroid grouping, shared by events (tight time window)
  and stories (loose window, stricter name overlap).
- `novelty`: which of an event's terms no earlier event has had; story linking
  compares an event by the rest and tells its model the novel share.
- `refine`: a second look at each chunk of events: an article may move to the
  event it now joins best.
- `ahead`: a batch's per-article features, for a big backlog scanned ahead in a
  worker process.
- `titles`: the representative headline of an event (and a story), never a
  keyword list.
- `rules`: the joining rules of both levels and time helpers.
- `stage.run(store)`: new articles join the archive's clusters, incrementally.
- `core.cluster(docs)`: the batch form (evaluation, benchmarks, tests): the
  stage itself, run once over an in-memory store.
- `params`: every threshold and weight, in one place.
"""
