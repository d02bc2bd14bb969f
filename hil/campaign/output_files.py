"""A campaign folder's output file names and their atomic write (a reader never sees half a file). A leaf: the
writers of those files (outputs, report, traceability) all import it."""
from __future__ import annotations

import os
from pathlib import Path

SUMMARY_FILENAME = "summary.json"
CSV_FILENAME = "campaign.csv"
REPORT_FILENAME = "report.html"
HISTOGRAM_FILENAME = "detection_times.png"


def write_atomically(path: Path, data: bytes) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    os.replace(partial, path)
