"""Full-page documents after the Tata Naskah Dinas: letters, the permit, berita acara, SKRD.

Each renderer lays out one story on F4 (215 × 330 mm) or A4 with the kop on the first page.
A draft carries the "DRAF" watermark and the paraf box beside the signer; a final document (it
has a number and is not a draft) carries the QR code with its number beside it instead.
"""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table

from desktop_perizinan.documents import _layout as L
from desktop_perizinan.documents.contexts import (
    BeritaAcaraContext,
    LetterContext,
    LetterKind,
    OfficeProfile,
    SkrdContext,
    TeamMember,
)
from desktop_perizinan.documents.dates import format_date
from desktop_perizinan.documents.terbilang import format_rupiah
from desktop_perizinan.privacy import mask_nik

BODY_SIZE = 11.0
SIGN_WIDTH = 84 * mm
DOTS = "....................................."

_CLOSINGS = {
    LetterKind.PERMIT: "Demikian surat izin ini diberikan untuk dipergunakan sebagaimana mestinya.",
    LetterKind.REJECTION: "Demikian kami sampaikan, atas perhatian Saudara diucapkan terima kasih.",
    LetterKind.RECOMMENDATION_REQUEST: (
        "Demikian disampaikan, atas perhatian dan kerja samanya diucapkan terima kasih."
    ),
}


def _page(office: OfficeProfile) -> tuple[tuple[float, float], float]:
    pagesize = L.full_page(office.paper)
    m = L.LETTER_MARGINS
    return pagesize, pagesize[0] - m.left - m.right


def _number_line(label: str, number: str | None, st: L.Styles) -> Flowable:
    text = L.esc(number) if number else DOTS
    return L.markup(f"{label} : {text}", st.center)


def _titled(title: str, st: L.Styles) -> Flowable:
    return L.markup(f"<u>{L.esc(title)}</u>", st.title)


def _labelled_list(label: str, items: tuple[str, ...], st: L.Styles, width: float) -> Flowable:
    """ "Dasar : 1. ... 2. ..." with the list hanging beside the label; the same on every
    letter of the permit type, so laid out and drawn once (``_layout_frozen``)."""
    label_w = 28 * mm
    colon = 4 * mm

    def make() -> Table:
        return Table(
            [
                [
                    L.para(label, st.body),
                    L.para(":", st.body),
                    L.numbered(items, st, width - label_w - colon),
                ]
            ],
            colWidths=[label_w, colon, width - label_w - colon],
            style=L.tight_style(),
        )

    return L.frozen(("labelled_list", label, items, st.size, width), make)


def _foot(
    *,
    keep_with: list[Flowable] | None = None,
    draft: bool,
    final: bool,
    number: str | None,
    qr_payload: str | None,
    paraf: tuple[Any, ...],
    signature: list[Flowable],
    office: OfficeProfile,
    st: L.Styles,
    width: float,
) -> Flowable:
    """The signature block with the paraf box (draft) or the QR code (final) beside it."""
    left_w = width - SIGN_WIDTH - 6 * mm
    left: Any = None
    if draft:
        left = [
            L.markup("<b>Paraf koordinasi</b>", st.tiny),
            Spacer(1, 1 * mm),
            L.paraf_box(paraf, st, left_w, office.time_zone),
        ]
    elif final and qr_payload and number:
        left = L.qr_block(qr_payload, number, st, left_w, 26 * mm)
    return L.foot_row(left, signature, width, SIGN_WIDTH, keep_with=keep_with or ())


def _tembusan(items: tuple[str, ...], st: L.Styles, width: float) -> list[Flowable]:
    if not items:
        return []
    small = L.styles(BODY_SIZE - 1)
    block: list[Flowable] = [L.markup("<u>Tembusan</u>:", small.body)]
    if len(items) == 1:
        block.append(L.para(items[0], small.body))
    else:
        block.append(L.numbered(items, small, width * 0.7, gap=0.5))
    return [Spacer(1, 4 * mm), KeepTogether(block)]


def _permit_story(ctx: LetterContext, st: L.Styles, width: float) -> list[Flowable]:
    story: list[Flowable] = [
        _titled(ctx.title, st),
        _number_line("NOMOR", ctx.number, st),
        Spacer(1, 5 * mm),
    ]
    if ctx.considerations:
        story += [_labelled_list("Menimbang", ctx.considerations, st, width), Spacer(1, 3 * mm)]
    if ctx.legal_basis:
        story += [_labelled_list("Dasar", ctx.legal_basis, st, width), Spacer(1, 3 * mm)]
    story += L.body_paragraphs(ctx.body, st.justify, 3 * mm)
    if ctx.table:
        indent = 8 * mm
        table = L.kv_table(list(ctx.table), st, width - indent, 45 * mm)
        story += [
            L.tight_row(["", table], [indent, width - indent]),
            Spacer(1, 3 * mm),
        ]
    return story


