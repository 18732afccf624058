"""The Turkish business-day calendar (Law 2429, Diyanet bayram dates, idari izin days)."""

from __future__ import annotations

import datetime as _dt
from typing import Any, Dict, List, Sequence, Union

from . import _acikkapi

try:  # numpy is optional: batch functions accept and return datetime64[D] arrays when present
    import numpy as _np
except ImportError:  # pragma: no cover - exercised only where numpy is absent
    _np = None

DateLike = Union[_dt.date, str]


def _date(d: DateLike) -> _dt.date:
    if isinstance(d, _dt.datetime):
        return d.date()
    if isinstance(d, _dt.date):
        return d
    return _dt.date.fromisoformat(str(d))


def _is_numpy(x: Any) -> bool:
    return _np is not None and isinstance(x, _np.ndarray)


class Calendar:
    """İş günü takvimi: the Turkish business-day calendar.

    ``kind="public"`` (the default, used for Açık Kapı deadlines) adds the public servants'
    *idari izin* bridge days to the legal holidays; ``kind="legal"`` is Law 2429 alone.
    ``half_days`` says whether half days (arife afternoons, 28 October) count as business days.

    >>> import datetime as dt
    >>> cal = Calendar("legal")
    >>> cal.add_business_days(dt.date(2024, 6, 14), 1)   # Friday before Kurban Bayramı
    datetime.date(2024, 6, 20)
    """

    def __init__(self, kind: str = "public", half_days: bool = True, use_table: bool = True) -> None:
        self._c = _acikkapi.Calendar(kind, half_days, use_table)

    def __repr__(self) -> str:
        return repr(self._c)

    def is_business_day(self, date: DateLike) -> bool:
        """Whether ``date`` is a business day."""
        return self._c.is_business_day(_date(date))

    def add_business_days(self, date: DateLike, n: int) -> _dt.date:
        """The ``n``-th business day strictly after ``date`` (before it for negative ``n``;
        for ``n == 0`` the date itself if a business day, else the next one)."""
        return self._c.add_business_days(_date(date), int(n))

    def business_days_between(self, a: DateLike, b: DateLike) -> int:
        """Business days in the half-open interval (a, b]; negative when b < a."""
        return self._c.business_days_between(_date(a), _date(b))

    def holidays(self, year: int) -> List[Dict[str, Any]]:
        """The holidays of ``year``: dicts with date, name_tr, name_en, kind (full/half/morning) and
        source (law/table/computed/idari-izin)."""
        return self._c.holidays(int(year))

    def deadline(self, received_at: _dt.datetime, n: int = 7) -> _dt.datetime:
        """When an application received at ``received_at`` is due after ``n`` business days.

        A naive datetime is Istanbul time; an aware one is converted. Received after 17:30 (13:00 on
        a half day) or on a non-business day, it counts from the next business day; it is due at
        closing time of the ``n``-th business day after.
        """
        # Aware or naive, the conversion is the core's (Europe/Istanbul: +02:00 in winters
        # before September 2016, +03:00 since).
        return self._c.deadline(received_at, int(n))

    # --- batch forms -----------------------------------------------------------------------

    def add_business_days_many(self, dates: Any, n: Any) -> Any:
        """``add_business_days`` over many dates. ``dates`` is a sequence of dates (returns a list)
        or a numpy ``datetime64[D]`` array (returns one); ``n`` is an int or one int per date.
        The numpy path runs in Rust without the GIL."""
        if _is_numpy(dates):
            days = dates.astype("datetime64[D]").astype("<i8")
            ns = _np.asarray(n, dtype="<i8").reshape(-1)
            out = self._c._add_business_days_epoch(days.tobytes(), ns.tobytes())
            return _np.frombuffer(out, dtype="<i8").astype("datetime64[D]").reshape(dates.shape)
        seq = list(dates)
        ns_list = [int(n)] * len(seq) if isinstance(n, int) else [int(x) for x in n]
        if len(ns_list) != len(seq):
            from .errors import CalendarError

            raise CalendarError("n must be an int or have one value per date")
        return [self._c.add_business_days(_date(d), k) for d, k in zip(seq, ns_list)]

    def business_days_between_many(self, a: Any, b: Any) -> Any:
        """``business_days_between`` pairwise over two sequences or numpy ``datetime64[D]`` arrays."""
        if _is_numpy(a) or _is_numpy(b):
            xa = _np.asarray(a, dtype="datetime64[D]").astype("<i8")
            xb = _np.asarray(b, dtype="datetime64[D]").astype("<i8")
            out = self._c._business_days_between_epoch(xa.tobytes(), xb.tobytes())
            return _np.frombuffer(out, dtype="<i8").reshape(xa.shape)
        a_list, b_list = list(a), list(b)
        if len(a_list) != len(b_list):
            from .errors import CalendarError

            raise CalendarError("a and b must have the same length")
        return [self._c.business_days_between(_date(x), _date(y)) for x, y in zip(a_list, b_list)]

    def is_business_day_many(self, dates: Sequence[DateLike]) -> List[bool]:
        """``is_business_day`` for each date."""
        return [self._c.is_business_day(_date(d)) for d in dates]


__all__ = ["Calendar"]
