"""The one base class of briefing's errors.

Every error a user can act on (a bad config, a broken database, a feed URL we
refuse, an export that cannot be written…) derives from `BriefingError`, so the
CLI catches it once and prints it plainly, and nothing else needs to know the
whole list.
"""

from __future__ import annotations


class BriefingError(Exception):
    """Something went wrong that the message explains; not a bug in briefing."""
