"""Per-application cost of the Python Engine as it grows (plain script, after ./test.sh).

    .venv/bin/python benches/python_engine.py [--sizes 1000,10000,100000]

Submits, routes and answers N applications into one in-memory Engine, and reports the time per
application of the last 1,000 of each size class (so the growth of per-application cost is
visible directly: it must stay flat, not grow with N). Before the MemorySink fix, the
per-application cost grew with every notification already queued (a scan of all earlier keys).
"""

import argparse
import datetime as dt
import json
import pathlib
import time

import acikkapi

SAMPLES = pathlib.Path(__file__).resolve().parents[1] / "acikkapi-core" / "data" / "samples"
T0 = dt.datetime(2026, 11, 23, 10, 0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,100000")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    base = json.loads((SAMPLES / "01_sikayet_edevlet_denizli.json").read_text(encoding="utf-8"))
    base["received_at"] = T0.isoformat() + "+03:00"
    eng = acikkapi.Engine()
    window = 1_000
    done = 0
    print(f"{'applications':>12}  {'µs/app (last 1,000)':>20}  {'apps/s':>8}")
    def one() -> None:
        tracking, status = eng.submit(base, T0)
        assert status == "registered", status
        eng.route(tracking, T0)
        eng.answer(tracking, "olumlu", "Gereği yapıldı.", T0 + dt.timedelta(days=1))

    for size in sizes:
        while done < size - window:
            one()
            done += 1
        start = time.perf_counter()
        while done < size:
            one()
            done += 1
        elapsed = time.perf_counter() - start
        print(f"{size:>12,}  {elapsed / window * 1e6:>20.1f}  {window / elapsed:>8,.0f}")
    assert len(eng) == sizes[-1]


if __name__ == "__main__":
    main()
