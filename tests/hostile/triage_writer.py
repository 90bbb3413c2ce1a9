"""A separate process that triages stories as fast as it can, acknowledging each write.

The crash-safety test kills it with SIGKILL at random moments: every story it
acknowledged (after the commit returned) must be in the database afterwards.
"""

from __future__ import annotations

import sys

from briefing.models import TriageState
from briefing.store import Store, triage


def main(path: str, prefix: str) -> None:
    store = Store(path)
    n = 0
    while True:
        triage.put(store, TriageState(f"{prefix}-{n}", starred=True, note=f"note {n}" * 20))
        print(n, flush=True)
        n += 1


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
