"""Policy tests as code: SQL files run as stated roles against the desired state.

``schemactl test`` builds the desired state in a dev database (the same loader
``plan`` uses), loads fixture data, and runs test files whose statements carry
their role, settings and expected outcome in comments, or pgTAP files where the
server has pgTAP. It sits beside the pipeline and reuses ``devdb``.
"""

from schemactl.testing.files import Expectation, SqlTest, TestFile, read_test_folder
from schemactl.testing.runner import TestOutcome, TestReport, run_tests

__all__ = [
    "Expectation",
    "SqlTest",
    "TestFile",
    "TestOutcome",
    "TestReport",
    "read_test_folder",
    "run_tests",
]
