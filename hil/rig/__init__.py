"""Rig construction from a RigConfig: clock, emulators, transports, pump driver and balance, torn down in
reverse order on every exit path. `Rig(config).open()` or `with Rig(config) as rig: ...`."""
from hil.rig.errors import RigError
from hil.rig.rig import Rig

__all__ = ["Rig", "RigError"]
