"""Opening the services on an unchanged office reads the configuration and writes nothing
(issue 14: every start of every PC took SQLite's write lock); a changed book or form is
still written, and the services a first screen does not need are built on first use."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import event, func, select

from desktop_perizinan.db.models import FormVersion, NumberBook
from desktop_perizinan.services.app import Services
from desktop_perizinan.services.demo import SteppingClock

FORMS = Path(__file__).resolve().parents[2] / "forms"
WRITES = ("INSERT", "UPDATE", "DELETE")


def _statements(services: Services) -> list[str]:
    seen: list[str] = []
    event.listen(
        services.db.engine, "before_cursor_execute", lambda *a: seen.append(a[2].lstrip()[:6])
    )
    return seen


def test_unchanged_configuration_is_read_not_written(db_url: str, clock: SteppingClock) -> None:
    first = Services.open(db_url, FORMS, clock=clock)
    ids = {code: first.form_version_id(code) for code in first.forms.types}
    first.close()

    second = Services.open(db_url, FORMS, clock=clock)
    try:
        seen = _statements(second)
        second.sync_configuration()
        assert not [s for s in seen if s.upper().startswith(WRITES)]
        assert {code: second.form_version_id(code) for code in second.forms.types} == ids
        with second.db.reading() as session:
            versions = session.scalar(select(func.count()).select_from(FormVersion))
        assert versions == len(ids)
    finally:
        second.close()


def test_changed_book_title_is_still_written(
    db_url: str, tmp_path: Path, clock: SteppingClock
) -> None:
    forms = tmp_path / "forms"
    shutil.copytree(FORMS, forms)
    first = Services.open(db_url, forms, clock=clock)
    pt = next(iter(first.forms.types.values()))
    book, old_title = pt.numbering.book, pt.numbering.title
    old_version = first.form_version_id(pt.code)
    first.close()

    path = forms / Path(pt.source_file).name
    text = path.read_text(encoding="utf-8")
    assert old_title in text
    path.write_text(text.replace(old_title, old_title + " (baru)", 1), encoding="utf-8")
    second = Services.open(db_url, forms, clock=clock)
    try:
        with second.db.reading() as session:
            title = session.scalar(select(NumberBook.title).where(NumberBook.code == book))
        assert title == old_title + " (baru)"
        # The changed file is a new snapshot; the old one stays for the cases begun under it.
        assert second.form_version_id(pt.code) != old_version
    finally:
        second.close()


def test_services_are_built_on_first_use_and_kept(db_url: str, clock: SteppingClock) -> None:
    services = Services.open(db_url, FORMS, clock=clock)
    try:
        assert "pdp_report" not in vars(services)
        assert services.pdp_report is services.pdp_report
        assert "pdp_report" in vars(services)
    finally:
        services.close()
