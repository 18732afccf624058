import datetime as dt
import json
import pathlib

import pytest

import acikkapi

SAMPLES = pathlib.Path(__file__).resolve().parents[2] / "acikkapi-core" / "data" / "samples"


def load(name: str) -> dict:
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


def test_valid_sample_is_normalised():
    app = acikkapi.validate(load("01_sikayet_edevlet_denizli.json"))
    assert app.category == "YEREL.COP"
    assert app.location["district"] == "Pamukkale"
    assert app["kind"] == "sikayet"


def test_datetime_objects_are_accepted():
    data = load("01_sikayet_edevlet_denizli.json")
    data["received_at"] = dt.datetime(2026, 11, 16, 9, 12, tzinfo=dt.timezone(dt.timedelta(hours=3)))
    assert acikkapi.validate(data).received_at.startswith("2026-11-16T09:12")


def test_every_problem_is_listed():
    with pytest.raises(acikkapi.ValidationError) as info:
        acikkapi.validate(load("05_hatali_istanbul.json"))
    err = info.value
    assert len(err.problems) == 4 == len(err.reasons)
    kinds = {p["problem"] for p in err.problems}
    assert {"invalid_tckn", "invalid_phone", "unknown_category", "unknown_district"} <= kinds
    assert any("Karşıyaka" in r for r in err.reasons)
    assert isinstance(err, acikkapi.AcikKapiError)


def test_unknown_field_and_bad_types_are_validation_errors():
    with pytest.raises(acikkapi.ValidationError, match="tckno"):
        acikkapi.validate({"tckno": "1"})
    with pytest.raises(acikkapi.ValidationError):
        acikkapi.validate({"tckn": 12345})


def test_validate_many_keeps_going():
    out = acikkapi.validate_many([load("01_sikayet_edevlet_denizli.json"), load("05_hatali_istanbul.json")])
    assert isinstance(out[0], acikkapi.Application)
    assert isinstance(out[1], acikkapi.ValidationError)
