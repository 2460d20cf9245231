"""The data subject's report (UU 27/2022 Ps 32): everything the office holds about one person
and what was done with it, as one PDF handed to the person who asked.

Two stages as every document here: :class:`PdpReportContext` is plain data (built and tested by
``services.pdp_report``), :func:`render_pdp_report` lays it out with the office's kop. The NIK
prints in full: the report goes to the person it is about, who showed their KTP to ask.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from desktop_perizinan.documents.contexts import OfficeProfile
from desktop_perizinan.documents.dates import format_datetime

if TYPE_CHECKING:
    from reportlab.platypus import Flowable

    from desktop_perizinan.documents import _layout

# reportlab is imported when a report is rendered, not when the services start (start-up
# time): the context classes above are all the services need to import.


@dataclass(frozen=True)
class PdpApplicant:
    name: str
    nik: str
    address: str
    phone: str
    email: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class PdpCase:
    reference: str
    permit_name: str
    status: str
    received_at: datetime
    closed_at: datetime | None
    permit_number: str | None
    fields: tuple[tuple[str, str], ...]  # (label, value) as the applicant gave them


@dataclass(frozen=True)
class PdpAttachment:
    case_reference: str
    file_name: str
    kind: str
    uploaded_at: datetime


@dataclass(frozen=True)
class PdpDocument:
    case_reference: str
    title: str
    number: str | None
    status: str
    created_at: datetime


@dataclass(frozen=True)
class PdpEvent:
    """One line of the processing history (an audit entry about this person)."""

    at: datetime
    who: str
    activity: str
    case_reference: str
    detail: str
    pc: str


@dataclass(frozen=True)
class PdpReportContext:
    office: OfficeProfile
    made_at: datetime
    made_by: str
    applicant: PdpApplicant
    cases: tuple[PdpCase, ...]
    attachments: tuple[PdpAttachment, ...]
    documents: tuple[PdpDocument, ...]
    events: tuple[PdpEvent, ...]
    retention_text: str  # how long the office keeps the data, in words


def _section(title: str, st: _layout.Styles) -> list[Flowable]:
    from reportlab.lib.units import mm
    from reportlab.platypus import Spacer

    from desktop_perizinan.documents import _layout as L

    return [Spacer(1, 4 * mm), L.markup(f"<b>{L.esc(title)}</b>", st.body), Spacer(1, 1.5 * mm)]


def _grid(
    header: list[str], rows: list[list[str]], widths: list[float], st: _layout.Styles
) -> Flowable:
    from reportlab.platypus import Table

    from desktop_perizinan.documents import _layout as L

    if not rows:
        return L.para("Tidak ada.", st.small)
    data: list[list[Any]] = [[L.para(h, st.cell_bold) for h in header]]
    data += [[L.para(value, st.cell) for value in row] for row in rows]
    return Table(data, colWidths=widths, repeatRows=1, style=L.grid_style())


def render_pdp_report(ctx: PdpReportContext) -> bytes:
    """The report on full pages (F4 or A4 per the office profile), kop on the first page."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Spacer

    from desktop_perizinan.documents import _layout as L

    st = L.styles(10.0)
    pagesize = L.full_page(ctx.office.paper)
    m = L.LETTER_MARGINS
    width = pagesize[0] - m.left - m.right
    zone = ctx.office.time_zone
    a = ctx.applicant

    def when(dt: datetime | None) -> str:
        return format_datetime(dt, zone=zone) if dt else "-"

    def short(dt: datetime) -> str:
        """Table cells: 02-11-2026 07.45 (a number, a book or a time never wraps)."""
        return f"{dt:%d-%m-%Y %H.%M}"

    gst = L.styles(9.0)  # the tables: 8 pt cells

    story: list[Flowable] = L.kop(ctx.office, width)
    story += [
        L.markup("LAPORAN DATA PRIBADI DAN RIWAYAT PEMROSESANNYA", st.title),
        L.para(
            "Pemenuhan hak subjek data pribadi, Pasal 32 Undang-Undang Nomor 27 Tahun 2022 "
            "tentang Pelindungan Data Pribadi",
            st.small_center,
        ),
        Spacer(1, 4 * mm),
        L.kv_table(
            [
                ("Dibuat", when(ctx.made_at)),
                ("Oleh", ctx.made_by),
                ("Masa simpan", ctx.retention_text),
            ],
            st,
            width,
            32 * mm,
            value_style=st.small,
            label_style=st.small,
        ),
    ]
    story += _section("1. Data pemohon yang disimpan", st)
    story.append(
        L.kv_table(
            [
                ("Nama", a.name),
                ("NIK", a.nik),
                ("Alamat", a.address or "-"),
                ("Telepon", a.phone or "-"),
                ("Surel", a.email or "-"),
                ("Pertama dicatat", when(a.created_at)),
                ("Terakhir diubah", when(a.updated_at)),
            ],
            st,
            width,
            32 * mm,
        )
    )
    story += _section(f"2. Permohonan ({len(ctx.cases)})", st)
    if not ctx.cases:
        story.append(L.para("Tidak ada.", st.small))
    for case in ctx.cases:
        story.append(Spacer(1, 1.5 * mm))
        story.append(L.para(f"{case.reference} — {case.permit_name}", st.small_bold))
        rows = [
            ("Status", case.status),
            ("Diterima", when(case.received_at)),
            ("Selesai", when(case.closed_at)),
            ("Nomor izin", case.permit_number or "-"),
            *case.fields,
        ]
        story.append(
            L.kv_table(rows, st, width, 48 * mm, value_style=st.small, label_style=st.small)
        )
    story += _section(f"3. Lampiran yang disimpan ({len(ctx.attachments)})", st)
    story.append(
        _grid(
            ["Permohonan", "Nama berkas", "Jenis", "Diunggah"],
            [
                [x.case_reference, x.file_name, x.kind, short(x.uploaded_at)]
                for x in ctx.attachments
            ],
            [width * w for w in (0.17, 0.55, 0.1, 0.18)],
            gst,
        )
    )
    story += _section(f"4. Dokumen yang diterbitkan ({len(ctx.documents)})", st)
    story.append(
        _grid(
            ["Permohonan", "Dokumen", "Nomor", "Status", "Tanggal"],
            [
                [d.case_reference, d.title, d.number or "-", d.status, short(d.created_at)]
                for d in ctx.documents
            ],
            [width * w for w in (0.17, 0.3, 0.26, 0.09, 0.18)],
            gst,
        )
    )
    story += _section(f"5. Riwayat pemrosesan ({len(ctx.events)} kegiatan)", st)
    story.append(
        L.para(
            "Siapa melihat, mengubah, mencetak atau mengekspor data di atas, kapan, dan dari "
            "komputer mana, menurut log audit kantor (berantai hash, diperiksa dengan "
            "'perizinan audit verify').",
            st.small,
        )
    )
    story.append(Spacer(1, 1.5 * mm))
    story.append(
        _grid(
            [f"Waktu ({zone})", "Petugas", "Kegiatan", "Permohonan", "Keterangan", "Komputer"],
            [
                [short(e.at), e.who, e.activity, e.case_reference or "-", e.detail or "-", e.pc]
                for e in ctx.events
            ],
            [width * w for w in (0.16, 0.17, 0.19, 0.16, 0.22, 0.10)],
            gst,
        )
    )
    story += [
        Spacer(1, 5 * mm),
        L.para(
            "Subjek data berhak meminta pembetulan data yang tidak akurat, penghapusan setelah "
            "masa simpan berakhir, dan penjelasan atas pemrosesan di atas. Permintaan diajukan "
            "ke loket kantor; jawaban paling lambat 3 × 24 jam.",
            st.small,
        ),
    ]
    return L.build_pdf(
        story,
        pagesize,
        m,
        title=f"Laporan data pribadi {a.name}",
        author=ctx.office.office_name,
    )
