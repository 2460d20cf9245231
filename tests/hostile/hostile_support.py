"""Assertions shared by the hostile-input tests."""

from __future__ import annotations

import inspect

from lan_support import counts


def errors_wired() -> bool:
    """True once ``Database.transaction`` translates driver errors (db.errors)."""
    from desktop_perizinan.db.engine import Database

    return "database_errors" in inspect.getsource(Database.transaction)


def assert_clear(error: BaseException) -> None:
    """A message a clerk can read: a UserError, one line, no driver or Python internals."""
    from desktop_perizinan.errors import UserError

    assert isinstance(error, UserError), f"{type(error).__name__}: {error}"
    text = error.message
    assert text and "\n" not in text, text
    for leak in ("Traceback", "sqlalchemy", "psycopg", "sqlite3", "Error:"):
        assert leak not in text, text


def unchanged(url: str, before: dict[str, int]) -> None:
    assert counts(url) == before
