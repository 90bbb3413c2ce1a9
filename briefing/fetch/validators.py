"""HTTP validators (ETag, Last-Modified): which ones can be stored and sent back.

A header value is sent as ASCII. A server that answers `ETag: "café"` hands
us a value we cannot send back; stored as it is, it would fail every later
request of that feed before anything is sent, and never be replaced (it is
only replaced after a successful parse). Such a value is dropped instead, on
the way in and on the way out, and the caller records a note on the feed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Longer than any real validator; a megabyte "ETag" is not one.
MAX_LENGTH = 1_000


def sendable(value: str | None) -> bool:
    """True when `value` can go back in a request header unchanged."""
    if not value or len(value) > MAX_LENGTH:
        return False
    return all(" " <= c <= "~" or c == "\t" for c in value)


@dataclass(slots=True)
class Validators:
    """An ETag and a Last-Modified that can be sent, and the names of those dropped."""

    etag: str | None = None
    last_modified: str | None = None
    dropped: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, etag: str | None, last_modified: str | None) -> Validators:
        kept = cls()
        for name, value in (("ETag", etag), ("Last-Modified", last_modified)):
            if value is None or value == "":
                continue
            if not sendable(value):
                kept.dropped.append(name)
            elif name == "ETag":
                kept.etag = value
            else:
                kept.last_modified = value
        return kept

    def headers(self) -> dict[str, str]:
        """The conditional request headers for these validators."""
        headers: dict[str, str] = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers

    def note(self) -> str:
        """The feed note for what was dropped ("" when nothing was)."""
        if not self.dropped:
            return ""
        names = " and ".join(("an " if n == "ETag" else "a ") + n for n in self.dropped)
        return f"the server sent {names} that cannot be sent back (not ASCII); ignored"
