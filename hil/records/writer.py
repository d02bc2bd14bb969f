"""Append-only JSON Lines writer: each event is written (one unbuffered write of the whole line, so it is in the
operating system's hands when the call returns) and, with fsync, synced to the disk before the call returns, so a run
killed at any moment keeps every event written before the kill. Each line carries the chain value
(hil.records.integrity) that lets a reader tell an intact record from a damaged one.

    with RecordWriter(run_dir / "record.jsonl") as record:
        record.write(ev.RunStarted(run_id=..., ...))
        record.write(ev.Step(t_s=0.0, index=0, action="prime", params={}, decision="approved", ...))
"""
from __future__ import annotations

import os
from io import FileIO
from pathlib import Path
from typing import Any

from hil.records import events as ev
from hil.records.integrity import GENESIS, chained_line, split_chained_line
from hil.records.line_encoder import ENCODER, encode_line

RECORD_FILENAME = "record.jsonl"


class RecordWriter:
    def __init__(self, path: Path | str, fsync: bool = True) -> None:
        self.path = Path(path)
        self._fsync = fsync
        self._file: FileIO | None = None
        self._chain = GENESIS

    def open(self) -> RecordWriter:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._chain = _last_chain(self.path)
        self._file = FileIO(self.path, "a")  # unbuffered: nothing waits in a buffer of ours
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
        encoded = encode_line(event)  # the per-tick lines: a precomputed encoder, the same bytes
        if encoded is None:
            written = ev.json_fields(event)
            body = ENCODER.encode(written)
        else:
            body, written = encoded
        line, chain = chained_line(body, self._chain)
        data = memoryview((line + "\n").encode("utf-8"))
        while data:  # one write of the whole line (a regular file takes it at once; a short write is continued)
            count = self._file.write(data)
            if not count:
                raise OSError(f"record {self.path}: the file took none of the line's bytes")
            data = data[count:]
        self._chain = chain
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
