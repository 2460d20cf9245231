"""A database made by the current release (schema 0006, before migration 0007) with running
cases upgrades, and the cases finish under the definition they started with, on SQLite and
PostgreSQL (issue 11)."""

from __future__ import annotations

import shutil
from pathlib import Path

from alembic import command
from sqlalchemy import inspect, text

from desktop_perizinan.db.engine import make_engine
from desktop_perizinan.db.migrate import alembic_config
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.demo import (
    DEMO_APPLICANTS,
    CaseDriver,
    create_demo_users,
    demo_clock,
)
from desktop_perizinan.workflow.definition import CaseStatus

SHIPPED = Path(__file__).resolve().parents[2] / "forms"
DAIRI = "DAIRI-LKS-ASING"


def _to(url: str, revision: str, *, down: bool = False) -> None:
    engine = make_engine(url)
    try:
        config = alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            (command.downgrade if down else command.upgrade)(config, revision)
    finally:
        engine.dispose()


def _columns(url: str, table: str) -> set[str]:
    engine = make_engine(url)
    try:
        return {c["name"] for c in inspect(engine).get_columns(table)}
    finally:
        engine.dispose()


def test_a_release_database_upgrades_and_its_running_cases_finish(
    empty_db_url: str, tmp_path: Path
) -> None:
    forms = tmp_path / "forms"
    shutil.copytree(SHIPPED, forms, ignore=shutil.ignore_patterns("README.md"))
    clock = demo_clock()
    services = Services.open(empty_db_url, forms, clock=clock)
    try:
        users = create_demo_users(services)
        driver = CaseDriver(services, users, clock)
        signed = driver.submit(DAIRI, DEMO_APPLICANTS[0]).case_id
        driver.run(signed, stop_at="nomor_izin")  # signed wet, waiting for its number
        drafted = driver.submit(DAIRI, DEMO_APPLICANTS[1], seed=1).case_id
        driver.run(drafted, stop_at="ttd_izin")  # initialled, waiting for the signature
    finally:
        services.close()

    # Back to the release's schema: what the current release's database looks like.
    _to(empty_db_url, "0006", down=True)
    assert "signed_as" not in _columns(empty_db_url, "document")
    assert "step_label" not in _columns(empty_db_url, "step_record")

    # The office then moves the penomoran before the signature in its file: running cases
    # keep the definition they started under (sign, then number).
    path = forms / "dairi-izin-teknis-lks-asing.toml"
    changed = path.read_text(encoding="utf-8")
    for before, after in (
        (
            'outcomes = { paraf = "ttd_izin", kembalikan = "draf_izin" }',
            'outcomes = { paraf = "nomor_izin", kembalikan = "draf_izin" }',
        ),
        (
            'outcomes = { ditandatangani = "nomor_izin", kembalikan = "draf_izin" }',
            'outcomes = { ditandatangani = "kirim_izin", kembalikan = "draf_izin" }',
        ),
        ('outcomes = { dinomori = "kirim_izin" }', 'outcomes = { dinomori = "ttd_izin" }'),
    ):
        assert changed.count(before) == 1
        changed = changed.replace(before, after)
    path.write_text(changed, encoding="utf-8")

    services = Services.open(empty_db_url, forms, clock=clock)  # migrates to the head
    try:
        assert "signed_as" in _columns(empty_db_url, "document")
        engine = services.db.engine
        with engine.connect() as connection:
            labels = connection.execute(text("SELECT step_label FROM step_record")).scalars().all()
        assert labels and set(labels) == {None}  # old rows: their number is their label
        users = {role: actor for actor in _actors(services) for role in actor.roles}
        driver = CaseDriver(services, users, clock)
        assert driver.run(signed) is CaseStatus.ISSUED
        assert driver.run(drafted) is CaseStatus.ISSUED
        for case_id in (signed, drafted):
            view = services.queries.case(case_id)
            permit = next(d for d in view.documents if d.kind == "izin")
            assert permit.status == "final" and permit.number == view.permit_number
            assert [str(t.step_no) for t in view.timeline][:3] == ["1", "2", "3"]
        # A case started now runs the new order: numbered by the Kasubbag Umum, then signed.
        fresh = driver.submit(DAIRI, DEMO_APPLICANTS[2], seed=2).case_id
        assert driver.run(fresh, stop_at="ttd_izin") is CaseStatus.RUNNING
        permit = next(d for d in services.queries.case(fresh).documents if d.kind == "izin")
        assert permit.number is not None and permit.status != "final"
        assert driver.run(fresh) is CaseStatus.ISSUED
        book = services.books.agenda("izin_lks_asing", 2026)
        assert len({r.number for r in book}) == 3
        assert book[-1].taken_by == users["ksb_umum"].full_name
    finally:
        services.close()


def _actors(services: Services):  # type: ignore[no-untyped-def]
    """The demo users again (they exist in the upgraded database), as actors."""
    from desktop_perizinan.services.demo import DEMO_PASSWORD, demo_user_specs

    return [
        services.users.login(username, DEMO_PASSWORD)
        for username, *_ in demo_user_specs(services.office)
    ]
