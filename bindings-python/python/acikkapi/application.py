"""Validation of application inputs."""

from __future__ import annotations

import datetime as _dt
import json
from typing import Any, Dict, Mapping

from . import _acikkapi


def _json_default(o: Any) -> Any:
    if isinstance(o, (_dt.datetime, _dt.date)):
        return o.isoformat()
    raise TypeError(f"{type(o).__name__} is not JSON serialisable")


class Application(dict):
    """A validated application (*başvuru*), normalised, as a dict with attribute access.

    Keys follow the library's JSON field names: ``kind``, ``channel``, ``applicant``, ``subject``,
    ``category``, ``location``, ``received_at``, ``flags``, ``tracking_number``.
    """

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def validate(data: Mapping[str, Any]) -> Application:
    """Validates an application input (a dict as a counter or web form gives it).

    Returns the normalised :class:`Application`; raises :class:`acikkapi.ValidationError` whose
    ``problems`` and ``reasons`` list *every* problem at once.
    """
    text = json.dumps(dict(data), default=_json_default, ensure_ascii=False)
    return Application(json.loads(_acikkapi.validate_json(text)))


def validate_many(items: "list[Mapping[str, Any]]") -> "list[Application | Exception]":
    """Validates many inputs; each result is an :class:`Application` or the ``ValidationError``."""
    out: "list[Application | Exception]" = []
    for item in items:
        try:
            out.append(validate(item))
        except Exception as e:  # noqa: BLE001 - returned to the caller, not swallowed
            out.append(e)
    return out


__all__ = ["Application", "validate", "validate_many"]
