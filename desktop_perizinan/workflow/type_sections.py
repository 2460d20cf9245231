"""The smaller sections of a permit-type file: the SOP's identity lists, fee, channels,
durations, the numbering book and the requirements.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from desktop_perizinan.workflow.definition import Numbering, OfficeConfig, Requirement
from desktop_perizinan.workflow.durations import Duration
from desktop_perizinan.workflow.form_reader import IDENT, Reader
from desktop_perizinan.workflow.office_file import OFFICE_FILE
from desktop_perizinan.workflow.toml_lines import Path as KeyPath

CHANNELS = ("loket", "daring")

_REQUIREMENT_KEYS = ("code", "name", "mandatory", "renewal_only")
#: The SOP's identity block (key in the file -> PermitType field); all optional lists of text.
#: "warnings" in the file is the SOP's Peringatan; ``PermitType.warnings`` holds the loader's.
_HEADER_KEYS = {
    "qualifications": "qualifications",
    "related": "related",
    "equipment": "equipment",
    "warnings": "warnings_text",
    "records": "records",
}


def read_header(r: Reader, data: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """The optional lists of the SOP's identity block (kualifikasi pelaksana, keterkaitan,
    peralatan, peringatan, pencatatan), for the printed SOP matrix.

    Each is an array of strings; a blank entry is refused because it would print as an empty
    numbered line. A missing key is an empty list (an SOP that leaves the cell as "-").
    """
    header: dict[str, tuple[str, ...]] = {}
    for key, attribute in _HEADER_KEYS.items():
        items = r.text_list(data, (), key)
        if items is None:
            continue
        for index, item in enumerate(items):
            if not item.strip():
                r.problem(
                    (key, index),
                    f'isi ke-{index + 1} dari "{key}" kosong',
                    'hapus isi yang kosong; tulis [] bila SOP mengisi bagian ini dengan "-"',
                )
        header[attribute] = tuple(" ".join(item.split()) for item in items if item.strip())
    return header


def read_fee(r: Reader, data: Mapping[str, Any]) -> int | None:
    fee = r.integer(data, (), "fee")
    if fee is not None and fee < 0:
        r.problem(("fee",), f"biaya tidak boleh negatif ({fee})", "tulis fee = 0 bila gratis")
        return None
    return fee


def read_channels(r: Reader, data: Mapping[str, Any]) -> list[str] | None:
    channels = r.text_list(data, (), "channels")
    if channels is None:
        return None
    if "channels" not in data:
        return ["loket"]
    ok = True
    for index, channel in enumerate(channels):
        if channel not in CHANNELS:
            r.problem(
                ("channels", index),
                f'jalur pengajuan "{channel}" tidak dikenal',
                'gunakan "loket" dan/atau "daring", misalnya channels = ["daring", "loket"]',
            )
            ok = False
    if ok and not channels:
        r.problem(("channels",), "jalur pengajuan kosong", 'tulis channels = ["loket"]')
        ok = False
    if ok and len(set(channels)) != len(channels):
        r.problem(("channels",), "jalur pengajuan ditulis dua kali", "hapus yang ganda")
        ok = False
    return list(dict.fromkeys(channels)) if ok else None


def read_duration(
    r: Reader, table: Mapping[str, Any], where: KeyPath, key: str, *, required: bool
) -> Duration | None:
    text = r.text(table, where, key, required=required, default="")
    if not text:
        return None
    try:
        return Duration.parse(text)
    except ValueError as exc:
        r.problem((*where, key), str(exc), f'tulis {key} = "2 Jam" atau "3 Hari"')
        return None


def check_numbering_against_office(r: Reader, numbering: Numbering, office: OfficeConfig) -> None:
    """A permit's own book may reuse an office book's code only if it means the same book."""
    book = office.books.get(numbering.book)
    if book is not None and (book.pattern, book.yearly) != (numbering.pattern, numbering.yearly):
        r.problem(
            ("numbering", "book"),
            f'kode buku "{numbering.book}" sudah dipakai di {OFFICE_FILE} dengan pola '
            f'"{book.pattern}"',
            "pilih kode buku lain untuk izin ini, atau samakan pola dan yearly-nya",
        )


def read_requirements(r: Reader, data: Mapping[str, Any]) -> list[Requirement] | None:
    tables = r.table_list(data, (), "requirements", required=False)
    if tables is None:
        return None
    seen: set[str] = set()
    result: list[Requirement] = []
    ok = True
    for index, table in enumerate(tables):
        where: KeyPath = ("requirements", index)
        what = f"persyaratan ke-{index + 1}"
        r.unknown_keys(table, where, _REQUIREMENT_KEYS, what)
        code = r.text(table, where, "code", what=what)
        name = r.text(table, where, "name", what=what)
        mandatory = r.flag(table, where, "mandatory", default=True)
        renewal_only = r.flag(table, where, "renewal_only", default=False)
        if code is not None:
            if not IDENT.match(code):
                r.problem(
                    (*where, "code"),
                    f'kode persyaratan "{code}" tidak sah',
                    "gunakan huruf kecil, angka dan garis bawah, diawali huruf",
                )
                code = None
            elif code in seen:
                r.problem(
                    (*where, "code"),
                    f'kode persyaratan "{code}" dipakai dua kali',
                    "beri setiap persyaratan kode yang berbeda",
                )
                code = None
            else:
                seen.add(code)
        if code is None or name is None or mandatory is None or renewal_only is None:
            ok = False
            continue
        result.append(Requirement(code, name.strip(), mandatory, renewal_only))
    return result if ok else None
