"""How far the pump-reported outlet has run ahead of (or fallen behind) the commanded one since each fill, so that
priming and a bridge take each step of the line where the drug really reaches the tip: a pump running fast within
the supervision band (up to 14.5 %) brings a stronger drug there before the commanded volume does (priming would push
it into the patient at the priming rate), and a slow one leaves a stronger drug in the line after the commanded
volume says it has gone (a bridge to a weaker concentration would push it at the weaker one's volume rate).

Each fill is placed twice (engine.py): at the commanded outlet volume in the planning track, at the reported one in
the delivered track. The difference at the fill is its lead then; the lead that has grown since (the reported lead
now, less the lead at the fill) brings that fill's arrival at the tip forward by as much.
"""
from __future__ import annotations

import bisect
import math

FILL_MATCH_UL = 1e-6
"""A boundary names its fill within this much (the boundary is the fill's volume plus the dead volume)."""


class FillLeads:
    def __init__(self, dead_volume_ul: float, report_slack_ul: float) -> None:
        self._dead_volume_ul = dead_volume_ul
        self._report_slack_ul = report_slack_ul
        """A lead up to this is the report's resolution, not a fast pump (the supervision's absolute slack)."""
        self._fill_q_ul: list[float] = []
        self._lead_ul: list[float] = []

    def record(self, fill_q_ul: float, lead_ul: float) -> None:
        """A fill at commanded outlet volume fill_q_ul, when the reported outlet was lead_ul ahead (a later fill at
        the same volume replaces it, as the tracks do)."""
        if self._fill_q_ul and self._fill_q_ul[-1] == fill_q_ul:
            self._lead_ul[-1] = lead_ul
            return
        self._fill_q_ul.append(fill_q_ul)
        self._lead_ul.append(lead_ul)

    def gained_ul(self, boundary_ul: float, lead_now_ul: float) -> float:
        """How much further the reported outlet is ahead now than when the fill reaching the tip at boundary_ul (a
        commanded outlet volume) was made, beyond the report slack either way: negative when it has fallen behind (a
        slow pump), 0.0 within the resolution of its reports."""
        i = bisect.bisect_right(self._fill_q_ul, boundary_ul - self._dead_volume_ul + FILL_MATCH_UL) - 1
        gained_ul = lead_now_ul - (self._lead_ul[i] if i >= 0 else 0.0)
        return math.copysign(max(abs(gained_ul) - self._report_slack_ul, 0.0), gained_ul)
