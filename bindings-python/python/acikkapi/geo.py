"""Geography and taxonomy lookups."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Dict, List

from . import _acikkapi


@dataclass(frozen=True)
class Province:
    """İl: a province (2023 population from TÜİK ADNKS)."""

    plate: str
    name: str
    name_ascii: str
    region: str
    nuts1: str
    nuts1_name: str
    nuts3: str
    metropolitan: bool
    population_2023: int


class Geography:
    """The 81 provinces and 973 districts. Lookups accept any case, with or without Turkish letters.

    >>> from acikkapi import Geography
    >>> Geography().province("sanliurfa").name
    'Şanlıurfa'
    """

    def __init__(self) -> None:
        self._provinces = [Province(**p) for p in json.loads(_acikkapi.provinces_json())]

    def provinces(self) -> List[Province]:
        """All provinces in plate order."""
        return list(self._provinces)

    def province(self, name_or_plate: "str | int") -> Province:
        """A province by plate (``20``, ``"07"``) or name; raises ``NotFoundError``."""
        return Province(**json.loads(_acikkapi.province_json(str(name_or_plate))))

    def districts(self, province: "str | int") -> List[str]:
        """The district names of a province, in Turkish alphabetical order."""
        return _acikkapi.districts(str(province))

    def district(self, province: "str | int", name: str) -> str:
        """The canonical name of a district; raises ``NotFoundError``."""
        return _acikkapi.district(str(province), name)

    def records(self) -> List[Dict[str, Any]]:
        """The provinces as a list of dicts (``pandas.DataFrame(geo.records())``)."""
        return [dict(p.__dict__) for p in self._provinces]


class Taxonomy:
    """The service taxonomy: 17 headings, ~330 categories, institution types (versioned data)."""

    def __init__(self) -> None:
        version, headings, categories, institutions = _acikkapi.taxonomy_json()
        self.version: str = version
        self.headings: List[Dict[str, Any]] = json.loads(headings)
        self.categories: List[Dict[str, Any]] = json.loads(categories)
        self.institution_types: List[Dict[str, Any]] = json.loads(institutions)
        self._by_code = {c["code"]: c for c in self.categories}

    def category(self, code: str) -> Dict[str, Any]:
        """A category by code (``"SAGLIK.RANDEVU"``); raises ``NotFoundError``."""
        try:
            return self._by_code[code]
        except KeyError:
            from .errors import NotFoundError

            raise NotFoundError(f"bilinmeyen kategori: {code!r}") from None

    def suggest(self, text: str, limit: int = 5) -> List[Dict[str, Any]]:
        """Categories whose keywords occur in ``text``, best first: ``[{code, score, matched}]``."""
        return json.loads(_acikkapi.suggest_categories_json(text, limit))
