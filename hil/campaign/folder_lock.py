"""One campaign process per folder: an exclusive lock (flock) on `campaign.lock` in the campaign folder, held while a
campaign starts or resumes there. A second process is refused (CampaignBusy) naming the folder and the process that
holds it; the lock goes with its process, so a campaign killed mid-way leaves the folder free to resume.

    with folder_lock(folder):
        ...   # create or open campaign.jsonl, run the missing runs, write the outputs
"""
from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

LOCK_FILENAME = "campaign.lock"


class CampaignBusy(RuntimeError):
    """Another process is running a campaign in this folder."""


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / LOCK_FILENAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", errors="replace").strip() or "unknown"
            raise CampaignBusy(f"{folder} is being run by another itpump process (pid {holder}): let it finish or "
                               f"stop it, then resume") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield
    finally:
        os.close(fd)  # releases the lock
