"""The workflow engine: an application's life from intake to answer, on a journal."""

from __future__ import annotations

import datetime as _dt
import json
import os
from typing import Any, Dict, List, Mapping, Optional, Tuple, Union

from . import _acikkapi
from .actor import Actor, _json
from .application import _json_default

_UTC = _dt.timezone.utc


def _utc(now: Optional[_dt.datetime]) -> _dt.datetime:
    """An aware UTC datetime: ``None`` is now; a naive datetime is Türkiye's local time, converted
    by the core (Europe/Istanbul: +02:00 in winters before September 2016, +03:00 since)."""
    if now is None:
        return _dt.datetime.now(_UTC)
    if now.tzinfo is None:
        return _acikkapi._istanbul_to_utc(now)
    return now.astimezone(_UTC)


class Engine:
    """Açık Kapı iş akışı: registers, routes and answers applications, fires business-day timers.

    Every change is an event in the journal (``journal`` = a file path, replayed when it exists, or
    ``None`` for memory). Times are aware datetimes, or naive ones meaning Istanbul time.

    Every call acts as an :class:`~acikkapi.Actor`: the one given to the call (``actor=``), else
    the engine's (``Engine(..., actor=...)``). Without either, the bureau operations (submit,
    route, close, track, view) act as the Açık Kapı bureau of the application's province,
    statistics as an analyst and ``tick`` as the system. Answering, returning and approving always
    need an actor: the engine never acts as an officer or a governor on its own.

    >>> import datetime as dt, acikkapi
    >>> eng = acikkapi.Engine()
    >>> tracking, status = eng.submit({...})  # doctest: +SKIP
    >>> eng.answer(tracking, "olumlu", "…", actor=acikkapi.Actor.officer("20.SGK.YETKILI"))  # doctest: +SKIP
    """

    def __init__(self, journal: Optional[Union[str, os.PathLike]] = None, actor: Optional[Actor] = None) -> None:
        self._e = _acikkapi.Engine(os.fspath(journal) if journal is not None else None, _json(actor))

    def __len__(self) -> int:
        return len(self._e)

    def submit(
        self, application: Mapping[str, Any], now: Optional[_dt.datetime] = None, actor: Optional[Actor] = None
    ) -> Tuple[str, str]:
        """Receives and registers an application input; returns ``(tracking_number, status)`` where
        status is ``"registered"`` or ``"not_processed"`` (the reasons are in :meth:`track`). The
        tracking number is allocated in the receiving bureau's province."""
        text = json.dumps(dict(application), default=_json_default, ensure_ascii=False)
        return self._e.submit_json(text, _utc(now), _json(actor))

    def route(
        self, tracking: str, now: Optional[_dt.datetime] = None, importance: int = 0, actor: Optional[Actor] = None
    ) -> str:
        """Routes a registered application with its province's rules; returns the new status.

        ``importance`` (0–5) is the bureau's grading of a special application: from 4 it goes to the
        vali with the shortest deadline (3 business days); below, to a vali yardımcısı (5 days)."""
        importance = int(importance)
        if not 0 <= importance <= 5:
            from .errors import ValidationError

            raise ValidationError(f"önem derecesi 0–5 olmalı ({importance} verildi)")
        return self._e.route(tracking, _utc(now), importance, _json(actor))

    def approve(self, tracking: str, now: Optional[_dt.datetime] = None, actor: Optional[Actor] = None) -> str:
        """The vali, a vali yardımcısı or the kaymakam (``actor``) approves a special application."""
        return self._e.approve(tracking, _utc(now), _json(actor))

    def send_back(
        self, tracking: str, reason: str, now: Optional[_dt.datetime] = None, actor: Optional[Actor] = None
    ) -> str:
        """The vali, a vali yardımcısı or the kaymakam (``actor``) sends a special application's
        proposed routing back to the bureau; it is ``registered`` again, to be routed anew."""
        return self._e.send_back(tracking, reason, _utc(now), _json(actor))

    def answer(
        self, tracking: str, outcome: str, text: str, now: Optional[_dt.datetime] = None, actor: Optional[Actor] = None
    ) -> str:
        """The assigned officer (``actor``) answers: ``outcome`` is ``olumlu``, ``olumsuz`` or
        ``kismen_olumlu``. Anyone else is refused with :class:`~acikkapi.WorkflowError`."""
        return self._e.answer(tracking, outcome, text, _utc(now), _json(actor))

    def return_not_ours(
        self, tracking: str, reason: str, now: Optional[_dt.datetime] = None, actor: Optional[Actor] = None
    ) -> str:
        """The assigned officer (``actor``) returns the application as not theirs (iade)."""
        return self._e.return_not_ours(tracking, reason, _utc(now), _json(actor))

    def close(self, tracking: str, now: Optional[_dt.datetime] = None, actor: Optional[Actor] = None) -> str:
        """Closes an answered application (the citizen has been informed)."""
        return self._e.close(tracking, _utc(now), _json(actor))

    def view(self, tracking: str, actor: Optional[Actor] = None) -> Dict[str, Any]:
        """The staff view of one application (``state`` and ``version``), if ``actor`` may see it."""
        return json.loads(self._e.view_json(tracking, _json(actor)))

    def inbox(self, actor: Optional[Actor] = None, **query: Any) -> Dict[str, Any]:
        """The open applications ``actor`` may see, earliest deadline first: a page
        (``items``, ``total``, ``page``, ``per_page``). ``query``: ``unit``, ``statuses``,
        ``overdue_only``, ``text``, ``page``, ``per_page``."""
        return json.loads(self._e.inbox_json(_json(actor), json.dumps(query) if query else None))

    def tick(self, now: Optional[_dt.datetime] = None) -> List[Tuple[str, str, _dt.datetime]]:
        """Fires the timers due at ``now`` (reminders, overdue marks, escalations); idempotent."""
        return self._e.tick(_utc(now))

    def track(self, tracking: str, actor: Optional[Actor] = None) -> Dict[str, Any]:
        """The citizen's view: status, outcome and the public (masked) history. ``actor``: the
        citizen with their proof (:meth:`Actor.citizen`), or the bureau (the default)."""
        return json.loads(self._e.track_json(tracking, _json(actor)))

    def statistics(self) -> Dict[str, int]:
        """The statistics block as a dict, the same keys as ``Simulation.statistics()`` and the
        reports' ``block``: received, concluded, positive, negative, partly_positive, pending,
        closed, not_processed, redirected."""
        return json.loads(self._e.statistics_json())

    def counts(self) -> Dict[str, int]:
        """Applications per status."""
        return dict(self._e.counts())

    def records(self) -> List[Dict[str, Any]]:
        """De-identified records for analysts (``pandas.DataFrame(engine.records())``)."""
        return json.loads(self._e.analyst_records_json())

    def notifications(self) -> List[Dict[str, Any]]:
        """The SMS queued so far (registered / routed / answered), for the caller's gateway."""
        return json.loads(self._e.notifications_json())

    def report(self, by: Optional[str] = None) -> Any:
        """The analysts' report. With ``by`` (``heading``, ``category``, ``province``, ``district``,
        ``channel``, ``kind``, ``institution``, ``unit``, ``week``, ``month``, ``age``, ``gender``)
        the rows of that breakdown as a list of dicts (``pandas.DataFrame(engine.report("heading"))``);
        without it the whole report as a dict (``block``, ``sla``, ``breakdowns``, ``scorecards``…)."""
        rep = json.loads(self._e.report_json())
        if by is None:
            return rep
        for b in rep["breakdowns"]:
            if b["dimension"] == by:
                return b["rows"]
        from .errors import AcikKapiError

        raise AcikKapiError(f"unknown breakdown {by!r}: " + ", ".join(b["dimension"] for b in rep["breakdowns"]))

    def stats_records(self) -> List[Dict[str, Any]]:
        """One flat, de-identified record per application (what every report is computed from)."""
        return json.loads(self._e.stats_records_json())

    def render_report(self, format: str = "html", by: Optional[str] = None) -> str:
        """The report as text: ``table``, ``csv``, ``json`` or a self-contained ``html`` page."""
        return self._e.render_report(format, by)

    def to_pandas(self, by: Optional[str] = None) -> Any:
        """The analyst records (or, with ``by``, that breakdown's rows) as a ``pandas.DataFrame``."""
        import pandas as pd  # optional dependency

        return pd.DataFrame(self.report(by) if by else self.records())


__all__ = ["Engine"]