def _letter_head(ctx: LetterContext, st: L.Styles, width: float) -> list[Flowable]:
    """Nomor / Sifat / Lampiran / Hal on the left, place and date on the right, then Yth."""
    right_w = 62 * mm
    left_w = width - right_w
    info = L.kv_table(
        [
            ("Nomor", ctx.number or DOTS),
            ("Sifat", ctx.sifat or "-"),
            ("Lampiran", ctx.lampiran or "-"),
            ("Hal", L.markup(f"<b>{L.esc(ctx.hal)}</b>", st.body)),
        ],
        st,
        left_w - 4 * mm,
        22 * mm,
        pad=0.5,
    )
    when = L.para(f"{ctx.place}, {L.date_text(ctx.date)}", st.right)
    story: list[Flowable] = [
        L.tight_row([info, when], [left_w, right_w]),
        Spacer(1, 6 * mm),
    ]
    if ctx.addressee:
        story += [_addressee(ctx.addressee, st, width * 0.7), Spacer(1, 6 * mm)]
    return story


def _addressee(lines: tuple[str, ...], st: L.Styles, width: float) -> Table:
    """ "Yth." with every following line (and a wrapped name) hanging after it; the line after
    "di" is indented once more, as the Tata Naskah Dinas writes "di / Tempat"."""
    first = lines[0].removeprefix("Yth.").strip()
    yth_w = 9 * mm
    rows: list[list[Any]] = [[L.para("Yth.", st.body), L.para(first, st.body)]]
    after_di = False
    for line in lines[1:]:
        text = L.esc(line)
        if after_di:
            text = "&nbsp;" * 6 + text
        rows.append(["", L.markup(text, st.body)])
        after_di = line.strip().lower() == "di"
    return Table(rows, colWidths=[yth_w, width - yth_w], style=L.tight_style(), hAlign="LEFT")


def render_letter(ctx: LetterContext) -> bytes:
    """Surat izin, surat penolakan or surat permintaan rekomendasi, as ``ctx.kind`` says."""
    st = L.styles(BODY_SIZE)
    pagesize, width = _page(ctx.office)
    story: list[Flowable] = L.kop(ctx.office, width)
    if ctx.kind == LetterKind.PERMIT:
        story += _permit_story(ctx, st, width)
        place, day = ctx.place, L.date_text(ctx.date)
        # the same on every permit signed that day: laid out and drawn once (_layout_frozen)
        lead = [
            L.frozen(
                ("permit-lead", place, day, BODY_SIZE),
                lambda: L.kv_table(
                    [("Ditetapkan di", place), ("pada tanggal", day)],
                    st,
                    SIGN_WIDTH,
                    28 * mm,
                    pad=0,
                ),
            ),
            Spacer(1, 2 * mm),
        ]
    else:
        story += _letter_head(ctx, st, width)
        body = L.body_paragraphs(ctx.body, st.justify, 3 * mm)
        story += body
        if ctx.table:
            indent = 8 * mm
            table = L.kv_table(list(ctx.table), st, width - indent, 40 * mm)
            story += [
                L.tight_row(["", table], [indent, width - indent]),
                Spacer(1, 3 * mm),
            ]
        lead = []
    closing = _CLOSINGS[ctx.kind] if ctx.closing is None else ctx.closing
    keep: list[Flowable] = []
    if closing:
        keep = [L.para(closing, st.justify), Spacer(1, 5 * mm)]
    signature = L.signature_block(
        ctx.signatory, st, lead=lead, e_signed_by=ctx.e_signed_by, tte_marker=ctx.tte_marker
    )
    story.append(
        _foot(
            keep_with=keep,
            draft=ctx.draft,
            final=ctx.is_final,
            number=ctx.number,
            qr_payload=ctx.qr_payload,
            paraf=ctx.paraf,
            signature=signature,
            office=ctx.office,
            st=st,
            width=width,
        )
    )
    story += _tembusan(ctx.tembusan, st, width)
    title = ctx.title or ctx.hal or "Surat"
    if ctx.number:
        title = f"{title} {ctx.number}"
    return L.build_pdf(
        story,
        pagesize,
        L.LETTER_MARGINS,
        title=title,
        author=ctx.office.office_name,
        draft=ctx.draft,
    )


# ------------------------------------------------------------------------------ berita acara


