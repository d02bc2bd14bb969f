"""run_scenario: load and check the configs, open the rig, execute, write the record, render the outputs.

Bad input found before anything runs (config errors, unknown names, a fault step for an emulator the rig does
not have, a refused time compression) raises BadInput and creates no run folder. Everything after the record
is opened ends in run_finished (PASS/FAIL/ERROR) and rendered outputs; a failing output makes the run ERROR.
Ctrl-C (hil.runner.interrupt) at any moment after that stops the pump, records the interrupt with its phase
and makes the run ERROR; during the rendering it also marks the outputs not written.
"""
from __future__ import annotations

import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from firmware_sim.pump.config import FirmwareConfig
from firmware_sim.safety.limits import DrugLimits
from firmware_sim.units import S_PER_H
from hil.config.bounds import MAX_BALANCE_SAMPLES
from hil.config.drug_overrides import EffectiveLimits
from hil.config.loading import ConfigError, load_model
from hil.config.rig import RigConfig
from hil.config.scenario import ScenarioConfig
from hil.rig.fault_params import scenario_fault_problems
from hil.outputs.render import RENDERING_PHASE, RenderResult, render_all
from hil.records import events as ev
from hil.records.writer import RECORD_FILENAME, RecordWriter
from hil.rig import Rig, RigError
from hil.rig.motion_horizon import check_motion_horizon
from hil.rig.rig import check_time_compression
from hil.runner import provenance
from hil.runner.scenario_plan import scenario_plan_fields
from hil.runner.execution import RunExecution, SetupRejected
from hil.runner.firmware_setup import ScenarioSetupError, effective_drug_limits, firmware_config, syringe_fill_ul
from hil.runner.interrupt import InterruptFlag, RunAborted, RunInterrupted
from hil.runner.pump_stop import stop_pump
from hil.runner.options import RunOptions
from hil.runner.live_status import RunInfo, RunMonitor
from hil.runner.progress import run_monitor
from hil.runner.result import RunResult, run_result
from hil.runner.sampling import gravimetric_window


class BadInput(ValueError):
    """A scenario, rig or option the runner cannot run; the message names the file and key."""


class RunEnd(NamedTuple):
    """How a run ended: outcome, reason, what stopping the pump did (run_finished's extra), and whether the run was
    judged to its end (its verdict evaluated, or an alarm stop by design)."""
    outcome: str
    reason: str
    extra: dict
    verdict_reached: bool = False


def _check_faults(scenario: ScenarioConfig, rig: RigConfig, source: Path) -> None:
    problems = scenario_fault_problems(scenario, rig, source)
    if problems:
        raise BadInput(f"invalid scenario {source} on rig {rig.rig_id}:\n  " + "\n  ".join(problems))


def _check_sampling_plan(scenario: ScenarioConfig, rig: RigConfig, options: RunOptions, source: Path) -> None:
    """The gravimetric window starts within the scenario, and its balance readings are counted before any list of
    them is built."""
    start_h = options.gravimetric_start_h
    if start_h is not None and start_h >= scenario.duration_h:
        raise BadInput(f"--gravimetric-start-h {start_h:g} h is at or after the end of the scenario ({source}, "
                       f"duration_h {scenario.duration_h:g} h): its gravimetric window would weigh nothing")
    if rig.balance is None:
        return
    window = gravimetric_window(scenario.steps, options.gravimetric_start_h, options.gravimetric_duration_h,
                                rig.balance.sample_interval_s, scenario.duration_h)
    if window is not None and window.sample_count > MAX_BALANCE_SAMPLES:
        raise BadInput(
            f"{source}: the gravimetric window would take {window.sample_count} balance readings (every "
            f"balance.sample_interval_s {rig.balance.sample_interval_s:g} s), more than {MAX_BALANCE_SAMPLES}; "
            f"raise sample_interval_s or shorten --gravimetric-duration-h"
        )


@dataclass(frozen=True)
class Prepared:
    scenario: ScenarioConfig
    rig: RigConfig
    fw_config: FirmwareConfig
    limits: DrugLimits
    syringe_fill_ul: float
    drug_limits: EffectiveLimits


def prepare(scenario_path: Path, rig_path: Path, options: RunOptions) -> Prepared:
    """Load and cross-check everything that can be checked before the rig is touched (raises BadInput)."""
    try:
        scenario = load_model(scenario_path, ScenarioConfig)
        rig = load_model(rig_path, RigConfig)
    except ConfigError as exc:
        raise BadInput(str(exc)) from exc
    _check_faults(scenario, rig, scenario_path)
    try:
        check_time_compression(rig, options.time_compression_factor)
        check_motion_horizon(rig, scenario.supervision_period_s, options.time_compression_factor)
        fw_config = firmware_config(scenario)
        drug = effective_drug_limits(scenario)
        syringe_fill = syringe_fill_ul(scenario, rig.syringe.volume_ul)
    except (RigError, ScenarioSetupError) as exc:
        raise BadInput(f"{scenario_path} on {rig_path}: {exc}") from exc
    _check_sampling_plan(scenario, rig, options, scenario_path)
    peak_ul_per_h = fw_config.max_actuator_rate_ul_per_h * options.time_compression_factor
    if peak_ul_per_h > rig.max_rate_ul_per_h:
        raise BadInput(
            f"time compression x{options.time_compression_factor:g} would command up to {peak_ul_per_h:g} uL/h "
            f"(firmware maximum {fw_config.max_actuator_rate_ul_per_h:g} uL/h), above the rig maximum "
            f"max_rate_ul_per_h {rig.max_rate_ul_per_h:g} uL/h ({rig_path})"
        )
    return Prepared(scenario, rig, fw_config, drug.limits, syringe_fill, drug)


