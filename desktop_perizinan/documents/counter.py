"""Counter slips: the resi, the klarifikasi berkas and the tanda terima penyerahan.

They are printed at the counter while the applicant waits, so they fit on half a sheet (two per
F4/A4 sheet, landscape) or on an 80 mm thermal roll whose length follows the content.
"""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table

from desktop_perizinan.documents import _layout as L
from desktop_perizinan.documents.contexts import (
    KlarifikasiContext,
    OfficeProfile,
    ResiContext,
    TandaTerimaContext,
)
from desktop_perizinan.documents.dates import format_date, format_datetime, format_time


def _build_slip(
    office: OfficeProfile,
    story: list[Flowable],
    *,
    title: str,
    thermal: bool,
) -> bytes:
    """Half sheet, or a roll exactly as long as the story."""
    if thermal:
        m = L.THERMAL_MARGINS
        width = L.THERMAL_WIDTH - m.left - m.right
        height = L.measure(story, width) + m.top + m.bottom + 4 * mm
        return L.build_pdf(
            story,
            (L.THERMAL_WIDTH, height),
            m,
            title=title,
            author=office.office_name,
            page_numbers=False,
        )
    return L.build_pdf(
        story, L.half_page(office.paper), L.HALF_MARGINS, title=title, author=office.office_name
    )


def _half_width(office: OfficeProfile) -> float:
    return L.half_page(office.paper)[0] - L.HALF_MARGINS.left - L.HALF_MARGINS.right


def _sign_cell(caption: str, name: str, st: L.Styles, space: float) -> list[Flowable]:
    return [
        L.para(caption, st.small),
        Spacer(1, space),
        L.markup(f"<b><u>{L.esc(name) or '....................'}</u></b>", st.small),
    ]


# ---------------------------------------------------------------------------------------- resi


def _checklist_table(items: tuple[tuple[str, bool], ...], st: L.Styles, width: float) -> Flowable:
    """The requirements with what was received; most files of a type bring the same list, so
    it is laid out and drawn once per list (``_layout_frozen``)."""
    return L.frozen(
        ("checklist", tuple(items), st.size, width), lambda: _checklist(items, st, width)
    )


def _checklist(items: tuple[tuple[str, bool], ...], st: L.Styles, width: float) -> Table:
    rows: list[list[Any]] = [
        [
            L.markup("<b>No</b>", st.cell_center),
            L.markup("<b>Persyaratan</b>", st.cell),
            L.markup("<b>Keterangan</b>", st.cell_center),
        ]
    ]
    for i, (name, received) in enumerate(items, 1):
        rows.append(
            [
                L.para(str(i), st.cell_center),
                L.para(name, st.cell),
                L.markup("Ada" if received else "<b>Belum ada</b>", st.cell_center),
            ]
        )
    no_w, mark_w = 9 * mm, 22 * mm
    return Table(
        rows,
        colWidths=[no_w, width - no_w - mark_w, mark_w],
        repeatRows=1,
        style=L.grid_style(extra=[("TOPPADDING", (0, 0), (-1, -1), 1.2)]),
    )


def _resi_rows(ctx: ResiContext) -> list[tuple[str, Any]]:
    zone = ctx.office.time_zone
    a = ctx.applicant
    rows: list[tuple[str, Any]] = [
        ("Jenis izin", ctx.permit_type),
        (a.name_label, a.name),
        ("NIK", a.nik or "-"),
        (a.address_label, a.address or "-"),
        ("Telepon", a.phone or "-"),
        ("Diterima", format_datetime(ctx.received_at, with_day=True, zone=zone)),
        (
            "Perkiraan selesai",
            format_datetime(ctx.due_at, with_day=True, zone=zone) if ctx.due_at else "-",
        ),
        ("Biaya", ctx.fee_text),
        ("Saluran", ctx.channel),
    ]
    return rows


