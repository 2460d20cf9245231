"""The daily closing on paper: one page the administrator prints, signs and files.

The anchor line (``JANGKAR-AUDIT v1 entri=N hash=H waktu=T``, ``db.audit_anchor``) is only an
anchor if it lives somewhere the database cannot reach. The file written by the closing sits on
the same PC; the signed page in the office's ring binder does not, and whoever rewrites the log
afterwards would need to forge it too. So the page prints the anchor in a fixed-width font, the
hash in groups of eight that a person can read aloud and compare against
``perizinan audit verify`` weeks later, and room for two signatures.

Two stages as every document here: :class:`ClosingSheetContext` is plain data (built by
``services.daily_closing``), :func:`render_closing_sheet` lays it out with the office's kop.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from desktop_perizinan.documents.contexts import OfficeProfile
from desktop_perizinan.documents.dates import format_date, format_datetime

#: Monospaced, built into every PDF viewer: the hash must read unambiguously (0/O, 1/l).
MONO = "Courier"


@dataclass(frozen=True)
class ClosingSheetContext:
    office: OfficeProfile
    day: date
    closed_at: datetime
    closed_by: str
    entries_today: int
    last_id: int
    last_hash: str
    anchor_line: str
    database: str  # where the log lives, without password (``db.errors.describe_url``)
    file: str  # the closing's file on this PC


def hash_groups(value: str, size: int = 8) -> str:
    """``3f9a…`` as ``3f9a01bc 77e0…``: a person compares eight characters at a time."""
    return " ".join(value[i : i + size] for i in range(0, len(value), size))


@cache
def _mono_style(size: float) -> Any:
    """The anchor's fixed-width style, one object per base size: the paragraph caches of
    ``documents._layout_base`` key on the style object, so a new style per sheet missed them."""
    from reportlab.lib.styles import ParagraphStyle

    from desktop_perizinan.documents import _layout as L

    return ParagraphStyle(
        "closing-mono", parent=L.styles(size).body, fontName=MONO, fontSize=10, leading=14
    )


def render_closing_sheet(ctx: ClosingSheetContext) -> bytes:
    """One page, F4 or A4 per the office profile, kop on top."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Spacer, Table, TableStyle

    from desktop_perizinan.documents import _layout as L

    st = L.styles(10.5)
    pagesize = L.full_page(ctx.office.paper)
    m = L.LETTER_MARGINS
    width = pagesize[0] - m.left - m.right
    zone = ctx.office.time_zone
    mono = _mono_style(10.5)

    story = L.kop(ctx.office, width)
    story += [
        L.markup("BERITA ACARA PENUTUPAN HARIAN LOG AUDIT", st.title),
        L.para(f"Tanggal {format_date(ctx.day)}", st.small_center),
        Spacer(1, 5 * mm),
        L.kv_table(
            [
                ("Ditutup oleh", ctx.closed_by),
                ("Waktu penutupan", format_datetime(ctx.closed_at, zone=zone)),
                ("Entri audit hari ini", f"{ctx.entries_today:,}".replace(",", ".")),
                ("Entri terakhir", f"nomor {ctx.last_id:,}".replace(",", ".")),
                ("Basis data", ctx.database),
                ("Berkas penutupan", ctx.file),
            ],
            st,
            width,
            45 * mm,
        ),
        Spacer(1, 5 * mm),
        L.markup("<b>Hash entri terakhir</b> (dibaca per delapan karakter):", st.body),
        Spacer(1, 1.5 * mm),
    ]
    framed = Table(
        [[L.para(hash_groups(ctx.last_hash), mono)]],
        colWidths=[width],
        style=TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.8, L.INK),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
            ]
        ),
    )
    story += [
        framed,
        Spacer(1, 4 * mm),
        L.markup("<b>Baris jangkar</b> (sama dengan isi berkas penutupan):", st.body),
        Spacer(1, 1.5 * mm),
        L.para(ctx.anchor_line, mono),
        Spacer(1, 5 * mm),
        L.para(
            "Dengan ini dinyatakan bahwa pada waktu di atas log audit kantor berisi entri nomor 1 "
            f"sampai {ctx.last_id} dengan hash entri terakhir seperti tertulis. Lembar ini "
            "disimpan di luar komputer. Untuk memeriksa kemudian hari, jalankan 'perizinan audit "
            "verify --anchor' dengan berkas penutupan, atau bandingkan hash di atas dengan hasil "
            "pemeriksaan: log yang diubah atau dipotong sesudah penutupan ini tidak akan cocok.",
            st.body,
        ),
        Spacer(1, 12 * mm),
    ]
    signatures = Table(
        [
            [L.para("Petugas penutupan,", st.body), L.para("Mengetahui,", st.body)],
            [Spacer(1, 22 * mm), Spacer(1, 22 * mm)],
            [
                L.markup(f"<b>{L.esc(ctx.closed_by)}</b>", st.body),
                L.para("(.............................................)", st.body),
            ],
        ],
        colWidths=[width / 2, width / 2],
        style=TableStyle(
            [("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]
        ),
    )
    story.append(signatures)
    return L.build_pdf(
        story,
        pagesize,
        m,
        title=f"Penutupan harian log audit {ctx.day:%d-%m-%Y}",
        author=ctx.office.office_name,
    )
