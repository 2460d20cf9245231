"""The SOP itself as a document: the Permendagri 52/2011 matrix, drawn from the permit type.

Printing the SOP from the same file the application runs means the SOP on the wall and the
process in the computer cannot drift apart; the footer names the file and its hash.

The form (Permendagri 52/2011, lampiran): an identity block (the office, the SOP's number and
name, the legal basis and, when the file has them, qualifications, equipment, warnings and
records), then the matrix: one row per step, down the page; one column per actor across it,
holding the flowchart symbol of the step (a capsule for the start and for a step that ends the
process, a rectangle for an activity, a diamond for a decision, i.e. a step with more than one
outcome); then the *mutu baku* (kelengkapan, waktu, output) and a keterangan column.

Layout is done by hand on the canvas rather than with a platypus table, because the connector
lines must know where every symbol is, and a page break must leave room for the off-page
connectors: each page that continues ends with a thin band holding them, and each
continuation page starts with one under the repeated header row.

Routing keeps lines off text and symbols by construction: each row holds exactly one symbol,
text lives only outside the actor columns, and every vertical run that passes other rows uses
a *lane* in the free margin beside a column's symbols. A lane is shared only by lines going to
the same step (they merge, as a bus would). Branch labels ("Ya"/"Tidak", or the outcome) are
placed at the first candidate spot that touches no line, symbol or grid line.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, Table, TableStyle

from desktop_perizinan import __version__
from desktop_perizinan.documents import _layout as L
from desktop_perizinan.documents.contexts import OfficeProfile
from desktop_perizinan.workflow.definition import (
    APPLICANT_ROLE,
    TARGET_APPLICANT,
    TARGET_ISSUED,
    TARGET_REJECTED,
    OfficeConfig,
    PermitType,
    Step,
)
from desktop_perizinan.workflow.paths import format_duration, service_total

# ------------------------------------------------------------------------------------ sizes

MARGIN = 10 * mm
FOOTER_H = 7 * mm
BAND_H = 8 * mm  # the off-page connector band at a page break
TEXT_SIZE = 7.5
HEAD_SIZE = 7.0
LABEL_SIZE = 5.6
PAD = 1.4 * mm
SYMBOL_H = 5.6 * mm
DIAMOND_H = 7.0 * mm
SYMBOL_MAX_W = 16 * mm
LANE_MARGIN = 4.2 * mm  # free space each side of a symbol, for the lanes
MIN_ROW_H = 12 * mm
ARROW = 1.25 * mm
PENTAGON_W = 4.2 * mm
PENTAGON_H = 4.6 * mm
LINE_W = 0.7
GRID_W = 0.4
GRID = colors.Color(0.45, 0.45, 0.45)
HEAD_FILL = colors.Color(0.9, 0.9, 0.9)
BAND_FILL = colors.Color(0.97, 0.97, 0.97)

#: Outcomes read as "yes" / "no" when a decision has exactly one of each.
POSITIVE = frozenset(
    {"lengkap", "benar", "setuju", "paraf", "ditandatangani", "selesai", "diterima", "dinomori"}
)
NEGATIVE = frozenset({"tidak_lengkap", "tidak_benar", "tolak", "kembalikan"})

TERMINATOR, PROCESS, DECISION = "terminator", "process", "decision"

#: The identity block's titles, in the form's order (read left to right, two to a row).
HEADER_TITLES = (
    "Kualifikasi Pelaksana",
    "Keterkaitan",
    "Peralatan/Perlengkapan",
    "Peringatan",
    "Pencatatan dan Pendataan",
)


# ------------------------------------------------------------------------------------ the plan


@dataclass(frozen=True)
class Edge:
    """A connector: from step ``source`` to step ``target`` (indexes), with its branch label."""

    source: int
    target: int
    label: str  # "" when the step has a single outcome


@dataclass(frozen=True)
class MatrixPlan:
    """What the matrix shows, before any geometry: tested without drawing."""

    actors: tuple[str, ...]  # column headings, in order of first appearance
    column_of: tuple[int, ...]  # per step: its actor column
    kinds: tuple[str, ...]  # per step: terminator, process or decision
    notes: tuple[str, ...]  # per step: the keterangan text
    edges: tuple[Edge, ...]


def _label_key(label: str) -> frozenset[str]:
    """ "Pemohon / SIAPMASLAHAT" and "SIAPMASLAHAT / Pemohon" are the same actor."""
    return frozenset(part.strip().lower() for part in label.split("/") if part.strip())


def plan_matrix(pt: PermitType, office: OfficeConfig) -> MatrixPlan:
    """Columns, symbols, connectors and notes of the matrix.

    An actor is the SOP's own name for who acts (``actor_label``); a step without one takes
    the label its role has elsewhere in the file, else the office's name for the role, so that
    "Backoffice / Ka Seksi Pel II" is one column however often the file names it.
    """
    role_label: dict[str, str] = {}
    for step in pt.steps:
        if step.actor_label and step.actor not in role_label:
            role_label[step.actor] = step.actor_label
    actors: list[str] = []
    keys: list[frozenset[str]] = []
    column_of: list[int] = []
    for step in pt.steps:
        label = step.actor_label or role_label.get(step.actor) or office.role_name(step.actor)
        key = _label_key(label)
        if key not in keys:
            keys.append(key)
            actors.append(label)
        column_of.append(keys.index(key))

    index = {s.id: i for i, s in enumerate(pt.steps)}
    applicant_step = next((i for i, s in enumerate(pt.steps) if s.actor == APPLICANT_ROLE), None)
    kinds: list[str] = []
    notes: list[str] = []
    edges: list[Edge] = []
    for i, step in enumerate(pt.steps):
        ending = all(o.target in (TARGET_ISSUED, TARGET_REJECTED) for o in step.outcomes)
        if len(step.outcomes) > 1:
            kinds.append(DECISION)
        elif i == 0 or ending:
            kinds.append(TERMINATOR)
        else:
            kinds.append(PROCESS)
        labels = _branch_labels(step)
        parts: list[str] = []
        for outcome in step.outcomes:
            label = labels[outcome.code]
            if outcome.target in index:
                target = index[outcome.target]
                if target != i:
                    edges.append(Edge(i, target, label))
                where = f"ke langkah {pt.steps[target].no}"
                if len(step.outcomes) == 1 and target == i + 1:
                    continue
            elif outcome.target == TARGET_APPLICANT:
                if applicant_step is not None and applicant_step != i:
                    edges.append(Edge(i, applicant_step, label))
                where = "berkas dikembalikan kepada pemohon"
            elif outcome.target == TARGET_ISSUED:
                where = "selesai, izin terbit"
            elif outcome.target == TARGET_REJECTED:
                where = "selesai, permohonan ditolak"
            else:  # pragma: no cover - the loader refuses unknown targets
                continue
            if len(step.outcomes) == 1:
                parts.append(where[0].upper() + where[1:])
            else:
                name = outcome.label
                head = label if label == name else f"{label} ({name.lower()})"
                parts.append(f"{head}: {where}")
        notes.append("; ".join(parts) + ("." if parts else ""))
    return MatrixPlan(tuple(actors), tuple(column_of), tuple(kinds), tuple(notes), tuple(edges))


def _branch_labels(step: Step) -> dict[str, str]:
    codes = [o.code for o in step.outcomes]
    if len(codes) == 2:
        yes = [c for c in codes if c in POSITIVE]
        no = [c for c in codes if c in NEGATIVE]
        if len(yes) == 1 and len(no) == 1:
            return {yes[0]: "Ya", no[0]: "Tidak"}
    if len(codes) == 1:
        return {codes[0]: ""}
    return {o.code: o.label for o in step.outcomes}


# ------------------------------------------------------------------------------------ geometry


@dataclass(frozen=True)
class Col:
    x0: float
    x1: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def center(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass(frozen=True)
class Columns:
    no: Col
    activity: Col
    actors: tuple[Col, ...]
    inputs: Col
    time: Col
    output: Col
    note: Col

    @property
    def left(self) -> float:
        return self.no.x0

    @property
    def right(self) -> float:
        return self.note.x1

    def all(self) -> list[Col]:
        return [
            self.no,
            self.activity,
            *self.actors,
            self.inputs,
            self.time,
            self.output,
            self.note,
        ]


def _columns(width: float, actors: int) -> Columns:
    no_w, time_w = 8 * mm, 15 * mm
    actor_w = min(max(width * 0.45 / max(actors, 1), 15 * mm), 24 * mm)
    rest = width - no_w - time_w - actor_w * actors
    shares = (0.33, 0.22, 0.2, 0.25)  # activity, inputs, output, note
    x = MARGIN
    out: list[Col] = []

    def take(w: float) -> Col:
        nonlocal x
        col = Col(x, x + w)
        x += w
        return col

    no = take(no_w)
    activity = take(rest * shares[0])
    for _ in range(actors):
        out.append(take(actor_w))
    inputs = take(rest * shares[1])
    time = take(time_w)
    output = take(rest * shares[2])
    note = take(rest * shares[3])
    return Columns(no, activity, tuple(out), inputs, time, output, note)


@dataclass
class Symbol:
    page: int
    xc: float
    yc: float
    w: float
    h: float
    kind: str

    def vertex(self, side: str) -> tuple[float, float]:
        return {
            "top": (self.xc, self.yc + self.h / 2),
            "bottom": (self.xc, self.yc - self.h / 2),
            "left": (self.xc - self.w / 2, self.yc),
            "right": (self.xc + self.w / 2, self.yc),
        }[side]

    def box(self) -> tuple[float, float, float, float]:
        return (
            self.xc - self.w / 2,
            self.yc - self.h / 2,
            self.xc + self.w / 2,
            self.yc + self.h / 2,
        )


@dataclass
class RowBox:
    page: int
    top: float
    bottom: float


@dataclass
class PageFrame:
    index: int
    head_top: float  # top of the matrix header rows
    body_top: float  # under the header rows (and the top band, if any)
    band_top: tuple[float, float] | None  # (top, bottom) of the incoming band
    band_bottom: tuple[float, float] | None  # (top, bottom) of the outgoing band
    rows: list[int] = field(default_factory=list)


@dataclass
class Drawing:
    """What is drawn on one page besides the table: lines, arrows, connectors, labels."""

    lines: list[tuple[list[tuple[float, float]], bool]] = field(default_factory=list)
    pentagons: list[tuple[float, float, str]] = field(default_factory=list)
    labels: list[tuple[float, float, str, bool]] = field(default_factory=list)  # x, y, text, bg


# ------------------------------------------------------------------------------------ styles


def _style(name: str, size: float = TEXT_SIZE, **kw: Any) -> ParagraphStyle:
    L.register_fonts()
    base: dict[str, Any] = {
        "fontName": L.FONT,
        "fontSize": size,
        "leading": round(size * 1.22, 2),
        "embeddedHyphenation": 0,
        "splitLongWords": 1,
    }
    base.update(kw)
    return ParagraphStyle(f"sop-{name}", **base)


# ------------------------------------------------------------------------------------ render


@dataclass
class MatrixLayout:
    """Everything placed, before drawing: what the renderer draws and the tests inspect."""

    pt: PermitType
    plan: MatrixPlan
    page_size: tuple[float, float]
    cols: Columns
    frames: list[PageFrame]
    rows: dict[int, RowBox]
    symbols: dict[int, Symbol]
    drawings: dict[int, Drawing]
    cells: list[dict[str, Paragraph]]
    head_cells: dict[str, Paragraph]
    actor_paras: list[Paragraph]
    head_heights: tuple[float, float]
    identity: Table
    identity_h: float


def layout_sop_matrix(
    pt: PermitType, office_config: OfficeConfig, office_profile: OfficeProfile
) -> MatrixLayout:
    """Place the identity block, the rows on pages, the symbols and the connectors."""
    L.register_fonts()
    plan = plan_matrix(pt, office_config)
    paper_w, paper_h = L.PAPER_SIZES[office_profile.paper]
    page_w, page_h = paper_h, paper_w  # landscape
    width = page_w - 2 * MARGIN
    cols = _columns(width, len(plan.actors))

    body = _style("body")
    center = _style("center", alignment=TA_CENTER)
    head = _style("head", HEAD_SIZE, fontName=L.FONT_BOLD, alignment=TA_CENTER)
    actor_head = _style("actor", HEAD_SIZE - 0.5, alignment=TA_CENTER)

    # -- the rows' text and heights
    cells: list[dict[str, Paragraph]] = []
    heights: list[float] = []
    for i, step in enumerate(pt.steps):
        row = {
            "no": Paragraph(str(step.no), center),
            "activity": Paragraph(L.esc(step.name), body),
            "inputs": Paragraph(L.esc(step.inputs or "-"), body),
            "time": Paragraph(L.esc(step.time_text), center),
            "output": Paragraph(L.esc(step.output or "-"), body),
            "note": Paragraph(L.esc(plan.notes[i]), body),
        }
        tallest = 0.0
        for key, para in row.items():
            col: Col = getattr(cols, key)
            _w, h = para.wrap(col.width - 2 * PAD, 1000 * mm)
            tallest = max(tallest, h)
        cells.append(row)
        heights.append(max(MIN_ROW_H, tallest + 2 * PAD))

    # -- the header rows (repeated on every page)
    head_cells = {
        "no": Paragraph("No", head),
        "activity": Paragraph("Kegiatan", head),
        "actors": Paragraph("Pelaksana", head),
        "mutu": Paragraph("Mutu Baku", head),
        "inputs": Paragraph("Kelengkapan", head),
        "time": Paragraph("Waktu", head),
        "output": Paragraph("Output", head),
        "note": Paragraph("Keterangan", head),
    }
    actor_paras = [Paragraph(L.esc(a), actor_head) for a in plan.actors]
    head1_h = 5.5 * mm
    actor_heights = [
        p.wrap(c.width - 2 * 0.8 * mm, 100 * mm)[1] + 2 * PAD
        for p, c in zip(actor_paras, cols.actors, strict=True)
    ]
    mutu_heights = [
        head_cells[k].wrap(getattr(cols, k).width - 2 * PAD, 100 * mm)[1] + 2 * PAD
        for k in ("inputs", "time", "output")
    ]
    head2_h = max([5.5 * mm, *actor_heights, *mutu_heights])
    header_h = head1_h + head2_h

    # -- the identity block (first page)
    identity = _identity_block(pt, office_profile, width)
    _iw, identity_h = identity.wrap(width, page_h)

    # -- pages: a page that continues keeps room for its band of off-page connectors
    bottom_limit = MARGIN + FOOTER_H
    frames: list[PageFrame] = []
    remaining = list(range(len(pt.steps)))
    while remaining:
        page = len(frames)
        top = page_h - MARGIN - (identity_h + 4 * mm if page == 0 else 0)
        body_top = top - header_h
        band_top = None
        if page > 0:
            band_top = (body_top, body_top - BAND_H)
            body_top -= BAND_H
        frame = PageFrame(page, top, body_top, band_top, None)
        y = body_top
        while remaining:
            h = heights[remaining[0]]
            last = len(remaining) == 1
            if y - h - (0 if last else BAND_H) < bottom_limit and frame.rows:
                break
            frame.rows.append(remaining.pop(0))
            y -= h
        if remaining:
            frame.band_bottom = (y, y - BAND_H)
        frames.append(frame)

    rows: dict[int, RowBox] = {}
    for frame in frames:
        y = frame.body_top
        for i in frame.rows:
            rows[i] = RowBox(frame.index, y, y - heights[i])
            y -= heights[i]
    symbols = _symbols(plan, cols, rows)
    drawings = _route(plan, cols, rows, symbols, frames)
    return MatrixLayout(
        pt=pt,
        plan=plan,
        page_size=(page_w, page_h),
        cols=cols,
        frames=frames,
        rows=rows,
        symbols=symbols,
        drawings=drawings,
        cells=cells,
        head_cells=head_cells,
        actor_paras=actor_paras,
        head_heights=(head1_h, head2_h),
        identity=identity,
        identity_h=identity_h,
    )


def render_sop_matrix(
    pt: PermitType, office_config: OfficeConfig, office_profile: OfficeProfile
) -> bytes:
    """The SOP of ``pt`` in the Permendagri 52/2011 form, landscape on the office's paper."""
    layout = layout_sop_matrix(pt, office_config, office_profile)
    page_w, page_h = layout.page_size
    cols, rows = layout.cols, layout.rows
    head1_h, head2_h = layout.head_heights
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(page_w, page_h), pageCompression=1)
    canvas.setTitle(f"SOP {pt.name}")
    canvas.setAuthor(office_profile.office_name)
    canvas.setSubject(pt.sop_number)
    canvas.setCreator(f"Perizinan Desktop {__version__}")
    canvas.setKeywords(f"SOP; {pt.code}; {pt.source_hash[:12]}")
    for frame in layout.frames:
        drawing = layout.drawings[frame.index]
        if frame.index == 0:
            layout.identity.drawOn(canvas, MARGIN, page_h - MARGIN - layout.identity_h)
        _draw_header(
            canvas, cols, frame.head_top, head1_h, head2_h, layout.head_cells, layout.actor_paras
        )
        table_bottom = frame.band_bottom[1] if frame.band_bottom else rows[frame.rows[-1]].bottom
        if frame.band_top:
            _draw_band(canvas, cols, *frame.band_top, "Sambungan dari halaman sebelumnya")
        if frame.band_bottom:
            _draw_band(canvas, cols, *frame.band_bottom, "Bersambung ke halaman berikutnya")
        for i in frame.rows:
            _draw_row(canvas, cols, rows[i], layout.cells[i])
        _draw_grid(canvas, cols, frame, rows, table_bottom, head1_h + head2_h, head1_h)
        _draw_connectors(canvas, drawing)
        for i in frame.rows:
            _draw_symbol(canvas, layout.symbols[i])
        _draw_labels(canvas, drawing)
        _draw_footer(canvas, pt, frame.index, len(layout.frames), page_w)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


