"""Unit constants of the drivers, named as in firmware_sim/units.py (drivers are leaves: they import nothing from
firmware_sim, so the few they need live here)."""
from __future__ import annotations

S_PER_H = 3600.0
MIN_PER_H = 60.0
S_PER_MIN = 60.0
MS_PER_S = 1000.0
