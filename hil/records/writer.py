"""Append-only JSON Lines writer: each event is written (one unbuffered write of the whole line, so it is in the
operating system's hands when the call returns) and, with fsync, synced to the disk before the call returns, so a run
killed at any moment keeps every event written before the kill. Each line carries the chain value
(hil.records.integrity) that lets a reader tell an intact record from a damaged one.

The firmware's per-tick status event may be held (`hold`) for the volume sample that follows it: a sample of the same
moment and numbers carries it on its own line (hil.records.carried_status); anything else written first, `write_held`
(the runner calls it before each exchange with the pump or the balance) or `close` writes the held event as its own
line. A run killed while an event is held loses that one line: the status of the tick under way, before any further
exchange of the run.

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
from hil.records.carried_status import CARRIED_SUFFIX, CARRY_FIELD, carries, is_plain_status
from hil.records.integrity import GENESIS, chained_line, split_chained_line
from hil.records.line_encoder import ENCODER, encode_line

RECORD_FILENAME = "record.jsonl"


class RecordWriter:
    def __init__(self, path: Path | str, fsync: bool = True) -> None:
        self.path = Path(path)
        self._fsync = fsync
        self._file: FileIO | None = None
        self._chain = GENESIS
        self._held: ev.FirmwareEvent | None = None

    def open(self) -> RecordWriter:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._chain = _last_chain(self.path)
        self._file = FileIO(self.path, "a")  # unbuffered: nothing waits in a buffer of ours
        return self

    def close(self) -> None:
        if self._file is not None:
            self.write_held()
            self._file.close()
            self._file = None

    def __enter__(self) -> RecordWriter:
        return self.open()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def hold(self, status: ev.FirmwareEvent) -> None:
        """A firmware status event, written with the next line if that is the volume sample carrying it, else on its
        own line before it. Another kind of event is written at once."""
        self.write_held()
        if is_plain_status(status):
            self._held = status
        else:
            self.write(status)

    def write_held(self) -> None:
        """Write the held status event on its own line (nothing if none is held)."""
        held = self._held
        if held is not None:
            self._held = None
            self.write(held)

    def write(self, event: ev.RecordEvent) -> dict[str, Any]:
        """Append one event; returns its fields as written. RecordFormatError names a field of the wrong type, or
        an extra field that is a declared or the record's own one (hil.records.event_fields.json_fields)."""
        if self._file is None:
            raise RuntimeError(f"record {self.path} is not open")
        if type(event) is ev.VolumeSample and event.firmware_status:
            raise ev.RecordFormatError(
                f"record {self.path}: a volume_sample at t={event.t_s!r} s claims to carry a firmware status event "
                f"(firmware_status); only a status event held with hold() is carried, so the line would add one the "
                f"firmware never logged")
        held = self._held
        if held is not None:
            self._held = None
            if not carries(held, event):
                self.write(held)
            else:
                try:
                    return self._append(event, carrying=True)
                except ev.RecordFormatError:
                    self.write(held)  # the status is not lost with the sample that could not be written
                    raise
        return self._append(event)

    def _append(self, event: ev.RecordEvent, carrying: bool = False) -> dict[str, Any]:
        """carrying: the event is a volume sample that carries the held status (carried_status.carries): its line
        ends with firmware_status, its last declared field (the bytes of the sample built with it)."""
        assert self._file is not None
        encoded = encode_line(event)  # the per-tick lines: a precomputed encoder, the same bytes
        if encoded is None:
            written = ev.json_fields(event)
            body = ENCODER.encode(written)
        else:
            body, written = encoded
        if carrying:
            body, written = body[:-1] + CARRIED_SUFFIX, {**written, CARRY_FIELD: True}
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
