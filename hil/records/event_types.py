"""The events of record.jsonl, one frozen dataclass per kind: the contract between the runner (writer) and the
outputs (readers); the field table both check (hil.records.event_fields) is derived from these classes.

A field without a default is required; one with a default may be absent (older records) and is written always (None
as null), except an `if_set()` field, written only when not None. Fields are written in declaration order, then
`extra` (fields the kind does not declare), so the lines are the same bytes whichever way an event was built. Units
are in the field names; times are `t_s`, seconds since the run's t=0 (scenario time, virtual or wall).
"""
from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from firmware_sim.outcome import Outcome
from firmware_sim.pk.model import SITE_OUTPUTS

IF_SET = "if_set"
"""Field metadata key: the field is written only when it is not None."""


def if_set() -> Any:
    """An optional field written only when set (None: absent from the line)."""
    return field(default=None, metadata={IF_SET: True})


class RecordKind(enum.StrEnum):
    RUN_STARTED = "run_started"
    STEP = "step"
    FIRMWARE_EVENT = "firmware_event"
    ALARM = "alarm"
    VOLUME_SAMPLE = "volume_sample"
    BALANCE_SAMPLE = "balance_sample"
    PK_SERIES = "pk_series"
    ENVELOPE = "envelope"
    EXPECTATION = "expectation"
    RUN_FINISHED = "run_finished"
    INTERRUPT = "interrupt"
    STOPPED_ON_ALARM = "stopped_on_alarm"
    DRUG_LIMITS = "drug_limits"
    RIG_OPENED = "rig_opened"
    POPULATION_VERDICT = "population_verdict"


OUTCOMES: tuple[str, ...] = (Outcome.PASS.value, Outcome.FAIL.value, Outcome.ERROR.value, Outcome.NOT_EVALUATED.value)
"""A run's outcome (run_finished; NOT_EVALUATED: the run judged nothing, hil.runner.execution)."""
ENVELOPE_OUTCOMES: tuple[str, ...] = (Outcome.PASS.value, Outcome.FAIL.value, Outcome.NOT_EVALUATED.value)
"""An envelope's outcome (firmware_sim.pk.envelopes)."""


def recorded_outcome(event: Envelope | Expectation) -> Outcome:
    """The outcome of an envelope or expectation: the envelope's own `outcome` (PASS or FAIL from `passed` for an
    envelope line that carries none), PASS or FAIL from `passed` for an expectation."""
    if isinstance(event, Envelope) and event.outcome:
        return Outcome(event.outcome)
    return Outcome.PASS if event.passed else Outcome.FAIL


@dataclass(frozen=True, kw_only=True, slots=True)
class RecordEvent:
    """One line of record.jsonl. extra: fields the kind does not declare, written after the declared ones."""
    KIND: ClassVar[RecordKind]
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True, slots=True)
class RunStarted(RecordEvent):
    """The first line: what ran, on what, from which configs and code."""
    KIND = RecordKind.RUN_STARTED
    run_id: str
    scenario_name: str
    rig_id: str
    config_sha256: Mapping[str, str]
    git_revision: str
    seeds: Mapping[str, int]
    tool_version: str
    time_compression_factor: float
    clock: str
    started_utc: str
    balance_density_g_per_ml: float | None = None
    balance_evaporation_rate_mg_per_h: float | None = None
    balance_sample_interval_s: float | None = None
    duration_h: float | None = if_set()
    supervision_period_s: float | None = if_set()
    scenario_requirement_ids: tuple[str, ...] | None = if_set()
    operator: str | None = None
    dut_id: str | None = None
    git_dirty: bool | None = None
    dependency_versions: Mapping[str, Any] | None = if_set()
    scenario_description: str | None = if_set()
    pass_means: str | None = if_set()
    planned_steps: tuple[Mapping[str, Any], ...] | None = if_set()
    planned_expectations: tuple[str, ...] | None = if_set()
    trumpet_limits: Mapping[str, Any] | None = if_set()