def render_berita_acara(ctx: BeritaAcaraContext) -> bytes:
    """Berita acara peninjauan lapangan, signed by every member of the technical team."""
    st = L.styles(BODY_SIZE)
    pagesize, width = _page(ctx.office)
    story: list[Flowable] = L.kop(ctx.office, width)
    story += [
        _titled("BERITA ACARA PENINJAUAN LAPANGAN", st),
        _number_line("Nomor", ctx.number, st),
        Spacer(1, 6 * mm),
        L.para(
            f"Pada hari ini {format_date(ctx.date, with_day=True)}, kami Tim Teknis yang "
            f"bertanda tangan di bawah ini telah melakukan peninjauan lapangan atas permohonan "
            f"{ctx.permit_type} dengan nomor registrasi {ctx.case_reference}, dengan data "
            "sebagai berikut:",
            st.justify,
        ),
        Spacer(1, 2 * mm),
    ]
    rows: list[tuple[str, Any]] = [("Nama pemohon", ctx.applicant.name)]
    if ctx.applicant.nik:
        # Masked: the Tim Teknis inspect a place, not a person's identity (UU PDP; README).
        rows.append(("NIK", mask_nik(ctx.applicant.nik)))
    if ctx.subject:
        rows.append(("Objek peninjauan", ctx.subject))
    rows.append(("Lokasi", ctx.location))
    indent = 8 * mm
    story += [
        L.tight_row(["", L.kv_table(rows, st, width - indent, 40 * mm)], [indent, width - indent]),
        Spacer(1, 4 * mm),
        L.markup("<b>Hasil peninjauan:</b>", st.body),
        Spacer(1, 1.5 * mm),
        L.numbered(ctx.findings, st, width),
        Spacer(1, 3 * mm),
        L.markup("<b>Kesimpulan:</b>", st.body),
        Spacer(1, 1.5 * mm),
        L.para(ctx.conclusion, st.justify),
        Spacer(1, 3 * mm),
        L.para(
            "Demikian berita acara ini dibuat dengan sebenarnya untuk dipergunakan "
            "sebagaimana mestinya.",
            st.justify,
        ),
        Spacer(1, 5 * mm),
    ]
    when = f"{ctx.place or ctx.office.city}, {format_date(ctx.date)}"
    # the same on every report of the day, and the same team signs many: laid out and drawn
    # once (_layout_frozen)
    head = L.frozen(
        ("berita-acara-head", when, width, BODY_SIZE),
        lambda: L.tight_row(
            ["", [L.para(when, st.body), L.para("Tim Teknis,", st.body)]],
            [width - SIGN_WIDTH, SIGN_WIDTH],
        ),
    )
    team = L.frozen(
        ("berita-acara-team", ctx.team, width, BODY_SIZE), lambda: _team_table(ctx.team, width)
    )
    story.append(KeepTogether([head, Spacer(1, 3 * mm), team]))
    if ctx.is_final and ctx.qr_payload and ctx.number:
        story += [
            Spacer(1, 6 * mm),
            L.qr_block(ctx.qr_payload, ctx.number, st, width * 0.6, 26 * mm),
        ]
    title = "Berita acara peninjauan lapangan" + (f" {ctx.number}" if ctx.number else "")
    return L.build_pdf(
        story,
        pagesize,
        L.LETTER_MARGINS,
        title=title,
        author=ctx.office.office_name,
        draft=ctx.draft,
    )


def _team_table(team: tuple[TeamMember, ...], width: float) -> Table:
    """The technical team's table on a berita acara: name, NIP, title, role, a signature place."""
    cell = L.styles(BODY_SIZE - 0.5)
    header = [
        L.markup(f"<b>{h}</b>", cell.cell_center)
        for h in ("No", "Nama / NIP", "Jabatan / Instansi", "Kedudukan", "Tanda tangan")
    ]
    table_rows: list[list[Any]] = [header]
    for i, member in enumerate(team, 1):
        who: list[Flowable] = [L.markup(f"<b>{L.esc(member.name)}</b>", cell.cell)]
        if member.nip:
            who.append(L.para(f"NIP. {member.nip}", cell.cell))
        # staggered signature places, as on paper: odd rows left, even rows right
        mark = f"{i}. ............" if i % 2 else f"{'&nbsp;' * 14}{i}. ............"
        table_rows.append(
            [
                L.para(str(i), cell.cell_center),
                who,
                L.para(member.title or "-", cell.cell),
                L.para(member.role, cell.cell_center),
                L.markup(mark, cell.cell),
            ]
        )
    widths = [9 * mm, width * 0.34, width * 0.27, 22 * mm]
    widths.append(width - sum(widths))
    return Table(
        table_rows,
        colWidths=widths,
        repeatRows=1,
        style=L.grid_style(
            extra=[
                ("VALIGN", (0, 1), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 1), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 1), (-1, -1), 6),
            ]
        ),
    )


# -------------------------------------------------------------------------------------- SKRD


