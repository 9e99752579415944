"""Counts of the fuzz run: inputs tried and server errors seen, per target, printed at the end."""

from __future__ import annotations

from collections import Counter

import pytest

TRIED: Counter[str] = Counter()
SERVER_ERRORS: Counter[str] = Counter()


def record(target: str, status: int) -> None:
    """Count one input sent to `target` and whether it gave a server error."""
    TRIED[target] += 1
    if status >= 500:
        SERVER_ERRORS[target] += 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not TRIED:
        return
    terminalreporter.section("fuzz: inputs tried and server errors (5xx)")
    for target in sorted(TRIED):
        terminalreporter.write_line(
            f"{target}: {TRIED[target]} inputs, {SERVER_ERRORS[target]} 5xx"
        )
    total, errors = sum(TRIED.values()), sum(SERVER_ERRORS.values())
    terminalreporter.write_line(f"total: {total} inputs, {errors} 5xx")
