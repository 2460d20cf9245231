"""The Permendagri 52/2011 identity block at the top of the SOP's first page."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Table, TableStyle

from desktop_perizinan.documents import _layout as L
from desktop_perizinan.documents.contexts import OfficeProfile
from desktop_perizinan.documents.sop_matrix.geometry import GRID, GRID_W, style
from desktop_perizinan.workflow.definition import PermitType
from desktop_perizinan.workflow.paths import format_duration, service_total

#: The identity block's titles, in the form's order (read left to right, two to a row).
HEADER_TITLES = (
    "Kualifikasi Pelaksana",
    "Keterkaitan",
    "Peralatan/Perlengkapan",
    "Peringatan",
    "Pencatatan dan Pendataan",
)


def identity_block(pt: PermitType, office: OfficeProfile, width: float) -> Table:
    """The Permendagri identity block: who issues it and what the SOP is."""
    body = style("id-body", 8)
    bold = style("id-bold", 8, fontName=L.FONT_BOLD)
    gov = style("id-gov", 10, fontName=L.FONT_BOLD, alignment=TA_CENTER)
    office_style = style("id-office", 9, fontName=L.FONT_BOLD, alignment=TA_CENTER)
    small = style("id-small", 7, alignment=TA_CENTER, textColor=L.GREY)

    left_w = width * 0.40
    right_w = width - left_w
    reader = L.emblem_reader(office.emblem)
    iw, ih = reader.getSize()
    emblem_h = 14 * mm
    emblem = L.Emblem(reader, emblem_h * iw / ih, emblem_h)
    issuer = [
        emblem,
        Paragraph(L.esc(office.government_line), gov),
        Paragraph(L.esc(office.office_name.upper()), office_style),
        Paragraph(L.esc(office.contact_line), small),
    ]
    emblem.hAlign = "CENTER"

    facts: list[tuple[str, str]] = [("Nomor SOP", pt.sop_number), ("Nama SOP", pt.name)]
    if pt.product:
        facts.append(("Produk layanan", pt.product))
    facts.append(("Biaya/tarif", pt.fee_text))
    total = pt.declared_total or service_total(pt)
    facts.append(("Jangka waktu penyelesaian", format_duration(total)))
    if office.head_name:
        approval = f"{L.esc(office.head_title)}<br/><b>{L.esc(office.head_name)}</b>"
        if office.head_nip:
            approval += f", NIP. {L.esc(office.head_nip)}"
        facts.append(("Disahkan oleh", approval))
    label_w = 42 * mm
    fact_rows = [
        [Paragraph(L.esc(k), bold), Paragraph(v if k == "Disahkan oleh" else L.esc(v), body)]
        for k, v in facts
    ]
    fact_style = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), GRID_W, GRID),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ("TOPPADDING", (0, 0), (-1, -1), 1.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ]
    )
    fact_table = Table(fact_rows, colWidths=[label_w, right_w - label_w], style=fact_style)
    # The last fact row reaches down to the bottom of the issuer cell (no blank strip).
    fact_table.wrap(right_w, 500 * mm)
    heights = list(fact_table._rowHeights)
    issuer_h = sum(f.wrap(left_w - 8, 500 * mm)[1] for f in issuer) + 6
    if issuer_h > sum(heights):
        heights[-1] += issuer_h - sum(heights)
        fact_table = Table(
            fact_rows, colWidths=[label_w, right_w - label_w], rowHeights=heights, style=fact_style
        )

    sections: list[tuple[str, Sequence[str]]] = [("Dasar Hukum", pt.legal_basis)]
    header = (pt.qualifications, pt.related, pt.equipment, pt.warnings_text, pt.records)
    if any(header):
        # All five or none: the form pairs them (Dasar Hukum beside Kualifikasi, Keterkaitan
        # beside Peralatan, Peringatan beside Pencatatan), so an empty one prints as "-"
        # rather than shifting the others into the wrong cells.
        sections += zip(HEADER_TITLES, header, strict=True)
    section_cells: list[Any] = []
    for title, items in sections:
        block: list[Any] = [Paragraph(f"<b>{L.esc(title)}:</b>", body)]
        if len(items) == 1:  # a single sentence, as the SOPs write it: no "1."
            block.append(Paragraph(L.esc(items[0]), style("id-item", 7.5)))
        elif items:
            block += [
                Paragraph(
                    f"{n}. {L.esc(item)}", style("id-item", 7.5, leftIndent=9, firstLineIndent=-9)
                )
                for n, item in enumerate(items, 1)
            ]
        else:
            block.append(Paragraph("-", body))
        section_cells.append(block)
    if len(section_cells) == 1:
        lower = [[section_cells[0], ""]]
        span = [("SPAN", (0, 1), (1, 1))]
    else:
        pairs = [section_cells[i : i + 2] for i in range(0, len(section_cells), 2)]
        lower = [p + [""] * (2 - len(p)) for p in pairs]
        span = []
    table = Table(
        [[issuer, fact_table], *lower],
        colWidths=[left_w, right_w],
        style=TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.8, colors.black),
                ("GRID", (0, 0), (-1, -1), GRID_W, GRID),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("VALIGN", (0, 0), (0, 0), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("LEFTPADDING", (1, 0), (1, 0), 0),
                ("RIGHTPADDING", (1, 0), (1, 0), 0),
                ("TOPPADDING", (1, 0), (1, 0), 0),
                ("BOTTOMPADDING", (1, 0), (1, 0), 0),
                *span,
            ]
        ),
    )
    return table
