"""Errors raised while building or using a rig."""
from __future__ import annotations


class RigError(ValueError):
    """A rig cannot be built or used as configured; the message names the rig section or emulator."""
