"""Drug library: bench_configs/drugs/<drug>.yaml -> firmware_sim.safety.DrugLimits.

    limits = load_drug_limits("baclofen")            # from bench_configs/drugs/
    limits = load_drug_limits(Path("my/drug.yaml"))  # any file

Unknown keys, missing keys and bad values raise ConfigError naming the file, key and line. Every limit is a
finite number within the absolute bounds of hil/config/bounds.py; a limit beyond the label's range (for example
a daily maximum above LABEL_MAX_DAILY_DOSE_MCG) needs `acknowledge_beyond_label: "<reason>"` in the same file.
A library without cerebral_soft_max_daily_dose_mcg gives cerebral-origin patients its soft_max_daily_dose_mcg, and
is judged by that value.
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from collections.abc import Mapping

from pydantic import Field, create_model, model_validator

from firmware_sim.safety.limits import DrugLimits, Indication
from firmware_sim.units import MIN_PER_DAY
from hil.config import bounds as b
from hil.config.common import Number, StrictModel, WholeNumber
from hil.config.errors import ConfigError, ConfigIssue, LocatedProblem
from hil.config.loading import load_yaml, validate_loaded
from hil.paths import bundled

DailyDoseMcg = Annotated[Number, Field(gt=0, le=b.ABSOLUTE_MAX_DAILY_DOSE_MCG)]
Concentrations = Annotated[
    list[Annotated[Number, Field(gt=0, le=b.ABSOLUTE_MAX_CONC_MCG_PER_ML)]], Field(max_length=20)
]
Acknowledgement = Annotated[str, Field(min_length=b.MIN_ACKNOWLEDGEMENT_CHARS, max_length=500)]

LIMIT_FIELDS: dict[str, Any] = {
    "allowed_conc_mcg_per_ml": Annotated[Concentrations, Field(min_length=1)],
    "screening_only_conc_mcg_per_ml": Concentrations,
    "hard_max_daily_dose_mcg": DailyDoseMcg,
    "soft_max_daily_dose_mcg": DailyDoseMcg,
    "cerebral_soft_max_daily_dose_mcg": DailyDoseMcg | None,
    "max_bolus_dose_mcg": Annotated[Number, Field(gt=0, le=b.ABSOLUTE_MAX_BOLUS_DOSE_MCG)],
    "min_bolus_duration_min": Annotated[Number, Field(ge=0, le=MIN_PER_DAY)],
    "max_rate_mcg_per_h": Annotated[Number, Field(gt=0, le=b.ABSOLUTE_MAX_RATE_MCG_PER_H)],
    "titration_cap_fraction": dict[Indication, Annotated[Number, Field(ge=0, le=1)]],
    "pediatric_titration_cap_fraction": Annotated[Number, Field(ge=0, le=1)] | None,
    "titration_min_interval_h": Annotated[Number, Field(gt=0, le=b.ABSOLUTE_MAX_WINDOW_H)],
    "screening_min_interval_h": Annotated[Number, Field(gt=0, le=b.ABSOLUTE_MAX_WINDOW_H)],
    "ptm_min_lockout_min": Annotated[Number, Field(ge=0, le=b.ABSOLUTE_MAX_LOCKOUT_MIN)],
    "ptm_max_count_per_24h": Annotated[WholeNumber, Field(ge=0, le=b.ABSOLUTE_MAX_PTM_COUNT_PER_24H)],
    "ptm_max_dose_per_24h_mcg": DailyDoseMcg,
    "window_h": Annotated[Number, Field(gt=0, le=b.ABSOLUTE_MAX_WINDOW_H)],
}
"""The DrugLimits fields a library sets (and a scenario may override), with their absolute bounds."""
LIMIT_DEFAULTS: dict[str, list[float] | float | None] = {"screening_only_conc_mcg_per_ml": [], "window_h": 24.0,
                                                         "pediatric_titration_cap_fraction": None,
                                                         "screening_min_interval_h": b.LABEL_MIN_SCREENING_INTERVAL_H,
                                                         "cerebral_soft_max_daily_dose_mcg": None}


CEREBRAL_SOFT_MAX = "cerebral_soft_max_daily_dose_mcg"


def cerebral_soft_max_mcg(values: Mapping[str, Any]) -> Any:
    """The cerebral-origin soft maximum the limits give: cerebral_soft_max_daily_dose_mcg, or where it is unset
    (None) the spinal soft_max_daily_dose_mcg, one soft maximum for both (what DrugLibraryEntry.to_limits runs)."""
    explicit = values.get(CEREBRAL_SOFT_MAX)
    return values.get("soft_max_daily_dose_mcg") if explicit is None and CEREBRAL_SOFT_MAX in values else explicit


def beyond_label(values: Mapping[str, Any]) -> dict[str, str]:
    """Limit name -> why its value is beyond the label's range, for the limits present in `values` (an unset
    cerebral soft maximum judged by the spinal one it falls back to)."""
    found: dict[str, str] = {}

    def above(name: str, bound: float, unit: str, what: str, note: str = "") -> None:
        value = cerebral_soft_max_mcg(values) if name == CEREBRAL_SOFT_MAX else values.get(name)
        if value is not None and value > bound and name not in found:  # the first (widest) bound's reason stays
            found[name] = f"{value:g} {unit} is above {what} ({bound:g} {unit}{note})"

    for name in ("hard_max_daily_dose_mcg", "soft_max_daily_dose_mcg", CEREBRAL_SOFT_MAX):
        above(name, b.LABEL_MAX_DAILY_DOSE_MCG, "mcg/day", "the label's highest daily dose")
    above("ptm_max_dose_per_24h_mcg", b.LABEL_MAX_DAILY_DOSE_MCG, "mcg", "the label's highest daily dose")
    above("max_bolus_dose_mcg", b.LABEL_MAX_BOLUS_DOSE_MCG, "mcg", "the label's largest screening bolus")
    above("max_rate_mcg_per_h", b.LABEL_MAX_RATE_MCG_PER_H, "mcg/h", "the highest drug rate within the label",
          "; an assumption: the label gives no pump rate")
    for name, indication in (("soft_max_daily_dose_mcg", "spinal"), (CEREBRAL_SOFT_MAX, "cerebral")):
        above(name, b.LABEL_MAX_MAINTENANCE_DAILY_DOSE_MCG[indication], "mcg/day",
              f"the label's usual {indication}-origin maintenance dose, the soft maximum's upper end")
    if CEREBRAL_SOFT_MAX in found and values.get(CEREBRAL_SOFT_MAX) is None:
        found[CEREBRAL_SOFT_MAX] = (
            f"{CEREBRAL_SOFT_MAX} is not set, so cerebral-origin patients get soft_max_daily_dose_mcg: "
            f"{found[CEREBRAL_SOFT_MAX]}; set {CEREBRAL_SOFT_MAX} to at most "
            f"{b.LABEL_MAX_MAINTENANCE_DAILY_DOSE_MCG['cerebral']:g} mcg/day")
    above("ptm_max_count_per_24h", b.LABEL_MAX_PTM_COUNT_PER_24H, "per 24 h", "the most PTM boluses within the "
          "label", "; an assumption: neither the label nor the myPTM reference gives a maximum")
    lockout = values.get("ptm_min_lockout_min")
    if lockout is not None and lockout < b.LABEL_MIN_PTM_LOCKOUT_MIN:
        found["ptm_min_lockout_min"] = (f"{lockout:g} min is shorter than the label's bolus onset (up to "
                                        f"{b.LABEL_MIN_PTM_LOCKOUT_MIN:g} min; the lockout floor is an assumption): "
                                        f"the next PTM bolus could start before the previous one has taken effect")
    duration = values.get("min_bolus_duration_min")
    if duration is not None and duration < b.LABEL_MIN_BOLUS_DURATION_MIN:
        found["min_bolus_duration_min"] = (f"{duration:g} min is shorter than the label's screening bolus "
                                           f"({b.LABEL_MIN_BOLUS_DURATION_MIN:g} min)")
    allowed, screening_only = values.get("allowed_conc_mcg_per_ml") or [], values.get("screening_only_conc_mcg_per_ml")
    screening = b.LABEL_SCREENING_CONC_MCG_PER_ML
    if screening in allowed and screening_only is not None and screening not in screening_only:
        found["screening_only_conc_mcg_per_ml"] = (f"{screening:g} mcg/mL is allowed but not listed as screening-only: "
                                                   f"the label's screening concentration would run as therapy")
    strongest = max(values.get("allowed_conc_mcg_per_ml") or [0.0])
    if strongest > b.LABEL_MAX_CONC_MCG_PER_ML:
        found["allowed_conc_mcg_per_ml"] = (f"{strongest:g} mcg/mL is above the strongest marketed concentration "
                                            f"({b.LABEL_MAX_CONC_MCG_PER_ML:g} mcg/mL)")
    caps = values.get("titration_cap_fraction") or {}
    loose = {str(getattr(k, "value", k)): v for k, v in caps.items()
             if v > b.LABEL_MAX_TITRATION_CAP_FRACTION.get(str(getattr(k, "value", k)), 1.0)}
    if loose:
        found["titration_cap_fraction"] = ", ".join(
            f"{k} {v:g} is above the label's {b.LABEL_MAX_TITRATION_CAP_FRACTION[k]:g}" for k, v in loose.items())
    pediatric = values.get("pediatric_titration_cap_fraction")
    if pediatric is not None and pediatric > b.LABEL_MAX_TITRATION_CAP_FRACTION["cerebral"]:
        found["pediatric_titration_cap_fraction"] = (
            f"{pediatric:g} is above the label's {b.LABEL_MAX_TITRATION_CAP_FRACTION['cerebral']:g} (pediatric "
            f"titration follows the cerebral-origin style)")
    window = values.get("window_h")
    if window is not None and window < 24.0:
        found["window_h"] = f"{window:g} h is shorter than the label's daily (24 h) dose window"
    spacing = values.get("screening_min_interval_h")
    if spacing is not None and spacing < b.LABEL_MIN_SCREENING_INTERVAL_H:
        found["screening_min_interval_h"] = (f"{spacing:g} h is shorter than the label's screening boluses at least "
                                             f"{b.LABEL_MIN_SCREENING_INTERVAL_H:g} h apart")
    interval = values.get("titration_min_interval_h")
    if interval is not None and interval < b.LABEL_MIN_TITRATION_INTERVAL_H:
        found["titration_min_interval_h"] = (f"{interval:g} h is shorter than the label's one increase per "
                                             f"{b.LABEL_MIN_TITRATION_INTERVAL_H:g} h")
    return found


def acknowledgement_problem(where: str, found: Mapping[str, str]) -> str:
    return (f"beyond the label's range: {'; '.join(found.values())}. To run it anyway, add "
            f"{where}acknowledge_beyond_label: \"<reason>\" (at least {b.MIN_ACKNOWLEDGEMENT_CHARS} characters); "
            f"the bounds are in hil/config/bounds.py")


def acknowledgement_problems(found: Mapping[str, str], acknowledgement: str | None, where: str,
                             nothing_beyond: str) -> list[LocatedProblem]:
    """Each finding beyond the label (key -> why) when there is no acknowledgement, or the acknowledgement when there
    is nothing beyond (nothing_beyond says so); key paths relative to the acknowledging section."""
    if found and acknowledgement is None:
        return [((name,), acknowledgement_problem(where, {name: why})) for name, why in found.items()]
    if not found and acknowledgement is not None:
        return [(("acknowledge_beyond_label",), f"{nothing_beyond}; remove the acknowledgement")]
    return []


_LibraryLimits = create_model(  # type: ignore[call-overload]
    "_LibraryLimits", __base__=StrictModel,
    **{name: (annotation, LIMIT_DEFAULTS[name]) if name in LIMIT_DEFAULTS else (annotation, ...)
       for name, annotation in LIMIT_FIELDS.items()})


class DrugLibraryEntry(_LibraryLimits):
    drug_name: str = Field(min_length=1, max_length=100)
    acknowledge_beyond_label: Acknowledgement | None = None

    @model_validator(mode="after")
    def _consistent(self) -> DrugLibraryEntry:
        try:
            self.to_limits()
        except ValueError as exc:
            raise ValueError(str(exc).replace("DrugLimits.", "")) from None
        return self

    def cross_check(self) -> list[LocatedProblem]:
        return acknowledgement_problems(beyond_label(self.limit_values()), self.acknowledge_beyond_label, "",
                                        "nothing in this library is beyond the label's range")

    def limit_values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in LIMIT_FIELDS}

    def to_limits(self) -> DrugLimits:
        values = self.limit_values()
        values[CEREBRAL_SOFT_MAX] = cerebral_soft_max_mcg(values)  # a library without it: one soft maximum for all
        for name in ("allowed_conc_mcg_per_ml", "screening_only_conc_mcg_per_ml"):
            values[name] = tuple(values[name])
        values["titration_cap_fraction"] = dict(values["titration_cap_fraction"])
        return DrugLimits(drug_name=self.drug_name, **values)


def load_drug_library(drug_or_path: str | Path) -> DrugLibraryEntry:
    """A bundled drug (bench_configs/drugs/<name>.yaml) or a library file, validated with the label bounds.

    A file that is not a drug library at all (no top-level drug_name) is refused without quoting any of it."""
    loaded = load_yaml(bundled("drugs", drug_or_path))
    if not (isinstance(loaded.data, dict) and "drug_name" in loaded.data):
        why = ("not a drug library: a drug library is a YAML mapping with drug_name and the limits "
               "(see bench_configs/drugs/)")
        raise ConfigError(loaded.file, [ConfigIssue((), None, why)])
    return validate_loaded(loaded, DrugLibraryEntry)


def load_drug_limits(drug_or_path: str | Path) -> DrugLimits:
    """Limits of a bundled drug (bench_configs/drugs/<name>.yaml) or of a library file."""
    return load_drug_library(drug_or_path).to_limits()