def render_skrd(ctx: SkrdContext) -> bytes:
    """Surat Ketetapan Retribusi Daerah: the amount due, in figures and in words."""
    st = L.styles(BODY_SIZE)
    cell = L.styles(BODY_SIZE - 0.5)
    pagesize, width = _page(ctx.office)
    story: list[Flowable] = L.kop(ctx.office, width)
    story += [
        L.markup("SURAT KETETAPAN RETRIBUSI DAERAH", st.title),
        L.markup("(SKRD)", st.center_bold),
        _number_line("Nomor", ctx.number, st),
        Spacer(1, 5 * mm),
    ]
    rows: list[tuple[str, Any]] = [
        ("Nama", ctx.applicant.name),
        ("Alamat", ctx.applicant.address or "-"),
    ]
    if ctx.npwrd:
        rows.append(("NPWRD", ctx.npwrd))
    if ctx.registration_number:
        rows.append(("Nomor registrasi", ctx.registration_number))
    rows.append(("Jenis retribusi", ctx.retribution))
    if ctx.period:
        rows.append(("Masa retribusi", ctx.period))
    rows.append(("Tanggal penetapan", format_date(ctx.date)))
    rows.append(("Jatuh tempo", L.markup(f"<b>{format_date(ctx.due_date)}</b>", st.body)))
    story += [L.kv_table(rows, st, width, 40 * mm), Spacer(1, 5 * mm)]

    header = [
        L.markup(f"<b>{h}</b>", cell.cell_center)
        for h in ("No", "Kode rekening", "Uraian retribusi", "Jumlah (Rp)")
    ]
    item_rows: list[list[Any]] = [header]
    for i, (label, amount) in enumerate(ctx.items, 1):
        item_rows.append(
            [
                L.para(str(i), cell.cell_center),
                L.para(ctx.account_code or "-", cell.cell_center),
                L.para(label, cell.cell),
                L.para(format_rupiah(amount).removeprefix("Rp "), cell.cell_right),
            ]
        )
    item_rows.append(
        [
            "",
            "",
            L.markup("<b>Jumlah ketetapan retribusi</b>", cell.cell),
            L.markup(f"<b>{format_rupiah(ctx.amount).removeprefix('Rp ')}</b>", cell.cell_right),
        ]
    )
    widths = [10 * mm, 34 * mm, 0.0, 34 * mm]
    widths[2] = width - sum(widths)
    last = len(item_rows) - 1
    story += [
        Table(
            item_rows,
            colWidths=widths,
            repeatRows=1,
            style=L.grid_style(
                extra=[
                    ("SPAN", (0, last), (1, last)),
                    ("BACKGROUND", (0, last), (-1, last), L.LIGHT),
                ]
            ),
        ),
        Spacer(1, 3 * mm),
        Table(
            [
                [
                    L.markup("<b>Dengan huruf:</b>", st.body),
                    L.markup(f"<b><i>{L.esc(ctx.amount_in_words)}</i></b>", st.body),
                ]
            ],
            colWidths=[32 * mm, width - 32 * mm],
            style=L.grid_style(
                header_rows=0,
                extra=[
                    ("BOX", (0, 0), (-1, -1), 0.8, L.RULE),
                    ("TOPPADDING", (0, 0), (-1, -1), 4),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ],
            ),
        ),
        Spacer(1, 5 * mm),
        L.markup("<b>PERHATIAN:</b>", st.small),
        Spacer(1, 1 * mm),
    ]
    notes = [
        ctx.payment_note
        or "Pembayaran dilakukan di Kas Daerah atau bank yang ditunjuk dengan "
        "menyebutkan nomor SKRD ini.",
        f"Pembayaran paling lambat tanggal {format_date(ctx.due_date)}.",
        "Keterlambatan pembayaran dikenakan sanksi administratif sesuai dengan peraturan "
        "daerah yang berlaku.",
    ]
    story += [
        L.numbered(tuple(notes), L.styles(BODY_SIZE - 1.5), width, gap=0.5),
        Spacer(1, 6 * mm),
    ]
    lead = [L.para(f"{ctx.office.city}, {format_date(ctx.date)}", st.body)]
    signature = L.signature_block(ctx.signatory, st, lead=lead)
    story.append(
        _foot(
            draft=ctx.draft,
            final=ctx.is_final,
            number=ctx.number,
            qr_payload=ctx.qr_payload,
            paraf=(),
            signature=signature,
            office=ctx.office,
            st=st,
            width=width,
        )
    )
    title = "SKRD" + (f" {ctx.number}" if ctx.number else "")
    return L.build_pdf(
        story,
        pagesize,
        L.LETTER_MARGINS,
        title=title,
        author=ctx.office.office_name,
        draft=ctx.draft,
    )
