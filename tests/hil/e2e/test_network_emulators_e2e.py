"""The bench path over the network, as labgrid reaches a ser2net port: `itpump emulate ne1000 --with-balance --listen`
serves the pump and the balance on loopback TCP (or RFC 2217), and `itpump run` drives a wall-clock rig whose pump
transport is the printed socket:// or rfc2217:// URL and whose balance is a pyvisa TCPIP SOCKET resource, or over
RFC 2217 `ASRLrfc2217://HOST:PORT::INSTR` (pyvisa-py opens it with a write timeout, which drivers.url_handlers
accepts; pyserial's own RFC 2217 client refuses it).
The RFC 2217 run is at time compression 4, not 20: pyserial's RFC 2217 client takes about 0.35 s of wall time to
negotiate at open, which at 20 is 7 of the short scenario's 16 seconds.
"""
from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from firmware_sim.pump.config import FirmwareConfig

pytestmark = [pytest.mark.wall_clock, pytest.mark.timeout(300)]

ITPUMP = [sys.executable, "-m", "hil.cli.main"]
SCENARIO = Path(__file__).parent / "scenarios" / "bench-wall-clock-short.yaml"
SYRINGE = {"diameter_mm": 8.66, "volume_ul": 3000}
DENSITY_G_PER_ML = 0.998
TOLERANCE_FRACTION = FirmwareConfig().delivery_tolerance_fraction
TOLERANCE_UL = 0.2
"""Two readability steps of the emulated balance (0.1 mg), and the pump's last reading."""


@pytest.fixture()
def emulate():
    """emulate(listen) -> {device: URL}: `itpump emulate ne1000 --with-balance --listen LISTEN` until the test ends."""
    processes = []

    def start(listen: str) -> dict[str, str]:
        process = subprocess.Popen(
            [*ITPUMP, "emulate", "ne1000", "--with-balance", "--listen", listen,
             "--syringe-diameter-mm", str(SYRINGE["diameter_mm"]), "--syringe-volume-ul", str(SYRINGE["volume_ul"]),
             "--density-g-per-ml", str(DENSITY_G_PER_ML)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        processes.append(process)
        lines = [process.stdout.readline().strip() for _ in range(2)]  # type: ignore[union-attr]
        urls = dict(line.split(": ", 1) for line in lines)
        assert set(urls) == {"ne1000", "balance"}, lines
        return urls

    yield start
    for process in processes:
        process.send_signal(signal.SIGINT)
        try:
            assert process.wait(timeout=10) == 0
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise


def _rig(configs: Path, folder: Path, pump_url: str, balance_resource: str) -> Path:
    """The bundled bench rig, pointed at the network emulators (its own id, the emulated syringe, 1 s sampling)."""
    rig = yaml.safe_load((configs / "rigs" / "bench-ne1000-usb.yaml").read_text(encoding="utf-8"))
    rig.update(rig_id="bench-network-test", syringe=SYRINGE)
    rig["pump"]["transport"]["url"] = pump_url
    rig["balance"].update(resource=balance_resource, sample_interval_s=1)
    path = folder / "network-rig.yaml"
    path.write_text(yaml.safe_dump(rig), encoding="utf-8")
    return path


def _run(rig: Path, out: Path, factor: float) -> dict:
    done = subprocess.run([*ITPUMP, "run", str(SCENARIO), "--rig", str(rig), "--json", "--time-compression",
                           f"{factor:g}",
                           "--out", str(out)], capture_output=True, text=True, timeout=150)
    assert done.stdout.strip(), f"no JSON on stdout; stderr: {done.stderr[-2000:]}"
    result = json.loads(done.stdout)
    assert (done.returncode, result["outcome"]) == (0, "PASS"), result["reason"]
    return result


def _agree(delivered: dict, key: str) -> None:
    commanded = delivered["commanded_ul"]
    assert commanded > 1.0
    assert abs(delivered[key] - commanded) <= TOLERANCE_FRACTION * commanded + TOLERANCE_UL, (key, delivered)


def _port(url: str) -> str:
    return url.rsplit(":", 1)[1]


@pytest.mark.requirements("SR-HIL-002")
def test_run_against_pump_on_socket_url_and_balance_on_visa_tcpip_socket(emulate, bundled_configs: Path,
                                                                            tmp_path: Path):
    urls = emulate("127.0.0.1:0")
    assert urls["ne1000"].startswith("socket://127.0.0.1:") and urls["balance"].startswith("socket://127.0.0.1:")
    rig = _rig(bundled_configs, tmp_path, urls["ne1000"], f"TCPIP::127.0.0.1::{_port(urls['balance'])}::SOCKET")
    delivered = _run(rig, tmp_path / "out", 20)["delivered"]
    _agree(delivered, "pump_reported_ul")
    _agree(delivered, "gravimetric_ul")


@pytest.mark.requirements("SR-HIL-002")
def test_run_against_pump_and_balance_on_rfc2217_urls(emulate, bundled_configs: Path, tmp_path: Path):
    urls = emulate("rfc2217://127.0.0.1:0")
    assert urls["ne1000"].startswith("rfc2217://127.0.0.1:") and urls["balance"].startswith("rfc2217://127.0.0.1:")
    rig = _rig(bundled_configs, tmp_path, urls["ne1000"], f"ASRL{urls['balance']}::INSTR")
    delivered = _run(rig, tmp_path / "out", 4)["delivered"]
    _agree(delivered, "pump_reported_ul")
    _agree(delivered, "gravimetric_ul")
