"""The traceability matrix as a sphinx-needs `needs.json`, so a Sphinx documentation imports it (`needimport`,
or `needs_external_needs`) and shows requirements, their evidence and hazards as linked needs.

    write_needs_file(matrix, run_dir / "needs.json")     # beside traceability.json (hil.traceability.files)
    needs_problems(json.loads(path.read_text()))         # [] when it imports cleanly

The file is what sphinx-needs' own needs builder writes: `project`, `current_version`, `created` and `versions`
-> <version> -> `needs` (a dict keyed by need id, with `needs_amount`). Each need has `id`, `type`, `type_name`,
`title`, `description` and `content` (the same text: older sphinx-needs read one, newer the other), `status`,
`tags` and `links`:

- `req`  one per requirement row (id SR-..., status its outcome: PASS, FAIL, ERROR, NOT_EVALUATED, NOT_COVERED);
- `test` one per piece of evidence (a pytest node, a run's scenario, step, gate decision, expectation or
  envelope), id TEST-<hash of kind and name> (stable from run to run), links to every requirement it verifies,
  status its outcome (the worst, should it carry several), tags its evidence kind;
- `impl` one per check in code that names a requirement (hil.traceability.code_checks; id IMPL-<hash of
  module:function>), title module:function, links to the requirements it implements, status IMPLEMENTED;
- `haz`  one per hazard of firmware_sim/hazards.py (id HAZ-...), links to the requirements that control it,
  status the worst of theirs, NOT_COVERED when they passed but one has no evidence: PASS only when all passed.

Importing it needs the three types in `needs_types` and hyphens allowed in ids, e.g. in conf.py:
`needs_id_regex = r"^[A-Z0-9_-]{5,}"`.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from datetime import datetime, UTC
from pathlib import Path
from typing import Any
from collections.abc import Mapping

from firmware_sim.hazards import HAZARDS, Hazard
from firmware_sim.outcome import Outcome, combine
from hil.traceability.model import NOT_COVERED, UNREGISTERED_TEXT, TraceabilityMatrix, status

PROJECT = "itpump"
TYPE_NAMES = {"req": "Requirement", "test": "Test", "haz": "Hazard", "impl": "Implementation"}
IMPLEMENTED = "IMPLEMENTED"
TITLE_CHARS = 80
TEST_ID_HEX_CHARS = 12


def registered_hazards() -> tuple[Hazard, ...]:
    """The hazard registry (firmware_sim.hazards.HAZARDS), in registry order."""
    return tuple(HAZARDS.values())


def evidence_need_id(kind: str, name: str) -> str:
    digest = hashlib.sha256(f"{kind}\n{name}".encode()).hexdigest()[:TEST_ID_HEX_CHARS].upper()
    return f"TEST-{digest}"


def short_title(text: str) -> str:
    """The text's first sentence, cut at a word to TITLE_CHARS."""
    first = text.split(". ", 1)[0].strip().rstrip(".")
    if len(first) <= TITLE_CHARS:
        return first
    return first[:TITLE_CHARS].rsplit(" ", 1)[0] + "..."


def need(need_id: str, need_type: str, title: str, text: str, status_text: str, links: Iterable[str] = (),
         tags: Iterable[str] = ()) -> dict[str, Any]:
    return {"id": need_id, "type": need_type, "type_name": TYPE_NAMES[need_type], "title": title,
            "description": text, "content": text, "status": status_text, "tags": list(tags),
            "links": sorted(set(links))}


def hazard_status(statuses: Iterable[str]) -> str:
    """A hazard's status from its requirements': the worst covered one unless that is PASS; then NOT_COVERED if any
    has no evidence. PASS only when every requirement that controls the hazard passed."""
    statuses = list(statuses)
    covered = [Outcome(s) for s in statuses if s != NOT_COVERED]
    worst = combine(covered) if covered else None
    if worst is not None and worst is not Outcome.PASS:
        return worst.value
    return NOT_COVERED if len(covered) < len(statuses) or not statuses else Outcome.PASS.value


def check_need_id(check: str) -> str:
    return "IMPL-" + hashlib.sha256(check.encode()).hexdigest()[:TEST_ID_HEX_CHARS].upper()


