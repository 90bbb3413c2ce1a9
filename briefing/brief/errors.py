"""The one error the export raises: a message for the user, never a traceback."""

from __future__ import annotations

from briefing.errors import BriefingError


class ExportError(BriefingError):
    """The brief cannot be made or written; the message says why and what to do."""


class OutputExists(ExportError):
    """The output file exists and overwriting was not allowed (ask, or pass force)."""