def run_scenario(scenario_path: Path | str, rig_path: Path | str, options: RunOptions,
                 monitor: RunMonitor | None = None) -> RunResult:
    """Ctrl-C at any moment ends the run as ERROR (RunInterrupted before the run folder exists).
    monitor: fed the run's status as it goes (hil.runner.live_status), instead of the terminal display."""
    scenario_path, rig_path = Path(scenario_path), Path(rig_path)
    with InterruptFlag() as interrupt:
        interrupt.enter("loading the configs")
        try:
            prepared = prepare(scenario_path, rig_path, options)
        except KeyboardInterrupt:
            interrupt.request()
        if interrupt.requested:
            raise RunInterrupted(f"{interrupt.describe()}: nothing was run and no run folder was written")
        run_dir = Path(options.out_dir)
        if (run_dir / RECORD_FILENAME).exists():
            raise BadInput(f"{run_dir} already holds a run record; choose a new --out folder")
        try:
            run_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise BadInput(f"--out {run_dir}: cannot make the run folder there ({exc.strerror or exc}); nothing was "
                           f"run") from exc
        return _run_recorded(prepared, (scenario_path, rig_path), run_dir, options, interrupt, monitor)


def _run_recorded(prepared: Prepared, paths: tuple[Path, Path], run_dir: Path, options: RunOptions,
                  interrupt: InterruptFlag, monitor: RunMonitor | None) -> RunResult:
    scenario, rig_config = prepared.scenario, prepared.rig
    started = provenance.utc_now()
    revision = provenance.git_revision()
    pk_peaks: dict = {}
    # flushed per event always (a killed process keeps every line); fsynced too on wall-clock rigs (power loss)
    with RecordWriter(run_dir / RECORD_FILENAME, fsync=rig_config.clock == "wall") as record:
        balance = rig_config.balance
        interrupt.enter("writing the record")
        with interrupt.shielded():
            record.write(ev.RunStarted(
                run_id=provenance.run_id(scenario.name, started), scenario_name=scenario.name,
                rig_id=rig_config.rig_id,
                config_sha256={str(path): provenance.sha256_of(path)
                               for path in (*paths, scenario.drug.library_path())},
                git_revision=revision, seeds=_seeds(scenario, rig_config),
                tool_version=provenance.tool_version(), time_compression_factor=options.time_compression_factor,
                clock=rig_config.clock, started_utc=started.isoformat(),
                balance_density_g_per_ml=balance.density_g_per_ml if balance else None,
                balance_evaporation_rate_mg_per_h=balance.evaporation_rate_mg_per_h if balance else None,
                balance_sample_interval_s=balance.sample_interval_s if balance else None,
                duration_h=scenario.duration_h, supervision_period_s=scenario.supervision_period_s,
                scenario_requirement_ids=tuple(scenario.requirement_ids),
                operator=options.operator, dut_id=options.dut_id, git_dirty=provenance.git_dirty(revision),
                dependency_versions=provenance.dependency_versions(), **scenario_plan_fields(scenario)))
            # overrides are never silent
            record.write(ev.DrugLimitsEvent(**prepared.drug_limits.record_fields(),
                                            patient_acknowledge_beyond_label=scenario.patient.acknowledge_beyond_label))
        try:
            info = RunInfo(scenario.name, run_dir, rig_config.clock, scenario.duration_h * S_PER_H,
                           options.time_compression_factor)
            with run_monitor(options, info, monitor) as watcher:
                end = _execute(prepared, record, options, watcher, pk_peaks, interrupt)
        except KeyboardInterrupt:  # one that came past the handlers below (they had stopped the pump)
            interrupt.request()
            end = RunEnd("ERROR", f"aborted: {interrupt.describe()}", {})
        outcome, reason = end.outcome, end.reason
        if interrupt.requested:
            outcome, reason = _interrupted(record, interrupt, outcome, reason)
        presses = interrupt.presses  # a Ctrl-C from here on is one while the outputs are made
        interrupt.enter("writing the record")
        with interrupt.shielded():
            record.write(ev.RunFinished(outcome=outcome, reason=reason, extra=end.extra,
                                        verdict_reached=end.verdict_reached and not interrupt.requested))
        interrupt.enter(RENDERING_PHASE)

        def on_interrupt(what: str) -> ev.Interrupt:
            phase = interrupt.last_press_phase if interrupt.presses > presses else RENDERING_PHASE
            event = ev.Interrupt(phase=phase or RENDERING_PHASE,
                                 detail=f"interrupted by {interrupt.last_press_cause} while {phase}; {what}")
            record.write(event)
            return event

        rendered = render_all(run_dir, interrupted=lambda: interrupt.presses > presses, on_interrupt=on_interrupt,
                              shield=interrupt.shielded)
    return _result(rendered, options, pk_peaks)


