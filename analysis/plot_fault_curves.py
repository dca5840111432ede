#!/usr/bin/env python3
"""Seed 004's figures 3-5 from an `lvsim sweep`: windowed accuracy versus images
processed, one line per fault rate, one panel per mitigation.

    /usr/bin/python3 analysis/plot_fault_curves.py results/seed004_fault_curves \
        --out docs/seed004_fault_curves.png

Reads <sweep>/curves.csv (written by lvsim sweep). Needs Debian's
python3-matplotlib and python3-pandas.
"""
import argparse
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sweep", help="directory of an lvsim sweep")
    parser.add_argument("--out", default=None, help="PNG to write (default <sweep>/fault_curves.png)")
    parser.add_argument("--rate", default="fault.p", help="column of the fault rate")
    parser.add_argument("--panel", default="weight_sram.mitigation", help="column of the panels")
    args = parser.parse_args()

    path = os.path.join(args.sweep, "curves.csv")
    if not os.path.exists(path):
        sys.exit(f"{path}: not found (run lvsim sweep first)")
    curves = pd.read_csv(path)
    for column in (args.rate, args.panel, "end_image", "windowed_accuracy"):
        if column not in curves.columns:
            sys.exit(f"{path}: no column '{column}' (columns: {', '.join(curves.columns)})")

    panels = list(dict.fromkeys(curves[args.panel]))
    rates = sorted(set(curves[args.rate]), key=float)
    colors = plt.cm.viridis([i / max(1, len(rates) - 1) for i in range(len(rates))])
    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.6), sharey=True,
                             squeeze=False)
    for ax, panel in zip(axes[0], panels):
        for color, rate in zip(colors, rates):
            line = curves[(curves[args.panel] == panel) & (curves[args.rate] == rate)]
            if line.empty:
                continue
            ax.plot(line["end_image"], 100 * line["windowed_accuracy"], color=color, lw=1.2,
                    label=f"p = {rate}")
            if "windowed_accuracy_ci95" in line and line["windowed_accuracy_ci95"].max() > 0:
                ax.fill_between(line["end_image"],
                                100 * (line["windowed_accuracy"] - line["windowed_accuracy_ci95"]),
                                100 * (line["windowed_accuracy"] + line["windowed_accuracy_ci95"]),
                                color=color, alpha=0.2, lw=0)
        baseline = curves[curves[args.panel] == panel].groupby("end_image")[
            "baseline_windowed_accuracy"].first()
        ax.plot(baseline.index, 100 * baseline.values, color="black", lw=0.8, ls=":",
                label="fault-free")
        ax.set_title(f"{panel}")
        ax.set_xlabel("images processed")
        ax.set_ylim(0, 102)
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("windowed accuracy (%)")
    axes[0][-1].legend(fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.tight_layout()
    out = args.out or os.path.join(args.sweep, "fault_curves.png")
    fig.savefig(out, dpi=110)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
