"""Device emulators that speak the real bytes of the bench devices over pseudo-terminals.

Written from the protocol description (not from the drivers). Every emulator takes the harness
clock, computes physical state lazily from it, and accepts faults through `inject_fault(name, ...)`.
"""
from hil.emulators.balance import EmulatedBalance
from hil.emulators.balance_config import BalanceEmulatorConfig
from hil.emulators.faults import EmulatorError, Fault
from hil.emulators.grbl import EmulatedGrbl
from hil.emulators.grbl_config import GrblConfig
from hil.emulators.harvard import EmulatedHarvard
from hil.emulators.harvard_config import HarvardConfig
from hil.emulators.ne1000 import EmulatedNE1000
from hil.emulators.ne1000_config import NE1000Config
from hil.emulators.sartorius import EmulatedSartorius
from hil.emulators.sartorius_config import SartoriusConfig

__all__ = [
           "BalanceEmulatorConfig",
           "EmulatedBalance",
           "EmulatedGrbl",
           "EmulatedHarvard",
           "EmulatedNE1000",
           "EmulatedSartorius",
           "EmulatorError",
           "Fault",
           "GrblConfig",
           "HarvardConfig",
           "NE1000Config",
           "SartoriusConfig",
]
