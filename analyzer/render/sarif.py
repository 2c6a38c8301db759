"""`--format sarif`: SARIF 2.1.0, what GitHub code scanning and most editors and CI read.

Written as plain JSON here (the Python SARIF object model packages add dependencies and
nothing the schema does not check); tests/test_formats.py validates the output against the
official OASIS SARIF 2.1.0 JSON schema. One run; the driver lists every rule with its
documentation; each result has its primary location, the other cited locations as
`relatedLocations`, and `partialFingerprints` from the finding's line-free fingerprint, so code
scanning tracks a finding across commits. Diagnostics are tool notifications. Paths are
relative to the scanned directory (`uriBaseId: %SRCROOT%`).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from analyzer.models import Diagnostic, Finding, Location, Report
from analyzer.render.ruledoc import rule_markdown, rule_text
from analyzer.rules import RULES

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
FINGERPRINT_KEY = "tabletrace/v1"
SOURCE_ROOT = "%SRCROOT%"


def _uri(path: str) -> str:
    """A relative URI reference for a repository path (spaces, quotes... percent-encoded)."""
    return quote(path, safe="/")


def _physical(path: str, line: int | None, snippet: str | None = None) -> dict[str, Any]:
    physical: dict[str, Any] = {
        "artifactLocation": {"uri": _uri(path), "uriBaseId": SOURCE_ROOT}
    }
    if line is not None and line >= 1:
        region: dict[str, Any] = {"startLine": line}
        if snippet:
            region["snippet"] = {"text": snippet}
        physical["region"] = region
    return physical


def _rule(rule_index: int) -> dict[str, Any]:
    rule = RULES[rule_index]
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.explanation},
        "help": {"text": rule_text(rule), "markdown": rule_markdown(rule)},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": ["tabletrace", rule.name]},
    }


def _location(location: Location, index: int | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {
        "physicalLocation": _physical(location.path, location.line, location.snippet)
    }
    if index is not None:
        result["id"] = index
        result["message"] = {"text": "also cited by this finding"}
    return result


def _result(finding: Finding, rule_index: dict[str, int]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message},
    }
    if finding.code in rule_index:
        result["ruleIndex"] = rule_index[finding.code]
    if finding.locations:
        result["locations"] = [_location(finding.locations[0])]
        if len(finding.locations) > 1:
            result["relatedLocations"] = [
                _location(location, index)
                for index, location in enumerate(finding.locations[1:], 1)
            ]
    elif finding.path is not None:
        result["locations"] = [{"physicalLocation": _physical(finding.path, finding.line)}]
    if finding.fingerprint:
        result["partialFingerprints"] = {FINGERPRINT_KEY: finding.fingerprint}
    properties: dict[str, Any] = {"name": finding.name}
    if finding.table is not None:
        properties["table"] = finding.table
    result["properties"] = properties
    return result


def _notification(diagnostic: Diagnostic) -> dict[str, Any]:
    return {
        "level": "warning",
        "message": {"text": diagnostic.message},
        "descriptor": {"id": diagnostic.code},
        "locations": [{"physicalLocation": _physical(diagnostic.path, diagnostic.line)}],
    }


def sarif_document(report: Report) -> dict[str, Any]:
    rule_index = {rule.code: index for index, rule in enumerate(RULES)}
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "tabletrace",
                        "version": report.tool_version,
                        "semanticVersion": report.tool_version,
                        "rules": [_rule(index) for index in range(len(RULES))],
                    }
                },
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "toolExecutionNotifications": [
                            _notification(d) for d in report.diagnostics
                        ],
                    }
                ],
                "results": [_result(finding, rule_index) for finding in report.findings],
                "properties": {"root": report.root},
            }
        ],
    }


def render_sarif(report: Report) -> str:
    return json.dumps(sarif_document(report), indent=2, ensure_ascii=False) + "\n"