def render_resi(ctx: ResiContext) -> bytes:
    """The receipt (resi penerimaan berkas): half sheet or thermal roll per the office setting.

    On the half sheet the QR code and the clerk's signature share the right-hand column, so
    that a five-requirement checklist still fits on half an A4 sheet (148 mm).
    """
    if ctx.office.resi_format == "thermal":
        return _resi_thermal(ctx)
    st = L.styles(9.0)
    width = _half_width(ctx.office)
    right_w = 48 * mm
    left_w = width - right_w - 4 * mm
    story: list[Flowable] = L.kop(ctx.office, width, scale=0.58)
    story.append(L.markup("RESI PENERIMAAN BERKAS PERMOHONAN", st.title))
    story.append(Spacer(1, 2 * mm))

    number = L.markup(f"<b>{L.esc(ctx.registration_number)}</b>", st.bold)
    info = L.kv_table(
        [("Nomor registrasi", number), *_resi_rows(ctx)], st, left_w, 29 * mm, pad=0.7
    )
    right: list[Flowable] = []
    if ctx.qr_payload:
        right += [
            L.QrCode(ctx.qr_payload, 28 * mm),
            L.para(ctx.registration_number, st.cell_center),
            L.markup("Pindai untuk melihat status permohonan", st.tiny_center),
            Spacer(1, 2 * mm),
        ]
    right += [
        L.para(f"{ctx.office.city}, {format_date(ctx.received_at)}", st.small_center),
        L.para("Petugas penerima,", st.small_center),
        Spacer(1, 8 * mm),
        L.markup(f"<b><u>{L.esc(ctx.clerk)}</u></b>", st.small_center),
    ]
    story.append(
        L.tight_row([info, "", right], [left_w, 4 * mm, right_w], align=["LEFT", "LEFT", "CENTER"])
    )
    story.append(Spacer(1, 2 * mm))
    story.append(L.markup("<b>Kelengkapan berkas</b>", st.small))
    story.append(Spacer(1, 1 * mm))
    story.append(_checklist_table(ctx.checklist, st, width))
    story.append(Spacer(1, 1.5 * mm))
    note = ctx.note or (
        "Simpan resi ini dan tunjukkan saat mengambil dokumen. Tanggal selesai dihitung "
        "dalam hari kerja sesuai standar pelayanan."
    )
    story.append(L.para(note, st.tiny))
    return _build_slip(ctx.office, story, title=f"Resi {ctx.registration_number}", thermal=False)


def _thermal_pairs(rows: list[tuple[str, Any]], st: L.Styles) -> list[Flowable]:
    """Label above value: an 80 mm roll has no room for two columns of long names."""
    out: list[Flowable] = []
    for label, value in rows:
        out.append(L.para(label, st.tiny))
        out.append(L.para(value, st.body) if isinstance(value, str) else value)
        out.append(Spacer(1, 0.8 * mm))
    return out


def _resi_thermal(ctx: ResiContext) -> bytes:
    st = L.styles(8.5)
    width = L.THERMAL_WIDTH - L.THERMAL_MARGINS.left - L.THERMAL_MARGINS.right
    story: list[Flowable] = L.kop_text_only(ctx.office, st)
    story += [
        L.markup("RESI PENERIMAAN BERKAS", st.center_bold),
        L.markup(f"<b>{L.esc(ctx.registration_number)}</b>", st.title),
        Spacer(1, 2 * mm),
    ]
    story += _thermal_pairs(_resi_rows(ctx), st)
    story += [L.HRule(), Spacer(1, 1.5 * mm), L.markup("<b>Kelengkapan berkas</b>", st.small)]
    for name, received in ctx.checklist:
        mark = "[Ada]" if received else "[Belum ada]"
        story.append(L.markup(f"{mark} {L.esc(name)}", st.small))
    story += [Spacer(1, 2 * mm), L.HRule(), Spacer(1, 2 * mm)]
    if ctx.qr_payload:
        qr = L.tight_row([L.QrCode(ctx.qr_payload, 38 * mm)], [width], align="CENTER")
        story += [qr, L.para(ctx.registration_number, st.center), Spacer(1, 2 * mm)]
    story += [
        L.para(f"Petugas: {ctx.clerk}", st.small),
        L.para(ctx.note or "Simpan resi ini dan tunjukkan saat mengambil dokumen.", st.tiny),
    ]
    return _build_slip(ctx.office, story, title=f"Resi {ctx.registration_number}", thermal=True)


# --------------------------------------------------------------------------------- klarifikasi