def matrix_needs(matrix: TraceabilityMatrix, hazards: Iterable[Hazard] = (),
                 checks: Mapping[str, Iterable[str]] | None = None) -> dict[str, dict[str, Any]]:
    """Every need of the matrix (and of the hazards and checks), keyed by id: requirements, evidence, hazards, checks
    (checks: requirement ID -> module:function names, for the requirements the matrix has)."""
    needs: dict[str, dict[str, Any]] = {}
    evidence: dict[tuple[str, str], dict[str, Any]] = {}
    for row in matrix.requirements:
        tags = ["requirement"] if row.registered else ["requirement", "unregistered"]
        needs[row.requirement_id] = need(row.requirement_id, "req", short_title(row.text), row.text, status(row),
                                         tags=tags)
        for item in row.evidence:
            entry = evidence.setdefault((item.kind, item.name), {"outcomes": [], "links": set(), "details": []})
            entry["outcomes"].append(item.outcome)
            entry["links"].add(row.requirement_id)
            if item.detail and item.detail not in entry["details"]:
                entry["details"].append(item.detail)
    for (kind, name), entry in evidence.items():
        text = "\n".join(entry["details"]) or f"{kind} {name}"
        needs[evidence_need_id(kind, name)] = need(evidence_need_id(kind, name), "test", name, text,
                                               combine(entry["outcomes"]).value, entry["links"], ["evidence", kind])
    for hazard in hazards:
        for requirement_id in hazard.requirement_ids:  # a hazard's control that no row knows: kept and named
            needs.setdefault(requirement_id, need(requirement_id, "req", requirement_id, UNREGISTERED_TEXT,
                                                  NOT_COVERED, tags=["requirement", "unregistered"]))
        needs[hazard.hazard_id] = need(
            hazard.hazard_id, "haz", hazard.title, f"Cause: {hazard.cause}.\nHarm: {hazard.harm}.",
            hazard_status(needs[rid]["status"] for rid in hazard.requirement_ids), hazard.requirement_ids, ["hazard"])
    implemented: dict[str, set[str]] = {}
    for requirement_id, names in (checks or {}).items():
        for name in names:
            if requirement_id in needs:
                implemented.setdefault(name, set()).add(requirement_id)
    for name, links in sorted(implemented.items()):
        needs[check_need_id(name)] = need(check_need_id(name), "impl", name, f"check in code: {name}", IMPLEMENTED,
                                          links, ["implementation"])
    return needs


def needs_document(matrix: TraceabilityMatrix, hazards: Iterable[Hazard] = (), version: str | None = None,
                   created: datetime | None = None,
                   checks: Mapping[str, Iterable[str]] | None = None) -> dict[str, Any]:
    """The needs.json document: one version (default: the installed itpump version) holding every need."""
    if version is None:
        from hil.cli.version import installed_version

        version = installed_version().split(" ", 1)[0]
    stamp = created.isoformat() if created is not None else (matrix.source.taken_utc or datetime.now(UTC).isoformat())
    needs = matrix_needs(matrix, hazards, checks)
    return {"project": PROJECT, "current_version": version, "created": stamp,
            "versions": {version: {"created": stamp, "needs_amount": len(needs), "needs": needs,
                                   "filters_amount": 0, "filters": {},
                                   "creator": {"program": PROJECT, "program_version": version,
                                               "source_kind": matrix.source.kind,
                                               "source_name": matrix.source.name}}}}


def needs_path(traceability_json: Path) -> Path:
    """traceability.json -> needs.json; junit.traceability.json -> junit.needs.json; x.json -> x.needs.json."""
    name = traceability_json.name
    if name.endswith("traceability.json"):
        return traceability_json.with_name(name.removesuffix("traceability.json") + "needs.json")
    return traceability_json.with_suffix(".needs.json")


def write_needs_file(matrix: TraceabilityMatrix, path: Path | str, hazards: Iterable[Hazard] | None = None,
                     checks: Mapping[str, Iterable[str]] | None = None) -> Path:
    """Write needs.json (hazards: the registry's unless given; checks: none unless given)."""
    path = Path(path)
    document = needs_document(matrix, registered_hazards() if hazards is None else hazards, checks=checks)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, allow_nan=False) + "\n", encoding="utf-8")
    return path


ID_PATTERN = re.compile(r"^[A-Z0-9_-]{5,}$")
ID_PREFIXES = {"req": "SR-", "test": "TEST-", "haz": "HAZ-", "impl": "IMPL-"}
STATUSES = frozenset({*(o.value for o in Outcome), NOT_COVERED, IMPLEMENTED})


def needs_problems(document: dict[str, Any]) -> list[str]:
    """What keeps a needs.json document from importing cleanly: missing keys, a need keyed by another id, an
    unknown type or status, an id the type's prefix or the id pattern does not fit, a link to no need."""
    problems = [f"missing top-level key {key!r}" for key in ("project", "current_version", "versions")
                if key not in document]
    version = document.get("versions", {}).get(document.get("current_version"))
    if not isinstance(version, dict) or not isinstance(version.get("needs"), dict):
        return problems + [f"no needs for current_version {document.get('current_version')!r}"]
    needs = version["needs"]
    if version.get("needs_amount") != len(needs):
        problems.append(f"needs_amount {version.get('needs_amount')!r} but {len(needs)} needs")
    for key, item in needs.items():
        for field in ("id", "type", "title", "description", "content", "status", "tags", "links"):
            if field not in item:
                problems.append(f"{key}: no {field!r}")
        if item.get("id") != key:
            problems.append(f"{key}: keyed by {key!r} but its id is {item.get('id')!r}")
        prefix = ID_PREFIXES.get(item.get("type"))
        if prefix is None:
            problems.append(f"{key}: unknown type {item.get('type')!r}")
        elif not key.startswith(prefix) and "unregistered" not in item.get("tags", ()):
            problems.append(f"{key}: a {item['type']} id must start {prefix!r}")
        if not ID_PATTERN.match(key):
            problems.append(f"{key}: id does not match {ID_PATTERN.pattern}")
        if item.get("status") not in STATUSES:
            problems.append(f"{key}: unknown status {item.get('status')!r}")
        problems += [f"{key}: link to {link!r}, which is no need"
                     for link in item.get("links", ()) if link not in needs]
    return problems
