"""JUnit XML, the report format CI systems read."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from schemactl.testing.runner import TestReport


def write_junit(report: TestReport, path: Path) -> None:
    """One <testsuite> per test file, one <testcase> per test."""
    suites = ET.Element("testsuites", name="schemactl test")
    by_file: dict[str, list[ET.Element]] = {}
    totals: dict[str, list[int]] = {}
    for outcome in report.outcomes:
        case = ET.Element(
            "testcase",
            name=outcome.name,
            classname=Path(outcome.file).stem,
            file=outcome.file,
            line=str(outcome.location.line),
            time=f"{outcome.duration_ms / 1000:.3f}",
        )
        if outcome.skipped:
            ET.SubElement(case, "skipped")
        elif not outcome.passed:
            failure = ET.SubElement(case, "failure", message=outcome.message)
            failure.text = outcome.message
        by_file.setdefault(outcome.file, []).append(case)
        counts = totals.setdefault(outcome.file, [0, 0, 0])
        counts[0] += 1
        counts[1] += 0 if outcome.passed else 1
        counts[2] += 1 if outcome.skipped else 0
    for file, cases in by_file.items():
        tests, failures, skipped = totals[file]
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=file,
            tests=str(tests),
            failures=str(failures),
            skipped=str(skipped),
            errors="0",
        )
        suite.extend(cases)
    suites.set("tests", str(len(report.outcomes)))
    suites.set("failures", str(report.failed))
    ET.indent(suites)
    path.write_text(ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n")
