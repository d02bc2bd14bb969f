"""Requirement traceability: one schema (model), its files (JSON, CSV, HTML) and the pytest evidence.

Runs turn their record into evidence in hil.outputs.traceability; the pytest plugin turns test reports into
evidence in hil.traceability.pytest_evidence. Both build the same TraceabilityMatrix.
"""
