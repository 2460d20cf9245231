"""Permit-type files in ``forms/`` → validated :class:`PermitType` definitions.

An office edits these files by hand, without a programmer nearby. So the loader's job is less
"parse TOML" than "explain every mistake": it keeps going after the first problem and reports
them all, each with the file, the line and the fix, in Bahasa Indonesia. A broken file never
stops the other permit types from loading.

:func:`parse_permit_type` depends only on its arguments: a running case keeps the text of the
definition it started under (``source_text`` in the database) and re-parses it with this same
function, whatever the folder holds today.

The reading is split by job: :mod:`form_reader` (TOML with line numbers),
:mod:`office_file`, :mod:`type_sections`, :mod:`type_fields`, :mod:`type_steps` and
:mod:`flow_checks`; this module puts a permit type together and loads a folder.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

from desktop_perizinan.workflow.definition import Action, Numbering, OfficeConfig, PermitType, Step
from desktop_perizinan.workflow.flow_checks import check_declared_total, check_documents, check_flow
from desktop_perizinan.workflow.form_problems import FormFileError, FormProblem, FormSet
from desktop_perizinan.workflow.form_reader import CODE, IDENT, Reader, parse_toml, read_text
from desktop_perizinan.workflow.office_file import (
    OFFICE_FILE,
    load_office,
    parse_office,
    read_book,
)
from desktop_perizinan.workflow.paths import path_totals, service_total
from desktop_perizinan.workflow.stages import read_stages
from desktop_perizinan.workflow.toml_lines import LineIndex
from desktop_perizinan.workflow.type_applicant import read_applicant
from desktop_perizinan.workflow.type_fields import read_fields, read_wording
from desktop_perizinan.workflow.type_sections import (
    check_numbering_against_office,
    read_channels,
    read_duration,
    read_fee,
    read_header,
    read_requirements,
)
from desktop_perizinan.workflow.type_steps import read_steps

__all__ = [
    "OFFICE_FILE",
    "FormFileError",
    "FormProblem",
    "FormSet",
    "load_forms",
    "load_office",
    "parse_office",
    "parse_permit_type",
    "path_totals",
    "service_total",
]

_TOP_KEYS = (
    "code",
    "name",
    "sop_number",
    "product",
    "fee",
    "channels",
    "legal_basis",
    "qualifications",
    "related",
    "equipment",
    "warnings",
    "records",
    "total",
    "numbering",
    "requirements",
    "fields",
    "wording",
    "steps",
    "applicant",
    "stages",
)


def parse_permit_type(text: str, file_name: str, office: OfficeConfig) -> PermitType:
    """Parse and validate one permit-type file; raise :class:`FormFileError` with every problem.

    Depends only on its arguments, so a definition snapshot stored with a case re-parses to
    the same result years later.
    """
    data = parse_toml(text, file_name)
    r = Reader(file_name, text)
    r.unknown_keys(data, (), _TOP_KEYS, "jenis izin")

    code = r.text(data, (), "code")
    if code is not None and not CODE.match(code):
        r.problem(
            ("code",),
            f'kode jenis izin "{code}" tidak sah',
            "gunakan huruf, angka, titik, garis bawah atau tanda minus, tanpa spasi; "
            'misalnya "PASURUAN-NIK-KESENIAN"',
        )
    name = r.text(data, (), "name")
    sop_number = r.text(data, (), "sop_number", required=False)
    product = r.text(data, (), "product")
    legal_basis = r.text_list(data, (), "legal_basis")
    header = read_header(r, data)
    fee = read_fee(r, data)
    channels = read_channels(r, data)
    declared_total = read_duration(r, data, (), "total", required=False)

    numbering_table = r.table(
        data, (), "numbering", example="tambahkan bagian [numbering] dengan book, title, pattern"
    )
    numbering: Numbering | None = None
    if numbering_table is not None:
        book_code = r.text(numbering_table, ("numbering",), "book", what="[numbering]")
        if book_code is not None and not IDENT.match(book_code):
            r.problem(
                ("numbering", "book"),
                f'kode buku "{book_code}" tidak sah',
                "gunakan huruf kecil, angka dan garis bawah, diawali huruf",
            )
            book_code = None
        numbering = read_book(
            r,
            numbering_table,
            ("numbering",),
            book_code or "",
            "[numbering]",
            ("book", "title", "pattern", "yearly"),
        )
        if book_code is None:
            numbering = None
        if numbering is not None:
            check_numbering_against_office(r, numbering, office)

    requirements = read_requirements(r, data)
    fields = read_fields(r, data)
    wording = read_wording(r, data, fields)
    applicant = read_applicant(r, data)
    read = read_steps(r, data, office)
    steps = read.steps
    stages = read_stages(r, data, [s.id for s in steps])

    if read.shaped:
        check_flow(r, steps)
    if read.shaped and read.complete:
        # Documents, ranks and times mean something only when every step is fully known.
        check_documents(r, steps, office, numbering)
        if declared_total is not None:
            check_declared_total(r, steps, declared_total)
        if fee is not None and fee > 0 and not any(s.action is Action.PAYMENT for s in steps):
            r.problem(
                ("fee",),
                f"biaya Rp {fee:,} ditetapkan tetapi tidak ada langkah pembayaran".replace(
                    ",", "."
                ),
                'tambahkan langkah dengan action = "pembayaran" (SKRD), atau tulis fee = 0',
            )

    if r.problems:
        raise FormFileError(r.problems)

    assert code is not None and name is not None and product is not None
    assert sop_number is not None and legal_basis is not None and fee is not None
    assert channels is not None and numbering is not None and wording is not None
    assert requirements is not None and fields is not None and steps
    assert applicant is not None
    steps = [_with_default_book(s, numbering) for s in steps]
    pt = PermitType(
        code=code,
        name=name.strip(),
        sop_number=sop_number.strip(),
        product=product.strip(),
        legal_basis=tuple(legal_basis),
        fee=fee,
        requirements=tuple(requirements),
        fields=tuple(fields),
        steps=tuple(steps),
        numbering=numbering,
        wording=wording,
        declared_total=declared_total,
        channels=tuple(channels),
        source_file=file_name,
        source_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        source_text=text,
        warnings=tuple(r.warnings),
        qualifications=header["qualifications"],
        related=header["related"],
        equipment=header["equipment"],
        warnings_text=header["warnings_text"],
        records=header["records"],
        applicant=applicant,
        stages=stages,
    )
    return pt


def _with_default_book(step: Step, numbering: Numbering) -> Step:
    """A penomoran step without ``book`` numbers in the permit's own book: say so explicitly."""
    if step.does(Action.NUMBER) and step.book is None:
        return replace(step, book=numbering.book)
    return step


