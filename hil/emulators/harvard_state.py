"""States of an emulated Harvard pump: each is the prompt that shows it (protocols.md 2.1)."""
from __future__ import annotations

IDLE, INFUSING, WITHDRAWING, STALLED, TARGET = ":", ">", "<", "*", "T*"
