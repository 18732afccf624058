"""acikkapi: Açık Kapı citizen applications for Python analysts.

Typed wrappers over the Rust library (``acikkapi._acikkapi``). Every error raised is an
:class:`AcikKapiError` (or a subclass from :mod:`acikkapi.errors`) carrying the library's message.
"""

from ._acikkapi import lower_tr, search_key, sorted_tr, upper_tr
from .actor import Actor
from .calendar import Calendar
from .engine import Engine
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
from .simulation import Simulation, format_int_tr, simulate

__all__ = [
    "AcikKapiError",
    "Actor",
    "Application",
    "Calendar",
    "CalendarError",
    "DataFileError",
    "Engine",
    "Geography",
    "JournalError",
    "NotFoundError",
    "Province",
    "RuleError",
    "Router",
    "Simulation",
    "Taxonomy",
    "ValidationError",
    "WorkflowError",
    "format_int_tr",
    "lower_tr",
    "search_key",
    "simulate",
    "sorted_tr",
    "upper_tr",
    "validate",
    "validate_many",
]
