"""Python routing throughput: the native columnar path (`Router.route_columns`) and the full
decision path (`Router.route_many`, JSON decisions with scripts) over a realistic Denizli stream.

Run: .venv/bin/python benches/python_routing.py [N]   (after ./test.sh has built the module)
"""

import datetime as dt
import random
import sys
import time

import acikkapi


def main(n: int = 1_000_000) -> None:
    rng = random.Random(7)
    cats = [c["code"] for c in acikkapi.Taxonomy().categories]
    dists = acikkapi.Geography().districts(20)
    days = [dt.date(2026, 1, 1) + dt.timedelta(days=i) for i in range(365)]
    # A realistic stream: a few categories dominate (Zipf-like), central districts heavier.
    cat_w = [1.0 / (i + 1) for i in range(len(cats))]
    dist_w = [5.0 if d in ("Merkezefendi", "Pamukkale") else 1.0 for d in dists]
    c = rng.choices(cats, cat_w, k=n)
    d = rng.choices(dists, dist_w, k=n)
    t = rng.choices(days, k=n)

    native = acikkapi.Router(20, rules="")
    start = time.perf_counter()
    units = native.route_columns(c, d, t)
    el = time.perf_counter() - start
    routed = sum(u is not None for u in units)
    print(f"route_columns (native): {n:,} rows in {el * 1e3:.0f} ms = {n / el / 1e6:.2f} M decisions/s ({routed:,} routed)")

    m = min(n, 100_000)
    rows = [{"category": c[i], "district": d[i], "date": t[i].isoformat()} for i in range(m)]
    for label, router in [("native", native), ("scripted (Denizli rules)", acikkapi.Router(20))]:
        start = time.perf_counter()
        router.route_many(rows)
        el = time.perf_counter() - start
        print(f"route_many, {label}: {m:,} full decisions in {el * 1e3:.0f} ms = {m / el / 1e3:.0f} k/s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
