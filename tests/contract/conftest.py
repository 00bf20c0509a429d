"""Counts the bodies the fuzz tests generate, and prints the total at the end of the run."""

from __future__ import annotations

import pytest

from tests.contract import schemas


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if schemas.GENERATED.total:
        terminalreporter.write_line(
            f"contract fuzz: {schemas.GENERATED.total} generated bodies parsed "
            f"({schemas.EXAMPLES} examples asked per schema)"
        )