def _interrupted(record: RecordWriter, interrupt: InterruptFlag, outcome: str, reason: str) -> tuple[str, str]:
    """The record names the interrupt; the run is ERROR whatever it had come to."""
    if not reason.startswith("aborted:"):
        reason = f"aborted: {interrupt.describe()} (the run itself had come to {outcome}: {reason})"
    with interrupt.shielded():
        record.write(ev.Interrupt(phase=interrupt.requested_in or interrupt.phase, detail=reason))
    return "ERROR", reason


def _execute(prepared: Prepared, record: RecordWriter, options: RunOptions, monitor: RunMonitor,
             pk_peaks: dict, interrupt: InterruptFlag) -> RunEnd:
    interrupt.enter("the rig set-up")
    rig = Rig(prepared.rig, time_compression_factor=options.time_compression_factor,
              syringe_fill_ul=prepared.syringe_fill_ul, supervision_period_s=prepared.scenario.supervision_period_s)
    end = _execute_on(rig, prepared, record, options, monitor, pk_peaks, interrupt)
    if rig.open_findings:  # acknowledged at open (e.g. a watchdog alarm a previous host left): said, not an error
        end = end._replace(reason=f"{end.reason}; at rig open: {'; '.join(rig.open_findings)}")
    if rig.teardown_errors:  # e.g. the pump could not be stopped: never a PASS, and said in the reason
        failed = "; ".join(rig.teardown_errors)
        end = end._replace(outcome="ERROR", reason=f"{end.reason}; rig teardown failed: {failed}",
                           extra={**end.extra, "rig_teardown_errors": rig.teardown_errors})
    return end


def _execute_on(rig: Rig, prepared: Prepared, record: RecordWriter, options: RunOptions,
                monitor: RunMonitor, pk_peaks: dict, interrupt: InterruptFlag) -> RunEnd:
    scenario, rig_config, fw_config, limits = prepared.scenario, prepared.rig, prepared.fw_config, prepared.limits
    execution: RunExecution | None = None
    try:
        try:
            rig.open()
            with interrupt.shielded():
                record.write(ev.RigOpened(findings=tuple(rig.open_findings),
                                          **provenance.rig_identity(rig.pump, rig.balance)))
            execution = RunExecution(scenario, rig, record, options, fw_config, limits, monitor)
            outcome, reason = execution.run(interrupt)
            pk_peaks.update(execution.pk_peaks)
            extra = dict(execution.pump_stop or {})
            if extra.get("pump_running_after_stop") is not False:
                outcome, reason = "ERROR", f"{reason}; at the end of the run: {extra.get('pump_stop')}"
            return RunEnd(outcome, reason, extra, verdict_reached=True)
        except (RunAborted, KeyboardInterrupt) as exc:
            interrupt.request()  # a KeyboardInterrupt (a second Ctrl-C) is noted like the first
            if not rig.is_open:
                return RunEnd("ERROR", f"aborted: {interrupt.describe()} (the rig was not open)", {})
            with interrupt.shielded():  # stop the pump first, then record what was delivered up to now
                stopped = execution.stop_pump_and_sample() if execution is not None else stop_pump(rig)
            return RunEnd("ERROR", f"aborted: {str(exc) or interrupt.describe()}; {stopped['pump_stop']}", stopped)
        finally:
            interrupt.enter("the rig teardown")
            with interrupt.shielded():  # teardown stops the pump whatever happens: a Ctrl-C must not cut it
                rig.close()
    except SetupRejected as exc:
        return RunEnd("ERROR", f"scenario set-up rejected by the firmware: {exc}", {})
    except RigError as exc:
        return RunEnd("ERROR", f"rig {rig_config.rig_id}: {exc}", {})
    except Exception as exc:  # a crash is an ERROR run with its traceback in the record, never a PASS
        tail = "".join(traceback.format_exception(exc)[-4:]).strip()
        return RunEnd("ERROR", f"crashed: {type(exc).__name__}: {exc}\n{tail}", {})


def _seeds(scenario: ScenarioConfig, rig: RigConfig) -> dict[str, int]:
    seeds = {"scenario": scenario.seed}
    for name, emulator in rig.emulators.items():
        seed = emulator.options.get("seed")
        if isinstance(seed, int):
            seeds[f"emulator.{name}"] = seed
    return seeds


def _result(rendered: RenderResult, options: RunOptions, pk_peaks: dict) -> RunResult:
    """The run's JSON: its summary.json (PK peaks, time compression and all, from the record) and its folder."""
    return run_result(rendered.record, rendered.outcome, rendered.reason, rendered.run_dir, rendered.failures,
                      rendered.missing)
