"""Open a campaign folder to resume it, completing a plan cut short when it can be rebuilt exactly.

A plan is cut short when campaign.jsonl holds the plan's first runs, in order, but fewer than its header planned (a
kill while the plan was written by a version that did not yet write it atomically, or a truncated file). The
missing planned lines are rebuilt from the campaign file (the one named on the command line, else the one the
header names) only when it expands to the recorded plan: as many runs as the header planned, every surviving
planned run's identity at its index, and the header's plan_sha256 (the sha256 of every run identity, kept since
journal format 2) or, for an older header, the campaign file's own sha256. They are then appended (a kill while
appending leaves a plan cut short again). Anything else is refused naming the file, the counts and what to do:
a campaign is never summarised with fewer runs than it planned.

    journal, rebuilt = open_for_resume(folder, campaign_file)     # JournalError: refused, nothing changed
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from hil.campaign.journal import PLANNED, DamagedPlan, Journal, JournalError, write_lines, plan_sha256
from hil.campaign.specs import PlannedRun
from hil.config.errors import ConfigError


def open_for_resume(folder: Path, campaign_file: Path | None) -> tuple[Journal, dict[str, Any] | None]:
    """The journal, and what was rebuilt of its plan (None when it was whole)."""
    try:
        return Journal.open(folder), None
    except DamagedPlan as damage:
        rebuilt = _complete(folder, damage, campaign_file)
        dropped_partial_line = damage.dropped_partial_line
    journal = Journal.open(folder)
    journal.dropped_partial_line |= dropped_partial_line
    return journal, rebuilt


def _refused(damage: DamagedPlan, what_to_do: str) -> JournalError:
    return JournalError(f"{damage}. Nothing was run and nothing was changed: a campaign is never summarised with "
                        f"fewer runs than it planned. {what_to_do}")


def _expanded(source: Path) -> tuple[list[PlannedRun], str]:
    from hil.campaign.loading import load_campaign
    from hil.campaign.specs import expand

    campaign = load_campaign(source)
    return expand(campaign), hashlib.sha256(campaign.text.encode("utf-8")).hexdigest()


def _mismatch(header: dict[str, Any], surviving: list[PlannedRun], runs: list[PlannedRun], text_sha256: str
              ) -> str | None:
    """Why the expanded runs are not the recorded plan, or None."""
    if len(runs) != header["runs_planned"]:
        return f"it expands to {len(runs)} runs, the header planned {header['runs_planned']}"
    changed = [run.index for run in surviving if runs[run.index].run_id != run.run_id]
    if changed:
        return f"the recorded planned run(s) {', '.join(map(str, changed[:5]))} differ from its expansion"
    if "plan_sha256" in header:
        if plan_sha256([run.run_id for run in runs]) != header["plan_sha256"]:
            return "its runs' identities do not hash to the header's plan_sha256 (a scenario or rig changed)"
    elif text_sha256 != header.get("file_sha256"):
        return "its sha256 is not the header's file_sha256 (the campaign file changed)"
    return None


def _complete(folder: Path, damage: DamagedPlan, campaign_file: Path | None) -> dict[str, Any]:
    header = damage.header
    if not damage.cut:
        raise _refused(damage, f"It is not a plan cut short, so it cannot be completed: restore {damage.path} as it "
                               f"was written, or run the campaign again in a new folder.")
    recorded = Path(str(header.get("file", "")))
    source = campaign_file or (recorded if header.get("file") and recorded.is_file() else None)
    if source is None:
        raise _refused(damage, f"It can be completed from the campaign file it was made from "
                               f"({header.get('file', 'not recorded')}), which is not there: name it, `itpump campaign "
                               f"FILE --resume {folder}`, or run the campaign again in a new folder.")
    try:
        runs, text_sha256 = _expanded(source)
    except ConfigError as exc:
        raise _refused(damage, f"The campaign file {source} cannot be loaded to rebuild it:\n{exc}") from exc
    why = _mismatch(header, damage.planned, runs, text_sha256)
    if why is not None:
        raise _refused(damage, f"{source} cannot rebuild the missing runs exactly ({why}): run the campaign again "
                               f"in a new folder.")
    missing = runs[len(damage.planned):]
    with open(damage.path, "a", encoding="utf-8") as stream:
        write_lines(stream, [{"kind": PLANNED, **run.to_json()} for run in missing])
    verified = "plan_sha256" if "plan_sha256" in header else \
        "file_sha256 and the surviving planned runs (a header older than plan_sha256: scenario and rig files unchecked)"
    return {"runs_added": len(missing), "from_runs": len(damage.planned), "campaign_file": str(source),
            "verified_by": verified}
