"""The bounds of a population verdict, importable without numpy (config schemas and the CLI parser read them)."""
from __future__ import annotations

DEFAULT_MIN_FRACTION_PASSING = 0.95
"""Each envelope must pass in at least this fraction of the virtual patients [A]."""
MAX_PATIENTS = 1_000_000
"""The largest population one verdict evaluates (about 10 s per 10,000 patients of a 30-day profile)."""
