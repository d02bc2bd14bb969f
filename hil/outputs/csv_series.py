"""CSV time series with units in the column names."""
from __future__ import annotations

import csv
from pathlib import Path

from firmware_sim.units import S_PER_H
from hil.records import events as ev
from hil.records.reader import RunRecord


def _write(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(["" if v is None else v for v in row] for row in rows)


def write_csv_series(record: RunRecord, run_dir: Path) -> list[Path]:
    written: list[Path] = []
    volumes = record.typed(ev.VolumeSample)
    if volumes:
        path = run_dir / "volumes.csv"
        _write(path, ["t_s", "t_h", "commanded_ul", "pump_reported_ul", "gravimetric_ul", "rate_ul_per_h"],
               [[v.t_s, v.t_s / S_PER_H, v.commanded_ul, v.pump_reported_ul, v.gravimetric_ul, v.rate_ul_per_h]
                for v in volumes])
        written.append(path)
    balance = record.typed(ev.BalanceSample)
    if balance:
        path = run_dir / "balance.csv"
        _write(path, ["t_s", "mass_g", "stable"], [[b.t_s, b.mass_g, int(bool(b.stable))] for b in balance])
        written.append(path)
    for series in record.typed(ev.PkSeries):
        path = run_dir / f"pk_{series.label}.csv"
        _write(path, ["t_h", *ev.PK_SERIES_OUTPUTS],
               [list(row) for row in zip(series.t_h, *map(series.output_ng_per_ml, ev.PK_SERIES_OUTPUTS))])
        written.append(path)
    return written
