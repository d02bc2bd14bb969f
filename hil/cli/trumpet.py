"""`itpump trumpet CSV --rate-ul-per-h R`: IEC 60601-2-24 trumpet analysis of a balance log (t_s, mass_g)."""
from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import numpy as np

from hil.gravimetry.trumpet import REFERENCE_WINDOWS_MIN, TrumpetConfig, TrumpetError, TrumpetResult, trumpet_curve


def register(subparsers: argparse._SubParsersAction) -> None:
    defaults = TrumpetConfig()
    parser = subparsers.add_parser("trumpet", help="trumpet curve of a balance log CSV",
                                   description="Read a CSV with columns t_s and mass_g (balance readings) and print "
                                               "the trumpet table: Ep(max), Ep(min) per observation window and the "
                                               "mean error A over the analysis period.")
    parser.add_argument("csv", type=Path, metavar="CSV")
    parser.add_argument("--rate-ul-per-h", type=float, required=True, help="the set rate")
    parser.add_argument("--png", type=Path, help="also write the trumpet curve as a PNG")
    parser.add_argument("--density-g-per-ml", type=float, default=defaults.density_g_per_ml)
    parser.add_argument("--evaporation-rate-mg-per-h", type=float, default=defaults.evaporation_rate_mg_per_h)
    parser.add_argument("--sample-interval-s", type=float, default=defaults.sample_interval_s)
    parser.add_argument("--windows-min", type=float, nargs="+", default=list(REFERENCE_WINDOWS_MIN))
    parser.add_argument("--analysis-start-min", type=float, default=defaults.analysis_start_min)
    parser.add_argument("--analysis-duration-min", type=float, default=defaults.analysis_duration_min)
    parser.set_defaults(func=handle)


def read_balance_csv(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """t_s and mass_g columns; errors name the file, line and column."""
    try:
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            columns = reader.fieldnames or []
            missing = [c for c in ("t_s", "mass_g") if c not in columns]
            if missing:
                raise ValueError(f"{path}: missing column(s) {', '.join(missing)} (found: {', '.join(columns) or 'none'})")
            t_s, mass_g = [], []
            for row in reader:
                for column, target in (("t_s", t_s), ("mass_g", mass_g)):
                    try:
                        target.append(float(row[column]))
                    except (TypeError, ValueError):
                        raise ValueError(f"{path}:{reader.line_num}: {column} {row[column]!r} is not a number") from None
    except OSError as exc:
        raise ValueError(f"{path}: cannot read ({exc.strerror or exc})") from None
    return np.array(t_s), np.array(mass_g)


def format_table(result: TrumpetResult) -> str:
    lines = [f"set rate {result.rate_ul_per_h:g} uL/h; analysis period {result.config.analysis_start_min:g}-"
             f"{result.config.analysis_start_min + result.config.analysis_duration_min:g} min; "
             f"sample interval {result.config.sample_interval_s:g} s",
             f"mean error A = {result.mean_error_percent:+.3f} %",
             f"{'window (min)':>12} {'windows':>8} {'Ep(max) %':>10} {'Ep(min) %':>10}"]
    lines += [f"{w.window_min:>12g} {w.window_count:>8d} {w.ep_max_percent:>+10.3f} {w.ep_min_percent:>+10.3f}"
              for w in result.windows]
    return "\n".join(lines)


def handle(args: argparse.Namespace) -> int:
    try:
        config = TrumpetConfig(sample_interval_s=args.sample_interval_s, windows_min=tuple(args.windows_min),
                               analysis_start_min=args.analysis_start_min,
                               analysis_duration_min=args.analysis_duration_min,
                               density_g_per_ml=args.density_g_per_ml,
                               evaporation_rate_mg_per_h=args.evaporation_rate_mg_per_h)
        t_s, mass_g = read_balance_csv(args.csv)
        result = trumpet_curve(t_s, mass_g, args.rate_ul_per_h, config)
    except (TrumpetError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(format_table(result))
    if args.png:
        from hil.outputs.plots import plot_trumpet
        plot_trumpet(result, args.png, None, [])
        print(f"png: {args.png}")
    return 0
