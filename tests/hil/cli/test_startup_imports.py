"""Building the command line loads no numerics or plotting: `itpump --help` and argument errors stay quick."""
from __future__ import annotations

import subprocess
import sys


def test_building_the_parser_and_loading_the_scenario_schema_import_no_scipy_or_matplotlib():
    code = ("import sys; from hil.cli.main import build_parser; import hil.config.scenario; build_parser(); "
            "print(sorted(m for m in ('scipy', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
