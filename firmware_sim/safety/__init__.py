"""The safety gate: pure limit checks that approve or reject a request with reasons and SR-... IDs.

No clock reads, no I/O, no clipping: a request either passes unchanged or is rejected.
"""
from firmware_sim.safety.decision import Decision, Finding, decide
from firmware_sim.safety.limits import DrugLimits, Indication

__all__ = ["Decision", "DrugLimits", "Finding", "Indication", "decide"]
