"""What the fetching process hands to its worker processes, by reference only.

Pickling a function sends its module and name, so the fetching process must
import that module. These stand-ins are light; the heavy modules (trafilatura
takes a second to import) load in the workers, where the fork server has
preloaded them, and never in a refresh that has no page to extract.
"""

from __future__ import annotations


def extract_page(
    body: bytes, url: str, content_type: str = "", want_date: bool = True
) -> dict[str, str]:
    from briefing.fetch.extract_worker import extract_page as extract

    return extract(body, url, content_type, want_date)
