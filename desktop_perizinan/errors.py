"""Typed errors: what a clerk may be told, kept apart from bugs.

A :class:`UserError` carries an Indonesian sentence that the UI shows as it is and the command
line prints on one line. Anything else that escapes is a bug and is reported as such.
"""

from __future__ import annotations


class UserError(Exception):
    """A known, user-facing failure with a message in Bahasa Indonesia."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ValidationError(UserError):
    """Input that does not pass a check; ``field`` names the offending input when known."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class PermissionDenied(UserError):
    """The user's roles do not allow the action (enforced in services, not only in screens)."""


class AlreadyHandled(UserError):
    """Optimistic locking: somebody else acted on the step first; nothing was changed."""

    def __init__(self, by: str, at_text: str) -> None:
        super().__init__(f"Langkah ini sudah ditangani oleh {by} pukul {at_text}.")
        self.by = by
        self.at_text = at_text


class NotFound(UserError):
    """A looked-up record does not exist."""


class DatabaseError(UserError):
    """The database cannot be used (unreachable, too new, on a network share...)."""


class FieldErrors(UserError):
    """Several fields failed at once: the form shows each message beside its field."""

    def __init__(self, errors: dict[str, str]) -> None:
        lines = "; ".join(errors.values())
        super().__init__(f"Periksa kembali isian: {lines}")
        self.errors = errors
