"""Error classes that carry a user-facing message and an HTTP status. Imports nothing.

A message opens with the field it is about as the core names it (`budget_usd must be ...`,
`states: ...`); each face calls that field by its own word with `field_named` (the web form's
label, the command line's option), in the one place where it shows errors.
"""

from __future__ import annotations


class SmartPickError(Exception):
    """Base error: `message` is shown to the user as is; `status` is the HTTP status for the web."""

    status: int = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(SmartPickError):
    """A value given by the user is out of range or not one of the allowed values."""

    status = 422


class NotFound(SmartPickError):
    """A program, specialty or file the user named does not exist."""

    status = 404


class ImportRejected(SmartPickError):
    """A user spreadsheet was rejected whole; `problems` lists (row, column, reason)."""

    status = 422

    def __init__(self, message: str, problems: list[tuple[int, str, str]]) -> None:
        super().__init__(message)
        self.problems = problems


class DataUnavailable(SmartPickError):
    """A bundled data file is missing or unreadable (a broken install)."""

    status = 500


def field_named(message: str, field: str | None, name: str | None) -> str:
    """`message` opening with `name` instead of the field it opens with (`field`, then a colon
    or a space); as it is when it opens otherwise or `name` is None."""
    if not field or not name or not message.startswith(field):
        return message
    rest = message[len(field) :]
    return name + rest if rest[:1] in (":", " ") else message
