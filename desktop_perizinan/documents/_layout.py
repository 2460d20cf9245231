"""What every document shares: fonts, paper, the kop surat, the QR code, signature and paraf.

Private to the package: the renderers in :mod:`desktop_perizinan.documents.pdf` and its siblings
use these blocks as ``_layout.<name>``; nothing outside ``documents`` should. This module only
gathers them; they live by job in ``_layout_fonts`` (fonts, emblem, the cached font subsets),
``_layout_base`` (paper, styles, text), ``_layout_qr`` (the QR code), ``_layout_blocks`` (kop,
signature, paraf, tables), ``_layout_frozen`` (blocks drawn once, copied into later documents)
and ``_layout_build`` (pages). Everything expensive (fonts, their
embedded subsets, the emblem, QR symbols) is prepared once per process and reused, because a
clerk prints many receipts a day.
"""

from __future__ import annotations

from desktop_perizinan.documents._layout_base import (
    DRAFT_RED,
    GREY,
    HALF_MARGINS,
    INK,
    LETTER_MARGINS,
    LIGHT,
    PAPER_SIZES,
    RULE,
    THERMAL_MARGINS,
    THERMAL_WIDTH,
    Margins,
    Styles,
    body_paragraphs,
    date_text,
    esc,
    full_page,
    half_page,
    markup,
    para,
    styles,
    tight_style,
)
from desktop_perizinan.documents._layout_blocks import (
    CheckBox,
    DoubleRule,
    Emblem,
    HRule,
    choices,
    foot_row,
    grid_style,
    kop,
    kop_text_only,
    kv_table,
    numbered,
    paraf_box,
    qr_block,
    signature_block,
)
from desktop_perizinan.documents._layout_build import PageHook, build_pdf, measure
from desktop_perizinan.documents._layout_fonts import (
    EMBLEM_PIXELS,
    FONT,
    FONT_BOLD,
    FONT_BOLD_ITALIC,
    FONT_ITALIC,
    emblem_reader,
    register_fonts,
    resources_dir,
)
from desktop_perizinan.documents._layout_frozen import Frozen, Stack, frozen
from desktop_perizinan.documents._layout_qr import QR_MASK, QrCode, draw_qr

__all__ = [
    "DRAFT_RED",
    "EMBLEM_PIXELS",
    "FONT",
    "FONT_BOLD",
    "FONT_BOLD_ITALIC",
    "FONT_ITALIC",
    "GREY",
    "HALF_MARGINS",
    "INK",
    "LETTER_MARGINS",
    "LIGHT",
    "PAPER_SIZES",
    "QR_MASK",
    "RULE",
    "THERMAL_MARGINS",
    "THERMAL_WIDTH",
    "CheckBox",
    "DoubleRule",
    "Emblem",
    "Frozen",
    "HRule",
    "Margins",
    "PageHook",
    "QrCode",
    "Stack",
    "Styles",
    "body_paragraphs",
    "build_pdf",
    "choices",
    "date_text",
    "draw_qr",
    "emblem_reader",
    "esc",
    "foot_row",
    "frozen",
    "full_page",
    "grid_style",
    "half_page",
    "kop",
    "kop_text_only",
    "kv_table",
    "markup",
    "measure",
    "numbered",
    "para",
    "paraf_box",
    "qr_block",
    "register_fonts",
    "resources_dir",
    "signature_block",
    "styles",
    "tight_style",
]
