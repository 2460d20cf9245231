"""The PDF renderers, one import away: each takes a context and returns the PDF as bytes.

Importing this module loads reportlab (about 100 ms); import it only where a document is
rendered, never at start-up. Contexts live in :mod:`desktop_perizinan.documents.contexts`.
"""

from __future__ import annotations

from desktop_perizinan.documents.contexts import (
    BeritaAcaraContext,
    DisposisiContext,
    DocumentContext,
    KlarifikasiContext,
    LetterContext,
    ResiContext,
    SkrdContext,
    TandaTerimaContext,
)
from desktop_perizinan.documents.counter import (
    render_klarifikasi,
    render_resi,
    render_tanda_terima,
)
from desktop_perizinan.documents.disposisi import render_disposisi
from desktop_perizinan.documents.letters import render_berita_acara, render_letter, render_skrd

_RENDERERS = {
    ResiContext: render_resi,
    KlarifikasiContext: render_klarifikasi,
    DisposisiContext: render_disposisi,
    LetterContext: render_letter,
    BeritaAcaraContext: render_berita_acara,
    SkrdContext: render_skrd,
    TandaTerimaContext: render_tanda_terima,
}


def render(ctx: DocumentContext) -> bytes:
    """Render any context with its renderer (for callers that hold a mix, e.g. a print queue)."""
    renderer = _RENDERERS.get(type(ctx))
    if renderer is None:
        raise TypeError(f"no renderer for {type(ctx).__name__}")
    return renderer(ctx)  # type: ignore[operator]


__all__ = [
    "render",
    "render_berita_acara",
    "render_disposisi",
    "render_klarifikasi",
    "render_letter",
    "render_resi",
    "render_skrd",
    "render_tanda_terima",
]
