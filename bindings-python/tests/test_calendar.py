import datetime as dt

import pytest

import acikkapi

try:
    import numpy as np
except ImportError:  # pragma: no cover
    np = None

try:
    from hypothesis import given, settings
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover
    given = None


def test_fixed_rules_and_bayrams():
    cal = acikkapi.Calendar("legal")
    hol = {h["date"]: h for h in cal.holidays(2026)}
    assert hol[dt.date(2026, 10, 29)]["kind"] == "full"
    assert hol[dt.date(2026, 10, 28)]["kind"] == "half"
    assert hol[dt.date(2026, 3, 20)]["source"] == "table"
    assert dt.date(2008, 5, 1) not in {h["date"] for h in cal.holidays(2008)}
    assert dt.date(2009, 5, 1) in {h["date"] for h in cal.holidays(2009)}


def test_public_sector_includes_idari_izin():
    legal, public = acikkapi.Calendar("legal"), acikkapi.Calendar("public")
    d = dt.date(2025, 4, 2)
    assert legal.is_business_day(d) and not public.is_business_day(d)
    assert any(h["source"] == "idari-izin" for h in public.holidays(2025))


def test_add_and_between():
    cal = acikkapi.Calendar("legal")
    d = dt.date(2024, 6, 14)
    assert cal.add_business_days(d, 1) == dt.date(2024, 6, 20)
    assert cal.business_days_between(d, dt.date(2024, 6, 20)) == 1
    assert cal.add_business_days("2024-06-20", -1) == d


def test_deadline_cut_off():
    cal = acikkapi.Calendar()
    # Monday 10:00 → 7 business days later at closing time
    due = cal.deadline(dt.datetime(2026, 11, 23, 10, 0), 7)
    assert due.date() == dt.date(2026, 12, 2)
    assert due.utcoffset() == dt.timedelta(hours=3)
    # after office hours counts from the next business day
    late = cal.deadline(dt.datetime(2026, 11, 23, 18, 0), 7)
    assert late.date() == dt.date(2026, 12, 3)


def test_errors_are_calendar_errors():
    with pytest.raises(acikkapi.CalendarError):
        acikkapi.Calendar().is_business_day(dt.date(1900, 1, 1))
    with pytest.raises(acikkapi.CalendarError):
        acikkapi.Calendar("lunar")


def test_batch_on_lists():
    cal = acikkapi.Calendar("legal")
    days = [dt.date(2024, 6, 14), dt.date(2025, 1, 2)]
    assert cal.add_business_days_many(days, 1) == [cal.add_business_days(d, 1) for d in days]
    assert cal.business_days_between_many(days, [dt.date(2024, 6, 20), dt.date(2025, 1, 3)]) == [1, 1]


@pytest.mark.skipif(np is None, reason="numpy not installed")
def test_batch_on_numpy_matches_scalar():
    cal = acikkapi.Calendar("legal")
    rng = np.random.default_rng(7)
    base = np.datetime64("2000-01-01") + rng.integers(0, 12000, size=500).astype("timedelta64[D]")
    n = rng.integers(-30, 30, size=500)
    out = cal.add_business_days_many(base, n)
    assert out.dtype == np.dtype("datetime64[D]")
    for d, k, r in zip(base.tolist(), n.tolist(), out.tolist()):
        assert cal.add_business_days(d, k) == r
    back = cal.business_days_between_many(base, out)
    assert back.tolist() == [cal.business_days_between(a, b) for a, b in zip(base.tolist(), out.tolist())]


if given is not None:

    @settings(max_examples=200, deadline=None)
    @given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2060, 1, 1)), st.integers(1, 60))
    def test_add_then_between_round_trips(d, n):
        cal = acikkapi.Calendar()
        r = cal.add_business_days(d, n)
        assert cal.is_business_day(r)
        assert cal.business_days_between(d, r) == n