# ------------------------------------------------------------------------------------ identity


def _identity_block(pt: PermitType, office: OfficeProfile, width: float) -> Table:
    """The Permendagri identity block: who issues it and what the SOP is."""
    body = _style("id-body", 8)
    bold = _style("id-bold", 8, fontName=L.FONT_BOLD)
    gov = _style("id-gov", 10, fontName=L.FONT_BOLD, alignment=TA_CENTER)
    office_style = _style("id-office", 9, fontName=L.FONT_BOLD, alignment=TA_CENTER)
    small = _style("id-small", 7, alignment=TA_CENTER, textColor=L.GREY)

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
            block.append(Paragraph(L.esc(items[0]), _style("id-item", 7.5)))
        elif items:
            block += [
                Paragraph(
                    f"{n}. {L.esc(item)}", _style("id-item", 7.5, leftIndent=9, firstLineIndent=-9)
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


# ------------------------------------------------------------------------------------ symbols


def _symbols(plan: MatrixPlan, cols: Columns, rows: dict[int, RowBox]) -> dict[int, Symbol]:
    out: dict[int, Symbol] = {}
    for i, column in enumerate(plan.column_of):
        col = cols.actors[column]
        row = rows[i]
        w = min(col.width - 2 * LANE_MARGIN, SYMBOL_MAX_W)
        kind = plan.kinds[i]
        # Narrow columns (A4, many actors): keep a capsule wider than tall.
        h = min(DIAMOND_H, w * 0.75) if kind == DECISION else min(SYMBOL_H, w * 0.62)
        out[i] = Symbol(row.page, col.center, (row.top + row.bottom) / 2, w, h, kind)
    return out


# ------------------------------------------------------------------------------------ routing


@dataclass
class _Lane:
    x: float
    busy: list[tuple[float, float, int]] = field(default_factory=list)  # g0, g1, target

    def free(self, g0: float, g1: float, target: int) -> bool:
        lo, hi = min(g0, g1), max(g0, g1)
        return all(t == target or b1 < lo - 1 or b0 > hi + 1 for b0, b1, t in self.busy)


def _route(
    plan: MatrixPlan,
    cols: Columns,
    rows: dict[int, RowBox],
    symbols: dict[int, Symbol],
    frames: list[PageFrame],
) -> dict[int, Drawing]:
    """Connector paths per page (see the module docstring for the rules)."""
    drawings: dict[int, Drawing] = {f.index: Drawing() for f in frames}
    span = 10_000.0

    def g(page: int, y: float) -> float:  # a global y that grows down the pages
        return page * span - y

    lanes: list[_Lane] = []
    for col in cols.actors:
        sym_w = min(col.width - 2 * LANE_MARGIN, SYMBOL_MAX_W)
        margin = (col.width - sym_w) / 2
        for f in (0.22, 0.52):
            lanes.append(_Lane(col.x0 + margin * f))
            lanes.append(_Lane(col.x1 - margin * f))
    exits: dict[int, set[str]] = {i: set() for i in symbols}
    entries: dict[int, set[str]] = {i: set() for i in symbols}
    pentagons: dict[tuple[int, str], list[float]] = {}
    letters = iter(_letters())
    labels: list[tuple[int, list[tuple[float, float]], str]] = []  # page, path from vertex, text

    def pentagon(page: int, band: str, x: float) -> float:
        """Place an off-page connector in a band near ``x``; returns its x."""
        taken = pentagons.setdefault((page, band), [])
        best = x
        step = 0
        while any(abs(best - t) < PENTAGON_W + 0.6 * mm for t in taken):
            step += 1
            best = x + (step // 2 + 1) * (PENTAGON_W + 0.8) * (1 if step % 2 else -1)
        taken.append(best)
        return best

    def band_of(page: int, which: str) -> tuple[float, float]:
        frame = frames[page]
        band = frame.band_bottom if which == "bottom" else frame.band_top
        assert band is not None
        return band

    placed: dict[tuple[int, str, float, str], float] = {}

    def off_page(
        page: int, which: str, x: float, letter: str
    ) -> tuple[list[tuple[float, float]], tuple[float, float]]:
        """Path bits in a band: from ``x`` to the pentagon (or back); returns (jog, anchor).

        Lines to the same step along the same lane share one connector (and one letter).
        """
        top, bottom = band_of(page, which)
        key = (page, which, x, letter)
        if key in placed:
            px = placed[key]
        else:
            px = placed[key] = pentagon(page, which, x)
            drawings[page].pentagons.append((px, (top + bottom) / 2, letter))
        cy = (top + bottom) / 2
        edge_y = cy + PENTAGON_H / 2 if which == "bottom" else cy - PENTAGON_H / 2
        if abs(px - x) < 0.1:
            return [], (x, edge_y)
        jog_y = top - 1.2 * mm if which == "bottom" else bottom + 1.2 * mm
        return [(x, jog_y), (px, jog_y)], (px, edge_y)

    # 1. consecutive rows: down from the bottom vertex into the next step's top
    general: list[Edge] = []
    for edge in plan.edges:
        if edge.target == edge.source + 1 and "bottom" not in exits[edge.source]:
            a, b = symbols[edge.source], symbols[edge.target]
            exits[edge.source].add("bottom")
            entries[edge.target].add("top")
            ax, ay = a.vertex("bottom")
            bx, by = b.vertex("top")
            if a.page == b.page:
                elbow = (ay + rows[edge.source].bottom) / 2
                path = (
                    [(ax, ay), (ax, elbow), (bx, elbow), (bx, by)]
                    if ax != bx
                    else [(ax, ay), (bx, by)]
                )
                drawings[a.page].lines.append((path, True))
            else:
                letter = next(letters)
                jog, anchor = off_page(a.page, "bottom", ax, letter)
                path = [(ax, ay), *jog, anchor]
                drawings[a.page].lines.append((path, False))
                jog2, anchor2 = off_page(b.page, "top", ax, letter)
                elbow = (rows[edge.target].top + by) / 2
                drawings[b.page].lines.append(
                    ([anchor2, *reversed(jog2), (ax, elbow), (bx, elbow), (bx, by)], True)
                )
            if edge.label:
                labels.append((a.page, path, edge.label))
        else:
            general.append(edge)

    # 2. everything else through a lane, shortest spans first (they get the nearest lanes)
    shared: dict[tuple[float, int, int], str] = {}
    general.sort(
        key=lambda e: abs(
            g(symbols[e.target].page, symbols[e.target].yc)
            - g(symbols[e.source].page, symbols[e.source].yc)
        )
    )
    for edge in general:
        a, b = symbols[edge.source], symbols[edge.target]
        g0, g1 = g(a.page, a.yc), g(b.page, b.yc)
        best: tuple[float, _Lane, str, str] | None = None
        for lane in lanes:
            exit_side = "right" if lane.x > a.xc else "left"
            if exit_side in exits[edge.source] or exit_side in entries[edge.source]:
                continue  # one line per side: an exit never runs along an entry
            entry_side = "right" if lane.x > b.xc else "left"
            if entry_side in exits[edge.target]:
                entry_side = "top"
            if not lane.free(g0, g1 + (0 if entry_side != "top" else -b.h), edge.target):
                continue
            ex, _ = a.vertex(exit_side)
            nx, _ = b.vertex(entry_side) if entry_side != "top" else (b.xc, 0)
            cost = abs(lane.x - ex) + abs(lane.x - nx)
            if best is None or cost < best[0]:
                best = (cost, lane, exit_side, entry_side)
        if best is None:  # every lane taken: share the nearest one rather than fail
            lane = min(lanes, key=lambda ln: abs(ln.x - a.xc))
            exit_side = "right" if lane.x > a.xc else "left"
            entry_side = "right" if lane.x > b.xc else "left"
        else:
            _cost, lane, exit_side, entry_side = best
        lane.busy.append((min(g0, g1), max(g0, g1), edge.target))
        exits[edge.source].add(exit_side)
        entries[edge.target].add(entry_side)
        start = a.vertex(exit_side)
        if entry_side == "top":
            end = b.vertex("top")
            entry_y = (rows[edge.target].top + end[1]) / 2
            tail = [(lane.x, entry_y), (b.xc, entry_y), end]
        else:
            end = b.vertex(entry_side)
            tail = [(lane.x, end[1]), end]
        if a.page == b.page:
            path = [start, (lane.x, start[1]), *tail]
            drawings[a.page].lines.append((path, True))
            if edge.label:
                labels.append((a.page, path, edge.label))
            continue
        letter = shared.get((lane.x, edge.target, a.page)) or next(letters)
        shared[(lane.x, edge.target, a.page)] = letter
        down = b.page > a.page
        out_band, in_band = ("bottom", "top") if down else ("top", "bottom")
        jog, anchor = off_page(a.page, out_band, lane.x, letter)
        path = [start, (lane.x, start[1]), *jog, anchor]
        drawings[a.page].lines.append((path, False))
        if edge.label:
            labels.append((a.page, path, edge.label))
        jog2, anchor2 = off_page(b.page, in_band, lane.x, letter)
        drawings[b.page].lines.append(([anchor2, *reversed(jog2), *tail], True))

    # 3. branch labels where they touch nothing
    for page, path, text in labels:
        frame = frames[page]
        drawing = drawings[page]
        drawing.labels.append(_place_label(text, path, drawing, symbols, cols, rows, frame))
    return drawings


def _letters() -> list[str]:
    single = [chr(c) for c in range(ord("A"), ord("Z") + 1)]
    return single + [a + b for a in single for b in single]


def _label_size(text: str) -> tuple[float, float]:
    return pdfmetrics.stringWidth(text, L.FONT, LABEL_SIZE) + 0.8, LABEL_SIZE * 1.05


def _place_label(
    text: str,
    path: list[tuple[float, float]],
    drawing: Drawing,
    symbols: dict[int, Symbol],
    cols: Columns,
    rows: dict[int, RowBox],
    frame: PageFrame,
) -> tuple[float, float, str, bool]:
    """The first spot along the start of ``path`` where a branch label touches no line,
    symbol, connector, other label or grid line; else the first spot, on a white ground."""
    w, h = _label_size(text)
    candidates = _label_candidates(path, w, h)
    page_rows = [rows[i] for i in frame.rows]
    area = (cols.actors[0].x0, page_rows[-1].bottom, cols.actors[-1].x1, page_rows[0].top)
    blockers = _segments(drawing) + _grid_segments(cols, page_rows)
    boxes = [s.box() for s in symbols.values() if s.page == frame.index]
    boxes += [
        (x - PENTAGON_W / 2, y - PENTAGON_H / 2, x + PENTAGON_W / 2, y + PENTAGON_H / 2)
        for x, y, _letter in drawing.pentagons
    ]
    boxes += [
        (x, y, x + _label_size(t)[0], y + _label_size(t)[1]) for x, y, t, _bg in drawing.labels
    ]
    for x, y in candidates:
        rect = (x, y, x + w, y + h)
        inside = area[0] < x and x + w < area[2] and area[1] < y and y + h < area[3]
        if not inside:
            continue
        if any(_rect_hits_segment(rect, seg) for seg in blockers):
            continue
        if any(_rects_overlap(rect, box) for box in boxes):
            continue
        return x, y, text, False
    x, y = candidates[0]
    return x, y, text, True


def _label_candidates(
    path: list[tuple[float, float]], w: float, h: float
) -> list[tuple[float, float]]:
    """Spots beside the first segments of a path: at their start, before and past their end."""
    gap = 0.6 * mm
    out: list[tuple[float, float]] = []
    for (x0, y0), (x1, y1) in itertools.pairwise(path[:4]):
        if abs(y0 - y1) < 0.01:  # horizontal: near the start, then sliding along, then past
            right = x1 >= x0
            length = abs(x1 - x0)
            for y in (y0 + gap, y0 - gap - h):
                out.append((x0 + gap if right else x0 - gap - w, y))
            offset = gap
            while offset + w + gap <= length:
                for y in (y0 + gap, y0 - gap - h):
                    out.append((x0 + offset if right else x0 - offset - w, y))
                offset += 1.5 * mm
            for y in (y0 + gap, y0 - gap - h):
                out.append((x1 + gap if right else x1 - gap - w, y))
        else:  # vertical
            down = y1 < y0
            for x in (x0 + gap, x0 - gap - w):
                out.append((x, y0 - gap - h if down else y0 + gap))
                out.append((x, y1 + gap if down else y1 - gap - h))
    return out


Segment = tuple[float, float, float, float]


def _segments(drawing: Drawing) -> list[Segment]:
    out: list[Segment] = []
    for path, _arrow in drawing.lines:
        for (x0, y0), (x1, y1) in itertools.pairwise(path):
            out.append((x0, y0, x1, y1))
    return out


def _grid_segments(cols: Columns, page_rows: list[RowBox]) -> list[Segment]:
    """The grid lines of the actor columns on a page (labels must not sit on them)."""
    top, bottom = page_rows[0].top, page_rows[-1].bottom
    xs = [c.x0 for c in cols.actors] + [cols.actors[-1].x1]
    out: list[Segment] = [(x, bottom, x, top) for x in xs]
    out += [(xs[0], r.top, xs[-1], r.top) for r in page_rows]
    out.append((xs[0], bottom, xs[-1], bottom))
    return out


def _rects_overlap(
    a: tuple[float, float, float, float], b: tuple[float, float, float, float]
) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _rect_hits_segment(rect: tuple[float, float, float, float], seg: Segment) -> bool:
    """Whether an axis-parallel segment passes through the rectangle (ours are all orthogonal)."""
    x0, y0, x1, y1 = seg
    left, bottom, right, top = rect
    if abs(x0 - x1) < 0.01:  # vertical
        lo, hi = min(y0, y1), max(y0, y1)
        return left - 0.3 < x0 < right + 0.3 and lo < top and hi > bottom
    lo, hi = min(x0, x1), max(x0, x1)
    return bottom - 0.3 < y0 < top + 0.3 and lo < right and hi > left


# ------------------------------------------------------------------------------------ drawing


def _draw_header(
    canvas: Canvas,
    cols: Columns,
    top: float,
    h1: float,
    h2: float,
    cells: dict[str, Paragraph],
    actor_paras: list[Paragraph],
) -> None:
    bottom = top - h1 - h2
    canvas.saveState()
    canvas.setFillColor(HEAD_FILL)
    canvas.rect(cols.left, bottom, cols.right - cols.left, h1 + h2, stroke=0, fill=1)
    canvas.restoreState()

    def centred(
        para: Paragraph, x0: float, x1: float, y0: float, y1: float, pad: float = PAD
    ) -> None:
        _w, h = para.wrap(x1 - x0 - 2 * pad, 100 * mm)
        para.drawOn(canvas, x0 + pad, (y0 + y1) / 2 - h / 2)

    for key in ("no", "activity", "note"):
        col: Col = getattr(cols, key)
        centred(cells[key], col.x0, col.x1, bottom, top)
    centred(cells["actors"], cols.actors[0].x0, cols.actors[-1].x1, top - h1, top)
    centred(cells["mutu"], cols.inputs.x0, cols.output.x1, top - h1, top)
    for para, col in zip(actor_paras, cols.actors, strict=True):
        centred(para, col.x0, col.x1, bottom, top - h1, 0.8 * mm)
    for key in ("inputs", "time", "output"):
        col = getattr(cols, key)
        centred(cells[key], col.x0, col.x1, bottom, top - h1)


def _draw_band(canvas: Canvas, cols: Columns, top: float, bottom: float, text: str) -> None:
    canvas.saveState()
    canvas.setFillColor(BAND_FILL)
    canvas.rect(cols.left, bottom, cols.right - cols.left, top - bottom, stroke=0, fill=1)
    canvas.setFillColor(L.GREY)
    canvas.setFont(L.FONT_ITALIC, 6.5)
    canvas.drawString(cols.activity.x0 + PAD, (top + bottom) / 2 - 2.2, text)
    canvas.restoreState()


def _draw_row(canvas: Canvas, cols: Columns, row: RowBox, cells: dict[str, Paragraph]) -> None:
    for key, para in cells.items():
        col: Col = getattr(cols, key)
        _w, h = para.wrap(col.width - 2 * PAD, 1000 * mm)
        if key in ("no", "time"):
            para.drawOn(canvas, col.x0 + PAD, (row.top + row.bottom) / 2 - h / 2)
        else:
            para.drawOn(canvas, col.x0 + PAD, row.top - PAD - h)


def _draw_grid(
    canvas: Canvas,
    cols: Columns,
    frame: PageFrame,
    rows: dict[int, RowBox],
    bottom: float,
    header_h: float,
    head1_h: float,
) -> None:
    top = frame.head_top
    head_bottom = top - header_h
    canvas.saveState()
    canvas.setStrokeColor(GRID)
    canvas.setLineWidth(GRID_W)
    # horizontal lines: header split (only under the spanning headings), header bottom, rows
    canvas.line(cols.actors[0].x0, top - head1_h, cols.actors[-1].x1, top - head1_h)
    canvas.line(cols.inputs.x0, top - head1_h, cols.output.x1, top - head1_h)
    canvas.line(cols.left, head_bottom, cols.right, head_bottom)
    if frame.band_top:
        canvas.line(cols.left, frame.band_top[1], cols.right, frame.band_top[1])
    for i in frame.rows:
        canvas.line(cols.left, rows[i].bottom, cols.right, rows[i].bottom)
    # vertical lines: full height for the outer columns, from the split for grouped ones
    grouped_inner = {c.x0 for c in cols.actors[1:]} | {cols.time.x0, cols.output.x0}
    for col in cols.all()[1:]:
        x = col.x0
        canvas.line(x, bottom, x, top - head1_h if x in grouped_inner else top)
    canvas.setStrokeColor(colors.black)
    canvas.setLineWidth(0.9)
    canvas.rect(cols.left, bottom, cols.right - cols.left, top - bottom, stroke=1, fill=0)
    canvas.restoreState()


def _draw_connectors(canvas: Canvas, drawing: Drawing) -> None:
    canvas.saveState()
    canvas.setStrokeColor(colors.black)
    canvas.setFillColor(colors.black)
    canvas.setLineWidth(LINE_W)
    canvas.setLineJoin(1)
    for path, arrow in drawing.lines:
        if len(path) < 2:
            continue
        p = canvas.beginPath()
        p.moveTo(*path[0])
        for point in path[1:]:
            p.lineTo(*point)
        canvas.drawPath(p, stroke=1, fill=0)
        if arrow:
            _arrowhead(canvas, path[-2], path[-1])
    for x, y, letter in drawing.pentagons:
        _pentagon(canvas, x, y, letter)
    canvas.restoreState()


def _arrowhead(canvas: Canvas, a: tuple[float, float], b: tuple[float, float]) -> None:
    (x0, y0), (x1, y1) = a, b
    length = max(((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5, 0.01)
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    half = ARROW * 0.42
    base_x, base_y = x1 - ux * ARROW, y1 - uy * ARROW
    p = canvas.beginPath()
    p.moveTo(x1, y1)
    p.lineTo(base_x - uy * half, base_y + ux * half)
    p.lineTo(base_x + uy * half, base_y - ux * half)
    p.close()
    canvas.drawPath(p, stroke=0, fill=1)


def _pentagon(canvas: Canvas, x: float, y: float, letter: str) -> None:
    """The off-page connector: a home-plate pentagon pointing down, with its letter."""
    w, h = PENTAGON_W, PENTAGON_H
    top, shoulder, tip = y + h / 2, y - h / 2 + h * 0.35, y - h / 2
    p = canvas.beginPath()
    p.moveTo(x - w / 2, top)
    p.lineTo(x + w / 2, top)
    p.lineTo(x + w / 2, shoulder)
    p.lineTo(x, tip)
    p.lineTo(x - w / 2, shoulder)
    p.close()
    canvas.saveState()
    canvas.setFillColor(colors.white)
    canvas.drawPath(p, stroke=1, fill=1)
    canvas.setFillColor(colors.black)
    canvas.setFont(L.FONT_BOLD, 6)
    canvas.drawCentredString(x, y - 0.3 * mm, letter)
    canvas.restoreState()


def _draw_symbol(canvas: Canvas, s: Symbol) -> None:
    canvas.saveState()
    canvas.setStrokeColor(colors.black)
    canvas.setFillColor(colors.white)
    canvas.setLineWidth(0.9)
    x0, y0 = s.xc - s.w / 2, s.yc - s.h / 2
    if s.kind == TERMINATOR:
        canvas.roundRect(x0, y0, s.w, s.h, s.h / 2, stroke=1, fill=1)
    elif s.kind == DECISION:
        p = canvas.beginPath()
        p.moveTo(s.xc, s.yc + s.h / 2)
        p.lineTo(s.xc + s.w / 2, s.yc)
        p.lineTo(s.xc, s.yc - s.h / 2)
        p.lineTo(s.xc - s.w / 2, s.yc)
        p.close()
        canvas.drawPath(p, stroke=1, fill=1)
    else:
        canvas.rect(x0, y0, s.w, s.h, stroke=1, fill=1)
    canvas.restoreState()


def _draw_labels(canvas: Canvas, drawing: Drawing) -> None:
    canvas.saveState()
    canvas.setFont(L.FONT, LABEL_SIZE)
    for x, y, text, background in drawing.labels:
        w, h = _label_size(text)
        if background:
            canvas.setFillColor(colors.white)
            canvas.rect(x, y, w, h, stroke=0, fill=1)
        canvas.setFillColor(colors.black)
        canvas.drawString(x + 0.4, y + 0.18 * h, text)
    canvas.restoreState()


def _draw_footer(canvas: Canvas, pt: PermitType, index: int, count: int, page_w: float) -> None:
    """SOP and page on the first line; on the second, the file the SOP was printed from (so a
    printed SOP can be matched with the process the application runs)."""
    canvas.saveState()
    canvas.setFont(L.FONT, 6.5)
    canvas.setFillColor(L.GREY)
    first, second = MARGIN + 3.6 * mm, MARGIN + 0.6 * mm
    canvas.drawString(MARGIN, first, f"{pt.sop_number} — {pt.name}")
    canvas.drawRightString(page_w - MARGIN, first, f"Halaman {index + 1} dari {count}")
    source = pt.source_file or pt.code
    canvas.drawString(
        MARGIN,
        second,
        f"Dicetak dari berkas jenis izin {source} (sidik {pt.source_hash[:12]}) oleh "
        f"Perizinan Desktop {__version__}",
    )
    canvas.restoreState()


def main(argv: Sequence[str] | None = None) -> int:
    """Write every shipped permit type's SOP as PDF and PNG pages (for ``docs/documents``).

    ``python -m desktop_perizinan.documents.sop_matrix OUT_DIR [--paper A4]``
    """
    import argparse
    import subprocess
    from dataclasses import replace
    from pathlib import Path

    from desktop_perizinan.services.demo import DEMO_PROFILE
    from desktop_perizinan.workflow.loader import load_forms

    parser = argparse.ArgumentParser(description="Cetak SOP setiap jenis izin (PDF dan PNG).")
    parser.add_argument("out", type=Path)
    parser.add_argument("--forms", type=Path, default=Path(__file__).resolve().parents[2] / "forms")
    parser.add_argument("--paper", choices=L.PAPER_SIZES, default="F4")
    args = parser.parse_args(argv)
    forms = load_forms(args.forms)
    assert forms.office is not None
    args.out.mkdir(parents=True, exist_ok=True)
    profile = replace(DEMO_PROFILE, paper=args.paper)
    for pt in forms.types.values():
        stem = f"sop-{pt.code.lower()}"
        pdf = args.out / f"{stem}.pdf"
        pdf.write_bytes(render_sop_matrix(pt, forms.office, profile))
        subprocess.run(
            ["pdftoppm", "-r", "100", "-png", str(pdf), str(args.out / stem)], check=True
        )
        pages = sorted(args.out.glob(f"{stem}-*.png"))
        for number, page in enumerate(pages, 1):
            page.rename(args.out / (f"{stem}.png" if number == 1 else f"{stem}-{number}.png"))
        print(pdf, len(pages), "halaman")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
