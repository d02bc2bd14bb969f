"""`itpump trumpet CSV --rate-ul-per-h R [--max-mean-error-percent P] [--json]`: IEC 60601-2-24 trumpet analysis of
a balance log (t_s, mass_g), judged against an accuracy band.

IEC 60601-2-24 sets how the curve is measured, not a pass band: the band is the pump's disclosed accuracy,
the same TrumpetLimits the run report draws (hil.outputs.plots_trumpet; default SynchroMed II +/-14.5 % for the
mean error A), or --max-mean-error-percent P. PASS (exit 0) when A is within it, FAIL (1) beyond; a missing file,
column or number, or too short a log, is bad input (2)."""
from __future__ import annotations

import argparse
import csv
import math
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from firmware_sim.outcome import Outcome
from hil.cli.exit_codes import ExitCode
from hil.cli.json_output import fail, print_result
from hil.cli.number_args import bounded_number as _number
from hil.gravimetry.trumpet import REFERENCE_WINDOWS_MIN, TrumpetConfig, TrumpetError, TrumpetResult, trumpet_curve
from hil.results.error import ErrorKind
from hil.results.trumpet import TrumpetReport, TrumpetWindowResult

if TYPE_CHECKING:
    from hil.outputs.plots_trumpet import TrumpetLimits


def _png_path(text: str) -> Path:
    path = Path(text)
    if path.is_dir() or not path.resolve().parent.is_dir():
        raise argparse.ArgumentTypeError(f"--png {text!r}: {'is a folder' if path.is_dir() else 'no such folder'}")
    if path.suffix.lower() != ".png":
        raise argparse.ArgumentTypeError(f"--png must name a .png file, got {text!r}")
    return path


