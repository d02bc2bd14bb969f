"""`itpump list scenarios|rigs|requirements|drugs [--json]`: what is bundled and what it is for.

Scenarios, rigs and drug libraries come from the bench_configs folder (ITPUMP_BENCH_CONFIGS, else the one shipped
with the package); requirements from firmware_sim/requirements.py. Tables wrap long cells instead of
truncating them. --json prints one JSON object on stdout. A file that does not load is named on stderr with the
key and line, the others are still listed, and the exit code is 2.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

WHAT = ("scenarios", "rigs", "requirements", "drugs")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("list", help="list bundled scenarios, rigs, requirements or drug libraries",
                                   description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=WHAT)
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout instead of a table")
    parser.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    from hil.cli import catalog, list_tables  # config schemas and rich load only when listing
    from hil.paths import bench_configs_dir

    folder = bench_configs_dir()
    loaders: dict[str, Callable[[Path], catalog.Listing[Any]]] = {
        "scenarios": catalog.list_scenarios, "rigs": catalog.list_rigs, "drugs": catalog.list_drugs}
    listing = catalog.list_requirements() if args.what == "requirements" else loaders[args.what](folder)
    for problem in listing.problems:
        print(f"error: {problem}", file=sys.stderr)
    if args.json:
        report: dict = {args.what: [catalog.to_json(entry) for entry in listing.entries]}
        if args.what != "requirements":
            report["bench_configs"] = str(folder)
        print(json.dumps(report, indent=2))
    else:
        list_tables.print_listing(args.what, listing.entries,
                                  None if args.what == "requirements" else folder)
    return 2 if listing.problems else 0
