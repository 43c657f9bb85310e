"""Integrity checks run by ``bioproof audit verify`` beside the hash chain.

Apps register checks that recompute what was signed and compare it with the signatures, so an
edit made directly in the database to a signed record is reported even though it bypassed the
audit trail.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

Check = Callable[[], Iterable[str]]
_checks: list[Check] = []


def register(check: Check) -> Check:
    if check not in _checks:
        _checks.append(check)
    return check


def run_checks() -> list[str]:
    problems: list[str] = []
    for check in _checks:
        problems.extend(check())
    return problems
