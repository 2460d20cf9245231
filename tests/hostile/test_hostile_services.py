"""Hostile input through the services, on SQLite and PostgreSQL: every value either goes in
exactly as typed (quotes, SQL, HTML are just text) or is refused with a clear Indonesian
message — and a refusal changes nothing in the database.

Tests marked ``xfail(strict=True)`` with a reason starting "BUG (core)" document a defect found
in the core (not in this folder's scope to fix): they fail today for exactly that reason and
will report XPASS — i.e. fail — once it is fixed, so the marker must then be removed.
Run ``pytest tests/hostile --runxfail`` to see them fail.
"""

from __future__ import annotations

import io
from dataclasses import replace

import pytest
from hostile_support import assert_clear, unchanged
from lan_support import KESENIAN, counts, intake_request, nik
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from desktop_perizinan.db.models import Applicant, Attachment, Case
from desktop_perizinan.errors import UserError
from desktop_perizinan.services.actor import SYSTEM
from desktop_perizinan.services.attachments import AttachmentIn
from desktop_perizinan.services.case_search import CaseFilters, CaseSearch
from desktop_perizinan.services.demo import SAMPLE_PDF

SQL = "Robert'); DROP TABLE permohonan;--"
HTML = '<script>alert("x")</script> <b>tebal</b> </para> &amp; &'
QUOTES_300 = ('O\'Brien "Ucok" Siregar-Hernández ' * 12)[:300].strip()
EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"
    + b"\x00" * 48
    + b"PE\x00\x00"
    + (b"This program cannot be run in DOS mode.\r\r\n$" + b"\x00" * 4000)
)


def bug(
    reason: str, raises: type[BaseException] | tuple[type[BaseException], ...] = AssertionError
):
    return pytest.mark.xfail(reason=f"BUG (core): {reason}", raises=raises, strict=True)


def pg_bug(request: pytest.FixtureRequest, url: str, reason: str, raises=DBAPIError) -> None:
    """A core bug that shows only on PostgreSQL (SQLite does not enforce VARCHAR lengths or
    refuse NUL characters)."""
    if url.startswith("postgresql"):
        request.applymarker(bug(reason, raises))


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def submit(office, **changes):
    """Submit a complete application with ``changes``; return (result, refusal).

    A refusal must be clear and leave the database untouched; anything else that is raised
    (a driver error, a renderer's error) propagates and fails the test."""
    url, services, users = office
    request = replace(intake_request(services, KESENIAN, nik(5, 0), "Budi Santoso"), **changes)
    before = counts(url)
    try:
        return services.intake.submit(users["front_office"], request), None
    except UserError as exc:
        assert_clear(exc)
        unchanged(url, before)
        return None, exc


def stored_applicant(office) -> Applicant:
    """The newest applicant, detached with its values loaded."""
    _url, services, _users = office
    with services.db.reading() as session:
        applicant = session.scalars(select(Applicant).order_by(Applicant.id.desc())).first()
        assert applicant is not None
        session.expunge(applicant)
        return applicant


def fields_with(services, **values: str) -> dict[str, str]:
    from desktop_perizinan.services.demo import sample_field_values

    fields = sample_field_values(services.permit_type(KESENIAN))
    fields.update(values)
    return fields


# ---------------------------------------------------------------------------- text is text


@pytest.mark.parametrize(
    "name", [QUOTES_300, SQL, HTML, "Ni Luh Putu Ayu Saraswati Dewi-Hernández O'Brien"]
)
def test_names_go_in_exactly_as_typed_and_print_as_typed(office, name):
    result, refused = submit(office, name=name)
    assert refused is None and result is not None
    assert stored_applicant(office).name == " ".join(name.split())
    printed = pdf_text(result.pdf)
    assert " ".join(name.split())[:60] in printed  # not interpreted as markup, not cut short
    url, services, _users = office
    assert counts(url)["cases"] == 1  # and the table is still there
    assert [row.id for row in services.queries.search(name[:20])] == [result.case_id]


@pytest.mark.parametrize("text", [SQL, HTML], ids=["sql", "html"])
def test_addresses_fields_and_notes_are_stored_verbatim(office, text):
    _url, services, _users = office
    result, refused = submit(
        office,
        address=text,
        note=text,
        fields=fields_with(services, nama_kelompok=text, nama_ketua=text),
    )
    assert refused is None and result is not None
    assert stored_applicant(office).address == text
    with services.db.reading() as session:
        case = session.get(Case, result.case_id)
        assert case.field_values["nama_kelompok"] == text
    assert pdf_text(result.pdf)  # the resi still renders


def test_a_name_of_301_characters_is_refused(office):
    _result, refused = submit(office, name="A" * 301)
    assert refused is not None and "300" in refused.message


@pytest.mark.parametrize("name", ["Budi\x07Santoso", "   ", ""], ids=["bell", "blank", "empty"])
def test_unprintable_or_empty_names_are_refused(office, name):
    _result, refused = submit(office, name=name)
    assert refused is not None


# ---------------------------------------------------------------------------- NIK


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("351402180485010", id="15-digits"),
        pytest.param("35140218048501011", id="17-digits"),
        pytest.param("3514021804850000", id="serial-0000"),
        pytest.param("3514023204850101", id="day-32"),
        pytest.param("35140218O4850101", id="letter-O"),
        pytest.param("'); DROP TABLE applicant;--", id="sql"),
    ],
)
def test_bad_niks_are_refused(office, value):
    _result, refused = submit(office, nik=value)
    assert refused is not None and "NIK" in refused.message


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("٣٥١٤٠٢١٨٠٤٨٥٠١٠١", id="arabic-indic"),
        pytest.param("３５１４０２１８０４８５０１０１", id="fullwidth"),
        pytest.param("3514 0218.0485 0101", id="spaces-and-dots"),
    ],
)
def test_a_nik_in_other_digits_is_stored_in_ascii_or_refused(office, value):
    _result, refused = submit(office, nik=value)
    if refused is None:
        stored = stored_applicant(office).nik
        assert stored.isascii() and stored.isdigit() and len(stored) == 16, stored


