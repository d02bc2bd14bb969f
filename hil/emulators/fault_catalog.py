"""Which faults each emulator kind accepts (link faults plus its device faults, from the device catalog), for
config checks."""
from __future__ import annotations

from hil.devices.catalog import CATALOG
from hil.emulators.faults import LINK_FAULTS, Fault

FAULTS_BY_KIND: dict[str, frozenset[Fault]] = {
    entry.name: frozenset(LINK_FAULTS) | frozenset(entry.faults) for entry in CATALOG
}
ALL_FAULTS: frozenset[Fault] = frozenset().union(*FAULTS_BY_KIND.values())
