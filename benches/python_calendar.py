"""Batch add_business_days: acikkapi (numpy datetime64[D] in, Rust without the GIL) against
numpy.busday_offset given the same holiday list. Checks both agree before timing.

Run: .venv/bin/python benches/python_calendar.py [N]   (after ./test.sh has built the module)
"""

import sys
import time

import numpy as np

import acikkapi


def main(n: int = 1_000_000, repeats: int = 5) -> None:
    cal = acikkapi.Calendar("legal")  # half days count as business days (the default policy)
    years = range(1999, 2042)
    off = sorted({h["date"] for y in years for h in cal.holidays(y) if h["kind"] == "full"})
    holidays = np.array(off, dtype="datetime64[D]")
    rng = np.random.default_rng(42)
    start = np.datetime64("2000-01-01")
    dates = start + rng.integers(0, 12_000, size=n).astype("timedelta64[D]")
    # busday_offset needs business-day inputs for exact agreement with "n-th business day after":
    # roll the inputs to business days first, with numpy itself.
    dates = np.busday_offset(dates, 0, roll="forward", holidays=holidays)
    k = rng.integers(1, 30, size=n)

    ours = cal.add_business_days_many(dates, k)
    theirs = np.busday_offset(dates, k, roll="forward", holidays=holidays)
    assert (ours == theirs).all(), "acikkapi and numpy disagree"

    def best(f):
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            f()
            times.append(time.perf_counter() - t)
        return min(times)

    t_ours = best(lambda: cal.add_business_days_many(dates, k))
    t_numpy = best(lambda: np.busday_offset(dates, k, roll="forward", holidays=holidays))
    print(f"n={n:,} dates, best of {repeats}")
    print(f"acikkapi add_business_days_many: {t_ours * 1e3:8.1f} ms  ({n / t_ours / 1e6:.1f} M/s)")
    print(f"numpy busday_offset:             {t_numpy * 1e3:8.1f} ms  ({n / t_numpy / 1e6:.1f} M/s)")
    print(f"ratio numpy/acikkapi: {t_numpy / t_ours:.2f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
