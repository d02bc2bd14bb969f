"""The pyvisa-sim static balance in bench_configs/visa/ answers MT-SICS smoke queries."""
from __future__ import annotations

import pyvisa

from hil.paths import bench_configs_dir


def test_static_balance_answers_mtsics_queries():
    rm = pyvisa.ResourceManager(f"{bench_configs_dir() / 'visa' / 'mtsics_static_balance.yaml'}@sim")
    try:
        balance = rm.open_resource("ASRL9::INSTR", read_termination="\r\n", write_termination="\r\n")
        assert balance.query("I4") == 'I4 A "0123456789"'
        assert balance.query("SI") == "S S    12.3456 g"
        assert balance.query("s") == "ES"
        assert balance.query("SIM:WEIGHT 1.5") == "OK"
        assert balance.query("SI") == "S S     1.5000 g"
    finally:
        rm.close()
