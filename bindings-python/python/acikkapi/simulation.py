"""Policy experiments: simulate a province on the real engine and analyse the result."""

from __future__ import annotations

import datetime as _dt
import json
import os
from typing import Any, Dict, List, Optional, Tuple, Union

from . import _acikkapi

_BLOCK_LABELS = [
    ("received", "Toplam Başvuru Sayısı"),
    ("concluded", "Sonuçlandırılan"),
    ("positive", "Olumlu Sonuçlanan"),
    ("negative", "Olumsuz Sonuçlanan"),
    ("partly_positive", "Kısmen Olumlu Sonuçlanan"),
    ("pending", "İşlem Yapılmayı Bekleyen"),
]


def format_int_tr(n: int) -> str:
    """Turkish thousands separator: ``46605`` → ``"46.605"``."""
    s = f"{abs(int(n)):,}".replace(",", ".")
    return "-" + s if n < 0 else s


class Simulation:
    """The result of :func:`simulate`: the simulation's own summary (``summary``), the analysts'
    report over its records (``report()``), and the records themselves (``records()``)."""

    def __init__(self, summary: Dict[str, Any], report: Dict[str, Any], records: List[Dict[str, Any]]):
        self.summary = summary
        self._report = report
        self._records = records

    def statistics(self) -> Dict[str, int]:
        """The statistics block: received, concluded, positive, negative, partly_positive, pending,
        closed, not_processed, redirected (the same keys as ``Engine.statistics()``)."""
        return dict(self._report["block"])

    def statistics_tr(self) -> List[Tuple[str, str]]:
        """The seeds' statistics block as Turkish labels with Turkish number formatting."""
        b = self._report["block"]
        return [(label, format_int_tr(b[key])) for key, label in _BLOCK_LABELS]

    def sla(self) -> Dict[str, Any]:
        """On-time share, median and p90 business days to answer, backlog and overdue counts."""
        return dict(self._report["sla"])

    def report(self, by: Optional[str] = None) -> Any:
        """The whole report (dict), or with ``by`` (heading, category, district, channel, kind,
        institution, unit, week, month, age, gender…) that breakdown's rows as a list of dicts."""
        if by is None:
            return self._report
        for b in self._report["breakdowns"]:
            if b["dimension"] == by:
                return b["rows"]
        from .errors import AcikKapiError

        raise AcikKapiError(f"unknown breakdown {by!r}")

    def records(self) -> List[Dict[str, Any]]:
        """One de-identified record per simulated application."""
        return list(self._records)

    def to_pandas(self, by: Optional[str] = None) -> Any:
        """The records (or one breakdown's rows) as a ``pandas.DataFrame``."""
        import pandas as pd  # optional dependency

        return pd.DataFrame(self.report(by) if by else self._records)


def simulate(
    province: int = 20,
    days: int = 365,
    seed: int = 1,
    start: Union[_dt.date, str] = _dt.date(2026, 1, 1),
    policy: Optional[Union[str, os.PathLike]] = None,
    deadline: Optional[int] = None,
    rules: Optional[Union[str, os.PathLike]] = None,
) -> Simulation:
    """Simulates ``days`` of applications in a province on the real engine (routing, workflow,
    business-day timers), deterministic for a ``seed``.

    ``policy`` is a policy TOML file (deadline, reminders, escalation, queue discipline, capacity,
    rules); ``deadline`` and ``rules`` (a ``.rhai`` file) override it.
    """
    text, policy_dir = "", None
    if policy is not None:
        with open(policy, encoding="utf-8") as f:
            text = f.read()
        policy_dir = os.path.dirname(os.path.abspath(os.fspath(policy)))
    if isinstance(start, str):
        start = _dt.date.fromisoformat(start)
    summary, report, records = _acikkapi.simulate_json(
        int(province), int(days), int(seed), start, text, deadline, os.fspath(rules) if rules else None, policy_dir
    )
    return Simulation(json.loads(summary), json.loads(report), json.loads(records))


__all__ = ["Simulation", "format_int_tr", "simulate"]
