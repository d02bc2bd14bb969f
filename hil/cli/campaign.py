"""`itpump campaign CAMPAIGN [--out DIR] [--workers N] [--scheduler ADDRESS] [--resume DIR] [--json]`.

CAMPAIGN is a file or a bundled name (bench_configs/campaigns/<name>.yaml). Runs go to an embedded Dask
LocalCluster (process workers, one per core unless --workers) or to an existing scheduler (--scheduler or
DASK_SCHEDULER_ADDRESS). Exit 0: no unsafe outcome, no record lost, every run met its expectations; 1 otherwise;
2 bad input (campaign file, folder to resume); 3 the campaign itself failed (cluster, folder, interrupted).
"""
from __future__ import annotations

import argparse
import contextlib
import json
import signal
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from hil.cli.exit_codes import ExitCode
from hil.cli.json_output import report_error
from hil.paths import bundled, not_found_message
from hil.results.error import ErrorKind

EXIT_BAD_INPUT, EXIT_CAMPAIGN_FAILED = ExitCode.BAD_INPUT, ExitCode.ERROR


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("campaign", help="run a campaign: scenarios x rigs x fault plans x seeds on Dask",
                                   description="Run every run of CAMPAIGN (or the missing runs of --resume DIR) and "
                                               "write the campaign folder: campaign.jsonl, runs/, summary.json, "
                                               "campaign.csv, report.html. Exit 0 safe and as expected, 1 findings, "
                                               "2 bad input, 3 the campaign failed.")
    parser.add_argument("campaign", metavar="CAMPAIGN", nargs="?", default=None,
                        help="campaign file or bundled name (optional with --resume: the recorded plan is used)")
    parser.add_argument("--out", type=Path, default=None, help="campaign folder (default runs/campaigns/<time>-<name>)")
    parser.add_argument("--workers", type=int, default=None, help="LocalCluster worker processes (default: cores)")
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS",
                        help="existing Dask scheduler, e.g. tcp://host:8786 (default: DASK_SCHEDULER_ADDRESS, else a "
                             "LocalCluster)")
    parser.add_argument("--resume", type=Path, default=None, metavar="DIR",
                        help="campaign folder to finish: runs only what has no finished line")
    parser.add_argument("--json", action="store_true", help="print exactly one JSON object (the summary)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.set_defaults(func=handle)


@contextlib.contextmanager
def _terminations_as_ctrl_c(causes: list[str]) -> Iterator[None]:
    """SIGTERM and SIGHUP end the campaign as Ctrl-C does (every finished run kept, a message, exit 3); they ended
    the process at once, saying nothing. causes: each one received is added (empty: Ctrl-C)."""
    from hil.runner.interrupt import SIGNAL_CAUSES

    def _on_signal(signum: int, _frame: object) -> None:
        causes.append(SIGNAL_CAUSES[signum])
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _fail(args: argparse.Namespace, code: int, message: str) -> int:
    """The shared error object under --json (hil.results.error), else the message on stderr."""
    kind = ErrorKind.BAD_INPUT if code == EXIT_BAD_INPUT else ErrorKind.ERROR
    return report_error("campaign", kind, message, args.json)


def handle(args: argparse.Namespace) -> int:
    from hil.campaign.executor import CampaignFailure
    from hil.campaign.orchestrate import BadCampaign, CampaignExecution, resume_campaign, start_campaign
    from hil.campaign.progress import CampaignProgress

    if args.workers is not None and args.workers < 1:
        return _fail(args, EXIT_BAD_INPUT, f"--workers must be at least 1, got {args.workers}")
    campaign = bundled("campaigns", args.campaign) if args.campaign else None
    if campaign is None and args.resume is None:
        return _fail(args, EXIT_BAD_INPUT, "name a CAMPAIGN file, or a campaign folder with --resume DIR")
    if campaign is not None and not campaign.is_file():
        return _fail(args, EXIT_BAD_INPUT, not_found_message("campaign", campaign))
    if args.resume is not None and args.out is not None and args.out.resolve() != args.resume.resolve():
        return _fail(args, EXIT_BAD_INPUT, "--out and --resume name different folders; --resume writes into DIR")
    progress = CampaignProgress(enabled=not (args.json or args.no_progress))
    execution = CampaignExecution(args.workers, args.scheduler, progress.start, progress.finished)
    causes: list[str] = []
    try:
        with _terminations_as_ctrl_c(causes), progress:
            if args.resume is not None:
                outcome = resume_campaign(args.resume, campaign, execution)
            else:
                assert campaign is not None
                folder = args.out or Path("runs") / "campaigns" / f"{datetime.now():%Y%m%d-%H%M%S}-{campaign.stem}"
                outcome = start_campaign(campaign, folder, execution)
    except BadCampaign as exc:
        return _fail(args, EXIT_BAD_INPUT, str(exc))
    except CampaignFailure as exc:
        return _fail(args, EXIT_CAMPAIGN_FAILED, str(exc))
    except KeyboardInterrupt:
        cause = causes[0] if causes else "the operator (Ctrl-C)"
        return _fail(args, EXIT_CAMPAIGN_FAILED, f"interrupted by {cause}; every finished run is kept: finish it "
                                                 "with --resume on its folder")
    if args.json:
        print(json.dumps({**outcome.summary, "folder": str(outcome.folder)}))
    else:
        from hil.campaign.table import print_summary
        print_summary(outcome.summary, outcome.folder)
    return int(outcome.summary["exit_code"])
