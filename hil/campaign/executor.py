"""Execution is a seam: a Dask client on an embedded LocalCluster (process workers, one thread each, on the
loopback interface) or on an existing scheduler (--scheduler or DASK_SCHEDULER_ADDRESS).

Runs on virtual-clock rigs go to the workers all at once; runs on a wall-clock rig (a bench) are chained, the
next submitted when the one before finished, so a bench rig never runs two scenarios at a time. Each result
is written into the campaign folder and its finished line appended as it arrives.
"""
from __future__ import annotations

import contextlib
import logging
import os
import traceback
from collections import defaultdict, deque
from pathlib import Path
from typing import TYPE_CHECKING, Any
from collections.abc import Callable, Iterator

from hil.campaign.collect import finished_line
from hil.campaign.journal import Journal
from hil.campaign.specs import PlannedRun

if TYPE_CHECKING:
    from dask.typing import Key
    from distributed import Client, Future

SCHEDULER_ENV = "DASK_SCHEDULER_ADDRESS"


class CampaignFailure(RuntimeError):
    """The campaign machinery itself failed (no cluster, scheduler unreachable, folder not writable)."""


@contextlib.contextmanager
def dask_client(workers: int | None, scheduler: str | None) -> Iterator[Client]:
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise CampaignFailure(f"dask.distributed is not installed: {exc}") from exc
    address = scheduler or os.environ.get(SCHEDULER_ENV)
    # dask configures its loggers at INFO; the command line's -v/-q decide (WARNING unless asked)
    logging.getLogger("distributed").setLevel(max(logging.getLogger().getEffectiveLevel(), logging.INFO))
    try:
        if address:
            client = Client(address, timeout="20s")
            cluster = None
        else:
            cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                                   host="127.0.0.1", dashboard_address=None)
            client = Client(cluster)
    except (OSError, TimeoutError, ValueError) as exc:
        where = f"scheduler {address}" if address else "an embedded LocalCluster"
        raise CampaignFailure(f"cannot start the campaign on {where}: {type(exc).__name__}: {exc}") from exc
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _failed_result(run: PlannedRun, exc: BaseException) -> dict[str, Any]:
    return {"run_id": run.run_id, "index": run.index, "worker": None, "files": {}, "record_sha256": None,
            "assessment": None, "error": f"the task failed on the cluster: {type(exc).__name__}: {exc}\n"
                                         + "".join(traceback.format_exception(exc)[-3:])}


def run_missing(journal: Journal, campaign_dir: Path, client: Client,
                on_finished: Callable[[dict[str, Any]], None] = lambda line: None) -> None:
    """Run every planned run without a finished line; append each finished line as its result arrives."""
    from distributed import as_completed

    from hil.campaign.worker import execute_run

    missing = journal.missing()
    chains: dict[str, deque[PlannedRun]] = defaultdict(deque)
    parallel: list[PlannedRun] = []
    for run in missing:
        if run.spec["rig"]["clock"] == "wall":
            chains[run.spec["rig"]["rig_id"]].append(run)
        else:
            parallel.append(run)
    by_key: dict[Key, tuple[PlannedRun, str | None]] = {}

    def submit(run: PlannedRun, chain: str | None) -> Future:
        future = client.submit(execute_run, run.to_json(), key=f"itpump-run-{run.run_id}", pure=False)
        by_key[future.key] = (run, chain)
        return future

    futures = [submit(run, None) for run in parallel] + [submit(chain.popleft(), rig) for rig, chain in chains.items()]
    completed = as_completed(futures)
    for future in completed:
        run, chain = by_key.pop(future.key)
        try:
            result = future.result()
        except Exception as exc:  # a task error or a worker lost (KilledWorker): the run's record is lost
            result = _failed_result(run, exc)
        future.release()
        line = finished_line(campaign_dir, run, result)
        journal.append(line)
        on_finished(line)
        if chain is not None and chains[chain]:
            completed.add(submit(chains[chain].popleft(), chain))
