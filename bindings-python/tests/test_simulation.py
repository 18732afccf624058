import pathlib

import pytest

import acikkapi

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_simulation_is_deterministic_and_conserves():
    a = acikkapi.simulate(province=74, days=20, seed=3)
    b = acikkapi.simulate(province=74, days=20, seed=3)
    assert a.statistics() == b.statistics()
    s = a.statistics()
    assert s["received"] > 0
    assert s["received"] == s["concluded"] + s["pending"] + s["not_processed"] + s["redirected"]
    assert s["concluded"] == s["positive"] + s["negative"] + s["partly_positive"] + s["closed"]
    assert len(a.records()) == s["received"]
    rows = a.report("heading")
    assert sum(r["received"] for r in rows) == s["received"]
    labels = [label for label, _ in a.statistics_tr()]
    assert labels[0] == "Toplam Başvuru Sayısı" and labels[-1] == "İşlem Yapılmayı Bekleyen"


def test_policies_change_the_outcome_on_the_same_arrivals():
    base = acikkapi.simulate(province=20, days=30, seed=5)
    short = acikkapi.simulate(province=20, days=30, seed=5, deadline=3)
    assert base.statistics()["received"] == short.statistics()["received"]
    assert short.sla()["on_time"] <= base.sla()["on_time"]
    scripted = acikkapi.simulate(province=20, days=30, seed=5, policy=ROOT / "examples/policies/denizli-rules.toml")
    assert scripted.statistics()["received"] == base.statistics()["received"]


def test_bad_arguments_are_errors():
    with pytest.raises(acikkapi.AcikKapiError):
        acikkapi.simulate(province=99, days=10)
    with pytest.raises(acikkapi.AcikKapiError):
        acikkapi.simulate(province=20, days=0)


def test_format_int_tr():
    assert acikkapi.format_int_tr(46605) == "46.605"
    assert acikkapi.format_int_tr(-1234567) == "-1.234.567"
    assert acikkapi.format_int_tr(0) == "0"


def test_analysis_example_runs(tmp_path):
    import runpy
    import sys

    out = tmp_path / "plot.png"
    argv = sys.argv
    sys.argv = ["analysis.py", "--days", "30", "--out", str(out)]
    try:
        with pytest.raises(SystemExit) as done:
            runpy.run_path(str(ROOT / "examples" / "analysis.py"), run_name="__main__")
        assert done.value.code == 0
    finally:
        sys.argv = argv
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return
    assert out.is_file() and out.stat().st_size > 1000
