"""Pump controller firmware model and baclofen pharmacology: pure, deterministic, clock-driven.

Imports numpy and transitions only; knows nothing of serial ports, YAML or the harness.
"""
