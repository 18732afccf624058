"""Who acts on an application: the typed actors of the Rust library.

Every call of :class:`acikkapi.Engine` acts as an actor, and the library's one permission policy
decides what that actor may see and do. Build one with the class methods::

    clerk = Actor.bureau("20.ACIK_KAPI")
    officer = Actor.officer("20.SGK.YETKILI")
    vali = Actor.governor("20.VALILIK.VALI")
    citizen = Actor.citizen("AK-20-2026-0000001-3", phone_last_four="4567")
"""

from __future__ import annotations

import json
from typing import Any, Dict, Optional

_GOVERNOR_POSTS = ("vali", "vali_yardimcisi", "kaymakam")
_OFFICER_POSTS = ("yetkili", "yedek", "head")


class Actor:
    """Kullanıcı: a typed actor. Ids are the organisation's (``20.SGK.YETKILI``), never names."""

    def __init__(self, data: Dict[str, Any]) -> None:
        self._data = dict(data)

    @classmethod
    def bureau(cls, unit: str, id: str = "buro") -> "Actor":
        """A clerk of an Açık Kapı unit (``20.ACIK_KAPI``, ``20.MERKEZEFENDI.ACIK_KAPI``)."""
        return cls({"role": "bureau", "id": id, "unit": unit})

    @classmethod
    def officer(cls, id: str, role: str = "yetkili") -> "Actor":
        """An officer of an institution: ``role`` is ``yetkili``, ``yedek`` or ``head``."""
        if role not in _OFFICER_POSTS:
            raise ValueError(f"role must be one of {_OFFICER_POSTS}, not {role!r}")
        return cls({"role": role, "id": id})

    @classmethod
    def governor(cls, id: str, who: Optional[str] = None) -> "Actor":
        """The vali, a vali yardımcısı or a kaymakam (``20.VALILIK.VALI``); ``who`` defaults to
        the post the id ends with (``VALI`` → vali, ``KAYMAKAM`` → kaymakam, else vali yardımcısı)."""
        if who is None:
            last = id.rsplit(".", 1)[-1]
            who = {"VALI": "vali", "KAYMAKAM": "kaymakam"}.get(last, "vali_yardimcisi")
        if who not in _GOVERNOR_POSTS:
            raise ValueError(f"who must be one of {_GOVERNOR_POSTS}, not {who!r}")
        return cls({"role": who, "id": id})

    @classmethod
    def analyst(cls, id: str = "analist") -> "Actor":
        """An analyst: de-identified records and statistics only."""
        return cls({"role": "analyst", "id": id})

    @classmethod
    def system(cls) -> "Actor":
        """The system (timers)."""
        return cls({"role": "system", "id": "sistem"})

    @classmethod
    def citizen(cls, tracking: str, phone_last_four: Optional[str] = None, tckn: Optional[str] = None) -> "Actor":
        """The applicant, for their own tracking number, with what they proved: the last four
        digits of the phone number in the application, or the TCKN verified by e-Devlet."""
        if (phone_last_four is None) == (tckn is None):
            raise ValueError("give exactly one of phone_last_four and tckn")
        data: Dict[str, Any] = {"role": "citizen", "tracking": tracking}
        if phone_last_four is not None:
            data["phone_last_four"] = str(phone_last_four)
        else:
            data["tckn"] = str(tckn)
        return cls(data)

    @property
    def role(self) -> str:
        """The role (``bureau``, ``yetkili``, ``vali``, ``citizen``, …)."""
        return str(self._data["role"])

    def to_json(self) -> str:
        """The actor as the library reads it."""
        return json.dumps(self._data, ensure_ascii=False)

    def __repr__(self) -> str:
        shown = {k: v for k, v in self._data.items() if k not in ("tckn", "phone_last_four")}
        return f"Actor({shown!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Actor) and other._data == self._data


def _json(actor: Optional[Actor]) -> Optional[str]:
    return None if actor is None else actor.to_json()


__all__ = ["Actor"]
