"""How numbers read in a report: unit ids as people write them, limits with their direction, rounded hours.

    unit_label("ng_per_ml")                        # "ng/mL"
    limit_text("plasma_ceiling", 5.0, "ng_per_ml")  # "<= 5 ng/mL"; a ratio floor reads ">= 100x"
    hours_text(0.123456)                            # "0.12"
"""
from __future__ import annotations


UNIT_LABELS: dict[str, str] = {
    "ng_per_ml": "ng/mL", "mcg_per_ml": "mcg/mL", "mcg_per_day": "mcg/day", "mcg": "mcg", "mg": "mg",
    "ul": "uL", "ml": "mL", "ul_per_h": "uL/h", "ml_per_h": "mL/h", "h": "h", "min": "min", "s": "s",
    "ratio": "x", "percent": "%", "g": "g", "kg": "kg",
}
"""The one map from unit ids (as in record field names) to what a reader expects to see."""
ATTACHED_LABELS = ("x", "%")
"""Written against the number: 100x, 5%."""
HOURS_DECIMAL_DIGITS = 2


def unit_label(unit: str | None) -> str:
    """'ng/mL' for 'ng_per_ml'; an unknown id is spelled with '/' for '_per_' (never dropped)."""
    if not unit:
        return ""
    return UNIT_LABELS.get(unit, unit.replace("_per_", "/"))


def limit_direction(name: str, unit: str | None) -> str:
    """'<=' for a ceiling (the value must stay at or below the limit), '>=' for a floor (a reduction ratio)."""
    if name.endswith("_ceiling") or name.endswith("_max"):
        return "<="
    if unit == "ratio" or "reduction" in name or name.endswith("_min"):
        return ">="
    return "limit"


def number_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    return f"{value:.4g}"


def limit_text(name: str, limit: float | None, unit: str | None) -> str:
    """'<= 5 ng/mL', '>= 100 x'; '' without a limit."""
    if limit is None:
        return ""
    return f"{limit_direction(name, unit)} {value_text(limit, unit)}"


def value_text(value: float | None, unit: str | None) -> str:
    if value is None:
        return "not evaluated"
    label = unit_label(unit)
    if label in ATTACHED_LABELS:
        return number_text(value) + label
    return number_text(value) + (f" {label}" if label else "")


def hours_text(t_h: float | None) -> str:
    return "" if t_h is None else f"{t_h:.{HOURS_DECIMAL_DIGITS}f}"
