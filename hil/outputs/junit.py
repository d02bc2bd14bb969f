"""junit.xml: one testcase per step, expectation and envelope, and one for the run's verdict; provenance as
testsuite properties.

Requirement IDs follow the one convention of every JUnit file itpump writes (runs and the pytest plugin): a
testcase property named `requirements` whose value is the comma-separated IDs (REQUIREMENTS_PROPERTY).
A step carries the IDs the scenario names at it and those its gate decision cites; the run-verdict testcase
carries the scenario's own IDs. With virtual patients, each envelope judged over them is a case of its own
(classname suffix `.population`). A case with nothing to judge (NOT_EVALUATED, e.g. a step that decides nothing
such as inject_fault) is skipped, never passed. Every case read from a record that is not evidence (damaged, or cut
short: RunRecord.not_evidence_because) is an error.
"""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from firmware_sim.outcome import Outcome
from firmware_sim.units import S_PER_H
from hil.outputs.traceability import population_detail, population_envelopes, step_outcome, step_requirement_ids
from hil.records import events as ev
from hil.records.reader import RunRecord
from hil.runner.steps import NO_DECISION


REQUIREMENTS_PROPERTY = "requirements"


def requirements_value(requirement_ids: Sequence[str]) -> str:
    """The `requirements` property's value: the IDs, comma-separated, in order, without repeats."""
    return ",".join(dict.fromkeys(requirement_ids))


_RESULT_ELEMENT = {Outcome.FAIL: "failure", Outcome.ERROR: "error", Outcome.NOT_EVALUATED: "skipped"}


def _case(suite: ET.Element, classname: str, name: str, outcome: Outcome, message: str,
          requirement_ids: Sequence[str], record: RunRecord) -> None:
    """A testcase; every case read from a record that is not evidence is an error (RunRecord.as_evidence_with)."""
    outcome, message = record.as_evidence_with(outcome, message)
    case = ET.SubElement(suite, "testcase", classname=classname, name=name)
    if requirement_ids:
        properties = ET.SubElement(case, "properties")
        ET.SubElement(properties, "property", name=REQUIREMENTS_PROPERTY, value=requirements_value(requirement_ids))
    if outcome in _RESULT_ELEMENT:
        ET.SubElement(case, _RESULT_ELEMENT[outcome], message=message).text = message


def _step_message(step: ev.Step) -> str:
    if step_outcome(step) is Outcome.PASS:
        return ""
    expected = step.expected_decision
    if expected is None and step.decision == NO_DECISION:
        return "carried out; the step decides nothing and expects nothing: not judged (its expectations judge it)"
    verdict = f"expected {expected}, got {step.decision}" if expected else \
        f"{step.decision} with no expected decision: not judged"
    return f"{verdict}: {'; '.join(step.reasons)}"


def write_junit(record: RunRecord, outcome: str, reason: str, path: Path) -> None:
    started = record.started
    suite_name = f"itpump.{started.scenario_name if started is not None else 'unknown'}"
    suites = ET.Element("testsuites")
    suite = ET.SubElement(suites, "testsuite", name=suite_name)
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", name="outcome", value=outcome)
    ET.SubElement(properties, "property", name="outcome_reason", value=reason)
    for key, value in (ev.json_fields(started) if started is not None else {}).items():
        if key != "event":
            text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
            ET.SubElement(properties, "property", name=key, value=text)
    for step in record.typed(ev.Step):
        _case(suite, f"{suite_name}.steps", f"{step.index:03d} {step.action} at {step.t_s / S_PER_H:.3f} h",
              step_outcome(step), _step_message(step), step_requirement_ids(step), record)
    for expectation in record.typed(ev.Expectation):
        _case(suite, f"{suite_name}.expectations", expectation.name, ev.recorded_outcome(expectation),
              expectation.detail, expectation.requirement_ids, record)
    for envelope in record.typed(ev.Envelope):
        message = f"{envelope.value} {envelope.unit} vs limit {envelope.limit} {envelope.unit}: {envelope.reason}"
        _case(suite, f"{suite_name}.envelopes", envelope.name, ev.recorded_outcome(envelope), message,
              envelope.requirement_ids, record)
    for judged in population_envelopes(record):
        _case(suite, f"{suite_name}.population", judged["name"], Outcome(judged["outcome"]),
              population_detail(judged), judged["requirement_ids"], record)
    scenario_ids = list(started.scenario_requirement_ids or ()) if started is not None else []
    if outcome in ("ERROR", "NOT_EVALUATED") or scenario_ids:  # the run as a whole: carries the scenario's own IDs
        _case(suite, f"{suite_name}.run", "run verdict", Outcome(outcome), reason, scenario_ids, record)
    cases = suite.findall("testcase")
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(sum(1 for c in cases if c.find("failure") is not None)))
    suite.set("errors", str(sum(1 for c in cases if c.find("error") is not None)))
    suite.set("skipped", str(sum(1 for c in cases if c.find("skipped") is not None)))
    _xml_safe(suites)
    ET.indent(suites)
    ET.ElementTree(suites).write(path, encoding="utf-8", xml_declaration=True)


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
"""Characters XML 1.0 forbids (ElementTree writes them, and the file is then not well-formed)."""


def _xml_safe(root: ET.Element) -> None:
    """Every text and attribute with a character XML 1.0 forbids written as its escape (\\x01): a control character
    in a scenario's description made junit.xml unreadable for CI and requirements tools."""
    def clean(text: str) -> str:
        return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    for element in root.iter():
        if element.text:
            element.text = clean(element.text)
        for key, value in element.attrib.items():
            element.set(key, clean(value))
