"""An analyst's session: simulate a province-year, put it in a DataFrame, plot outcomes per heading.

Run (after ./test.sh has built the module into .venv):

    .venv/bin/python examples/analysis.py [--province 20] [--days 365] [--seed 1] [--out outcomes.png]

Plotting needs matplotlib; without it the script prints the table and says it skipped the plot.
pandas is used when installed; without it the rows are printed as they come.
"""

from __future__ import annotations

import argparse
import sys

import acikkapi


def main(argv: "list[str] | None" = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--province", type=int, default=20)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--deadline", type=int, default=7, help="business days to answer (policy under test)")
    ap.add_argument("--out", default="outcomes_by_heading.png")
    args = ap.parse_args(argv)

    sim = acikkapi.simulate(province=args.province, days=args.days, seed=args.seed, deadline=args.deadline)
    block = sim.statistics()
    print(f"{args.province:02d} — {args.days} days, seed {args.seed}, deadline {args.deadline} business days")
    for label, value in sim.statistics_tr():
        print(f"  {label:<28} {value:>10}")

    rows = sim.report("heading")
    try:
        import pandas as pd
    except ImportError:
        pd = None
    if pd is not None:
        df = pd.DataFrame(rows).set_index("label")
        df = df[["received", "positive", "negative", "partly_positive", "pending", "on_time_share"]]
        print(df.sort_values("received", ascending=False).to_string())
    else:
        for r in rows:
            print(r["label"], r["received"], r["positive"], r["negative"], r["partly_positive"])

    assert block["received"] == block["concluded"] + block["pending"] + block["not_processed"] + block["redirected"]

    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: skipping the plot")
        return 0
    rows = sorted(rows, key=lambda r: r["received"])
    labels = [r["label"] for r in rows]
    fig, ax = plt.subplots(figsize=(9, 6))
    left = [0] * len(rows)
    for key, name, colour in [
        ("positive", "Olumlu", "#2e7d32"),
        ("partly_positive", "Kısmen olumlu", "#ef8f00"),
        ("negative", "Olumsuz", "#c62828"),
        ("pending", "Bekleyen", "#1565c0"),
    ]:
        values = [r[key] for r in rows]
        ax.barh(labels, values, left=left, label=name, color=colour)
        left = [a + b for a, b in zip(left, values)]
    ax.set_xlabel("Başvuru")
    ax.set_title(f"Sonuçlar, hizmet başlığına göre ({args.days} gün, il {args.province:02d})")
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(args.out, dpi=110)
    print(f"plot written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
