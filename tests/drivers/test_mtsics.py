"""MT-SICS balance driver through real pyvisa-py sessions (ASRLsocket://) against scripted exchanges."""
from __future__ import annotations

from pathlib import Path

import pytest

from drivers.errors import DeviceAlarm, DeviceDisconnected, DeviceTimeout, FramingError, ProtocolError, TransportError
from drivers.mtsics import MTSICSBalance
from drivers.scripted_socket import DISCONNECT, ScriptedSocketDevice

pytestmark = pytest.mark.timeout(30)


def run(script, action, timeout_s: float = 0.5):
    with ScriptedSocketDevice(script) as device:
        with MTSICSBalance(f"ASRL{device.url}::INSTR", backend="@py", timeout_s=timeout_s,
                           stable_timeout_s=timeout_s) as balance:
            result = action(balance)
        device.verify_complete()
    return result


def test_stable_weight_in_grams():
    assert run([(b"S\r\n", b"S S     100.00 g\r\n")], lambda b: b.read_stable_mass_g()) == 100.0


@pytest.mark.parametrize("line, mass_g, stable", [
    (b"S S    12.3456 g\r\n", 12.3456, True),
    (b"S D    12.3401 g\r\n", 12.3401, False),
    (b"S S    -0.0012 g\r\n", -0.0012, True),
    (b"S S     1234.5 mg\r\n", 1.2345, True),
    (b"S D   0.250000 kg\r\n", 250.0, False),
])
def test_immediate_weight_with_stability_and_units(line, mass_g, stable):
    reading = run([(b"SI\r\n", line)], lambda b: b.read_mass_immediately())
    assert reading.mass_g == pytest.approx(mass_g) and reading.stable is stable


@pytest.mark.requirements("SR-DRV-005")
@pytest.mark.parametrize("line, alarm", [(b"S +\r\n", "overload"), (b"S -\r\n", "underload")])
def test_overload_and_underload_are_alarms(line, alarm):
    with pytest.raises(DeviceAlarm) as raised:
        run([(b"SI\r\n", line)], lambda b: b.read_mass_immediately())
    assert raised.value.alarm == alarm


def test_stability_timeout_is_not_executable():
    with pytest.raises(ProtocolError, match="cannot execute 'S'"):
        run([(b"S\r\n", b"S I\r\n")], lambda b: b.read_stable_mass_g())


@pytest.mark.parametrize("line, error", [(b"ES\r\n", ProtocolError), (b"EL\r\n", ProtocolError),
                                         (b"ET\r\n", FramingError)])
def test_general_errors(line, error):
    script = [(b"Z\r\n", line)] * (2 if line == b"ES\r\n" else 1)  # ES to the first command after open: asked again
    with pytest.raises(error, match=line.decode().strip()):
        run(script, lambda b: b.zero())


def test_zero_and_tare():
    script = [(b"Z\r\n", b"Z A\r\n"), (b"T\r\n", b"T S      5.012 g\r\n")]
    assert run(script, lambda b: (b.zero(), b.tare_g())) == (None, 5.012)


@pytest.mark.parametrize("line, error", [(b"Z I\r\n", ProtocolError), (b"Z +\r\n", DeviceAlarm),
                                         (b"Z -\r\n", DeviceAlarm), (b"Y A\r\n", FramingError)])
def test_zero_failures(line, error):
    with pytest.raises(error):
        run([(b"Z\r\n", line)], lambda b: b.zero())


def test_reset_and_serial_number():
    script = [(b"@\r\n", b'I4 A "B123456789"\r\n'), (b"I4\r\n", b'I4 A "B123456789"\r\n')]
    assert run(script, lambda b: (b.reset(), b.serial_number())) == ("B123456789", "B123456789")


def test_sir_stream_and_cancel_discards_streamed_lines():
    script = [
        (b"SIR\r\n", b"S D     10.01 g\r\nS S     10.02 g\r\n"),
        (b"@\r\n", b"S S     10.02 g\r\nI4 A \"SN1\"\r\n"),
        (b"SI\r\n", b"S S     10.02 g\r\n"),
    ]

    def action(balance):
        balance.start_stream()
        readings = [balance.read_streamed(), balance.read_streamed()]
        with pytest.raises(ProtocolError, match="stop_stream"):
            balance.tare_g()
        return readings, balance.stop_stream(), balance.read_mass_immediately()

    readings, serial, after = run(script, action)
    assert [(r.mass_g, r.stable) for r in readings] == [(10.01, False), (10.02, True)]
    assert serial == "SN1" and after.mass_g == 10.02


