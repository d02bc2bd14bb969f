"""`itpump fuzz [--device ne1000|grbl|harvard|balance|sartorius|all] [--frames N] [--seed S] [--from-frame I] [--json]`.

Protocol fuzzing with seeded random line noise (no test dependencies): every emulator core's command parser gets
random and mutated frames (flipped bytes, truncation, overlong lines and numbers, bad CRC and length in NE-1000
Safe mode, bursts) and must still answer a valid command correctly and stop its motor when told; every driver's
reply parsers get mutated replies and may only raise the typed errors of drivers.errors, never return a
non-finite value; every driver runs a session against its emulator over a noisy link, where each call returns or
raises a typed error within its timeout bound and a stop() that returns leaves the pump stopped.

Prints frames/s per device and each failure with its reproducer (seed, frame index, bytes); --from-frame I with
the same --seed replays the case that starts at frame I. Exit 0 no failure, 1 failures, 2 bad arguments
(hil.cli.exit_codes).
"""
from __future__ import annotations

import argparse
import secrets
import sys

from firmware_sim.outcome import Outcome
from hil.cli.exit_codes import ExitCode

ALL = "all"
DEFAULT_FRAMES = 100_000
SHOWN_FRAME_CHARS = 160


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("fuzz", help="fuzz the emulators' command parsers and the drivers' reply "
                                                "parsers with seeded line noise",
                                   description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    from hil.fuzz.targets import DEVICES

    parser.add_argument("--device", choices=(*DEVICES, ALL), default=ALL, help="device to fuzz (default all)")
    parser.add_argument("--frames", type=_positive_int, default=DEFAULT_FRAMES,
                        help=f"frames per device, at least: the case that reaches the count is completed, so a few "
                             f"more may be fuzzed (default {DEFAULT_FRAMES:,})")
    parser.add_argument("--seed", type=_non_negative_int, default=None,
                        help="random seed (default: a fresh one, printed so the run can be repeated)")
    parser.add_argument("--from-frame", type=_non_negative_int, default=0, metavar="I",
                        help="start at frame index I (with --seed and --frames 1: replay one failing case)")
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.set_defaults(func=handle)


def _positive_int(text: str) -> int:
    value = _non_negative_int(text)
    if value == 0:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text!r}")
    return value


def _non_negative_int(text: str) -> int:
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, got {text!r}")
    return value


def handle(args: argparse.Namespace) -> int:
    from hil.fuzz.progress import FuzzProgress
    from hil.fuzz.runner import DeviceReport, fuzz_device
    from hil.fuzz.targets import DEVICES

    seed = args.seed if args.seed is not None else secrets.randbelow(2**32)
    devices = list(DEVICES) if args.device == ALL else [args.device]
    reports: list[DeviceReport] = []
    with FuzzProgress(args.frames * len(devices), enabled=not args.no_progress) as progress:
        for device in devices:
            progress.device(device, sum(len(report.failures) for report in reports))
            reports.append(fuzz_device(device, args.frames, seed, args.from_frame, progress.advance))
    failures = [failure for report in reports for failure in report.failures]
    if args.json:
        from hil.cli.json_output import print_result
        from hil.results.fuzz import FuzzResult

        print_result(FuzzResult(outcome=Outcome.FAIL if failures else Outcome.PASS, seed=seed,
                                frames_per_device=args.frames, devices=tuple(r.to_result() for r in reports)))
    else:
        _print_text(seed, reports, failures)
    return ExitCode.FAIL if failures else ExitCode.PASS


def _print_text(seed: int, reports: list, failures: list) -> None:
    print(f"itpump fuzz, seed {seed}")
    for report in reports:
        kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(report.cases_by_kind.items()))
        print(f"{report.device:8} {report.n_frames:>9,} frames in {report.elapsed_s:7.1f} s "
              f"({report.frames_per_s:>8,.0f} frames/s), {report.n_cases:,} cases ({kinds}), "
              f"{len(report.failures)} failure(s)")
    for failure in failures:
        print(f"\nFAIL {failure.device} {failure.kind} case at frame {failure.frame_index} (seed {failure.seed}): "
              f"{failure.problem}")
        for index, frame in enumerate(failure.frames):
            shown = repr(frame)
            if len(shown) > SHOWN_FRAME_CHARS:
                shown = f"{shown[:SHOWN_FRAME_CHARS]}... ({len(frame)} bytes; --json has them all)"
            print(f"  frame {failure.frame_index + index}: {shown}")
        print(f"  replay: {failure.replay_command()}")
    print(f"\n{'FAIL' if failures else 'OK'}: {len(failures)} failure(s)", file=sys.stderr if failures else sys.stdout)
