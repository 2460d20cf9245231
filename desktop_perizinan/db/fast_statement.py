"""One hot statement straight on the driver's cursor, with SQLAlchemy's meaning kept.

The number counter of a busy office PostgreSQL is one row that every numbering PC waits for,
and what a client does while holding it is what the office's numbers per second are made of.
SQLAlchemy's execution of a cached statement (parameters, execution context, result wrapper)
cost about a third of a number's client CPU there (``bench/bench_numbering.py``, issue 14), far
more than the driver's own call. :func:`first_row` sends a Core statement compiled once by
the connection's own dialect on the DBAPI cursor of that same connection (so inside the
session's transaction), and keeps what callers rely on:

* a driver error comes out as SQLAlchemy's (``DBAPIError.instance``, parameters hidden when
  the engine hides them), and a lost server invalidates the connection, so :mod:`db.errors`
  says its sentence and the pool reconnects (the other pooled connections are checked by the
  pre-ping, ``db.engine``); an interrupt invalidates it too, as SQLAlchemy does;
* parameters are converted by their types' bind processors; a value a processor refuses is
  SQLAlchemy's ``StatementError``;
* a connection whose statements someone watches (cursor or error listeners: the bench traces,
  the tests' statement counts; echo), or a statement the plain path cannot render (an
  expanding IN, escaped names), goes through ``Connection.execute`` as usual.

What it does not do, and the one statement sent this way does not need: Python-side column
defaults (every column is given) and result processors (it returns integers and text).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.expression import Executable

Processors = dict[str, Callable[[Any], Any]]


@dataclass(frozen=True)
class _Direct:
    """A statement as the driver gets it: its SQL, its fixed values, its converters."""

    statement: Executable  # held, so that the id it is kept under is never reused
    sql: str
    fixed: dict[str, Any]
    processors: Processors


#: Per dialect, per statement id: how it goes direct, or None where it cannot.
_COMPILED: weakref.WeakKeyDictionary[Dialect, dict[int, _Direct | None]] = (
    weakref.WeakKeyDictionary()
)


def first_row(
    connection: Connection, statement: Executable, params: Mapping[str, Any]
) -> tuple[Any, ...] | None:
    """The first row ``statement`` returns with ``params`` (None when it returns none).

    ``statement`` must be a long-lived object (built once, e.g. under ``functools.cache``):
    its compiled form is kept by identity."""
    direct = None if _watched(connection) else _compiled(connection, statement)
    if direct is None:
        row = connection.execute(statement, params).first()
        return None if row is None else tuple(row)
    sql = direct.sql
    values = {**direct.fixed, **params}
    try:
        for name, process in direct.processors.items():
            values[name] = process(values[name])
    except Exception as exc:
        raise sa_exc.StatementError(str(exc), sql, values, exc) from exc
    dbapi_connection = connection.connection.dbapi_connection
    assert dbapi_connection is not None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(sql, values)
        return cursor.fetchone()
    except connection.dialect.loaded_dbapi.Error as exc:
        raise _as_sqlalchemy_error(connection, exc, sql, values, cursor) from exc
    except (KeyboardInterrupt, SystemExit, GeneratorExit) as exc:
        connection.invalidate(exc)  # the server may be mid-statement: never reuse it
        raise
    finally:
        cursor.close()


def _watched(connection: Connection) -> bool:
    """Someone sees this connection's statements or errors: let SQLAlchemy show them."""
    dispatch = connection.dispatch
    return bool(
        dispatch.before_cursor_execute
        or dispatch.after_cursor_execute
        or connection.dialect.dispatch.handle_error
        or connection.engine.echo
    )


def _compiled(connection: Connection, statement: Executable) -> _Direct | None:
    dialect = connection.dialect
    by_statement = _COMPILED.setdefault(dialect, {})
    key = id(statement)
    if key not in by_statement:
        by_statement[key] = _compile(dialect, statement)
    return by_statement[key]


def _compile(dialect: Dialect, statement: Executable) -> _Direct | None:
    compiled = statement.compile(dialect=dialect)  # type: ignore[attr-defined]
    if dialect.paramstyle != "pyformat" or compiled.positional or compiled.escaped_bind_names:
        return None
    processors: Processors = {}
    for bind, name in compiled.bind_names.items():  # name: as rendered and in ``params``
        if bind.expanding or bind.literal_execute:
            return None
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            processors[name] = process
    fixed = {name: value for name, value in compiled.params.items() if value is not None}
    return _Direct(statement, str(compiled), fixed, processors)


def _as_sqlalchemy_error(
    connection: Connection, exc: BaseException, sql: str, values: dict[str, Any], cursor: Any
) -> sa_exc.DBAPIError:
    """What ``Connection.execute`` would have raised, the connection invalidated when lost."""
    dialect = connection.dialect
    lost = dialect.is_disconnect(exc, connection.connection.dbapi_connection, cursor)  # type: ignore[arg-type]
    if lost:
        connection.invalidate(exc)
    return sa_exc.DBAPIError.instance(
        sql,
        values,
        exc,  # type: ignore[arg-type]
        dialect.loaded_dbapi.Error,
        hide_parameters=connection.engine.hide_parameters,
        connection_invalidated=lost,
        dialect=dialect,
    )
