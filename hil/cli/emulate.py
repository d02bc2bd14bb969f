"""`itpump emulate ne1000|grbl|balance`: serve device emulators on pseudo-terminals in wall time.

Prints one line per device, "<device>: <path>", before anything else, then serves until SIGINT or
SIGTERM (exit 0). If a device's serving thread ends by itself (an emulator error), the others are stopped
and the command exits 3 (ERROR) with the error on stderr. Faults: --fault [device/]name[:key=value,...], e.g. --fault stall:at_s=60,
--fault balance/unstable:duration_s=5, --fault corrupt_bytes:count=2,skip_bytes=3.
"""
from __future__ import annotations

import argparse
import signal
import sys
import threading

from firmware_sim.clock import WallClock
from hil.cli.exit_codes import ExitCode
from hil.emulators import EmulatedBalance, EmulatedGrbl, EmulatedNE1000, EmulatorError
from hil.emulators.device import EmulatedDevice


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("emulate", help="serve device emulators on pseudo-terminals",
                                   description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("device", choices=("ne1000", "grbl", "balance"))
    parser.add_argument("--with-balance", action="store_true",
                        help="also serve a balance weighing the pump's outflow")
    parser.add_argument("--syringe-diameter-mm", type=float, default=None)
    parser.add_argument("--syringe-volume-ul", type=float, default=None)
    parser.add_argument("--address", type=int, default=None, help="NE-1000 pump address 0..99")
    parser.add_argument("--safe-mode-timeout-s", type=int, default=None,
                        help="NE-1000 Safe mode watchdog at power-up (0 = Basic mode)")
    parser.add_argument("--steps-per-mm", type=float, default=None, help="GRBL mechanics")
    parser.add_argument("--density-g-per-ml", type=float, default=None)
    parser.add_argument("--noise-sd-g", type=float, default=None)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--byte-timing", action="store_true", help="delay bytes as the baud rate implies")
    parser.add_argument("--fault", action="append", default=[], metavar="[DEVICE/]NAME[:K=V,...]")
    parser.set_defaults(func=run)


def parse_fault(text: str, default_device: str) -> tuple[str, str, dict]:
    """'balance/unstable:duration_s=5' -> ('balance', 'unstable', {'duration_s': 5.0})."""
    device, _, rest = text.rpartition("/")
    name, _, arg_text = rest.partition(":")
    if not name:
        raise EmulatorError(f"--fault {text!r}: no fault name")
    params: dict[str, object] = {}
    for item in filter(None, arg_text.split(",")):
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise EmulatorError(f"--fault {text!r}: parameter {item!r} is not key=value")
        params[key] = _value(value)
    return device or default_device, name, params


def _value(text: str) -> object:
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    return text


def _pick(args: argparse.Namespace, names: tuple[str, ...]) -> dict:
    return {name: getattr(args, name) for name in names if getattr(args, name) is not None}


def build_devices(args: argparse.Namespace, clock: WallClock) -> dict[str, EmulatedDevice]:
    byte_timing = {"byte_timing": True} if args.byte_timing else {}
    devices: dict[str, EmulatedDevice] = {}
    syringe = ("syringe_diameter_mm", "syringe_volume_ul")
    if args.device == "ne1000":
        devices["ne1000"] = EmulatedNE1000(
            clock, **_pick(args, syringe + ("address", "safe_mode_timeout_s")), **byte_timing)
    elif args.device == "grbl":
        devices["grbl"] = EmulatedGrbl(clock, **_pick(args, syringe + ("steps_per_mm",)), **byte_timing)
    if args.device == "balance" or args.with_balance:
        pump = next(iter(devices.values()), None)
        source = pump.dispensed_volume_ul if pump is not None else None  # type: ignore[attr-defined]
        devices["balance"] = EmulatedBalance(
            clock, source, **_pick(args, ("density_g_per_ml", "noise_sd_g", "seed")), **byte_timing)
    for text in args.fault:
        device, name, params = parse_fault(text, args.device)
        if device not in devices:
            raise EmulatorError(f"--fault {text!r}: no device {device!r} is being emulated ({sorted(devices)})")
        devices[device].inject_fault(name, **params)
    return devices


def run(args: argparse.Namespace) -> int:
    try:
        devices = build_devices(args, WallClock())
    except (EmulatorError, TypeError) as error:
        print(f"itpump emulate: {error}", file=sys.stderr)
        return ExitCode.BAD_INPUT
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        for name, device in devices.items():
            print(f"{name}: {device.start()}", flush=True)
        while not stop.is_set() and all(device.serving for device in devices.values()):
            stop.wait(0.2)
    finally:
        for device in devices.values():
            device.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if stop.is_set():
        return 0
    for name, device in devices.items():
        if device.error is not None:
            print(f"itpump emulate: {name} stopped serving: {device.error!r}", file=sys.stderr)
    return ExitCode.ERROR
