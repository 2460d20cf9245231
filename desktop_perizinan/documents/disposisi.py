"""Lembar disposisi: the half-folio form that travels with the file to the back office.

The form prints every standard choice with a tick box, as the paper forms do, so a reader sees
at once what was *not* asked as well as what was.
"""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table

from desktop_perizinan.documents import _layout as L
from desktop_perizinan.documents.contexts import (
    SIFAT_CHOICES,
    STANDARD_INSTRUCTIONS,
    DisposisiContext,
)
from desktop_perizinan.documents.dates import format_date


def render_disposisi(ctx: DisposisiContext) -> bytes:
    """The lembar disposisi on half a sheet (landscape), F4 or A4 per the office profile."""
    st = L.styles(9.0)
    pagesize = L.half_page(ctx.office.paper)
    m = L.HALF_MARGINS
    width = pagesize[0] - m.left - m.right
    story: list[Flowable] = L.kop(ctx.office, width, scale=0.62)
    story.append(L.markup("LEMBAR DISPOSISI", st.title))
    story.append(Spacer(1, 2.5 * mm))

    label_w = 27 * mm
    value_w = width / 2 - label_w

    def label(text: str) -> Any:
        return L.para(text, st.cell_bold)

    def value(text: str) -> Any:
        return L.para(text, st.cell)

    sifat = L.choices([(s, s == ctx.sifat) for s in SIFAT_CHOICES], st.cell, value_w - 6, 2)
    chosen = list(ctx.instructions)
    options = [(text, text in chosen) for text in STANDARD_INSTRUCTIONS]
    options += [(text, True) for text in chosen if text not in STANDARD_INSTRUCTIONS]
    instructions = L.choices(options, st.cell, width / 2 - 6, 2)
    recipients: list[Any] = [
        L.para(f"{i}. {name}", st.cell) for i, name in enumerate(ctx.to, 1)
    ] or [value("-")]

    rows: list[list[Any]] = [
        [
            label("Surat dari"),
            value(ctx.letter_from),
            label("Diterima tanggal"),
            value(format_date(ctx.received_date)),
        ],
        [
            label("Nomor surat"),
            value(ctx.letter_number),
            label("Nomor agenda"),
            value(ctx.agenda_number),
        ],
        [label("Tanggal surat"), value(format_date(ctx.letter_date)), label("Sifat"), sifat],
        [label("Hal"), value(ctx.hal), "", ""],
        [
            [label("Diteruskan kepada Sdr.:"), Spacer(1, 1 * mm), *recipients],
            "",
            [label("Dengan hormat harap:"), Spacer(1, 1 * mm), instructions],
            "",
        ],
        [[label("Catatan:"), Spacer(1, 1 * mm), value(ctx.notes or "-")], "", "", ""],
    ]
    grid = Table(
        rows,
        colWidths=[label_w, value_w, label_w, value_w],
        style=L.grid_style(
            header_rows=0,
            extra=[
                ("SPAN", (1, 3), (3, 3)),
                ("SPAN", (0, 4), (1, 4)),
                ("SPAN", (2, 4), (3, 4)),
                ("SPAN", (0, 5), (3, 5)),
                ("BACKGROUND", (0, 0), (0, 3), L.LIGHT),
                ("BACKGROUND", (2, 0), (2, 2), L.LIGHT),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
            ],
        ),
    )
    story.append(grid)
    story.append(Spacer(1, 3 * mm))

    sign = [
        L.para(f"{ctx.office.city}, {format_date(ctx.date)}", st.small),
        L.para(f"{ctx.disposer_title},", st.small),
        Spacer(1, 10 * mm),
        L.markup(f"<b><u>{L.esc(ctx.disposer_name)}</u></b>", st.small),
    ]
    left: Any = ""
    right_w = 72 * mm
    if ctx.qr_payload:
        left = L.qr_block(ctx.qr_payload, ctx.letter_number, st, width - right_w - 10 * mm, 22 * mm)
    story.append(
        KeepTogether(
            [
                L.tight_row(
                    [left, "", sign],
                    [width - right_w - 6 * mm, 6 * mm, right_w],
                    valign="BOTTOM",
                )
            ]
        )
    )
    return L.build_pdf(
        story,
        pagesize,
        m,
        title=f"Lembar disposisi {ctx.letter_number}",
        author=ctx.office.office_name,
    )
