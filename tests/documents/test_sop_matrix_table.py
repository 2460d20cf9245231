"""The printed matrix is the SOP's table (issue 11): for every permit type of every folder we
ship or test with, one row per step in file order with the SOP's own label ("3a", gaps kept),
activity, kelengkapan, waktu and output exactly as written, one pelaksana column per actor, a
symbol in the actor's column; and the same text in the PDF."""

from __future__ import annotations

import io
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader

from desktop_perizinan.documents.sop_matrix import layout_sop_matrix, render_sop_matrix
from desktop_perizinan.services.settings import DEFAULT_PROFILE
from desktop_perizinan.workflow.loader import FormSet, load_forms

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = [
    ROOT / "forms",
    ROOT / "tests" / "forms_demo",
    *[d for d in [ROOT / "tests" / "forms_lifecycle"] if (d / "_kantor.toml").is_file()],
]
PROFILE = replace(DEFAULT_PROFILE, head_name="Drs. MARISI SIANTURI, M.Si")


def _types() -> list[tuple[Path, str]]:
    return [(folder, code) for folder in FOLDERS for code in sorted(load_forms(folder).types)]


def _plain(para) -> str:  # type: ignore[no-untyped-def]
    """A cell's text as written (the paragraph's source, entities undone)."""
    return " ".join(
        para.text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").split()
    )


def _assert_matrix_is_the_table(forms: FormSet, code: str) -> None:
    pt = forms.types[code]
    assert forms.office is not None
    layout = layout_sop_matrix(pt, forms.office, PROFILE)
    assert len(layout.cells) == len(pt.steps)
    for step, cells, column in zip(pt.steps, layout.cells, layout.plan.column_of, strict=True):
        assert _plain(cells["no"]) == str(step.no)
        assert _plain(cells["activity"]) == " ".join(step.name.split())
        assert _plain(cells["inputs"]) == (" ".join(step.inputs.split()) or "-")
        assert _plain(cells["time"]) == step.time_text
        assert _plain(cells["output"]) == (" ".join(step.output.split()) or "-")
        label = step.actor_label or forms.office.role_name(step.actor)
        heading = layout.plan.actors[column]
        assert {p.strip().lower() for p in heading.split("/")} == {
            p.strip().lower() for p in label.split("/")
        } or step.actor_label == ""
    # Every row has its symbol, inside its actor's column.
    for index, column in enumerate(layout.plan.column_of):
        col = layout.cols.actors[column]
        symbol = layout.symbols[index]
        assert col.x0 < symbol.xc - symbol.w / 2 and symbol.xc + symbol.w / 2 < col.x1
    pdf = render_sop_matrix(pt, forms.office, PROFILE)
    text = "".join(
        "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages).split()
    )
    for step in pt.steps:
        assert "".join(step.name.split()) in text


@pytest.mark.parametrize(("folder", "code"), _types(), ids=lambda v: getattr(v, "name", v))
def test_the_matrix_is_the_sops_table(folder: Path, code: str) -> None:
    _assert_matrix_is_the_table(load_forms(folder), code)


def test_the_sops_own_step_labels_print_unchanged(tmp_path: Path) -> None:
    """Labels as the SOP numbers its rows: "3a" and a gap to "10" print as written, in the No
    column and in the keterangan that points at them."""
    source = ROOT / "tests" / "forms_demo"
    shutil.copy(source / "_kantor.toml", tmp_path / "_kantor.toml")
    text = (source / "uji-dengan-kelengkapan.toml").read_text(encoding="utf-8")
    text = text.replace("no = 3\n", 'no = "3a"\n').replace("no = 4\n", 'no = "3b"\n')
    text = text.replace("no = 7\n", 'no = "10"\n').replace("no = 8\n", 'no = "11"\n')
    (tmp_path / "uji-label.toml").write_text(text, encoding="utf-8")
    forms = load_forms(tmp_path)
    assert not forms.problems, forms.problems
    pt = forms.types["UJI-DENGAN-KELENGKAPAN"]
    assert [str(s.no) for s in pt.steps] == ["1", "2", "3a", "3b", "5", "6", "10", "11"]
    _assert_matrix_is_the_table(forms, pt.code)
    assert forms.office is not None
    layout = layout_sop_matrix(pt, forms.office, PROFILE)
    notes = [_plain(row["note"]) for row in layout.cells]
    assert "ke langkah 3a" in notes[1]  # "lengkap" from step 2 goes to the resi, 3a
    assert "ke langkah 3b" in notes[4]  # the signature returned to the draft, 3b