def register(subparsers: argparse._SubParsersAction) -> None:
    defaults = TrumpetConfig()
    parser = subparsers.add_parser("trumpet", help="trumpet curve of a balance log CSV",
                                   description="Read a CSV with columns t_s and mass_g (balance readings) and print "
                                               "the trumpet table: Ep(max), Ep(min) per observation window and the "
                                               "mean error A over the analysis period.")
    parser.add_argument("csv", type=Path, metavar="CSV")
    parser.add_argument("--rate-ul-per-h", type=_number("--rate-ul-per-h", 0, 1e6, allow_minimum=False), required=True,
                        help="the set rate")
    parser.add_argument("--png", type=_png_path, help="also write the trumpet curve as a PNG (a path ending in .png)")
    parser.add_argument("--density-g-per-ml", type=_number("--density-g-per-ml", 0, 100, allow_minimum=False),
                        default=defaults.density_g_per_ml,
                        help="density of the liquid weighed, mass to volume (default %(default)g)")
    parser.add_argument("--evaporation-rate-mg-per-h", default=defaults.evaporation_rate_mg_per_h,
                        type=_number("--evaporation-rate-mg-per-h", 0, 1e6, allow_minimum=True),
                        help="mass lost from the beaker per hour, added back (default %(default)g)")
    parser.add_argument("--sample-interval-s", type=_number("--sample-interval-s", 0, 86_400, allow_minimum=False),
                        default=defaults.sample_interval_s,
                        help="balance reading interval the windows are counted in (default %(default)g)")
    parser.add_argument("--windows-min", type=_number("--windows-min", 0, 1440, allow_minimum=False), nargs="+",
                        default=list(REFERENCE_WINDOWS_MIN),
                        help="observation windows of the trumpet table (default: IEC 60601-2-24's 2 5 11 19 31)")
    parser.add_argument("--analysis-start-min", type=_number("--analysis-start-min", 0, 1e6, allow_minimum=True),
                        default=defaults.analysis_start_min,
                        help="start of the analysis period from the first reading (default %(default)g)")
    parser.add_argument("--analysis-duration-min", default=defaults.analysis_duration_min,
                        type=_number("--analysis-duration-min", 0, 1e6, allow_minimum=False),
                        help="length of the analysis period (default %(default)g)")
    parser.add_argument("--max-mean-error-percent", type=_number("--max-mean-error-percent", 0, 100,
                                                                 allow_minimum=False), default=None, metavar="P",
                        help="the pump's disclosed accuracy: PASS when |A| <= P, FAIL beyond (default: the report's "
                             "band, SynchroMed II +/-14.5 %%)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    parser.set_defaults(func=handle)


def read_balance_csv(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """t_s and mass_g columns; errors name the file, line and column."""
    try:
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            columns = reader.fieldnames or []
            missing = [c for c in ("t_s", "mass_g") if c not in columns]
            if missing:
                raise ValueError(
                    f"{path}: missing column(s) {', '.join(missing)} (found: {', '.join(columns) or 'none'})"
                )
            t_s: list[float] = []
            mass_g: list[float] = []
            for row in reader:
                for column, target in (("t_s", t_s), ("mass_g", mass_g)):
                    try:
                        value = float(row[column])
                    except (TypeError, ValueError):
                        raise ValueError(
                            f"{path}:{reader.line_num}: {column} {row[column]!r} is not a number"
                        ) from None
                    if not math.isfinite(value):
                        raise ValueError(f"{path}:{reader.line_num}: {column} {row[column]!r} is not a finite number")
                    target.append(value)
                if len(t_s) > 1 and not t_s[-1] > t_s[-2]:
                    raise ValueError(f"{path}:{reader.line_num}: t_s {t_s[-1]:g} is not after the previous "
                                     f"reading's {t_s[-2]:g} (time must increase)")
    except OSError as exc:
        raise ValueError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset {exc.start})") from None
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


def trumpet_report(result: TrumpetResult, csv_path: Path, limits: TrumpetLimits, png: Path | None) -> TrumpetReport:
    violations = limits.violations(result)
    outcome = Outcome.FAIL if violations else Outcome.PASS
    reason = (f"{'; '.join(violations)}" if violations else
              f"mean error A {result.mean_error_percent:+.3f} % within +/-{limits.mean_error_percent:g} %")
    config = result.config
    return TrumpetReport(
        outcome=outcome, reason=f"{reason} (band: {limits.source})", csv=str(csv_path),
                         rate_ul_per_h=result.rate_ul_per_h,
        sample_interval_s=config.sample_interval_s, analysis_start_min=config.analysis_start_min,
        analysis_duration_min=config.analysis_duration_min, density_g_per_ml=config.density_g_per_ml,
        evaporation_rate_mg_per_h=config.evaporation_rate_mg_per_h, mean_error_percent=result.mean_error_percent,
        max_mean_error_percent=limits.mean_error_percent, limits_source=limits.source,
        windows=tuple(TrumpetWindowResult(window_min=w.window_min, samples_per_window=w.samples_per_window,
                                          window_count=w.window_count, ep_max_percent=w.ep_max_percent,
                                          ep_min_percent=w.ep_min_percent) for w in result.windows),
        png=str(png) if png else None)


def handle(args: argparse.Namespace) -> int:
    from hil.outputs.plots_trumpet import TrumpetLimits, plot_trumpet  # matplotlib loads only for this command

    try:
        limits = TrumpetLimits() if args.max_mean_error_percent is None else TrumpetLimits(
            mean_error_percent=args.max_mean_error_percent, source="--max-mean-error-percent")
    except ValueError as exc:
        return fail(args, ErrorKind.BAD_INPUT, f"--max-mean-error-percent: {exc}")
    try:
        config = TrumpetConfig(sample_interval_s=args.sample_interval_s, windows_min=tuple(args.windows_min),
                               analysis_start_min=args.analysis_start_min,
                               analysis_duration_min=args.analysis_duration_min,
                               density_g_per_ml=args.density_g_per_ml,
                               evaporation_rate_mg_per_h=args.evaporation_rate_mg_per_h)
        t_s, mass_g = read_balance_csv(args.csv)
        result = trumpet_curve(t_s, mass_g, args.rate_ul_per_h, config)
    except (TrumpetError, ValueError) as exc:
        return fail(args, ErrorKind.BAD_INPUT, str(exc))
    if args.png:
        try:
            plot_trumpet(result, args.png, None, [], limits)
        except OSError as exc:
            return fail(args, ErrorKind.BAD_INPUT, f"--png {args.png}: cannot write it: {exc}")
    report = trumpet_report(result, args.csv, limits, args.png)
    if args.json:
        print_result(report)
    else:
        print(format_table(result))
        if args.png:
            print(f"png: {args.png}")
        print(f"{report.outcome.value}: {report.reason}")
    return ExitCode.for_outcome(report.outcome)
