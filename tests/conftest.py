"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

Databases
    ``db_url``        a fresh, migrated, empty database per test, once on each backend
                      (test ids ``[sqlite]`` and ``[pg]``); the value is a SQLAlchemy URL string.
    ``sqlite_url``    the same, SQLite only (a file in ``tmp_path``).
    ``pg_url``        the same, PostgreSQL only.
    ``empty_db_url``  a fresh database with no schema at all, on both backends (migration tests).
    ``pg_server_url`` the PostgreSQL server's admin URL (database ``postgres``), session-wide.

    A test that opens an engine on one of these URLs disposes it before it ends.
    Copies are cheap: SQLite copies a template file migrated once per session; PostgreSQL runs
    ``CREATE DATABASE test_<uuid> TEMPLATE perizinan_template_<session>`` from a template
    database migrated once per session, and drops it ``WITH (FORCE)`` after the test.

Which PostgreSQL
    1. ``PERIZINAN_TEST_PG_URL`` if set (``.ci/run`` sets it), e.g.
       ``postgresql+psycopg://postgres@127.0.0.1:5433/postgres``; the role must be allowed to
       create databases.
    2. else, when the server binaries are installed (``/usr/lib/postgresql/*/bin/initdb``, or the
       directory in ``PERIZINAN_TEST_PG_BINDIR``), a throwaway cluster started for the session
       (as the ``postgres`` user via ``runuser`` when running as root) and removed at the end;
    3. else PostgreSQL tests are skipped with the reason shown. Under ``CI`` (the variable set
       and not ``0``/``false``) they fail instead: CI never skips PostgreSQL silently.

Quick local runs
    ``pytest --no-pg`` or ``pytest -m "not pg"`` deselects every PostgreSQL test (the ``[pg]``
    half of ``db_url`` and anything that uses ``pg_url``/``empty_db_url[pg]``/``pg_server_url``),
    so no cluster is started. ``pytest -m pg`` runs only them.

Qt
    ``QT_QPA_PLATFORM`` defaults to ``offscreen`` and ``XDG_RUNTIME_DIR`` to a private
    directory, so GUI tests need no display and Qt has no reason to warn (warnings fail GUI
    tests: ``qt_log_level_fail`` in pyproject). pytest-qt's ``qapp``/``qtbot`` give the one shared
    QApplication of the session.

Hypothesis
    Under ``CI`` the ``ci`` profile is loaded (no deadline: two shared cores are noisy, and a
    deadline there fails tests at random); ``HYPOTHESIS_PROFILE=NAME`` picks another.
    Hypothesis tests must not take ``db_url``/``tmp_path`` (function-scoped, shared across
    examples): open a database inside the test instead.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from pgserver import ClusterError, ThrowawayCluster, find_bindir, in_ci
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

# pytest-qt creates the QApplication lazily (first ``qapp``/``qtbot``), after this import.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _private_runtime_dir() -> str:
    """A 0700 directory we own, as Qt requires of XDG_RUNTIME_DIR (it warns otherwise)."""
    path = Path(tempfile.gettempdir()) / f"perizinan-xdg-runtime-{os.getuid()}"
    path.mkdir(mode=0o700, exist_ok=True)
    info = path.lstat()
    if info.st_uid != os.getuid() or not stat.S_ISDIR(info.st_mode):
        return tempfile.mkdtemp(prefix="perizinan-xdg-runtime-")
    path.chmod(0o700)
    return str(path)


if "XDG_RUNTIME_DIR" not in os.environ:
    os.environ["XDG_RUNTIME_DIR"] = _private_runtime_dir()

# The office audit key of "this PC" (issue 16): a file of the test session, never the real
# configuration folder of whoever runs the tests.
# One per process: pytest-xdist workers inherit the controller's environment, and two workers
# creating "the" key file at once would each sign with a key the other then overwrites.
if "PERIZINAN_AUDIT_KEYS" not in os.environ or os.environ.get("PERIZINAN_TEST_OWN_KEYS"):
    os.environ["PERIZINAN_AUDIT_KEYS"] = str(
        Path(tempfile.mkdtemp(prefix="perizinan-audit-keys-")) / "audit-keys.json"
    )
    os.environ["PERIZINAN_TEST_OWN_KEYS"] = "1"


ENV_PG_URL = "PERIZINAN_TEST_PG_URL"
PG_FIXTURES = frozenset({"pg_url", "pg_server_url", "pg_admin", "pg_template"})

settings.register_profile("ci", deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
if os.environ.get("HYPOTHESIS_PROFILE"):
    settings.load_profile(os.environ["HYPOTHESIS_PROFILE"])
elif in_ci():
    settings.load_profile("ci")


# ----------------------------------------------------------------------------- options, marks


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--no-pg",
        action="store_true",
        default=False,
        help="deselect PostgreSQL tests (SQLite only; same as -m 'not pg')",
    )


# Qt's offscreen plugin warns this whenever a top-level window is shown: noise, not a bug.
OFFSCREEN_NOISE = r"^This plugin does not support propagateSizeHints\(\)$"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "pg: needs the PostgreSQL server (deselect with --no-pg or -m 'not pg')"
    )
    if os.environ.get("QT_QPA_PLATFORM") == "offscreen" and config.pluginmanager.has_plugin(
        "pytest-qt"
    ):
        config.addinivalue_line("qt_log_ignore", OFFSCREEN_NOISE)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # tryfirst: the marks must be in place before ``-m`` deselects.
    for item in items:
        if PG_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.pg)
    if config.getoption("--no-pg"):
        kept = [item for item in items if item.get_closest_marker("pg") is None]
        dropped = [item for item in items if item.get_closest_marker("pg") is not None]
        if dropped:
            config.hook.pytest_deselected(items=dropped)
            items[:] = kept


def pytest_report_header(config: pytest.Config) -> list[str]:
    if config.getoption("--no-pg"):
        return ["postgresql: deselected (--no-pg)"]
    if os.environ.get(ENV_PG_URL):
        url = make_url(os.environ[ENV_PG_URL]).render_as_string(hide_password=True)
        return [f"postgresql: {url} (from {ENV_PG_URL})"]
    bindir = find_bindir()
    if bindir is not None:
        return [f"postgresql: throwaway cluster from {bindir} (started when first needed)"]
    return ["postgresql: not found" + (" (CI: its tests will fail)" if in_ci() else "")]


# ----------------------------------------------------------------------------- PostgreSQL


def _unavailable(reason: str) -> None:
    if in_ci():
        pytest.fail(f"PostgreSQL is required under CI: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL not available: {reason}")


def _admin_engine(url: str) -> Engine:
    return create_engine(url, isolation_level="AUTOCOMMIT", pool_pre_ping=True)


def _with_database(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    """The admin URL of the session's PostgreSQL server (see the module docstring)."""
    url = os.environ.get(ENV_PG_URL)
    if url:
        engine = _admin_engine(url)
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as exc:  # a configured but unreachable server is an error, not a skip
            pytest.fail(f"{ENV_PG_URL}={url} does not answer: {exc}", pytrace=False)
        finally:
            engine.dispose()
        yield url
        return
    bindir = find_bindir()
    if bindir is None:
        _unavailable(
            f"{ENV_PG_URL} is not set and no server binaries were found "
            "(/usr/lib/postgresql/*/bin/initdb); install 'postgresql' or run .ci/setup"
        )
    cluster = ThrowawayCluster(bindir)
    try:
        url = cluster.start()
    except (ClusterError, OSError, TimeoutError) as exc:
        pytest.fail(f"could not start a throwaway PostgreSQL from {bindir}: {exc}", pytrace=False)
    try:
        yield url
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def pg_admin(pg_server_url: str) -> Iterator[Engine]:
    """An AUTOCOMMIT engine on the server's ``postgres`` database, for CREATE/DROP DATABASE."""
    engine = _admin_engine(pg_server_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def pg_template(pg_server_url: str, pg_admin: Engine) -> Iterator[str]:
    """Name of a database migrated to head once per session, the template of ``pg_url``."""
    from desktop_perizinan.db.engine import make_engine
    from desktop_perizinan.db.migrate import upgrade

    # Unique per session: two runs (or xdist workers) may share one server.
    name = f"perizinan_template_{uuid.uuid4().hex[:12]}"
    with pg_admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        engine = make_engine(_with_database(pg_server_url, name))
        try:
            upgrade(engine)
        finally:
            engine.dispose()
        yield name
    finally:
        with pg_admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _pg_database(pg_server_url: str, pg_admin: Engine, template: str) -> Iterator[str]:
    name = f"test_{uuid.uuid4().hex}"
    with pg_admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    try:
        yield _with_database(pg_server_url, name)
    finally:
        with pg_admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def pg_url(pg_server_url: str, pg_admin: Engine, pg_template: str) -> Iterator[str]:
    """A fresh, migrated, empty PostgreSQL database for this test (dropped afterwards)."""
    yield from _pg_database(pg_server_url, pg_admin, pg_template)


# ----------------------------------------------------------------------------- SQLite


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once per session, copied by ``sqlite_url``."""
    from desktop_perizinan.db.engine import make_engine
    from desktop_perizinan.db.migrate import upgrade

    path = tmp_path_factory.mktemp("sqlite-template") / "template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    try:
        upgrade(engine)
    finally:
        engine.dispose()  # the last close checkpoints the WAL into the main file
    return path


def _copy_sqlite(template: Path, target: Path) -> None:
    shutil.copyfile(template, target)
    wal = template.with_name(template.name + "-wal")
    if wal.exists():
        shutil.copyfile(wal, target.with_name(target.name + "-wal"))


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    """A fresh, migrated, empty SQLite database file in ``tmp_path``."""
    target = tmp_path / "perizinan.sqlite3"
    _copy_sqlite(sqlite_template, target)
    return f"sqlite:///{target}"


# ----------------------------------------------------------------------------- both backends

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="pg", marks=pytest.mark.pg),
]


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest) -> str:
    """A fresh, migrated, empty database, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture(params=BACKENDS)
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database without any schema (not migrated), on both backends."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    server_url = request.getfixturevalue("pg_server_url")
    admin = request.getfixturevalue("pg_admin")
    yield from _pg_database(server_url, admin, "template0")
