"""Gravimetric flow measurement: mass to volume, IEC 60601-2-24 trumpet and start-up curves."""
