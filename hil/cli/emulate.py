"""`itpump emulate KIND` (a device kind of hil.devices.catalog: ne1000, grbl, harvard, balance, sartorius): serve
device emulators on pseudo-terminals (or the network) in wall time.

Prints one line per device, "<device>: <path>" (or "<device>: <url>" with --listen), before anything else, then a line
per device saying what it emulates (the syringe, safe mode, the balance's density), then serves until SIGINT or
SIGTERM (exit 0).
--rig FILE (a path or a bundled rig name) makes the devices the rig's: its pump driver, syringe diameter and
volume, NE-1000 address, baud and safe mode, and its balance (density, evaporation, baud), served even without
--with-balance; options given on the command line override the rig's values.
If a device's serving thread ends by itself (an emulator error), the others are stopped and the command exits 3
(ERROR) with the error on stderr; bad options exit 2. A device its disconnect fault closes (a pulled cable) is said
on stderr and the others keep serving; with none left serving the command exits 0.
Faults: --fault [device/]name[:key=value,...], e.g. --fault stall:at_s=60, --fault balance/unstable:duration_s=5,
--fault corrupt_bytes:count=2,skip_bytes=3.
`balance` speaks MT-SICS, `sartorius` Sartorius SBI (--framing 7O1|8N1); --with-balance serves the balance protocol
named by --balance-protocol (or the rig's balance.protocol), as the device "balance".
--listen HOST:PORT serves each device on TCP instead (hosts open socket://HOST:PORT); --listen rfc2217://HOST:PORT
serves RFC 2217 ports (hosts open rfc2217://HOST:PORT; their baud rate and framing reach the emulated line, and while
they differ from the device's own no bytes pass). Port 0 picks a free port; the first device gets PORT, the next PORT+1.
A pump on the network: pump.transport.url socket://... or rfc2217://...; a balance: ASRLsocket://HOST:PORT::INSTR,
TCPIP::HOST::PORT::SOCKET or ASRLrfc2217://HOST:PORT::INSTR with the @py backend.
"""
from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import TYPE_CHECKING, Any

from firmware_sim.clock import WallClock
from hil.cli.exit_codes import ExitCode
from hil.devices.catalog import BALANCE_EMULATOR_KINDS, CATALOG, EMULATOR_KINDS, balance_kinds, pump_kinds
from hil.devices.catalog import kind as device_kind
from hil.emulators import EmulatedBalance, EmulatorError
from hil.emulators.device import EmulatedDevice, EmulatedSyringePump
from hil.emulators.faults import parse_fault as fault_named
from hil.emulators.net_address import ListenAddress

