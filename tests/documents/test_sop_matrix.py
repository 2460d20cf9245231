"""The SOP matrix (Permendagri 52/2011) drawn from each shipped permit type: what it says (read
back with pypdf) and how it is laid out (symbols, connectors and labels that do not collide)."""

from __future__ import annotations

import io
import itertools
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader

from desktop_perizinan.documents.sop_matrix import (
    DECISION,
    PROCESS,
    TERMINATOR,
    layout_sop_matrix,
    plan_matrix,
    render_sop_matrix,
)
from desktop_perizinan.services.settings import DEFAULT_PROFILE
from desktop_perizinan.workflow.loader import load_forms

FORMS = Path(__file__).resolve().parents[2] / "forms"
PROFILE = replace(
    DEFAULT_PROFILE,
    head_name="Drs. MARISI SIANTURI, M.Si",
    head_nip="19651115 198602 1 002",
)


@pytest.fixture(scope="module")
def forms():
    loaded = load_forms(FORMS)
    assert loaded.office is not None and len(loaded.types) == 3
    return loaded


def _text(pdf: bytes) -> tuple[list[str], str]:
    """Each page's text, and all of it without any whitespace (wrapped words rejoin)."""
    pages = [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]
    return pages, "".join("".join(pages).split())


def _bare(text: str) -> str:
    return "".join(text.split())


@pytest.mark.parametrize("paper", ["F4", "A4"])
@pytest.mark.parametrize(
    "code", ["DAIRI-LKS-ASING", "PASURUAN-STP-LKS-ASING", "PASURUAN-NIK-KESENIAN"]
)
def test_every_step_name_time_and_output_is_printed(forms, code, paper):
    pt = forms.types[code]
    pdf = render_sop_matrix(pt, forms.office, replace(PROFILE, paper=paper))
    reader = PdfReader(io.BytesIO(pdf))
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert width > height  # landscape
    pages, text = _text(pdf)
    for step in pt.steps:
        assert _bare(step.name) in text, step.name
        assert _bare(step.time_text) in text, step.time_text
        assert _bare(step.output) in text, step.output
        assert _bare(step.inputs) in text, step.inputs
    for basis in pt.legal_basis:
        assert _bare(basis) in text
    assert _bare(pt.sop_number) in text and _bare(pt.name) in text
    assert "PEMERINTAHKABUPATENDAIRI" in text and "MARISISIANTURI" in text
    # The header row is repeated on every page, and every page says which page it is.
    for number, page in enumerate(pages, 1):
        assert "Kegiatan" in page and "Kelengkapan" in page and "Output" in page
        assert f"Halaman {number} dari {len(pages)}" in page
    assert pt.source_hash[:12] in text


def test_the_dairi_matrix_breaks_across_pages_with_off_page_connectors(forms):
    pt = forms.types["DAIRI-LKS-ASING"]
    layout = layout_sop_matrix(pt, forms.office, PROFILE)
    assert len(layout.frames) >= 2
    pages, _text_all = _text(render_sop_matrix(pt, forms.office, PROFILE))
    assert "Bersambung ke halaman berikutnya" in pages[0]
    assert "Sambungan dari halaman sebelumnya" in pages[1]
    # Every off-page connector letter appears on two pages: where the line leaves and arrives.
    letters: dict[str, int] = {}
    for frame in layout.frames:
        for _x, _y, letter in {p for p in layout.drawings[frame.index].pentagons}:
            letters[letter] = letters.get(letter, 0) + 1
    assert letters and all(count == 2 for count in letters.values()), letters