@dataclass(frozen=True, kw_only=True, slots=True)
class Step(RecordEvent):
    """A scenario step and the firmware's decision; extra: the action's details (e.g. overridden limits)."""
    KIND = RecordKind.STEP
    t_s: float
    index: int
    action: str
    params: Mapping[str, Any]
    decision: str
    reasons: tuple[str, ...]
    requirement_ids: tuple[str, ...]
    expected_decision: str | None = None
    decision_requirement_ids: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True, kw_only=True, slots=True)
class FirmwareEvent(RecordEvent):
    """An event the firmware emitted (firmware_sim.pump.events.Event): its kind and fields."""
    KIND = RecordKind.FIRMWARE_EVENT
    t_s: float
    kind: str
    fields: Mapping[str, Any]


@dataclass(frozen=True, kw_only=True, slots=True)
class Alarm(RecordEvent):
    KIND = RecordKind.ALARM
    t_s: float
    name: str
    priority: str
    detail: str = ""
    requirement_id: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class VolumeSample(RecordEvent):
    """Volumes at a supervision tick: commanded by the firmware, reported by the pump, weighed (None: not read)."""
    KIND = RecordKind.VOLUME_SAMPLE
    t_s: float
    commanded_ul: float
    pump_reported_ul: float | None
    gravimetric_ul: float | None
    rate_ul_per_h: float
    after_pump_stop: bool | None = if_set()
    firmware_status: bool | None = if_set()
    """True: the line stands for the firmware's status event of this moment too (hil.records.carried_status)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class BalanceSample(RecordEvent):
    KIND = RecordKind.BALANCE_SAMPLE
    t_s: float
    mass_g: float
    stable: bool


PK_SERIES_OUTPUTS = SITE_OUTPUTS
"""The PK outputs a pk_series carries, each a field of PkSeries (the population bands are keyed by them too)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class PkSeries(RecordEvent):
    """label: 'delivered' (from what left the pump) or 'programmed' (from what was asked); sustained_program: the
    programmed series' sustained program (for campaigns to judge virtual patients again)."""
    KIND = RecordKind.PK_SERIES
    label: str
    t_h: tuple[float | None, ...]
    lumbar_csf_ng_per_ml: tuple[float | None, ...]
    cisternal_csf_ng_per_ml: tuple[float | None, ...]
    plasma_ng_per_ml: tuple[float | None, ...]
    peaks_ng_per_ml: Mapping[str, Any] | None = if_set()
    source: str | None = if_set()
    sustained_program: tuple[Mapping[str, Any], ...] | None = if_set()

    def output_ng_per_ml(self, output: str) -> tuple[float | None, ...]:
        """The concentrations of one PK output, by its name (one of PK_SERIES_OUTPUTS, e.g. "plasma_ng_per_ml")."""
        if output not in PK_SERIES_OUTPUTS:
            raise KeyError(f"pk_series has no output {output!r}; outputs: {', '.join(PK_SERIES_OUTPUTS)}")
        concentrations: tuple[float | None, ...] = getattr(self, output)
        return concentrations


@dataclass(frozen=True, kw_only=True, slots=True)
class Envelope(RecordEvent):
    """outcome: PASS, FAIL or NOT_EVALUATED (value None); None when built: PASS/FAIL from passed. details: the
    envelope's unit-named values (e.g. drop_began_h of the withdrawal envelope)."""
    KIND = RecordKind.ENVELOPE
    name: str
    passed: bool
    value: float | None
    limit: float | None
    unit: str
    requirement_ids: tuple[str, ...]
    reason: str
    outcome: str | None = None
    comparator: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.outcome is None:
            object.__setattr__(self, "outcome", "PASS" if self.passed else "FAIL")


