"""Which faults each emulator kind accepts (link faults plus its device faults, from the device catalog), for
config checks."""
from __future__ import annotations

from hil.devices.catalog import CATALOG
from hil.emulators.faults import LINK_FAULTS, Fault

FAULTS_BY_KIND: dict[str, frozenset[Fault]] = {
    entry.name: frozenset(LINK_FAULTS) | frozenset(entry.faults) for entry in CATALOG
}
ALL_FAULTS: frozenset[Fault] = frozenset().union(*FAULTS_BY_KIND.values())


def fault_not_taken(fault: Fault, kind: str, where: str = "") -> str | None:
    """Why an emulator of this kind cannot take the fault (where: e.g. which device on which rig), None if it can."""
    known = FAULTS_BY_KIND[kind]
    if fault in known:
        return None
    return f"a {kind} emulator{where} has no fault {fault.value!r}; known: {', '.join(sorted(known))}"
