"""Independent reference: scipy solve_ivp restarted at every event, for tests only (a development tool in the
checkout, not shipped).

It shares only the timeline (event and sample merging) with the kernel; the dynamics are integrated
numerically from K, so a propagator mistake in the kernel cannot hide here.
"""
from __future__ import annotations

from typing import Literal

import numpy as np
from scipy.integrate import solve_ivp

from firmware_sim.pk.kernel import build_timeline
from firmware_sim.pk.model import LinearSystem
from firmware_sim.pk.profile import DeliveryProfile


def solve_reference(
    system: LinearSystem,
    profile: DeliveryProfile,
    t_h: np.ndarray,
    *,
    patient: int = 0,
    method: Literal["RK23", "RK45", "DOP853", "Radau", "BDF", "LSODA"] = "LSODA",
    rtol: float = 1e-12,
    atol: float = 1e-15,
) -> np.ndarray:
    """Outputs (m, n_t) of one patient of the system at the sample times."""
    timeline = build_timeline(profile, t_h)
    k = system.k_per_h[patient]
    b = system.infusion_input[patient]
    x = np.zeros(system.n_states)
    out = np.empty((system.output_matrix.shape[1], len(timeline.sample_index)))
    samples_at: dict[int, list[int]] = {}
    for position, index in enumerate(timeline.sample_index):
        samples_at.setdefault(int(index), []).append(position)
    c = system.output_matrix[patient]
    for i, t in enumerate(timeline.times_h):
        x = x + system.bolus_input[patient] * timeline.bolus_mcg[i]
        for position in samples_at.get(i, ()):
            out[:, position] = c @ x
        if i == len(timeline.times_h) - 1:
            break
        rate = timeline.rate_mcg_per_h[i]
        sol = solve_ivp(lambda _t, y: k @ y + b * rate,  # noqa: B023 - solve_ivp calls it within this iteration
                        (t, timeline.times_h[i + 1]), x, method=method, rtol=rtol, atol=atol, jac=lambda _t, _y: k)
        if not sol.success:
            raise RuntimeError(f"solve_ivp failed on [{t}, {timeline.times_h[i + 1]}] h: {sol.message}")
        x = sol.y[:, -1]
    return out
