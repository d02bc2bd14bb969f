"""`itpump trumpet CSV --rate-ul-per-h R`."""
from __future__ import annotations

import numpy as np
import pytest

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
    with pytest.raises(SystemExit) as exited:
        main(["trumpet", str(log), "--rate-ul-per-h", "600", "--max-mean-error-percent", "0"])
    assert exited.value.code == 2 and "--max-mean-error-percent must be > 0" in capsys.readouterr().err


def test_non_finite_values_time_going_back_and_non_utf8_bytes_are_located(tmp_path, capsys):
    log = tmp_path / "balance.csv"
    cases = [(b"t_s,mass_g\n0,1\n30,nan\n", "balance.csv:3: mass_g 'nan' is not a finite number"),
             (b"t_s,mass_g\n0,1\n30,1.1\n30,1.2\n", "balance.csv:4: t_s 30 is not after the previous reading's 30"),
             (b"t_s,mass_g\n0,1\n\xff30,1.1\n", "balance.csv: not UTF-8 text (byte 0xff at offset 15)")]
    for content, message in cases:
        log.write_bytes(content)
        assert main(["trumpet", str(log), "--rate-ul-per-h", "600"]) == 2
        assert message in capsys.readouterr().err


def test_a_log_starting_later_says_its_length_from_its_first_reading(tmp_path, capsys):
    """It compared the period, counted from the first reading, with the log's absolute end ("analysis period
    70-130 min needs 120 flow samples, the log has 100 (it ends at 180.0 min)")."""
    log = tmp_path / "balance.csv"
    write_log(log, readings=241)
    rows = log.read_text().splitlines()
    log.write_text("\n".join([rows[0]] + [f"{float(r.split(',')[0]) + 3600},{r.split(',')[1]}" for r in rows[1:]]))
    assert main(["trumpet", str(log), "--rate-ul-per-h", "600", "--analysis-start-min", "70"]) == 2
    err = capsys.readouterr().err
    assert "analysis period 70.0-130.0 min (from the first reading) needs 120 flow samples" in err
    assert "it runs 120.0 min from its first reading" in err


@pytest.mark.parametrize("option, value", [
    ("--rate-ul-per-h", "inf"), ("--density-g-per-ml", "nan"), ("--evaporation-rate-mg-per-h", "nan"),
    ("--sample-interval-s", "nan"), ("--windows-min", "nan"), ("--analysis-start-min", "nan"),
    ("--analysis-duration-min", "-1"), ("--max-mean-error-percent", "inf"),
])
def test_a_number_option_that_is_not_a_number_in_range_is_bad_input_naming_it(tmp_path, capsys, option, value):
    """inf and nan went through to a pydantic traceback (exit 3) or an error naming no option ("cannot convert
    float NaN to integer"), or were taken ("analysis period nan-nan min")."""
    log = tmp_path / "balance.csv"
    write_log(log)
    argv = ["trumpet", str(log), "--rate-ul-per-h", "600", option, value]
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2 and f"{option} must be" in capsys.readouterr().err


@pytest.mark.parametrize("png, said", [("{tmp}", "is a folder"), ("{tmp}/no/such/x.png", "no such folder"),
                                        ("{tmp}/trumpet", "must name a .png file")])
def test_a_png_path_that_cannot_be_written_is_refused_before_the_analysis(tmp_path, capsys, png, said):
    """A missing folder gave a FileNotFoundError traceback after the analysis; a folder or a name without .png was
    written as another file than the one printed."""
    log = tmp_path / "balance.csv"
    write_log(log)
    with pytest.raises(SystemExit) as exited:
        main(["trumpet", str(log), "--rate-ul-per-h", "600", "--png", png.format(tmp=tmp_path)])
    assert exited.value.code == 2 and said in capsys.readouterr().err