def test_plan_of_the_dairi_sop(forms):
    pt = forms.types["DAIRI-LKS-ASING"]
    plan = plan_matrix(pt, forms.office)
    assert plan.actors == (
        "Pemohon",
        "Penerima Berkas / Front Office",
        "Backoffice / Ka Seksi Pel II",  # the SOP's own name, for every backoffice step
        "Tim Teknis",
        "Kabid Pelayanan",
        "Sekretaris",
        "Kepala Dinas",
        "Kasubbag Umum",
    )
    by_no = {step.no: i for i, step in enumerate(pt.steps)}
    assert plan.kinds[by_no[1]] == TERMINATOR
    assert plan.kinds[by_no[2]] == DECISION  # lengkap / tidak lengkap
    assert plan.kinds[by_no[3]] == PROCESS
    assert plan.kinds[by_no[15]] == TERMINATOR  # the rejection branch ends
    assert plan.kinds[by_no[23]] == TERMINATOR
    assert plan.column_of[by_no[6]] == plan.column_of[by_no[5]] == 2
    edges = {(pt.steps[e.source].no, pt.steps[e.target].no): e.label for e in plan.edges}
    assert edges[(8, 16)] == "Ya" and edges[(8, 9)] == "Tidak"
    assert edges[(2, 1)] == "Tidak"  # back to the applicant
    assert edges[(20, 17)] == "Tidak" and edges[(20, 21)] == "Ya"
    assert plan.notes[by_no[2]].startswith("Ya (lengkap): ke langkah 3")
    assert "dikembalikan kepada pemohon" in plan.notes[by_no[2]]
    assert plan.notes[by_no[23]] == "Selesai, izin terbit."


def test_pasuruan_actors_follow_the_sop_labels(forms):
    plan = plan_matrix(forms.types["PASURUAN-STP-LKS-ASING"], forms.office)
    # "SIAPMASLAHAT / Pemohon" (step 7) is the same column as "Pemohon / SIAPMASLAHAT".
    assert plan.actors == (
        "Pemohon / SIAPMASLAHAT",
        "Customer Service",
        "Sub Koordinator PTSP II",
        "Dinas Sosial",
        "Koordinator PTSP II",
        "Kepala DPMPTSP",
    )
    assert plan.column_of[-1] == 0


def _segments(path):
    return list(itertools.pairwise(path))


@pytest.mark.parametrize("paper", ["F4", "A4"])
@pytest.mark.parametrize(
    "code", ["DAIRI-LKS-ASING", "PASURUAN-STP-LKS-ASING", "PASURUAN-NIK-KESENIAN"]
)
def test_symbols_lines_and_labels_do_not_collide(forms, code, paper):
    layout = layout_sop_matrix(forms.types[code], forms.office, replace(PROFILE, paper=paper))
    cols = layout.cols
    left, right = cols.actors[0].x0, cols.actors[-1].x1
    for frame in layout.frames:
        symbols = [layout.symbols[i] for i in frame.rows]
        for a, b in itertools.combinations(symbols, 2):
            ax0, ay0, ax1, ay1 = a.box()
            bx0, by0, bx1, by1 = b.box()
            assert not (ax0 < bx1 and bx0 < ax1 and ay0 < by1 and by0 < ay1)
        for s in symbols:  # a symbol stays inside its row and its column
            row = next(layout.rows[i] for i in frame.rows if layout.symbols[i] is s)
            x0, y0, x1, y1 = s.box()
            assert row.bottom < y0 and y1 < row.top
        drawing = layout.drawings[frame.index]
        for path, _arrow in drawing.lines:
            for (x0, y0), (x1, y1) in _segments(path):
                assert abs(x0 - x1) < 0.01 or abs(y0 - y1) < 0.01  # orthogonal
                assert left <= min(x0, x1) and max(x0, x1) <= right  # never over text
                for s in symbols:  # never through a symbol (touching a vertex is fine)
                    sx0, sy0, sx1, sy1 = s.box()
                    inside_x = min(x0, x1) < sx1 - 0.5 and max(x0, x1) > sx0 + 0.5
                    inside_y = min(y0, y1) < sy1 - 0.5 and max(y0, y1) > sy0 + 0.5
                    assert not (inside_x and inside_y), (path, s)
        # Every branch label found a free spot (no white patch over a line needed).
        assert all(not background for _x, _y, _t, background in drawing.labels)
        assert {t for _x, _y, t, _b in drawing.labels} <= {"Ya", "Tidak"}


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm tidak terpasang")
def test_render_to_png(forms, tmp_path):
    pdf = tmp_path / "sop.pdf"
    pdf.write_bytes(render_sop_matrix(forms.types["DAIRI-LKS-ASING"], forms.office, PROFILE))
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(tmp_path / "p")], check=True)
    assert len(list(tmp_path.glob("p-*.png"))) == len(PdfReader(str(pdf)).pages)
