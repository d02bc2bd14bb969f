"""`itpump trumpet CSV --rate-ul-per-h R`."""
from __future__ import annotations

import numpy as np

from hil.cli.main import main


def write_log(path, error_fraction=0.02, rate_ul_per_h=600.0, readings=241):
    t_s = np.arange(readings) * 30.0
    mass_g = 1.0 + rate_ul_per_h * (1 + error_fraction) * t_s / 3600.0 * 0.998e-3
    path.write_text("t_s,mass_g\n" + "".join(f"{t},{m:.9f}\n" for t, m in zip(t_s, mass_g)))


def test_prints_table_and_writes_png(tmp_path, capsys):
    log = tmp_path / "balance.csv"
    write_log(log)
    png = tmp_path / "trumpet.png"
    assert (
        main(["trumpet", str(log), "--rate-ul-per-h", "600", "--png", str(png), "--max-mean-error-percent", "5"]) == 0
    )
    out = capsys.readouterr().out
    assert "mean error A = +2.000 %" in out
    assert out.count("+2.000") == 12  # A, Ep(max) and Ep(min) of five windows, and the verdict line
    assert "PASS: mean error A +2.000 % within +/-5 % (band: --max-mean-error-percent)" in out
    assert png.stat().st_size > 1000


def test_missing_column_is_named(tmp_path, capsys):
    log = tmp_path / "balance.csv"
    log.write_text("time,mass_g\n0,1\n")
    assert main(["trumpet", str(log), "--rate-ul-per-h", "600"]) == 2
    assert "missing column(s) t_s" in capsys.readouterr().err


def test_bad_number_is_located(tmp_path, capsys):
    log = tmp_path / "balance.csv"
    log.write_text("t_s,mass_g\n0,1\n30,heavy\n")
    assert main(["trumpet", str(log), "--rate-ul-per-h", "600"]) == 2
    assert "balance.csv:3: mass_g 'heavy' is not a number" in capsys.readouterr().err


def test_too_short_log_says_what_is_missing(tmp_path, capsys):
    log = tmp_path / "balance.csv"
    write_log(log, readings=100)
    assert main(["trumpet", str(log), "--rate-ul-per-h", "600"]) == 2
    assert "needs 120 flow samples" in capsys.readouterr().err


def test_the_default_band_is_the_reports_and_a_given_one_can_fail(tmp_path, capsys):
    log = tmp_path / "balance.csv"
    write_log(log, error_fraction=0.10)
    assert main(["trumpet", str(log), "--rate-ul-per-h", "600"]) == 0
    assert "PASS: mean error A +10.000 % within +/-14.5 % (band: default: SynchroMed II" in capsys.readouterr().out
    write_log(log, error_fraction=0.20)
    assert main(["trumpet", str(log), "--rate-ul-per-h", "600"]) == 1
    assert "FAIL: A = 20.00 % outside +/-14.5 %" in capsys.readouterr().out
    write_log(log)
    assert main(["trumpet", str(log), "--rate-ul-per-h", "600", "--max-mean-error-percent", "1.5"]) == 1
    assert "FAIL: A = 2.00 % outside +/-1.5 % (band: --max-mean-error-percent)" in capsys.readouterr().out
    assert main(["trumpet", str(log), "--rate-ul-per-h", "600", "--max-mean-error-percent", "0"]) == 2


def test_non_finite_values_time_going_back_and_non_utf8_bytes_are_located(tmp_path, capsys):
    log = tmp_path / "balance.csv"
    cases = [(b"t_s,mass_g\n0,1\n30,nan\n", "balance.csv:3: mass_g 'nan' is not a finite number"),
             (b"t_s,mass_g\n0,1\n30,1.1\n30,1.2\n", "balance.csv:4: t_s 30 is not after the previous reading's 30"),
             (b"t_s,mass_g\n0,1\n\xff30,1.1\n", "balance.csv: not UTF-8 text (byte 0xff at offset 15)")]
    for content, message in cases:
        log.write_bytes(content)
        assert main(["trumpet", str(log), "--rate-ul-per-h", "600"]) == 2
        assert message in capsys.readouterr().err