# ====================================================================== folder


def load_forms(directory: Path) -> FormSet:
    """Load the office configuration and every permit type in ``directory``.

    A broken file contributes its problems and is skipped; the others still load. Without a
    usable ``_kantor.toml`` no permit type can be validated (roles and books live there), so
    each of them gets a problem saying so.
    """
    result = FormSet(office=None)
    if not directory.is_dir():
        result.problems.append(
            FormProblem(
                str(directory),
                0,
                "folder formulir tidak ditemukan",
                "periksa lokasi folder forms/ pada pengaturan",
            )
        )
        return result
    try:
        result.office = load_office(directory / OFFICE_FILE)
    except FormFileError as exc:
        result.problems.extend(exc.problems)

    files = sorted(
        (p for p in directory.glob("*.toml") if p.is_file() and not p.name.startswith("_")),
        key=lambda p: p.name,
    )
    books: dict[str, tuple[Numbering, str]] = {}
    for path in files:
        if result.office is None:
            result.problems.append(
                FormProblem(
                    path.name,
                    0,
                    f"jenis izin ini tidak dapat diperiksa karena {OFFICE_FILE} tidak ada atau "
                    "rusak",
                    f"perbaiki {OFFICE_FILE} terlebih dahulu",
                )
            )
            continue
        try:
            text = read_text(path)
            pt = parse_permit_type(text, path.name, result.office)
        except FormFileError as exc:
            result.problems.extend(exc.problems)
            continue
        lines = LineIndex(text)
        other = result.types.get(pt.code)
        if other is not None:
            result.problems.append(
                FormProblem(
                    path.name,
                    lines.line_of(("code",)),
                    f'kode jenis izin "{pt.code}" sudah dipakai oleh {other.source_file}',
                    "beri setiap jenis izin kode yang berbeda",
                )
            )
            continue
        shared = books.get(pt.numbering.book)
        if shared is not None and (shared[0].pattern, shared[0].yearly) != (
            pt.numbering.pattern,
            pt.numbering.yearly,
        ):
            result.problems.append(
                FormProblem(
                    path.name,
                    lines.line_of(("numbering", "book")),
                    f'buku "{pt.numbering.book}" juga dipakai {shared[1]} dengan pola '
                    f'"{shared[0].pattern}"',
                    "pilih kode buku lain, atau samakan pola dan yearly-nya",
                )
            )
            continue
        books.setdefault(pt.numbering.book, (pt.numbering, path.name))
        result.types[pt.code] = pt
    return result