# ---------------------------------------------------------------------------- control characters


def test_nul_in_an_address_is_refused_or_dropped(office):
    _result, refused = submit(office, address="Jl. Raya\x00 Raci")
    if refused is None:
        assert "\x00" not in stored_applicant(office).address


def test_an_absurdly_long_address_gets_a_clear_message(office):
    result, refused = submit(office, address="Jl. Panjang Sekali " * 3200)
    assert refused is not None or result is not None


# ---------------------------------------------------------------------------- attachments


@pytest.mark.parametrize(
    ("attachment", "expected"),
    [
        pytest.param(AttachmentIn("ktp.pdf", b"", "ktp"), "kosong", id="zero-bytes"),
        pytest.param(AttachmentIn("ktp.jpg", SAMPLE_PDF, "ktp"), "isinya PDF", id="pdf-named-jpg"),
        pytest.param(AttachmentIn("ktp.pdf", EXE, "ktp"), "bukan PDF", id="plain-exe"),
        pytest.param(
            AttachmentIn("ktp.pdf", b"%PDF-1.7\n" + EXE, "ktp"),
            "PDF",
            id="pdf-header-then-exe",
        ),
        pytest.param(
            AttachmentIn("ktp.pdf", EXE[:64] + b"%PDF-1.4\n" + EXE[64:], "ktp"),
            "PDF",
            id="exe-with-pdf-marker",
        ),
    ],
)
def test_attachments_are_judged_by_content(office, attachment, expected):
    _result, refused = submit(office, attachments=(attachment,))
    assert refused is not None
    assert expected in refused.message


def test_an_attachment_over_the_limit_is_refused(office):
    big = SAMPLE_PDF + b"0" * (10 * 1024 * 1024)
    _result, refused = submit(office, attachments=(AttachmentIn("besar.pdf", big, "ktp"),))
    assert refused is not None and "terlalu besar" in refused.message


LONG_TRAVERSAL = "../../etc/passwd" + "'\"" * 140 + ".pdf"


@pytest.mark.parametrize(
    "file_name",
    [
        pytest.param(LONG_TRAVERSAL, id="slashes-quotes-300"),
        pytest.param("/etc/shadow.pdf", id="absolute"),
        pytest.param("..\\..\\Windows\\System32\\ktp.pdf", id="backslashes"),
        pytest.param("k" * 396 + ".pdf", id="400-characters"),
    ],
)
def test_attachment_names_cannot_carry_a_path(office, file_name):
    _url, services, _users = office
    result, refused = submit(office, attachments=(AttachmentIn(file_name, SAMPLE_PDF, "ktp"),))
    assert refused is None and result is not None
    with services.db.reading() as session:
        stored = session.scalars(select(Attachment.file_name)).one()
    assert "/" not in stored and "\\" not in stored and not stored.startswith(".."), stored
    assert 0 < len(stored) <= 300 and stored.endswith(".pdf"), stored


def test_nul_in_an_attachment_name(office):
    _url, services, _users = office
    _result, refused = submit(office, attachments=(AttachmentIn("ktp\x00.pdf", SAMPLE_PDF, "ktp"),))
    if refused is None:
        with services.db.reading() as session:
            assert "\x00" not in session.scalars(select(Attachment.file_name)).one()


# ---------------------------------------------------------------------------- search


@pytest.mark.parametrize(
    "text",
    ['"', "'", SQL, HTML, "*", "NEAR(a b)", "%", "_", "\\", "budi OR x", "١٢٣", "a" * 500],
)
def test_search_takes_any_text(office, text):
    url, services, _users = office
    result, _ = submit(office)
    search = CaseSearch(services)
    rows = search.search_page(CaseFilters(text=text), 0, 50)
    assert search.count(CaseFilters(text=text)) == len(rows)
    assert isinstance(services.queries.search(text), list)
    assert counts(url)["cases"] == 1
    assert search.search_page(CaseFilters(text="budi"), 0, 50)[0].id == result.case_id


def test_search_with_a_nul_character(office):
    _url, services, _users = office
    CaseSearch(services).search_page(CaseFilters(text="bud\x00i"), 0, 50)
    services.queries.search("bud\x00i")


# ---------------------------------------------------------------------------- users


@pytest.mark.parametrize(
    ("username", "full_name"),
    [
        pytest.param("panjang", QUOTES_300, id="full-name-300-quotes"),
        pytest.param("u" * 100, "Nama Biasa", id="username-100"),
        pytest.param("nul", "Nama\x00Pengguna", id="full-name-nul"),
        pytest.param("sql", SQL, id="full-name-sql"),
        pytest.param("'); drop table app_user;--", "Nama Biasa", id="username-sql"),
    ],
)
def test_adding_a_user_with_hostile_names(office, username, full_name):
    url, services, _users = office
    before = counts(url)
    try:
        actor = services.users.create(
            SYSTEM, username=username, full_name=full_name, password="rahasia123", roles=set()
        )
    except UserError as exc:
        assert_clear(exc)
        unchanged(url, before)
        return
    assert "\x00" not in actor.full_name
    stored = {a.username: a for a in services.users.list_users()}[actor.username]
    assert stored.full_name == " ".join(full_name.split())
