"""The composition root of the core: a database, the permit types, a clock, and the services.

Nothing here is global: the command line and the desktop app each build one ``Services`` and
pass it (or the piece they need) to whatever uses it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_perizinan.db.engine import Database
from desktop_perizinan.db.models import Case, FormVersion, NumberBook
from desktop_perizinan.db.safe_migrate import migrate_with_backup
from desktop_perizinan.db.upsert import insert_if_absent
from desktop_perizinan.errors import UserError
from desktop_perizinan.paths import forms_dir as default_forms_dir
from desktop_perizinan.services import numbering
from desktop_perizinan.workflow.calendar import WorkCalendar
from desktop_perizinan.workflow.definition import PermitType
from desktop_perizinan.workflow.loader import FormSet, load_forms, parse_office, parse_permit_type

if TYPE_CHECKING:
    from desktop_perizinan.services.books import BookService
    from desktop_perizinan.services.casework import CaseWorkService
    from desktop_perizinan.services.documents import DocumentService
    from desktop_perizinan.services.intake import IntakeService
    from desktop_perizinan.services.outside_numbers import OutsideNumberService
    from desktop_perizinan.services.pdp_report import PdpReportService
    from desktop_perizinan.services.personal_data import PersonalDataService
    from desktop_perizinan.services.queries import CaseQueries
    from desktop_perizinan.services.retention import RetentionService
    from desktop_perizinan.services.settings import SettingsService
    from desktop_perizinan.services.stages import StageService
    from desktop_perizinan.services.user_admin import UserAdminService
    from desktop_perizinan.services.users import UserService

Clock = Callable[[], datetime]

#: The permit-type folder when none is given, by the one rule of ``paths.forms_dir``
#: (``PERIZINAN_FORMS_DIR``, else the shipped ``forms/``). ``Services.open`` applies the rule
#: again at call time, so a variable set after import is honoured too.
DEFAULT_FORMS_DIR = default_forms_dir()


def system_clock() -> datetime:
    return datetime.now().replace(microsecond=0)


class Services:
    """Everything the screens and the command line call. Built once per process."""

    def __init__(
        self, db: Database, forms: FormSet, *, clock: Clock = system_clock, office_text: str = ""
    ) -> None:
        if forms.office is None:
            problems = "; ".join(str(p) for p in forms.problems) or "berkas _kantor.toml hilang"
            raise UserError(f"Konfigurasi kantor tidak dapat dibaca: {problems}")
        self.db = db
        self.forms = forms
        self.office = forms.office
        self.now = clock
        self.office_text = office_text
        self.forms_dir: Path | None = None
        self.calendar = WorkCalendar.from_office(forms.office)
        self._definitions: dict[int, PermitType] = {}
        self._form_version_ids: dict[str, int] = {}

    # ------------------------------------------------------------------ the services
    # Each is built (and its module imported) the first time it is used: a start-up that
    # only logs in and shows the counter never imports the PDP report, the retention sweep,
    # the books or user administration (issue 14). Each holds nothing but this object, so two
    # threads asking at once (Python >= 3.12's ``cached_property`` has no lock) would at worst
    # build a second, equal one.

    @cached_property
    def settings(self) -> SettingsService:
        from desktop_perizinan.services.settings import SettingsService

        return SettingsService(self)

    @cached_property
    def users(self) -> UserService:
        from desktop_perizinan.services.users import UserService

        return UserService(self)

    @cached_property
    def user_admin(self) -> UserAdminService:
        from desktop_perizinan.services.user_admin import UserAdminService

        return UserAdminService(self)

    @cached_property
    def documents(self) -> DocumentService:
        from desktop_perizinan.services.documents import DocumentService

        return DocumentService(self)

    @cached_property
    def intake(self) -> IntakeService:
        from desktop_perizinan.services.intake import IntakeService

        return IntakeService(self)

    @cached_property
    def work(self) -> CaseWorkService:
        from desktop_perizinan.services.casework import CaseWorkService

        return CaseWorkService(self)

    @cached_property
    def queries(self) -> CaseQueries:
        from desktop_perizinan.services.queries import CaseQueries

        return CaseQueries(self)

    @cached_property
    def books(self) -> BookService:
        from desktop_perizinan.services.books import BookService

        return BookService(self)

    @cached_property
    def personal_data(self) -> PersonalDataService:
        from desktop_perizinan.services.personal_data import PersonalDataService

        return PersonalDataService(self)

    @cached_property
    def pdp_report(self) -> PdpReportService:
        from desktop_perizinan.services.pdp_report import PdpReportService

        return PdpReportService(self)

    @cached_property
    def retention(self) -> RetentionService:
        from desktop_perizinan.services.retention import RetentionService

        return RetentionService(self)

    @cached_property
    def outside_numbers(self) -> OutsideNumberService:
        from desktop_perizinan.services.outside_numbers import OutsideNumberService

        return OutsideNumberService(self)

    @cached_property
    def stages(self) -> StageService:
        from desktop_perizinan.services.stages import StageService

        return StageService(self)

    @classmethod
    def open(
        cls, url: str, forms_dir: Path | None = None, *, clock: Clock = system_clock
    ) -> Services:
        """Open (and migrate) a database, load the permit types, register books and versions.

        ``forms_dir`` defaults to :func:`desktop_perizinan.paths.forms_dir`."""
        forms_dir = default_forms_dir() if forms_dir is None else forms_dir
        db = Database(url)
        try:
            # Never migrate a database holding data without a verified backup first.
            from desktop_perizinan.services.personal_data import backup_contents

            migrate_with_backup(url, engine=db.engine, contents=backup_contents)
            # The loader judges _kantor.toml first (not UTF-8, not TOML: its message, raised
            # by __init__); only a usable file is read again, as before, for the snapshots,
            # and a decoding error cannot escape even if the file changed in between.
            forms = load_forms(forms_dir)
            office_file = forms_dir / "_kantor.toml"
            office_text = (
                office_file.read_text(encoding="utf-8", errors="replace")
                if forms.office is not None
                else ""
            )
            services = cls(db, forms, clock=clock, office_text=office_text)
            services.forms_dir = forms_dir
            services.sync_configuration()
        except BaseException:
            db.dispose()
            raise
        return services

    def close(self) -> None:
        self.db.dispose()

    # ------------------------------------------------------------------ configuration

    def sync_configuration(self) -> None:
        """Register the books of the office and of each type, and a snapshot of each form.

        Read first: on a normal start nothing has changed, and a write transaction would
        take SQLite's write lock (and a commit) on every start of every PC. Only when a book
        or a form differs is it written, all of it in one transaction as before."""
        books: dict[str, tuple[str, str, bool]] = {}  # the last definition of a code wins
        for book in self.office.books.values():
            books[book.code] = (book.title, book.pattern, book.yearly)
        for pt in self.forms.types.values():
            n = pt.numbering
            books[n.book] = (n.title, n.pattern, n.yearly)
        office_text = self.office_text
        digests = {
            code: self._form_digest(pt, office_text) for code, pt in self.forms.types.items()
        }
        with self.db.reading() as session:
            if self._configuration_in_place(session, books, digests):
                return
        with self.db.transaction() as session:
            for book in self.office.books.values():
                numbering.sync_book(session, book.code, book.title, book.pattern, book.yearly)
            for pt in self.forms.types.values():
                n = pt.numbering
                numbering.sync_book(session, n.book, n.title, n.pattern, n.yearly)
                self._form_version_ids[pt.code] = self._register_form(session, pt, office_text).id

    @staticmethod
    def _form_digest(pt: PermitType, office_text: str) -> str:
        """A form's snapshot is the pair (its file, the office file) it was read with."""
        return hashlib.sha256((pt.source_hash + office_text).encode()).hexdigest()

    def _configuration_in_place(
        self, session: Session, books: dict[str, tuple[str, str, bool]], digests: dict[str, str]
    ) -> bool:
        """Every book as configured and every form's snapshot registered? Then remember the
        snapshots' ids, as registering them would have."""
        stored = session.execute(
            select(NumberBook.code, NumberBook.title, NumberBook.pattern, NumberBook.yearly).where(
                NumberBook.code.in_(books)
            )
        ).all()
        if {code: (title, pattern, yearly) for code, title, pattern, yearly in stored} != books:
            return False
        found = session.execute(
            select(FormVersion.sha256, FormVersion.id).where(
                FormVersion.sha256.in_(list(digests.values()))
            )
        )
        ids = {sha256: version_id for sha256, version_id in found}
        if not all(digest in ids for digest in digests.values()):
            return False
        for code, digest in digests.items():
            self._form_version_ids[code] = ids[digest]
            self._definitions[ids[digest]] = self.forms.types[code]
        return True

    def _register_form(self, session: Session, pt: PermitType, office_text: str) -> FormVersion:
        digest = self._form_digest(pt, office_text)
        # Several PCs start after a form change at once: register race-free.
        insert_if_absent(
            session,
            FormVersion,
            {
                "code": pt.code,
                "sha256": digest,
                "file_name": pt.source_file[-200:],  # the column's width; only shown
                "source_text": pt.source_text,
                "office_text": office_text,
                "loaded_at": self.now(),
            },
            ["sha256"],
        )
        version = session.scalars(select(FormVersion).where(FormVersion.sha256 == digest)).one()
        self._definitions[version.id] = pt
        return version

    def reload_forms(self) -> FormSet:
        """Re-read the forms folder: new cases use the new files; running cases keep the
        snapshot they started under (``definition_for``). Nothing changes if the new files
        cannot be used."""
        if self.forms_dir is None:
            raise UserError("Folder jenis izin tidak diketahui; buka ulang aplikasi.")
        forms = load_forms(self.forms_dir)
        if forms.office is None:
            problems = "; ".join(str(p) for p in forms.problems) or "berkas _kantor.toml hilang"
            raise UserError(f"Konfigurasi kantor tidak dapat dibaca: {problems}")
        office_file = self.forms_dir / "_kantor.toml"
        saved = (self.forms, self.office, self.calendar, self.office_text, self._form_version_ids)
        self.forms, self.office = forms, forms.office
        self.calendar = WorkCalendar.from_office(forms.office)
        self.office_text = office_file.read_text(encoding="utf-8")
        self._form_version_ids = {}
        try:
            self.sync_configuration()
        except BaseException:
            self.forms, self.office, self.calendar, self.office_text, self._form_version_ids = saved
            raise
        return forms

    def permit_type(self, code: str) -> PermitType:
        try:
            return self.forms.types[code]
        except KeyError:
            raise UserError(
                f"Jenis izin '{code}' tidak dikenal atau berkasnya bermasalah."
            ) from None

    def form_version_id(self, code: str) -> int:
        self.permit_type(code)
        return self._form_version_ids[code]

    def definition_for(self, session: Session, case: Case) -> PermitType:
        """The definition a case started under, even if the file has changed since."""
        cached = self._definitions.get(case.form_version_id)
        if cached is not None:
            return cached
        version = session.get(FormVersion, case.form_version_id)
        assert version is not None
        office = (
            parse_office(version.office_text, "_kantor.toml")
            if version.office_text
            else self.office
        )
        pt = parse_permit_type(version.source_text, version.file_name, office)
        self._definitions[version.id] = pt
        return pt