if TYPE_CHECKING:
    from hil.config.rig import RigConfig


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("emulate", help="serve device emulators on pseudo-terminals",
                                   description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("device", choices=EMULATOR_KINDS)
    parser.add_argument("--with-balance", action="store_true",
                        help="also serve a balance weighing the pump's outflow")
    parser.add_argument("--balance-protocol", choices=tuple(BALANCE_KINDS), default=None,
                        help="the --with-balance balance's protocol (default: the rig's, else mt-sics)")
    parser.add_argument("--framing", choices=("7O1", "8N1"), default=None, help="Sartorius SBI data bits/parity")
    parser.add_argument("--rig", default=None, metavar="RIG",
                        help="emulate this rig's devices (a rig file or bundled rig name); see above")
    parser.add_argument("--syringe-diameter-mm", type=float, default=None)
    parser.add_argument("--syringe-volume-ul", type=float, default=None)
    parser.add_argument("--address", type=int, default=None, help="NE-1000 or Harvard pump address 0..99")
    parser.add_argument("--safe-mode-timeout-s", type=int, default=None,
                        help="NE-1000 Safe mode watchdog at power-up (0 = Basic mode)")
    parser.add_argument("--dialect", choices=("phd_ultra", "legato"), default=None,
                        help="Harvard command dialect: phd_ultra (12:cmd, default) or legato (12cmd)")
    parser.add_argument("--steps-per-mm", type=float, default=None, help="GRBL mechanics")
    parser.add_argument("--density-g-per-ml", type=float, default=None)
    parser.add_argument("--noise-sd-g", type=float, default=None)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--byte-timing", action="store_true", help="delay bytes as the baud rate implies")
    parser.add_argument("--fault", action="append", default=[], metavar="[DEVICE/]NAME[:K=V,...]")
    parser.add_argument("--listen", default=None, metavar="[rfc2217://]HOST:PORT",
                        help="serve on the network instead of ptys: raw TCP (hosts open socket://HOST:PORT) or "
                             "RFC 2217 (hosts open rfc2217://HOST:PORT); port 0 picks a free port; "
                             "with --with-balance the balance gets the next port (or 0 again)")
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
        if key in params:
            raise EmulatorError(f"--fault {text!r}: parameter {key!r} given twice")
        params[key] = _value(value)
    return device or default_device, name, params


def _value(text: str) -> object:
    """An integer (decimal, or 0x.. / 0o.. / 0b.. as the docs write masks), else a float, else the text."""
    for convert in (lambda t: int(t, 0), int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    return text


def _pick(args: argparse.Namespace, names: tuple[str, ...]) -> dict:
    return {name: getattr(args, name) for name in names if getattr(args, name) is not None}


PUMP_OPTIONS = {entry.name: entry.emulate_options for entry in pump_kinds()}
"""Pump kind -> the command-line options (argparse names) that set its emulator's options (the device catalog)."""
BALANCE_KINDS = BALANCE_EMULATOR_KINDS
"""--balance-protocol -> emulator kind."""
BALANCE_CLASSES: dict[str, type[EmulatedBalance]] = {entry.name: entry.emulator_class for entry in balance_kinds()}


def _balance_options(args: argparse.Namespace, kind_name: str) -> dict:
    return _pick(args, device_kind(kind_name).emulate_options)


def build_devices(args: argparse.Namespace, clock: WallClock) -> dict[str, EmulatedDevice]:
    devices = _rig_devices(args, clock) if args.rig is not None else _option_devices(args, clock)
    framed = tuple(entry.emulator_class for entry in balance_kinds() if "framing" in entry.emulate_options)
    if args.framing is not None and not any(isinstance(d, framed) for d in devices.values()):
        raise EmulatorError(f"--framing {args.framing}: only a Sartorius SBI balance has a framing option, and none "
                            f"is emulated here ({', '.join(sorted(devices))})")
    _refuse_unused_options(args, devices)
    for text in args.fault:
        device, name, params = parse_fault(text, args.device)
        if device not in devices:
            raise EmulatorError(f"--fault {text!r}: no device {device!r} is being emulated ({sorted(devices)})")
        fault = fault_named(name, devices[device].fault_names(), f"--fault {text!r}: {device}: ")
        devices[device].inject_fault(fault, **params)
    return devices


def _refuse_unused_options(args: argparse.Namespace, devices: dict[str, EmulatedDevice]) -> None:
    """An option none of the emulated devices takes (say --steps-per-mm for an NE-1000) would be ignored: refused."""
    used = {name for device in devices.values() for entry in CATALOG if type(device) is entry.emulator_class
            for name in entry.emulate_options}
    takers: dict[str, list[str]] = {}
    for entry in CATALOG:
        for name in entry.emulate_options:
            takers.setdefault(name, []).append(entry.name)
    unused = [name for name in takers if name not in used and getattr(args, name, None) is not None]
    weighs_a_pump = args.device not in BALANCE_CLASSES and any(isinstance(d, EmulatedBalance) for d in devices.values())
    if args.balance_protocol is not None and not weighs_a_pump:
        unused.append("balance_protocol")
        takers["balance_protocol"] = ["the balance of a pump (--with-balance, or a rig's)"]
    if unused:
        raise EmulatorError("; ".join(f"--{name.replace('_', '-')} does not apply to what is emulated here "
                                      f"({', '.join(sorted(devices))}): it sets {', '.join(takers[name])}"
                                      for name in unused))


def _option_devices(args: argparse.Namespace, clock: WallClock) -> dict[str, EmulatedDevice]:
    byte_timing: dict[str, Any] = {"byte_timing": True} if args.byte_timing else {}
    devices: dict[str, EmulatedDevice] = {}
    if args.device in PUMP_OPTIONS:
        emulator_class = device_kind(args.device).emulator_class
        devices[args.device] = emulator_class(clock, **_pick(args, PUMP_OPTIONS[args.device]), **byte_timing)
    if args.device in BALANCE_CLASSES or args.with_balance:
        pump = next(iter(devices.values()), None)
        source = pump if isinstance(pump, EmulatedSyringePump) else None
        kind = args.device if args.device in BALANCE_CLASSES else BALANCE_KINDS[args.balance_protocol or "mt-sics"]
        devices[args.device if pump is None else "balance"] = BALANCE_CLASSES[kind](
            clock, source, **_balance_options(args, kind), **byte_timing)
    return devices


def _rig_devices(args: argparse.Namespace, clock: WallClock) -> dict[str, EmulatedDevice]:
    """The rig's pump (and balance) built the way the harness builds a rig's emulators (hil.rig.registry), with
    the rig's own emulator options, its safe mode as the NE-1000's power-up mode, and the command line's options."""
    from drivers.ne1000 import DEFAULT_SAFE_MODE_TIMEOUT_S
    from hil.config.loading import load_model
    from hil.config.rig import EmulatorConfig, Ne1000PumpConfig, RigConfig
    from hil.paths import bundled
    from hil.rig.registry import EMULATORS, BuildContext

    rig = load_model(bundled("rigs", args.rig), RigConfig)
    if args.device != rig.pump.driver:
        raise EmulatorError(f"--rig {args.rig}: the rig's pump is {rig.pump.driver} (pump.driver), not {args.device}; "
                            f"run `itpump emulate {rig.pump.driver} --rig {args.rig}`")
    byte_timing = {"byte_timing": True} if args.byte_timing else {}
    pump_options = {**_rig_options(rig, args.device), **byte_timing}
    if isinstance(rig.pump, Ne1000PumpConfig) and rig.pump.safe_mode:
        pump_options.setdefault("safe_mode_timeout_s", DEFAULT_SAFE_MODE_TIMEOUT_S)  # safe mode survives power-up
    emulators = {args.device: EmulatorConfig(kind=args.device, options={
        **pump_options, **_pick(args, PUMP_OPTIONS[args.device])})}
    if rig.balance is not None or args.with_balance:
        protocol = args.balance_protocol or (rig.balance.protocol if rig.balance is not None else "mt-sics")
        kind = BALANCE_KINDS[protocol]
        emulators["balance"] = EmulatorConfig(kind=kind, linked_pump=args.device, options={
            **_rig_options(rig, kind), **byte_timing, **_balance_options(args, kind)})
    ctx = BuildContext(config=rig.model_copy(update={"emulators": emulators}), clock=clock)
    for name, emulator in emulators.items():
        ctx.emulators[name] = EMULATORS[emulator.kind](name, ctx)
    return ctx.emulators


def _rig_options(rig: RigConfig, kind: str) -> dict:
    """The options of the rig's own emulator of this kind (emulated rigs declare them), else none."""
    declared = [emulator.options for emulator in rig.emulators.values() if emulator.kind == kind]
    return dict(declared[0]) if declared else {}


def describe(name: str, device: EmulatedDevice) -> str:
    """What a device emulates, in one line without a colon (the "<device>: <path>" lines stay unambiguous): the text
    of its kind's catalog entry (hil.devices.*.KIND.describe)."""
    entry = next(entry for entry in CATALOG if type(device) is entry.emulator_class)
    return f"{name} {entry.describe(device)}"


def run(args: argparse.Namespace) -> int:
    from hil.config.loading import ConfigError
    from hil.rig.errors import RigError

    try:
        listen = ListenAddress.parse(args.listen) if args.listen is not None else None
        devices = build_devices(args, WallClock())
        addresses = [listen.nth(index) if listen is not None else None for index in range(len(devices))]
    except (EmulatorError, TypeError, ConfigError, RigError) as error:
        print(f"itpump emulate: {error}", file=sys.stderr)
        return ExitCode.BAD_INPUT
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        for (name, device), address in zip(devices.items(), addresses):
            try:
                print(f"{name}: {device.start(address)}", flush=True)
            except (OSError, EmulatorError) as error:
                where = f" on {address.url()}" if address is not None else ""
                print(f"itpump emulate: {name} cannot be served{where}: {error}", file=sys.stderr)
                return 2
        for name, device in devices.items():
            print(describe(name, device), flush=True)
        failed = _serve_until_stopped(devices, stop)
    finally:
        for device in devices.values():
            device.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    for name in failed:
        ended_by = devices[name].error
        print(f"itpump emulate: {name} stopped serving: {ended_by!r}" if ended_by is not None else
              f"itpump emulate: {name} stopped serving without an error or a disconnect fault", file=sys.stderr)
    return ExitCode.ERROR if failed else 0


def _serve_until_stopped(devices: dict[str, EmulatedDevice], stop: threading.Event) -> list[str]:
    """Serve until SIGINT/SIGTERM or until no device is left serving. A device its disconnect fault closed (a pulled
    cable) is said on stderr, and the others keep serving; one that stopped otherwise ends every device. Returns the
    names of the devices that failed."""
    said: set[str] = set()
    while not stop.is_set():
        stopped = [name for name, device in devices.items() if not device.serving]
        failed = [name for name in stopped if devices[name].disconnected_at_s is None]
        if failed:
            return failed
        for name in sorted(set(stopped) - said):
            print(f"itpump emulate: {name} disconnected at t={devices[name].disconnected_at_s:.3f} s (its disconnect "
                  f"fault, like a pulled cable); " + ("the other devices keep serving" if len(stopped) < len(devices)
                                                      else "no device is left serving"), file=sys.stderr, flush=True)
            said.add(name)
        if len(stopped) == len(devices):
            return []
        stop.wait(0.2)
    return []
