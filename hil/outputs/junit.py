"""junit.xml: one testcase per step, expectation and envelope; requirement IDs as properties;
provenance as testsuite properties."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from hil.outputs.traceability import step_passed
from hil.records import events as ev
from hil.records.reader import RunRecord


def _case(suite: ET.Element, classname: str, name: str, passed: bool, message: str,
          requirement_ids: list[str], skipped: bool = False) -> None:
    case = ET.SubElement(suite, "testcase", classname=classname, name=name)
    if requirement_ids:
        properties = ET.SubElement(case, "properties")
        for requirement_id in requirement_ids:
            ET.SubElement(properties, "property", name="requirement_id", value=requirement_id)
    if skipped:
        ET.SubElement(case, "skipped", message=message).text = message
    elif not passed:
        ET.SubElement(case, "failure", message=message).text = message


def write_junit(record: RunRecord, outcome: str, reason: str, path: Path) -> None:
    started: dict[str, Any] = record.started or {}
    suite_name = f"itpump.{started.get('scenario_name', 'unknown')}"
    suites = ET.Element("testsuites")
    suite = ET.SubElement(suites, "testsuite", name=suite_name)
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", name="outcome", value=outcome)
    ET.SubElement(properties, "property", name="outcome_reason", value=reason)
    for key, value in started.items():
        if key != "event":
            text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
            ET.SubElement(properties, "property", name=key, value=text)
    for step in record.of_kind(ev.STEP):
        expected = step.get("expected_decision")
        message = (f"expected {expected}, got {step['decision']}: {'; '.join(step['reasons'])}"
                   if not step_passed(step) else "")
        _case(suite, f"{suite_name}.steps", f"{step['index']:03d} {step['action']} at {step['t_s'] / 3600.0:.3f} h",
              step_passed(step), message, step["requirement_ids"])
    for item in record.of_kind(ev.EXPECTATION):
        _case(suite, f"{suite_name}.expectations", item["name"], bool(item["passed"]), item["detail"],
              item["requirement_ids"])
    for item in record.of_kind(ev.ENVELOPE):
        message = f"{item['value']} {item['unit']} vs limit {item['limit']} {item['unit']}: {item['reason']}"
        _case(suite, f"{suite_name}.envelopes", item["name"], bool(item["passed"]), message, item["requirement_ids"],
              skipped=item.get("outcome") == "NOT_EVALUATED")   # nothing to judge: skipped, never passed
    if outcome == "ERROR":
        case = ET.SubElement(suite, "testcase", classname=f"{suite_name}.run", name="run completed")
        ET.SubElement(case, "error", message=reason).text = reason
    cases = suite.findall("testcase")
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(sum(1 for c in cases if c.find("failure") is not None)))
    suite.set("errors", str(sum(1 for c in cases if c.find("error") is not None)))
    suite.set("skipped", str(sum(1 for c in cases if c.find("skipped") is not None)))
    ET.indent(suites)
    ET.ElementTree(suites).write(path, encoding="utf-8", xml_declaration=True)
