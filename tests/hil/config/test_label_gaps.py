"""Two ways round the label check a safety probe found, closed:

(a) a drug library without cerebral_soft_max_daily_dose_mcg gives cerebral-origin patients its spinal soft maximum
    (800 mcg/day in the bundled library, above the label's cerebral-origin 703): judged by that value, so it needs
    the acknowledgement like an explicit 800 does;
(b) a scenario override that makes a key it does not name beyond the label (allowed_conc_mcg_per_ml adding the
    50 mcg/mL screening concentration to a library whose screening_only_conc_mcg_per_ml is empty) needs the
    scenario's acknowledgement, reported under the overridden key."""
from __future__ import annotations

from pathlib import Path

import pytest

from firmware_sim.safety.limits import Indication
from hil.cli.main import main
from hil.config import bounds
from hil.config.drug_library import DrugLibraryEntry, load_drug_library
from hil.config.drug_overrides import effective_limits
from hil.config.loading import ConfigError, load_model
from hil.config.scenario import ScenarioConfig
from hil.paths import bench_configs_dir

LIBRARY = bench_configs_dir() / "drugs" / "baclofen.yaml"
SCENARIO = bench_configs_dir() / "scenarios" / "ptm-use.yaml"
DRUG_LINE = 9  # ptm-use.yaml: drug: {...}
ACK = 'acknowledge_beyond_label: "bench study of the label check"'
CEREBRAL_MAX = f"{bounds.LABEL_MAX_MAINTENANCE_DAILY_DOSE_MCG['cerebral']:g}"


def library_with(tmp_path: Path, *, drop: tuple[str, ...] = (), replace: dict[str, str] | None = None,
                 extra: str = "") -> Path:
    """The bundled library without the lines starting with `drop`, lines starting with a `replace` key replaced."""
    lines = []
    for line in LIBRARY.read_text().splitlines():
        if line.startswith(drop):
            continue
        lines.append(next((new for old, new in (replace or {}).items() if line.startswith(old)), line))
    path = tmp_path / "lib.yaml"
    path.write_text("\n".join(lines) + "\n" + extra)
    return path


def scenario_with(tmp_path: Path, drug_extra: str, conc_mcg_per_ml: float = 2000) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(SCENARIO.read_text().replace(
        "conc_mcg_per_ml: 2000}", f"conc_mcg_per_ml: {conc_mcg_per_ml:g}, {drug_extra}}}", 1))
    return path


def issues_of(path: Path, model: type) -> list:
    with pytest.raises(ConfigError) as info:
        load_model(path, model, environ={})
    return info.value.issues


# --- (a) the cerebral soft maximum a library gives ---

@pytest.mark.requirements("SR-CFG-001")
def test_a_library_without_a_cerebral_soft_maximum_is_judged_by_the_spinal_one_it_falls_back_to(tmp_path):
    path = library_with(tmp_path, drop=("cerebral_soft_max_daily_dose_mcg",))
    [issue] = issues_of(path, DrugLibraryEntry)
    assert issue.dotted_key == "cerebral_soft_max_daily_dose_mcg"
    assert issue.message.startswith("beyond the label's range: cerebral_soft_max_daily_dose_mcg is not set, so "
                                    "cerebral-origin patients get soft_max_daily_dose_mcg: 800 mcg/day is above "
                                    "the label's usual cerebral-origin maintenance dose")
    assert f"set cerebral_soft_max_daily_dose_mcg to at most {CEREBRAL_MAX} mcg/day" in issue.message
    assert "acknowledge_beyond_label" in issue.message


@pytest.mark.requirements("SR-CFG-001")
def test_the_implicit_and_the_explicit_800_are_refused_alike(tmp_path):
    explicit = library_with(tmp_path, replace={"cerebral_soft_max_daily_dose_mcg": "cerebral_soft_max_daily_dose_mcg: "
                                                                                    "800"})
    [issue] = issues_of(explicit, DrugLibraryEntry)
    assert issue.dotted_key == "cerebral_soft_max_daily_dose_mcg" and "800 mcg/day is above" in issue.message
    implicit = library_with(tmp_path, drop=("cerebral_soft_max_daily_dose_mcg",), extra=ACK + "\n")
    limits = load_drug_library(implicit).to_limits()  # acknowledged: loads, with the fallback it was judged by
    assert limits.cerebral_soft_max_daily_dose_mcg == limits.soft_max_daily_dose_mcg == 800.0


def test_a_library_without_a_cerebral_soft_maximum_within_the_label_needs_no_acknowledgement(tmp_path):
    path = library_with(tmp_path, drop=("cerebral_soft_max_daily_dose_mcg",),
                        replace={"soft_max_daily_dose_mcg": f"soft_max_daily_dose_mcg: {CEREBRAL_MAX}"})
    limits = load_drug_library(path).to_limits()
    assert limits.cerebral_soft_max_daily_dose_mcg == limits.soft_max_daily_dose_mcg == float(CEREBRAL_MAX)


