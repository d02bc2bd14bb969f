"""The one result vocabulary of itpump's JSON: frozen pydantic models for an envelope, an expectation, a run,
a prediction, a config check, a trumpet analysis and an error object.

Every result carries `outcome` (firmware_sim.outcome.Outcome: PASS, FAIL, ERROR, NOT_EVALUATED) and `passed`,
derived from it (outcome == PASS), never set on its own. Numbers carry their unit in the field name (or, for
an envelope's value and limit, in its `unit` field) and are never NaN or infinite: JSON is written by
`dump_json`, which refuses them. The JSON Schemas in docs/schema/ are generated from these models
(`python -m hil.results.schemas`).
"""
from hil.results.base import ResultModel, dump_json
from hil.results.check import CheckedFile, CheckResult
from hil.results.error import ErrorKind, ErrorResult
from hil.results.prediction import PopulationPrediction, PredictionResult, TypicalPrediction
from hil.results.run import (AlarmEntry, Delivered, EnvelopeCheck, ExpectationCheck, InterruptEntry, PkPeak,
                             RunResult, RunSummary, StepEntry)
from hil.results.trumpet import TrumpetReport, TrumpetWindowResult

__all__ = ["AlarmEntry", "CheckResult", "CheckedFile", "Delivered", "EnvelopeCheck", "ErrorKind", "ErrorResult",
           "ExpectationCheck", "InterruptEntry", "PkPeak", "PopulationPrediction", "PredictionResult", "ResultModel",
           "RunResult", "RunSummary", "StepEntry", "TrumpetReport", "TrumpetWindowResult", "TypicalPrediction",
           "dump_json"]
