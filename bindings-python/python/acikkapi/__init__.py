"""acikkapi: Açık Kapı citizen applications for Python analysts.

Typed wrappers over the Rust library (``acikkapi._acikkapi``). Every error raised is an
:class:`AcikKapiError` (or a subclass from :mod:`acikkapi.errors`) carrying the library's message.
"""

from ._acikkapi import lower_tr, search_key, sorted_tr, upper_tr
from .calendar import Calendar
from .application import Application, validate, validate_many
from .errors import (
    AcikKapiError,
    CalendarError,
    DataFileError,
    JournalError,
    NotFoundError,
    RuleError,
    ValidationError,
    WorkflowError,
)
from .geo import Geography, Province, Taxonomy
from .routing import Router

__all__ = [
    "AcikKapiError",
    "Application",
    "Calendar",
    "CalendarError",
    "DataFileError",
    "Geography",
    "JournalError",
    "NotFoundError",
    "Province",
    "RuleError",
    "Router",
    "Taxonomy",
    "ValidationError",
    "WorkflowError",
    "lower_tr",
    "search_key",
    "sorted_tr",
    "upper_tr",
    "validate",
    "validate_many",
]
