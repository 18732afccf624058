import datetime as dt
import json
import pathlib

import pytest

import acikkapi

SAMPLES = pathlib.Path(__file__).resolve().parents[2] / "acikkapi-core" / "data" / "samples"


def test_native_and_scripted_routing():
    native = acikkapi.Router(20, rules="")
    assert native.rules_version is None
    d = native.route({"category": "YEREL.COP", "district": "Pamukkale", "date": "2026-11-16"})
    assert d["target"]["kind"] == "route"
    assert d["deadline_days"] == 7
    assert d["decided_by"]["kind"] if isinstance(d["decided_by"], dict) else d["decided_by"]
    scripted = acikkapi.Router(20)
    assert scripted.rules_version and len(scripted.rules_version) == 64
    s = scripted.route({"category": "YEREL.COP", "district": "Pamukkale", "date": "2026-11-16"})
    assert s["rule_set_version"] == scripted.rules_version


def test_route_a_validated_application():
    app = acikkapi.validate(json.loads((SAMPLES / "01_sikayet_edevlet_denizli.json").read_text(encoding="utf-8")))
    d = acikkapi.Router(20).route(app)
    assert d["target"]["kind"] == "route"


def test_route_many_and_columns_agree_with_route():
    r = acikkapi.Router(20, rules="")
    rows = [
        {"category": c, "district": dist, "date": "2026-11-16"}
        for c in ["YEREL.COP", "SAGLIK.RANDEVU", "EGITIM.DIGER"]
        for dist in ["Pamukkale", "Merkezefendi", "Çivril"]
    ]
    many = r.route_many(rows)
    assert [m["target"].get("unit") for m in many] == [r.route(x)["target"].get("unit") for x in rows]
    cols = r.route_columns([x["category"] for x in rows], [x["district"] for x in rows], [dt.date(2026, 11, 16)] * len(rows))
    assert cols == [m["target"].get("unit") for m in many]


def test_unroutable_rows_and_bad_scripts():
    r = acikkapi.Router(20, rules="")
    out = r.route_many([{"category": "YEREL.COP", "district": "Kadıköy", "date": "2026-11-16"}])
    assert "error" in out[0] or out[0]["target"]["kind"] == "reject"
    assert r.route_columns(["YOK.YOK"], ["Pamukkale"], ["2026-11-16"]) == [None]
    with pytest.raises(acikkapi.RuleError, match="rules.rhai"):
        acikkapi.Router(20, rules="if (")
    with pytest.raises(acikkapi.ValidationError):
        r.route({"category": "bad code", "district": "Pamukkale", "date": "2026-11-16"})


def test_hostile_script_falls_back_to_native():
    r = acikkapi.Router(20, rules="loop { }")
    d = r.route({"category": "YEREL.COP", "district": "Pamukkale", "date": "2026-11-16"})
    assert d["target"]["kind"] == "route"
    assert "fallback" in json.dumps(d["decided_by"])