@pytest.mark.requirements("SR-CFG-001")
def test_an_override_of_the_spinal_soft_maximum_raising_the_fallback_needs_the_acknowledgement(tmp_path):
    library = library_with(tmp_path, drop=("cerebral_soft_max_daily_dose_mcg",),
                           replace={"soft_max_daily_dose_mcg": "soft_max_daily_dose_mcg: 700"})
    override = f"library_file: {library}, limits_override: {{soft_max_daily_dose_mcg: 800}}"
    [issue] = issues_of(scenario_with(tmp_path, override), ScenarioConfig)
    assert issue.dotted_key == "drug.limits_override.soft_max_daily_dose_mcg" and issue.line == DRUG_LINE
    assert "cerebral_soft_max_daily_dose_mcg is not set" in issue.message
    assert "with this soft_max_daily_dose_mcg override" in issue.message
    effective = effective_limits(load_model(scenario_with(tmp_path, f"{override}, {ACK}"), ScenarioConfig,
                                            environ={}).drug)
    assert effective.limits.soft_max_for_mcg(Indication.CEREBRAL) == 800
    [recorded] = effective.overrides
    assert "cerebral_soft_max_daily_dose_mcg" in (recorded.beyond_label or "")


# --- (b) a finding an override causes under another key ---

def probe_library(tmp_path: Path, drop: tuple[str, ...] = ("pediatric_titration_cap_fraction",)) -> Path:
    """The probe's library: no screening-only concentration, and no 50 mcg/mL to need one."""
    return library_with(tmp_path, drop=drop, replace={
        "allowed_conc_mcg_per_ml": "allowed_conc_mcg_per_ml: [500, 1000, 2000]",
        "screening_only_conc_mcg_per_ml": "screening_only_conc_mcg_per_ml: []"})


PROBE_OVERRIDE = "limits_override: {allowed_conc_mcg_per_ml: [50, 500, 1000, 2000]}"


@pytest.mark.requirements("SR-CFG-001", "SR-DOSE-005")
def test_an_override_allowing_the_screening_concentration_as_therapy_needs_the_acknowledgement(tmp_path):
    library = probe_library(tmp_path)
    assert main(["check", str(library)]) == 0  # within the label on its own
    [issue] = issues_of(scenario_with(tmp_path, f"library_file: {library}, {PROBE_OVERRIDE}", 500), ScenarioConfig)
    assert issue.dotted_key == "drug.limits_override.allowed_conc_mcg_per_ml" and issue.line == DRUG_LINE
    assert "50 mcg/mL is allowed but not listed as screening-only" in issue.message
    assert "(the library's screening_only_conc_mcg_per_ml, with this allowed_conc_mcg_per_ml override)" \
        in issue.message
    assert "drug.acknowledge_beyond_label" in issue.message


@pytest.mark.requirements("SR-CFG-001", "SR-CFG-002")
def test_an_acknowledged_override_records_the_finding_under_the_overridden_key(tmp_path):
    path = scenario_with(tmp_path, f"library_file: {probe_library(tmp_path)}, {PROBE_OVERRIDE}, {ACK}", 500)
    effective = effective_limits(load_model(path, ScenarioConfig, environ={}).drug)
    [recorded] = effective.overrides
    assert recorded.key == "allowed_conc_mcg_per_ml" and "screening-only" in (recorded.beyond_label or "")


def test_the_probes_exact_library_is_refused_before_its_scenario_is_judged(tmp_path):
    library = probe_library(tmp_path, drop=("pediatric_titration_cap_fraction", "cerebral_soft_max_daily_dose_mcg"))
    [issue] = issues_of(scenario_with(tmp_path, f"library_file: {library}, {PROBE_OVERRIDE}", 500), ScenarioConfig)
    assert issue.dotted_key == "drug.library_file" and "cerebral_soft_max_daily_dose_mcg is not set" in issue.message


def test_a_finding_of_the_library_alone_is_the_librarys_not_the_scenarios(tmp_path):
    library = library_with(tmp_path, replace={"screening_only_conc_mcg_per_ml": "screening_only_conc_mcg_per_ml: []"},
                           extra=ACK + "\n")
    path = scenario_with(tmp_path, f"library_file: {library}, limits_override: {{ptm_min_lockout_min: 120}}", 500)
    [recorded] = effective_limits(load_model(path, ScenarioConfig, environ={}).drug).overrides
    assert recorded.key == "ptm_min_lockout_min" and recorded.beyond_label is None


def test_every_shipped_library_and_scenario_still_checks(capsys):
    files = sorted(str(p) for folder in ("drugs", "scenarios", "campaigns/scenarios")
                   for p in (bench_configs_dir() / folder).rglob("*.yaml"))
    assert main(["check", *files]) == 0, capsys.readouterr().out
    assert capsys.readouterr().out.count("PASS ") == len(files)
