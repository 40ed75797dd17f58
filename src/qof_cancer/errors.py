"""Errors a user can fix. They print as one line, with no traceback, and exit 2."""

from __future__ import annotations

__all__ = ["UserError", "RuleFileError", "InputError"]


class UserError(Exception):
    """A problem in what the user gave us (a file, an option, a code list). Exit code 2."""

    exit_code = 2


class RuleFileError(UserError):
    """A rule or scheme file that does not match its schema: names the file, line and field."""

    def __init__(self, path: str, line: int | None, field: str, problem: str):
        self.path, self.line, self.field, self.problem = path, line, field, problem
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {field}: {problem}")


class InputError(UserError):
    """An input file the run cannot go on with (unreadable, a required column absent, no patients)."""
