"""One catalog entry per device kind (hil.devices.catalog.CATALOG): its rig config model, driver factory, emulator,
faults, start order, open-loop flag and the one-line description `itpump emulate` prints. The rig schema's kinds, the
fault names, the rig registry's tables, the
`itpump emulate` choices and the campaign's seeded emulators are derived from it. Adding a kind: a module here
(see ne1000.py), its driver and emulator, and one line in catalog.py."""
