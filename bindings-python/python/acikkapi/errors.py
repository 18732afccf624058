"""The exception hierarchy. Every error raised by acikkapi derives from :class:`AcikKapiError` and
carries the library's message (Turkish where a citizen or officer reads it)."""

from __future__ import annotations

import json
from typing import Any, List, Optional


class AcikKapiError(Exception):
    """Base class of every acikkapi error."""


class NotFoundError(AcikKapiError, LookupError):
    """A province, district, category or unit that does not exist."""


class DataFileError(AcikKapiError, ValueError):
    """A data file (taxonomy, organisation, calendar overlay) that cannot be loaded."""


class ValidationError(AcikKapiError, ValueError):
    """An application input that is not processed (*işleme alınmadı*).

    ``problems`` lists every problem as a dict (``{"problem": "missing_field", ...}``) and
    ``reasons`` the Turkish sentence for each, in form order.
    """

    def __init__(self, message: str, problems_json: Optional[str] = None, reasons: Optional[List[str]] = None):
        super().__init__(message)
        self.problems: List[dict[str, Any]] = json.loads(problems_json) if problems_json else []
        self.reasons: List[str] = list(reasons) if reasons else [message]


class CalendarError(AcikKapiError, ValueError):
    """A date outside the supported range, or a bad calendar overlay."""


class RuleError(AcikKapiError):
    """A routing rule script that does not compile, fails, or exceeds its sandbox limits."""


class JournalError(AcikKapiError, OSError):
    """A journal that cannot be read or written, is corrupt or not a journal, or is in use by
    another writer (another process or another ``Engine`` on the same file)."""


class WorkflowError(AcikKapiError):
    """An invalid transition, a version conflict or an unknown application in the workflow engine."""


__all__ = [
    "AcikKapiError",
    "CalendarError",
    "DataFileError",
    "JournalError",
    "NotFoundError",
    "RuleError",
    "ValidationError",
    "WorkflowError",
]
