"""RigSections: what the device catalog reads of a rig."""
from __future__ import annotations

from typing import Any, Protocol
from collections.abc import Mapping


class RigSections(Protocol):
    """What the device catalog reads of a rig (hil.config.rig.RigConfig has it): a structural type, so the catalog
    does not depend on the rig schema, which builds its pump and balance sections from the catalog."""

    @property
    def max_rate_ul_per_h(self) -> float: ...
    @property
    def syringe(self) -> Any: ...
    @property
    def pump(self) -> Any: ...
    @property
    def balance(self) -> Any: ...
    @property
    def emulators(self) -> Mapping[str, Any]: ...
