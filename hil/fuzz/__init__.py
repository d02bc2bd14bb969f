"""Protocol fuzzing: seeded line noise into every emulator core, every driver reply parser and every driver.

`mutations` holds the mutation strategies (shared with the hypothesis tests in tests/), `corpus` the valid frames
they start from, `targets` one fuzz case per device, `runner` the loop behind `itpump fuzz`. Runtime code uses
random.Random only: hypothesis is a test dependency.
"""
