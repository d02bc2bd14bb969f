"""Which faults each emulator kind accepts (link faults plus its device faults), for config checks."""
from __future__ import annotations

from hil.emulators.faults import LINK_FAULTS
from hil.emulators.grbl_core import GrblCore
from hil.emulators.mtsics_core import MtSicsCore
from hil.emulators.ne1000_core import NE1000Core
from hil.emulators.sartorius_core import SartoriusCore

FAULTS_BY_KIND: dict[str, frozenset[str]] = {
    kind: frozenset(LINK_FAULTS) | frozenset(core.FAULTS)
    for kind, core in (("ne1000", NE1000Core), ("grbl", GrblCore), ("balance", MtSicsCore),
                         ("sartorius", SartoriusCore))
}
ALL_FAULTS: frozenset[str] = frozenset().union(*FAULTS_BY_KIND.values())
