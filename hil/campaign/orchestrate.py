"""A campaign from its file (or a campaign folder to resume) to its folder, summary and exit code.

    outcome = start_campaign(Path("smoke.yaml"), out_dir, workers=2)     # BadCampaign -> exit 2
    outcome = resume_campaign(folder, campaign_file=None)
    outcome.summary["exit_code"]
"""
from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from collections.abc import Callable, Iterator

from hil.campaign.collect import records_changed_since, remove_unfinished_run_folders
from hil.campaign.executor import CampaignFailure, dask_client, run_missing
from hil.campaign.folder_lock import CampaignBusy, folder_lock
from hil.campaign.journal import JOURNAL_FILENAME, RESUMED, Journal, JournalError
from hil.campaign.loading import LoadedCampaign, load_campaign
from hil.campaign.plan_repair import open_for_resume
from hil.campaign.specs import PlannedRun, expand
from hil.campaign.summary import summarize
from hil.config.errors import ConfigError


class BadCampaign(ValueError):
    """The campaign file or the folder to resume cannot be used; the message names file, key and line."""


@dataclass
class CampaignOutcome:
    folder: Path
    journal: Journal
    summary: dict[str, Any]
    outputs: list[Path]


@dataclass(frozen=True)
class CampaignExecution:
    workers: int | None = None
    scheduler: str | None = None
    on_start: Callable[[Journal], None] = lambda journal: None
    on_finished: Callable[[dict[str, Any]], None] = lambda line: None


def _planned(campaign_file: Path) -> tuple[LoadedCampaign, list[PlannedRun]]:
    try:
        campaign = load_campaign(campaign_file)
    except ConfigError as exc:
        raise BadCampaign(str(exc)) from exc
    return campaign, expand(campaign)


def _header(campaign: LoadedCampaign, planned: list[PlannedRun]) -> dict[str, Any]:
    return {"name": campaign.config.name, "description": campaign.config.description,
            "requirement_ids": list(campaign.config.requirement_ids), "file": str(campaign.file.resolve()),
            "file_sha256": hashlib.sha256(campaign.text.encode("utf-8")).hexdigest(),
            **_software(), "runs_planned": len(planned)}


def _software() -> dict[str, str]:
    """The code this process runs (kept in the header and in each resumed line)."""
    from hil.runner.provenance import git_revision, tool_version

    return {"tool_version": tool_version(), "git_revision": git_revision()}


def start_campaign(campaign_file: Path, folder: Path, execution: CampaignExecution) -> CampaignOutcome:
    campaign, planned = _planned(campaign_file)
    with _locked(folder):
        try:
            journal = Journal.create(folder, _header(campaign, planned), planned)
        except JournalError as exc:
            raise BadCampaign(str(exc)) from exc
        except OSError as exc:
            raise CampaignFailure(f"cannot write the campaign folder {folder}: {exc.strerror or exc}") from exc
        return _execute(folder, journal, execution)


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """The folder's lock (hil.campaign.folder_lock): another process running in it is BadCampaign (exit 2)."""
    try:
        with folder_lock(folder):
            yield
    except CampaignBusy as exc:
        raise BadCampaign(str(exc)) from None
    except OSError as exc:
        raise CampaignFailure(f"cannot lock the campaign folder {folder}: {exc.strerror or exc}") from exc


def resume_campaign(folder: Path, campaign_file: Path | None, execution: CampaignExecution) -> CampaignOutcome:
    if not (folder / JOURNAL_FILENAME).is_file():  # not a campaign folder: said by Journal.open, without a lock file
        return _resume(folder, campaign_file, execution)
    with _locked(folder):
        return _resume(folder, campaign_file, execution)


def _resume(folder: Path, campaign_file: Path | None, execution: CampaignExecution) -> CampaignOutcome:
    try:
        journal, rebuilt = open_for_resume(folder, campaign_file)
    except JournalError as exc:
        raise BadCampaign(str(exc)) from exc
    if campaign_file is not None:
        _campaign, planned = _planned(campaign_file)
        if [run.run_id for run in planned] != [run.run_id for run in journal.planned]:
            raise BadCampaign(f"{campaign_file} no longer expands to the runs planned in {folder} (a scenario, rig or "
                              f"the campaign changed): {len(planned)} runs, of which "
                              f"{len({r.run_id for r in planned} & {r.run_id for r in journal.planned})} are among the "
                              f"{len(journal.planned)} recorded there (its whole plan, as its header planned); resume "
                              f"without naming the campaign file to finish that plan, or start a new campaign folder")
    removed = remove_unfinished_run_folders(folder, journal.missing())
    journal.append({"kind": RESUMED, "runs_missing": len(journal.missing()), **_software(),
                    "dropped_partial_line": journal.dropped_partial_line, "plan_rebuilt": rebuilt,
                    "run_folders_removed": removed})
    return _execute(folder, journal, execution)


def _execute(folder: Path, journal: Journal, execution: CampaignExecution) -> CampaignOutcome:
    execution.on_start(journal)
    if journal.missing():
        with dask_client(execution.workers, execution.scheduler) as client:
            run_missing(journal, folder, client, execution.on_finished)
    judged = journal.with_records_lost(records_changed_since(folder, journal.finished.values()))  # for every output
    summary = summarize(judged)
    from hil.campaign.outputs import write_outputs
    outputs = write_outputs(folder, judged, summary)
    return CampaignOutcome(folder, judged, summary, outputs)
