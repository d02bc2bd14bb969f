"""Development tools, not shipped in the wheel (setup.py lists firmware_sim, drivers, hil only).

- pk_reference_solver: an independent scipy solve_ivp reference for the exact PK kernel (tests).
- biophase_fit: the one-off fit of the two-site biophase to the label's PD timing windows
  (re-run: python -m tools.biophase_fit from the checkout).
Tests import them from the checkout: pytest puts the repository root on sys.path (pyproject pythonpath).
"""
