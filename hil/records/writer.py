"""Append-only JSON Lines writer: each event is written, flushed and fsynced before the call returns,
so a run killed at any moment keeps every event written before the kill. Each line carries the chain value
(hil.records.integrity) that lets a reader tell an intact record from a damaged one.

    with RecordWriter(run_dir / "record.jsonl") as record:
        record.write(ev.RunStarted(run_id=..., ...))
        record.write(ev.Step(t_s=0.0, index=0, action="prime", params={}, decision="approved", ...))
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, TextIO

from hil.records import events as ev
from hil.records.integrity import GENESIS, chained_line, split_chained_line

RECORD_FILENAME = "record.jsonl"


_ENCODER = json.JSONEncoder(separators=(",", ":"), allow_nan=False)
"""One compact encoder for every line (json.dumps with these options builds a new one per call)."""


class RecordWriter:
    def __init__(self, path: Path | str, fsync: bool = True) -> None:
        self.path = Path(path)
        self._fsync = fsync
        self._file: TextIO | None = None
        self._chain = GENESIS

    def open(self) -> RecordWriter:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._chain = _last_chain(self.path)
        self._file = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - held open until close()
        return self

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self) -> RecordWriter:
        return self.open()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def write(self, event: ev.RecordEvent) -> dict[str, Any]:
        """Append one event; returns its fields as written. RecordFormatError names a field of the wrong type, or
        an extra field that is a declared or the record's own one (hil.records.event_fields.json_fields)."""
        if self._file is None:
            raise RuntimeError(f"record {self.path} is not open")
        written = ev.json_fields(event)
        line, chain = chained_line(_ENCODER.encode(written), self._chain)
        self._file.write(line + "\n")  # one write of the whole line
        self._chain = chain
        self._file.flush()
        if self._fsync:
            os.fsync(self._file.fileno())
        return written


def _last_chain(path: Path) -> str:
    """The chain to continue when appending to an existing record (GENESIS for a new or empty one)."""
    if not path.is_file():
        return GENESIS
    lines = path.read_bytes().rstrip(b"\n").rsplit(b"\n", 1)
    split = split_chained_line(lines[-1].decode("utf-8", errors="replace"))
    return split[1] if split is not None else GENESIS