@dataclass(frozen=True, kw_only=True, slots=True)
class Expectation(RecordEvent):
    KIND = RecordKind.EXPECTATION
    name: str
    passed: bool
    detail: str
    requirement_ids: tuple[str, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class RunFinished(RecordEvent):
    """outcome: one of OUTCOMES. extra: what stopping the pump did (pump_stop, pump_running_after_stop) and the rig's
    teardown errors (rig_teardown_errors), where there were any."""
    KIND = RecordKind.RUN_FINISHED
    outcome: str
    reason: str
    verdict_reached: bool | None = None
    """The run was judged to its end (expectations, envelopes, population) or ended on an alarm by design, with no
    interrupt; False after a crash, a refused set-up, a rig that did not open or a Ctrl-C. None: an older record."""

    @property
    def pump_stop(self) -> str | None:
        """What stopping the pump did (extra `pump_stop`), None if the run did not get to stop it."""
        value = self.extra.get("pump_stop")
        return value if isinstance(value, str) else None

    @property
    def pump_running_after_stop(self) -> bool | None:
        """The pump's status after the stop (extra `pump_running_after_stop`), None if not read."""
        value = self.extra.get("pump_running_after_stop")
        return value if isinstance(value, bool) else None


@dataclass(frozen=True, kw_only=True, slots=True)
class Interrupt(RecordEvent):
    """The operator interrupted the run (Ctrl-C): phase and what was done. Written before run_finished (which is then
    ERROR) or, if the interrupt came while the outputs were rendered, after it (the run is then ERROR)."""
    KIND = RecordKind.INTERRUPT
    phase: str
    detail: str


@dataclass(frozen=True, kw_only=True, slots=True)
class StoppedOnAlarm(RecordEvent):
    """The run was ended by --stop-on-alarm: the alarm, its priority and when it latched, the threshold, what stopping
    the pump did. Written before run_finished (which is then ERROR, naming the alarm)."""
    KIND = RecordKind.STOPPED_ON_ALARM
    t_s: float
    alarm: str
    priority: str
    alarm_t_s: float
    stop_on_alarm: str
    detail: str


@dataclass(frozen=True, kw_only=True, slots=True)
class DrugLimitsEvent(RecordEvent):
    """Written after run_started: the drug library, every scenario override of it, an out-of-label patient's reason."""
    KIND = RecordKind.DRUG_LIMITS
    drug_name: str
    library_file: str
    overrides: tuple[Mapping[str, Any], ...]
    acknowledge_beyond_label: str | None
    patient_acknowledge_beyond_label: str | None = if_set()


@dataclass(frozen=True, kw_only=True, slots=True)
class RigOpened(RecordEvent):
    """Written once the rig is open: what opening it found and dealt with (findings, e.g. a watchdog alarm a previous
    host left on the pump), the ports each device was found on and what it reported about itself (pump model and
    firmware version, balance serial number)."""
    KIND = RecordKind.RIG_OPENED
    findings: tuple[str, ...] = ()
    ports: Mapping[str, Any]
    devices: Mapping[str, Any]


@dataclass(frozen=True, kw_only=True, slots=True)
class PopulationVerdictEvent(RecordEvent):
    """The scenario's virtual patients (scenario `patients`): every envelope judged for each patient
    (firmware_sim.pk.population_verdict.PopulationEnvelope.to_dict()) and the p5/p50/p95 bands of each PK output at
    the delivered series' sample times (`bands`: {output name: {"p5": [...], "p50": [...], "p95": [...]}}, with
    `t_h`). Written after the envelopes, before run_finished."""
    KIND = RecordKind.POPULATION_VERDICT
    n_patients: int
    seed: int
    horizon_h: float
    min_fraction_passing: float
    outcome: str
    envelopes: tuple[Mapping[str, Any], ...]
    t_h: tuple[float | None, ...] | None = if_set()
    bands: Mapping[str, Any] | None = if_set()


EVENT_CLASSES: dict[str, type[RecordEvent]] = {cls.KIND.value: cls for cls in (
    RunStarted, Step, FirmwareEvent, Alarm, VolumeSample, BalanceSample, PkSeries, Envelope, Expectation, RunFinished,
    Interrupt, StoppedOnAlarm, DrugLimitsEvent, RigOpened, PopulationVerdictEvent)}
"""Event kind -> its class, in the order the table lists them."""
