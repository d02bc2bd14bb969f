"""Append-only JSON Lines writer: each event is written, flushed and fsynced before the call returns,
so a run killed at any moment keeps every event written before the kill. Each line carries the chain value
(hil.records.integrity) that lets a reader tell an intact record from a damaged one.

    with RecordWriter(run_dir / "record.jsonl") as record:
        record.run_started(run_id=..., ...)
        record.step(t_s=0.0, index=0, action="prime", params={}, decision="approved", ...)
"""
from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any, TextIO
from collections.abc import Mapping, Sequence

from hil.records import events as ev
from hil.records.integrity import CHAIN_FIELD, GENESIS, chained_line, split_chained_line

RECORD_FILENAME = "record.jsonl"


_ENCODER = json.JSONEncoder(separators=(",", ":"), allow_nan=False)
"""One compact encoder for every line (json.dumps with these options builds a new one per call)."""
_PLAIN = (str, int, type(None))
"""Values written as they are (bool is an int)."""


def _json_safe(value: Any) -> Any:
    """NaN/inf are not JSON: write them as null (a missing measurement), never as invalid JSON."""
    if isinstance(value, float):  # the common case first: most fields are numbers
        return value if math.isfinite(value) else None
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        return _json_safe(value.tolist())
    return value


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

    def write(self, event_kind: str, /, **fields: Any) -> dict[str, Any]:
        """Validate and append one event; returns the event as written."""
        if self._file is None:
            raise RuntimeError(f"record {self.path} is not open")
        if CHAIN_FIELD in fields:
            raise ev.RecordFormatError(f"{CHAIN_FIELD!r} is the record's own field, not an event field")
        event = ev.validate_event({"event": event_kind, **_json_safe(fields)})
        line, chain = chained_line(_ENCODER.encode(event), self._chain)
        self._file.write(line + "\n")  # one write of the whole line
        self._chain = chain
        self._file.flush()
        if self._fsync:
            os.fsync(self._file.fileno())
        return event

    # Typed helpers, one per event kind (the runner's contract).
    def run_started(self, *, run_id: str, scenario_name: str, rig_id: str, config_sha256: dict[str, str],
                    git_revision: str, seeds: dict[str, int], tool_version: str, time_compression_factor: float,
                    clock: str, started_utc: str, **extra: Any) -> dict[str, Any]:
        return self.write(ev.RUN_STARTED, run_id=run_id, scenario_name=scenario_name, rig_id=rig_id,
                          config_sha256=config_sha256, git_revision=git_revision, seeds=seeds,
                          tool_version=tool_version, time_compression_factor=time_compression_factor,
                          clock=clock, started_utc=started_utc, **extra)

    def step(self, *, t_s: float, index: int, action: str, params: dict[str, Any], decision: str,
             reasons: Sequence[str], requirement_ids: Sequence[str], expected_decision: str | None = None,
             **extra: Any) -> dict[str, Any]:
        return self.write(ev.STEP, t_s=t_s, index=index, action=action, params=params, decision=decision,
                          reasons=list(reasons), requirement_ids=list(requirement_ids),
                          expected_decision=expected_decision, **extra)

    def firmware_event(self, *, t_s: float, kind: str, fields: dict[str, Any]) -> dict[str, Any]:
        return self.write(ev.FIRMWARE_EVENT, t_s=t_s, kind=kind, fields=fields)

    def alarm(self, *, t_s: float, name: str, priority: str, **extra: Any) -> dict[str, Any]:
        return self.write(ev.ALARM, t_s=t_s, name=name, priority=priority, **extra)

    def volume_sample(self, *, t_s: float, commanded_ul: float, pump_reported_ul: float | None,
                      gravimetric_ul: float | None, rate_ul_per_h: float, **extra: Any) -> dict[str, Any]:
        return self.write(ev.VOLUME_SAMPLE, t_s=t_s, commanded_ul=commanded_ul, pump_reported_ul=pump_reported_ul,
                          gravimetric_ul=gravimetric_ul, rate_ul_per_h=rate_ul_per_h, **extra)

    def balance_sample(self, *, t_s: float, mass_g: float, stable: bool) -> dict[str, Any]:
        return self.write(ev.BALANCE_SAMPLE, t_s=t_s, mass_g=mass_g, stable=stable)

    def pk_series(self, *, label: str, t_h: Sequence[float], lumbar_csf_ng_per_ml: Sequence[float],
                  cisternal_csf_ng_per_ml: Sequence[float], plasma_ng_per_ml: Sequence[float],
                  **extra: Any) -> dict[str, Any]:
        """label: 'delivered' (from what left the pump) or 'programmed' (from what was asked)."""
        return self.write(ev.PK_SERIES, label=label, t_h=t_h, lumbar_csf_ng_per_ml=lumbar_csf_ng_per_ml,
                          cisternal_csf_ng_per_ml=cisternal_csf_ng_per_ml, plasma_ng_per_ml=plasma_ng_per_ml,
                          **extra)

    def envelope(self, *, name: str, passed: bool, value: float | None, limit: float, unit: str,
                 requirement_ids: Sequence[str], reason: str, outcome: str | None = None,
                 comparator: str | None = None, details: Mapping[str, float] | None = None) -> dict[str, Any]:
        """outcome: PASS, FAIL or NOT_EVALUATED (value None); default PASS/FAIL from passed. details: the envelope's
        unit-named values (e.g. drop_began_h of the withdrawal envelope)."""
        return self.write(ev.ENVELOPE, name=name, passed=passed, value=value, limit=limit, unit=unit,
                          requirement_ids=list(requirement_ids), reason=reason,
                          outcome=outcome or ("PASS" if passed else "FAIL"), comparator=comparator,
                          details=dict(details or {}))

    def population_verdict(self, *, verdict: Mapping[str, Any], t_h: Sequence[float],
                           bands: Mapping[str, Mapping[str, Sequence[float]]]) -> dict[str, Any]:
        """verdict: PopulationVerdict.to_dict(); bands: output name -> {"p5": [...], ...} at t_h."""
        return self.write(ev.POPULATION_VERDICT, **verdict, t_h=t_h, bands=bands)

    def expectation(self, *, name: str, passed: bool, detail: str, requirement_ids: Sequence[str]) -> dict[str, Any]:
        return self.write(ev.EXPECTATION, name=name, passed=passed, detail=detail,
                          requirement_ids=list(requirement_ids))

    def run_finished(self, *, outcome: str, reason: str, **extra: Any) -> dict[str, Any]:
        return self.write(ev.RUN_FINISHED, outcome=outcome, reason=reason, **extra)

    def interrupt(self, *, phase: str, detail: str) -> dict[str, Any]:
        return self.write(ev.INTERRUPT, phase=phase, detail=detail)

    def stopped_on_alarm(self, *, t_s: float, alarm: str, priority: str, alarm_t_s: float, stop_on_alarm: str,
                         detail: str) -> dict[str, Any]:
        return self.write(ev.STOPPED_ON_ALARM, t_s=t_s, alarm=alarm, priority=priority, alarm_t_s=alarm_t_s,
                          stop_on_alarm=stop_on_alarm, detail=detail)


def _last_chain(path: Path) -> str:
    """The chain to continue when appending to an existing record (GENESIS for a new or empty one)."""
    if not path.is_file():
        return GENESIS
    lines = path.read_bytes().rstrip(b"\n").rsplit(b"\n", 1)
    split = split_chained_line(lines[-1].decode("utf-8", errors="replace"))
    return split[1] if split is not None else GENESIS
