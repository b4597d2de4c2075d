"""The one error shape of a catalog import: every problem as ``{line, column, reason}``,
all of them raised at once in one ``ValidationFailed``."""

from __future__ import annotations

from typing import Any

from estimator_core.errors import ValidationFailed

MAX_ISSUES = 200

Issue = dict[str, Any]


def issue(line: int | None, column: str | None, reason: str) -> Issue:
    return {"line": line, "column": column, "reason": reason}


def fail(issues: list[Issue], what: str) -> ValidationFailed:
    shown = issues[:MAX_ISSUES]
    more = f" (first {MAX_ISSUES} shown)" if len(issues) > MAX_ISSUES else ""
    return ValidationFailed(
        f"{what} has {len(issues)} problem(s){more}; nothing was imported", shown
    )
