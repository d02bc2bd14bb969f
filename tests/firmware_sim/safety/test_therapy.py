"""The one judge of therapy commands (gate.therapy_findings) and the line it reads (safety/therapy.py)."""
from __future__ import annotations

import pytest

from firmware_sim.safety import gate
from firmware_sim.safety.limits import DrugLimits, Indication
from firmware_sim.safety.therapy import PlannedTherapy, PumpLine, bolus_line_findings, line_findings
from firmware_sim.safety.window import DoseHistory, RatePiece

req = pytest.mark.requirements
LIMITS = DrugLimits()
H = 3600.0


def ids(findings):
    return {f.requirement_id for f in findings}


def judge(line, daily=300.0, periodic=0.0, bridging=False, titration=None, peak_ul_per_h=10.0):
    rate = (daily + periodic) / 24.0
    ctx = gate.GateContext(0.0, DoseHistory.empty(0.0), (RatePiece(0.0, 48 * H, rate),), line.tip_conc_mcg_per_ml,
                           1000.0, peak_ul_per_h, (), line)
    therapy = PlannedTherapy(daily, daily / 24.0, periodic, bridging)
    return gate.therapy_findings(therapy, ctx, titration or gate.TitrationContext(Indication.SPINAL), LIMITS)


def test_line_reads_tip_reservoir_and_settling():
    line = PumpLine((500.0, 1000.0, 500.0), 3000.0)
    assert (line.tip_conc_mcg_per_ml, line.reservoir_conc_mcg_per_ml) == (500.0, 500.0)
    assert not line.is_settled and PumpLine((500.0, 500.0)).is_settled
    assert PumpLine((0.0, 2000.0, 500.0)).lowest_conc_mcg_per_ml == 500.0


@req("SR-PRM-001", "SR-RES-003", "SR-BOL-005")
def test_line_prerequisites():
    assert ids(line_findings(PumpLine((0.0, 500.0)), False)) == {"SR-PRM-001"}
    assert ids(line_findings(PumpLine((500.0,), 0.0), False)) == {"SR-RES-003"}
    assert "no concentration change" in line_findings(PumpLine((500.0,)), True)[0].reason
    plug = line_findings(PumpLine((500.0, 1000.0, 500.0)), False)
    assert ids(plug) == {"SR-BOL-005"} and "1000" in plug[0].reason and "bridge bolus" in plug[0].reason
    assert line_findings(PumpLine((500.0, 1000.0, 500.0)), True) == []


@req("SR-DOSE-005", "SR-BOL-005")
def test_a_bridge_is_judged_on_the_reservoir_concentration():
    assert ids(judge(PumpLine((500.0, 50.0)), bridging=True)) == {"SR-DOSE-005"}
    assert ids(judge(PumpLine((50.0,)))) == {"SR-DOSE-005"}
    assert judge(PumpLine((50.0, 500.0)), bridging=True) == []  # screening drug in the line pushed out ahead


@req("SR-DOSE-001", "SR-DOSE-002", "SR-TIT-001", "SR-TIT-002")
@pytest.mark.parametrize("daily, periodic, reference, expected", [
    (700.0, 0.0, None, set()),
    (700.0, 400.0, None, {"SR-DOSE-002"}),                 # periodic boluses count in the daily dose
    (900.0, 400.0, None, {"SR-DOSE-001", "SR-DOSE-003"}),  # and the planned 24 h window
    (300.0, 100.0, 300.0, {"SR-TIT-001", "SR-TIT-002"}),   # +33 % within the day of the last increase
])
def test_bridge_and_start_agree_on_every_limit(daily, periodic, reference, expected):
    titration = gate.TitrationContext(Indication.SPINAL, reference, -1.0 if reference else None)
    started = judge(PumpLine((1000.0,)), daily, periodic, titration=titration)
    bridged = judge(PumpLine((500.0, 1000.0)), daily, periodic, bridging=True, titration=titration)
    assert ids(started) == ids(bridged) == expected


@req("SR-DOSE-005")
def test_only_a_clinician_bolus_may_use_a_screening_only_concentration():
    assert bolus_line_findings(PumpLine((50.0,)), True, LIMITS) == []
    assert ids(bolus_line_findings(PumpLine((50.0,)), False, LIMITS)) == {"SR-DOSE-005"}
    assert ids(bolus_line_findings(PumpLine((500.0, 50.0)), True, LIMITS)) == {"SR-BOL-005"}