@pytest.mark.requirements("SR-DRV-004")
@pytest.mark.parametrize("line", [b"S S 12,3 g\r\n", b"garbage\r\n", b"S S     12.3 lb\r\n"])
def test_malformed_weight_is_a_framing_error(line):
    with pytest.raises(FramingError):
        run([(b"SI\r\n", line)], lambda b: b.read_mass_immediately())


@pytest.mark.requirements("SR-DRV-002")
def test_silent_balance_times_out():
    with pytest.raises(DeviceTimeout):
        run([(b"SI\r\n", b"")], lambda b: b.read_mass_immediately(), timeout_s=0.2)


def test_disconnect_is_typed():
    with pytest.raises((DeviceDisconnected, DeviceTimeout)):
        run([(b"SI\r\n", DISCONNECT)], lambda b: b.read_mass_immediately(), timeout_s=0.3)


def test_no_io_before_open_and_unknown_resource():
    balance = MTSICSBalance("ASRLsocket://127.0.0.1:1::INSTR", timeout_s=0.2)
    with pytest.raises(TransportError, match="not open"):
        balance.read_mass_immediately()
    with pytest.raises(TransportError, match="cannot open"):
        balance.open()


SIM_YAML = """\
spec: "1.1"
devices:
  balance:
    eom:
      ASRL INSTR:
        q: "\\r\\n"
        r: "\\r\\n"
    error: ES
    dialogues:
      - q: "SI"
        r: "S S     42.000 g"
      - q: "I4"
        r: 'I4 A "SIM0001"'
resources:
  ASRL1::INSTR:
    device: balance
"""


@pytest.mark.parametrize("definition_text", [
    'spec: "1.1"\ndevices:\n  balance: [unclosed\n',  # pyvisa-sim raises yaml's ParserError
    'spec: "1.1"\ndevices:\n  balance:\n    eom: 3\nresources:\n  ASRL1::INSTR:\n    device: balance\n',
], ids=["yaml-parser-error", "attribute-error"])
def test_a_backend_failing_in_an_unforeseen_way_is_a_transport_error_naming_the_resource(tmp_path: Path,
                                                                                         definition_text: str):
    definition = tmp_path / "balance.yaml"
    definition.write_text(definition_text)
    balance = MTSICSBalance("ASRL1::INSTR", backend=f"{definition}@sim", timeout_s=0.5)
    with pytest.raises(TransportError, match=r"cannot open balance 'ASRL1::INSTR' \(.*balance\.yaml@sim\)"):
        balance.open()
    with pytest.raises(TransportError, match="not open"):  # nothing half-open is left behind
        balance.read_mass_immediately()


def test_pyvisa_sim_backend(tmp_path: Path):
    definition = tmp_path / "balance.yaml"
    definition.write_text(SIM_YAML)
    with MTSICSBalance("ASRL1::INSTR", backend=f"{definition}@sim", timeout_s=0.5) as balance:
        assert balance.read_mass_immediately().mass_g == 42.0
        assert balance.serial_number() == "SIM0001"
        with pytest.raises(ProtocolError, match="ES"):
            balance.zero()


def test_s_refuses_a_dynamic_reading():
    with pytest.raises(ProtocolError, match="dynamic"):
        run([(b"S\r\n", b"S D     1.2345 g\r\n")], lambda b: b.read_stable_mass_g())


def test_s_and_si_are_refused_while_streaming_and_nothing_is_sent():
    def action(balance):
        balance.start_stream()
        for read in (balance.read_stable_mass_g, balance.read_mass_immediately):
            with pytest.raises(ProtocolError, match="stop_stream"):
                read()
        return balance.stop_stream()

    assert run([(b"SIR\r\n", b"S D     1.0 g\r\n"), (b"@\r\n", b"I4 A \"SN1\"\r\n")], action) == "SN1"


@pytest.mark.requirements("SR-DRV-002")
def test_a_stream_that_never_stops_cannot_hold_stop_stream_past_its_timeout():
    import time

    from chatty import chatty_socket

    with chatty_socket(b"S D     10.01 g\r\n") as url:  # SIR lines for ever, never the I4 that ends them
        with MTSICSBalance(f"ASRL{url}::INSTR", backend="@py", timeout_s=0.3) as balance:
            balance.start_stream()
            started_s = time.monotonic()
            with pytest.raises(DeviceTimeout, match="no I4 reply"):
                balance.stop_stream()
            assert time.monotonic() - started_s < 5 * 0.3  # a behaviour bound (it was 1000 lines), not a benchmark
