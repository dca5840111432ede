#!/usr/bin/env python3
"""Writes the figures that apply to an lvsim sweep or run as PNG files.

    /usr/bin/python3 analysis/plot.py results/voltage_scaling               # every figure
    /usr/bin/python3 analysis/plot.py results/voltage_scaling --figure pareto --out p.png
    /usr/bin/python3 analysis/plot.py results/latest                        # a single run

SOURCE is a sweep directory or its sweep.db, or a run directory or its
report.json. Figures go to SOURCE's directory (or --out-dir) as NAME.png;
--list names the figures that apply. Needs Debian's python3-matplotlib,
python3-numpy and python3-pandas.
"""
import argparse
import os
import sys

PROG = os.environ.get("LVSIM_PROG", "plot.py")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lvsim_results  # noqa: E402  (first: it checks the Debian packages)
import figures  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", help="sweep directory, sweep.db, run directory or report.json")
    parser.add_argument("--figure", action="append", default=[],
                        help="only this figure (repeatable; see --list)")
    parser.add_argument("--out-dir", help="directory for the PNGs (default: the source's)")
    parser.add_argument("--out", help="file for the one --figure asked for")
    parser.add_argument("--list", action="store_true", help="name the figures that apply and stop")
    parser.add_argument("--dpi", type=int, default=110)
    args = parser.parse_args(argv)

    try:
        results = lvsim_results.load(args.source)
    except lvsim_results.SourceError as error:
        sys.exit(f"{PROG}: error: {error}")
    built = figures.build_all(results)
    if args.list:
        for figure in built:
            print(f"{figure.name:22s} {figure.title}")
        return
    if args.figure:
        names = {f.name for f in built}
        for name in args.figure:
            if name not in names:
                sys.exit(f"{PROG}: error: --figure {name}: does not apply to {args.source} "
                         f"(applies: {', '.join(sorted(names)) or 'none'})")
        built = [f for f in built if f.name in args.figure]
    if args.out and len(built) != 1:
        sys.exit(f"{PROG}: error: --out names one file: give exactly one --figure")
    out_dir = args.out_dir or (args.source if os.path.isdir(args.source)
                               else os.path.dirname(args.source) or ".")
    os.makedirs(out_dir, exist_ok=True)
    for figure in built:
        path = args.out or os.path.join(out_dir, figure.name + ".png")
        figure.save(path, dpi=args.dpi)
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