def render_klarifikasi(ctx: KlarifikasiContext) -> bytes:
    """Klarifikasi berkas: what the applicant must still bring, signed by both sides."""
    thermal = ctx.office.resi_format == "thermal"
    st = L.styles(8.5 if thermal else 9.0)
    if thermal:
        width = L.THERMAL_WIDTH - L.THERMAL_MARGINS.left - L.THERMAL_MARGINS.right
        story: list[Flowable] = L.kop_text_only(ctx.office, st)
        story.append(L.markup("KLARIFIKASI KELENGKAPAN BERKAS", st.center_bold))
    else:
        width = _half_width(ctx.office)
        story = L.kop(ctx.office, width, scale=0.62)
        story.append(L.markup("KLARIFIKASI KELENGKAPAN BERKAS", st.title))
    story.append(Spacer(1, 2.5 * mm))
    a = ctx.applicant
    rows: list[tuple[str, Any]] = [
        ("Nomor referensi", L.markup(f"<b>{L.esc(ctx.case_reference)}</b>", st.body)),
        ("Tanggal", format_datetime(ctx.date, with_day=True, zone=ctx.office.time_zone)),
        ("Jenis izin", ctx.permit_type),
        (a.name_label, a.name),
        ("NIK", a.nik or "-"),
        (a.address_label, a.address or "-"),
    ]
    if a.phone:
        rows.append(("Telepon", a.phone))
    if thermal:
        story += _thermal_pairs(rows, st)
    else:
        story.append(L.kv_table(rows, st, width, 29 * mm, pad=0.8))
    story.append(Spacer(1, 2 * mm))
    story.append(
        L.para(
            "Berkas permohonan Saudara belum dapat kami terima karena persyaratan berikut "
            "belum ada atau belum sesuai:",
            st.body if thermal else st.justify,
        )
    )
    story.append(Spacer(1, 1.5 * mm))
    if thermal:
        for i, name in enumerate(ctx.missing, 1):
            story.append(L.para(f"{i}. {name}", st.small))
    else:
        rows_missing: list[list[Any]] = [
            [L.markup("<b>No</b>", st.cell_center), L.markup("<b>Persyaratan</b>", st.cell)]
        ]
        rows_missing += [
            [L.para(str(i), st.cell_center), L.para(name, st.cell)]
            for i, name in enumerate(ctx.missing, 1)
        ]
        story.append(
            Table(
                rows_missing,
                colWidths=[9 * mm, width - 9 * mm],
                repeatRows=1,
                style=L.grid_style(extra=[("TOPPADDING", (0, 0), (-1, -1), 1.2)]),
            )
        )
    story.append(Spacer(1, 2 * mm))
    if ctx.note:
        story.append(L.markup(f"<b>Catatan petugas:</b> {L.esc(ctx.note)}", st.small))
        story.append(Spacer(1, 1.5 * mm))
    if ctx.received:
        story.append(
            L.markup("<b>Sudah diserahkan:</b> " + L.esc("; ".join(ctx.received)) + ".", st.tiny)
        )
        story.append(Spacer(1, 1.5 * mm))
    story.append(
        L.para(
            "Mohon lengkapi persyaratan tersebut lalu serahkan kembali berkas ke loket "
            "dengan membawa lembar klarifikasi ini.",
            st.small,
        )
    )
    story.append(Spacer(1, 3 * mm))
    applicant_sign = _sign_cell("Pemohon,", a.name, st, 9 * mm)
    clerk_sign = _sign_cell(
        f"{ctx.office.city}, {format_date(ctx.date)}\nPetugas,", ctx.clerk, st, 9 * mm
    )
    if thermal:
        story += [*clerk_sign, Spacer(1, 3 * mm), *applicant_sign]
    else:
        col = 70 * mm
        story.append(
            KeepTogether(
                [
                    L.tight_row(
                        [applicant_sign, "", clerk_sign],
                        [col, width - 2 * col, col],
                        valign="BOTTOM",
                    )
                ]
            )
        )
    return _build_slip(
        ctx.office, story, title=f"Klarifikasi {ctx.case_reference}", thermal=thermal
    )


# -------------------------------------------------------------------------------- tanda terima


def render_tanda_terima(ctx: TandaTerimaContext) -> bytes:
    """Tanda terima penyerahan dokumen (half sheet): the proof kept in the expedition book."""
    st = L.styles(9.5)
    width = _half_width(ctx.office)
    story: list[Flowable] = L.kop(ctx.office, width, scale=0.62)
    story.append(L.markup("TANDA TERIMA PENYERAHAN DOKUMEN", st.title))
    story.append(Spacer(1, 3 * mm))
    when = ctx.date
    story.append(
        L.para(
            f"Pada hari ini {format_date(when, with_day=True)} pukul {format_time(when)} "
            f"{ctx.office.time_zone}, telah diserahkan dokumen berikut:",
            st.justify,
        )
    )
    story.append(Spacer(1, 1.5 * mm))
    doc_rows: list[tuple[str, Any]] = [
        ("Nomor dokumen", L.markup(f"<b>{L.esc(ctx.document_number)}</b>", st.body)),
        ("Perihal", ctx.document_title),
    ]
    if ctx.registration_number:
        doc_rows.append(("Nomor registrasi", ctx.registration_number))
    story.append(L.kv_table(doc_rows, st, width, 34 * mm, pad=0.8))
    story.append(Spacer(1, 1.5 * mm))
    story.append(L.para("kepada:", st.body))
    story.append(Spacer(1, 1 * mm))
    who: list[tuple[str, Any]] = [("Nama penerima", ctx.recipient_name)]
    if ctx.recipient_note:
        who.append(("Keterangan", ctx.recipient_note))
    story.append(L.kv_table(who, st, width, 34 * mm, pad=0.8))
    story.append(Spacer(1, 4 * mm))

    col = 58 * mm
    qr_cell: Any = ""
    qr_w = width - 2 * col - 4 * mm
    if ctx.qr_payload:
        qr_cell = L.qr_block(ctx.qr_payload, ctx.document_number, st, qr_w, 24 * mm)
    foot = L.tight_row(
        [
            qr_cell,
            "",
            _sign_cell("Yang menyerahkan,\nPetugas", ctx.officer, st, 14 * mm),
            _sign_cell("Yang menerima,\n", ctx.recipient_name, st, 14 * mm),
        ],
        [qr_w, 4 * mm, col, col],
        valign="BOTTOM",
    )
    story.append(KeepTogether([foot]))
    return _build_slip(
        ctx.office, story, title=f"Tanda terima {ctx.document_number}", thermal=False
    )


__all__ = ["render_klarifikasi", "render_resi", "render_tanda_terima"]
