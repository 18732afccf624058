"""Routing: the native router of a province plus its Rhai rules."""

from __future__ import annotations

import datetime as _dt
import json
import os
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

from . import _acikkapi
from .application import _json_default


def _request(item: Mapping[str, Any], province: int) -> Dict[str, Any]:
    """A routing request from a request dict or a validated :class:`Application`."""
    if "location" in item:  # an Application (output of validate)
        flags = item.get("flags") or {}
        received = str(item["received_at"])
        return {
            "category": item["category"],
            "province": item["location"]["province"],
            "district": item["location"]["district"],
            "date": received[:10],
            "kind": item.get("kind", "sikayet"),
            "channel": item.get("channel", ""),
            "special": bool(flags.get("special", False)),
            "ohal": bool(flags.get("ohal", False)),
            "confidential": bool(flags.get("confidential", False)),
            "direct_to_unit": flags.get("direct_to_unit"),
            "text": item.get("subject", ""),
        }
    req = dict(item)
    req.setdefault("province", province)
    return req


class Router:
    """Yönlendirme: routes applications of one province to the authorised officer of the right unit.

    ``rules`` is ``None`` for the province's bundled Rhai script (Denizli and İstanbul have one;
    elsewhere routing is native), ``""`` for native routing only, a path to a ``.rhai`` file, or
    Rhai source text. Decisions are dicts with ``target``, ``priority``, ``deadline_days``,
    ``escalation``, ``visibility``, ``trace``, ``decided_by`` and ``rule_set_version``.

    >>> r = Router(20)
    >>> d = r.route({"category": "YEREL.COP", "district": "Pamukkale", "date": "2026-11-16"})
    >>> d["target"]["kind"]
    'route'
    """

    def __init__(self, province: int, rules: Optional[Union[str, os.PathLike]] = None) -> None:
        self.province = int(province)
        name = "rules.rhai"
        source: Optional[str]
        if rules is None:
            source = None
        elif isinstance(rules, os.PathLike) or (isinstance(rules, str) and rules.endswith(".rhai") and "\n" not in rules):
            name = os.path.basename(os.fspath(rules))
            with open(rules, encoding="utf-8") as f:
                source = f.read()
        else:
            source = str(rules)
        self._r = _acikkapi.Router(self.province, source, name)

    @property
    def rules_version(self) -> Optional[str]:
        """SHA-256 of the installed rule set's text, or ``None`` when routing is native."""
        return self._r.rules_version

    def route(self, item: Mapping[str, Any]) -> Dict[str, Any]:
        """Routes one request (``category``, ``district``, ``date``, flags…) or validated application."""
        text = json.dumps(_request(item, self.province), default=_json_default, ensure_ascii=False)
        return json.loads(self._r.route_json(text))

    def route_many(self, items: Sequence[Mapping[str, Any]]) -> List[Dict[str, Any]]:
        """Routes many requests; the routing runs in Rust without the GIL. A request that cannot be
        routed gives ``{"error": "..."}`` in its place."""
        text = json.dumps([_request(i, self.province) for i in items], default=_json_default, ensure_ascii=False)
        return json.loads(self._r.route_many_json(text))

    def route_columns(
        self, categories: Sequence[str], districts: Sequence[str], dates: Sequence[Union[_dt.date, str]]
    ) -> List[Optional[str]]:
        """Native fast path over columns (no scripts, no trace): the target unit id of each row, or
        ``None`` where the row cannot be routed. Suited to bulk what-if analysis."""
        ds = [d if isinstance(d, _dt.date) else _dt.date.fromisoformat(str(d)) for d in dates]
        return self._r.route_columns(list(categories), list(districts), ds)


__all__ = ["Router"]
