"""Adapters from drivers to the firmware's ports: a SyringePump as an Actuator, a balance as volume samples."""
from hil.adapters.actuator import PumpActuator
from hil.adapters.balance import BalanceSampler, GravimetricReading

__all__ = ["BalanceSampler", "GravimetricReading", "PumpActuator"]
